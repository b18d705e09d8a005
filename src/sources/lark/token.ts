// The tenant_access_token of a Lark app: obtained from the app ID and secret, kept and reused
// while valid, renewed before it expires, and dropped when the API calls it invalid.

import type { Clock, HttpClient, Logger } from '../../core/contracts.js';
import { SiphonError } from '../../core/errors.js';
import { larkError, type LarkPhase } from './errors.js';

/** Devo's collector renews at 40 minutes "as the token expires around that time". */
const MAX_REUSE_MS = 40 * 60_000;
/** Codes of the token endpoint that mean the app ID or secret is wrong. */
const CREDENTIAL_CODES = new Set([10003, 10014, 10012, 10015]);

interface HeldToken {
  readonly value: string;
  /** When to stop using it: the server's expiry or 40 minutes, whichever is earlier, less a margin. */
  readonly renewAt: number;
}

export interface TenantTokenOptions {
  readonly http: HttpClient;
  readonly baseUrl: string;
  readonly appId: string;
  readonly appSecret: string;
  readonly clock: Clock;
  readonly logger: Logger;
}

export class TenantTokens {
  private held: HeldToken | undefined;
  private pending: Promise<string> | undefined;

  constructor(private readonly o: TenantTokenOptions) {}

  /** True when a token is held and not due for renewal. */
  get isValid(): boolean {
    return this.held !== undefined && this.o.clock.now() < this.held.renewAt;
  }

  /** A token to use now: the held one while valid, else a new one (one request at a time). */
  async get(signal: AbortSignal, phase: LarkPhase): Promise<string> {
    if (this.held && this.isValid) return this.held.value;
    this.pending ??= this.obtain(signal, phase).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** The API refused `token`: forget it (unless a newer one replaced it already). */
  invalidate(token: string): void {
    if (this.held?.value === token) this.held = undefined;
  }

  private async obtain(signal: AbortSignal, phase: LarkPhase): Promise<string> {
    const path = '/open-apis/auth/v3/tenant_access_token/internal';
    const details = { operation: `POST ${path}` };
    let res;
    try {
      res = await this.o.http.request({
        method: 'POST',
        url: `${this.o.baseUrl}${path}`,
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: { app_id: this.o.appId, app_secret: this.o.appSecret },
        operation: `POST ${path}`,
        signal,
        purpose: 'token',
      });
    } catch (err) {
      if (signal.aborted) throw err;
      throw larkError('token-error', phase, err instanceof SiphonError ? err.message : String(err), details, err);
    }
    const body = parseObject(res.body);
    const code = typeof body?.['code'] === 'number' ? body['code'] : undefined;
    const msg = typeof body?.['msg'] === 'string' ? body['msg'] : '';
    if ((res.status >= 400 && res.status < 500) || (code !== undefined && CREDENTIAL_CODES.has(code))) {
      throw larkError(
        'token-refused',
        phase,
        `(HTTP ${res.status}${code === undefined ? '' : `, code ${code}: ${msg}`}): the app ID or secret was refused. Check credentials.app_id and credentials.app_secret, and that the app is enabled`,
        { ...details, status: res.status, code },
      );
    }
    if (res.status !== 200) throw larkError('token-status', phase, `${res.status}${msg ? ` (${msg})` : ''}`, { ...details, status: res.status, code });
    const token = body?.['tenant_access_token'];
    const expire = Number(body?.['expire']);
    if (code !== 0 || typeof token !== 'string' || token.length === 0 || !(expire > 0)) {
      throw larkError('token-error', phase, `the answer carries no token (code ${code ?? 'none'}${msg ? `: ${msg}` : ''})`, { ...details, code });
    }
    const lifetimeMs = Math.min(expire * 1000, MAX_REUSE_MS);
    // Renew a little early (a tenth of the lifetime, at most a minute) so no request goes out with a dying token.
    this.held = { value: token, renewAt: this.o.clock.now() + lifetimeMs - Math.min(60_000, lifetimeMs / 10) };
    this.o.logger.info('Successfully generated auth token for Lark API');
    return token;
  }
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
