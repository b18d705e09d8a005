// "Send with the current token; if the API calls the token invalid, get a new one and send
// once more": what Lark (invalid-token codes) and Kiteworks (401) both need.

import type { HttpResponse } from '../../core/contracts.js';

export interface RenewableToken {
  get(): Promise<string>;
  /** Forget a token the API refused. */
  invalidate(token: string): void;
}

export interface TokenRetryResult {
  readonly res: HttpResponse;
  /** HTTP attempts over both sends. */
  readonly attempts: number;
  /** True when even a freshly obtained token was refused. */
  readonly refusedTwice: boolean;
}

/**
 * Sends with a token; when `refused(res)` says the token is no good, drops it, calls
 * `onRenew` (to log why) and sends once more with a new one. The caller maps the final answer.
 */
export async function sendWithTokenRenewal(
  token: RenewableToken,
  send: (token: string) => Promise<HttpResponse>,
  refused: (res: HttpResponse) => boolean,
  onRenew: (res: HttpResponse) => void,
): Promise<TokenRetryResult> {
  let attempts = 0;
  for (let renewed = false; ; renewed = true) {
    const value = await token.get();
    const res = await send(value);
    attempts += res.attempts;
    if (!refused(res)) return { res, attempts, refusedTwice: false };
    token.invalidate(value);
    if (renewed) return { res, attempts, refusedTwice: true };
    onRenew(res);
  }
}
