// The account's Enterprise API credentials: company ID (`cid`) and provisioning hash
// (`provhash`). Regenerating the hash in the console invalidates the old one at once.

import { Prng, randomHex } from '../common/prng.js';

export class Credentials {
  private hash: string;
  private readonly rng: Prng;
  private rotations = 0;

  constructor(
    readonly companyId: number,
    seed: number,
    initialHash: string | undefined,
  ) {
    this.rng = Prng.derive(seed, 'provhash');
    this.hash = initialHash ?? this.randomHash();
  }

  get provisioningHash(): string {
    return this.hash;
  }

  get revocations(): number {
    return this.rotations;
  }

  /** `cid` may be a JSON number or string (collectors send both); `provhash` must be current. */
  accepts(cid: unknown, provhash: unknown): boolean {
    if (typeof cid !== 'number' && typeof cid !== 'string') return false;
    return String(cid) === String(this.companyId) && provhash === this.hash;
  }

  /** A new hash; the old one stops working. */
  rotate(): string {
    this.rotations++;
    this.hash = this.randomHash();
    return this.hash;
  }

  private randomHash(): string {
    return randomHex(this.rng, 64);
  }
}
