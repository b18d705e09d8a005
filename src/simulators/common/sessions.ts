// Activity comes in sessions: someone signs in, then does a few things from the same place.
// An event joins the running session when it comes soon after the session's last event
// (and the dice agree); otherwise a new session starts.

import type { Prng } from './prng.js';

/** A session ends after this much quiet. */
const SESSION_GAP_MS = 20 * 60_000;
/** Even within the gap, some events start a session of their own, so sessions interleave. */
const CONTINUE_CHANCE = 0.8;

export class RunningSession<S extends { lastAt: number }> {
  private current: S | undefined;

  /** `start` makes a new session at an instant (drawing from the same `rng`). */
  constructor(
    private readonly rng: Prng,
    private readonly start: (instant: number) => S,
  ) {}

  /**
   * The session an event at `instant` belongs to, and whether it is new. A `detached` event
   * (a late one, stamped in the past) gets a session of its own and leaves the running one alone.
   */
  at(instant: number, detached: boolean): { session: S; fresh: boolean } {
    const s = this.current;
    if (!detached && s && instant >= s.lastAt && instant - s.lastAt < SESSION_GAP_MS && this.rng.chance(CONTINUE_CHANCE)) {
      s.lastAt = instant;
      return { session: s, fresh: false };
    }
    const session = this.start(instant);
    if (!detached) this.current = session;
    return { session, fresh: true };
  }
}
