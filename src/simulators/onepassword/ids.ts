// 1Password identifiers: 26 characters of RFC 4648 base32 (A-Z, 2-7). Most are upper
// case; vault and item uuids are lower case in the vendor's own samples.

import type { Prng } from '../common/prng.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** 26 random base32 characters (not guaranteed unique; fine for people, vaults, sessions). */
export function randomUuid(rng: Prng): string {
  return randomChars(rng, 26);
}

export function randomLowerUuid(rng: Prng): string {
  return randomChars(rng, 26).toLowerCase();
}

/**
 * Event uuids must never repeat (collectors dedupe on them), so 7 of the 26 characters
 * carry a scrambled sequence number: a bijection of a 32-bit counter, so no two equal.
 */
export class UniqueUuids {
  private counter = 0;

  constructor(
    private readonly rng: Prng,
    /** Keeps streams that share a counter space apart (e.g. one per event kind). */
    private readonly lane: number,
    private readonly salt: number,
  ) {}

  next(): string {
    const seq = ((this.counter++ * 4 + this.lane) >>> 0) ^ this.salt;
    let x = seq >>> 0;
    // xorshift-multiply rounds: each step is invertible on 32 bits, so the result is unique.
    x = Math.imul(x ^ (x >>> 16), 0x45d9f3b) >>> 0;
    x = Math.imul(x ^ (x >>> 16), 0x45d9f3b) >>> 0;
    x = (x ^ (x >>> 16)) >>> 0;
    const high = this.rng.u32() & 7; // 3 random bits top up 32 bits to 35 (7 characters)
    let tail = ALPHABET.charAt((high << 2) | (x >>> 30));
    for (let shift = 25; shift >= 0; shift -= 5) tail += ALPHABET.charAt((x >>> shift) & 31);
    return randomChars(this.rng, 19) + tail;
  }
}

function randomChars(rng: Prng, n: number): string {
  let out = '';
  let bits = 0;
  let pool = 0;
  for (let i = 0; i < n; i++) {
    if (bits < 5) {
      pool = rng.u32();
      bits = 30; // use 30 of the 32 bits: six characters per draw
    }
    out += ALPHABET.charAt(pool & 31);
    pool >>>= 5;
    bits -= 5;
  }
  return out;
}
