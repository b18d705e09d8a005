// Picking who acts. In real logs a few people (admins, heavy users) do most things, so
// picks lean toward the start of a list, where each simulator puts its busiest people.

import type { Prng } from './prng.js';

/** A pick skewed toward the start of `items` (index ~ u², u uniform). */
export function pickSkewed<T>(rng: Prng, items: readonly T[]): T {
  return skewed(rng, items, rng.next());
}

/** Half the time one of the busy few (a skewed pick), half the time anyone. */
export function pickBusyOrAnyone<T>(rng: Prng, items: readonly T[]): T {
  // u is drawn before the coin, as the seeded data has always had it.
  const u = rng.next();
  return rng.chance(0.5) ? rng.pick(items) : skewed(rng, items, u);
}

/** `size` distinct values from `draw` (e.g. names from first x last); `size` must be reachable. */
export function drawDistinct(size: number, draw: () => string): Set<string> {
  const out = new Set<string>();
  while (out.size < size) out.add(draw());
  return out;
}

function skewed<T>(rng: Prng, items: readonly T[], u: number): T {
  return items[Math.floor(u * u * items.length)] ?? rng.pick(items);
}
