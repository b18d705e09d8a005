// The self-built app and its tenant_access_tokens. The vendor's reuse rule: while the
// newest token has at least `renewWithin` left, the endpoint hands back that same token
// with its remaining lifetime; after that it mints a new one, and the old one stays valid
// until it expires. Rotating the secret or an admin "expire all" ends every token at once.

import { Prng, randomAlphanumeric, randomHex } from '../common/prng.js';

interface IssuedToken {
  readonly value: string;
  readonly expiresAt: number;
  dead: boolean;
}

export type AppCheck = 'ok' | 'invalid-param' | 'bad-secret';

export interface Grant {
  readonly token: string;
  /** Whole seconds left, as the endpoint reports them. */
  readonly expire: number;
  /** A newly minted token (false when the newest one was handed back). */
  readonly fresh: boolean;
}

/** Expired tokens are swept once the map holds this many. */
const SWEEP_AT = 1_000;

export class AppRegistry {
  private secret: string;
  private readonly tokens = new Map<string, IssuedToken>();
  private newest: IssuedToken | undefined;
  private readonly rng: Prng;
  private rotations = 0;
  private minted = 0;

  constructor(
    readonly appId: string,
    seed: number,
    initialSecret: string | undefined,
    private readonly lifetimeMs: number,
    private readonly renewWithinMs: number,
  ) {
    this.rng = Prng.derive(seed, 'lark-app');
    this.secret = initialSecret ?? this.randomSecret();
  }

  get appSecret(): string {
    return this.secret;
  }

  get secretRotations(): number {
    return this.rotations;
  }

  get tokensIssued(): number {
    return this.minted;
  }

  /** Whether a token request's body names this app with its current secret. */
  check(appId: unknown, appSecret: unknown): AppCheck {
    if (typeof appId !== 'string' || appId === '' || typeof appSecret !== 'string' || appSecret === '') return 'invalid-param';
    if (appId !== this.appId) return 'invalid-param';
    return appSecret === this.secret ? 'ok' : 'bad-secret';
  }

  /** The token the endpoint answers with at `now`: the newest while it has enough left, else a new one. */
  grant(now: number): Grant {
    const newest = this.newest;
    if (newest && !newest.dead && newest.expiresAt - now >= this.renewWithinMs) {
      return { token: newest.value, expire: Math.floor((newest.expiresAt - now) / 1000), fresh: false };
    }
    if (this.tokens.size >= SWEEP_AT) this.sweep(now);
    let value = this.randomToken();
    while (this.tokens.has(value)) value = this.randomToken();
    const token: IssuedToken = { value, expiresAt: now + this.lifetimeMs, dead: false };
    this.tokens.set(value, token);
    this.newest = token;
    this.minted++;
    return { token: value, expire: Math.floor(this.lifetimeMs / 1000), fresh: true };
  }

  /** Whether `token` is one of ours, not revoked and not expired at `now`. */
  accepts(token: string, now: number): boolean {
    const t = this.tokens.get(token);
    return t !== undefined && !t.dead && now < t.expiresAt;
  }

  /** Every token issued so far stops working. */
  expireAll(): void {
    for (const t of this.tokens.values()) t.dead = true;
    this.newest = undefined;
  }

  revoke(token: string): boolean {
    const t = this.tokens.get(token);
    if (!t) return false;
    t.dead = true;
    return true;
  }

  /** A new secret; the old one and every token made with it stop working. */
  rotateSecret(): string {
    this.rotations++;
    this.expireAll();
    let next = this.randomSecret();
    while (next === this.secret) next = this.randomSecret();
    this.secret = next;
    return next;
  }

  private sweep(now: number): void {
    for (const [value, t] of this.tokens) if (t.dead || now >= t.expiresAt) this.tokens.delete(value);
  }

  private randomToken(): string {
    return `t-${randomHex(this.rng, 32)}`;
  }

  private randomSecret(): string {
    return randomAlphanumeric(this.rng, 32);
  }
}
