// A small seeded PRNG (mulberry32) so simulated data is reproducible run after run.
// Not for cryptography: it only has to be fast and spread values evenly.

export class Prng {
  private state: number;

  constructor(seed: number) {
    // Fold any number (negative, fractional, > 2^32) into a 32-bit state.
    this.state = (Math.trunc(seed) ^ 0x9e3779b9) >>> 0;
  }

  /** A new, independent generator derived from this seed and a label, e.g. one per event kind. */
  static derive(seed: number, label: string): Prng {
    let h = Math.trunc(seed) >>> 0;
    for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
    return new Prng(h);
  }

  /** Uniform 32-bit unsigned integer. */
  u32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Uniform integer in [min, max]. */
  range(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }
}

/** `digits` random lower-case hex digits (ids, tokens, hashes). */
export function randomHex(rng: Prng, digits: number): string {
  let out = '';
  while (out.length < digits) out += rng.u32().toString(16).padStart(8, '0');
  return out.length === digits ? out : out.slice(0, digits);
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** `length` random letters and digits (secrets, document tokens). */
export function randomAlphanumeric(rng: Prng, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHANUMERIC[rng.int(ALPHANUMERIC.length)] ?? 'x';
  return out;
}

/** Picks by weight; build once, draw many times. */
export class WeightedPicker<T> {
  private readonly cumulative: number[] = [];
  private readonly values: T[] = [];
  private readonly total: number;

  constructor(entries: ReadonlyArray<readonly [T, number]>) {
    let sum = 0;
    for (const [value, weight] of entries) {
      sum += weight;
      this.cumulative.push(sum);
      this.values.push(value);
    }
    if (sum <= 0) throw new Error('weights must add up to more than zero');
    this.total = sum;
  }

  draw(rng: Prng): T {
    const x = rng.next() * this.total;
    let i = 0;
    while (i < this.cumulative.length - 1 && (this.cumulative[i] ?? 0) <= x) i++;
    return this.values[i] as T;
  }
}
