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

/** The multiplier of UniqueUuids' scrambling rounds, and its inverse modulo 2^32 (Newton's iteration). */
const ROUND_MULTIPLIER = 0x45d9f3b;
const ROUND_INVERSE = ((): number => {
  let inv = ROUND_MULTIPLIER; // right to 3 bits; each step doubles the correct bits
  for (let i = 0; i < 5; i++) inv = Math.imul(inv, 2 - Math.imul(ROUND_MULTIPLIER, inv));
  return inv >>> 0;
})();

/**
 * Event uuids must never repeat (collectors dedupe on them), so 7 of the 26 characters
 * carry a scrambled sequence number: a bijection of a 32-bit counter, so no two equal.
 */
export class UniqueUuids {
  constructor(
    private readonly rng: Prng,
    /** Keeps streams that share a counter space apart (e.g. one per event kind). */
    private readonly lane: number,
    private readonly salt: number,
    /** The sequence number of the first uuid: a stream that starts at event n of its kind starts at n. */
    private counter = 0,
  ) {}

  next(): string {
    const seq = ((this.counter++ * 4 + this.lane) >>> 0) ^ this.salt;
    let x = seq >>> 0;
    // xorshift-multiply rounds: each step is invertible on 32 bits, so the result is unique.
    x = Math.imul(x ^ (x >>> 16), ROUND_MULTIPLIER) >>> 0;
    x = Math.imul(x ^ (x >>> 16), ROUND_MULTIPLIER) >>> 0;
    x = (x ^ (x >>> 16)) >>> 0;
    const high = this.rng.u32() & 7; // 3 random bits top up 32 bits to 35 (7 characters)
    let tail = ALPHABET.charAt((high << 2) | (x >>> 30));
    for (let shift = 25; shift >= 0; shift -= 5) tail += ALPHABET.charAt((x >>> shift) & 31);
    return randomChars(this.rng, 19) + tail;
  }
}

/**
 * The sequence number UniqueUuids gave `uuid` (event n of its kind has n), or undefined when
 * the uuid is not one of that stream's: undoes the scrambling of its last 7 characters.
 */
export function uuidSequence(uuid: string, lane: number, salt: number): number | undefined {
  if (uuid.length !== 26) return undefined;
  let x = 0;
  for (let k = 19; k < 26; k++) {
    const v = ALPHABET.indexOf(uuid.charAt(k));
    if (v < 0) return undefined;
    // The first tail character carries 3 random bits above the top 2 bits of x.
    x = k === 19 ? v & 3 : ((x << 5) | v) >>> 0;
  }
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, ROUND_INVERSE) >>> 0;
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, ROUND_INVERSE) >>> 0;
  x = (x ^ (x >>> 16)) >>> 0;
  const seq = (x ^ salt) >>> 0;
  return (seq & 3) === lane ? seq >>> 2 : undefined;
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
