// Which inputs this process pulls. A plain collector pulls every input from start to stop; in a
// cluster an assignment source (src/cluster) decides while the collector runs, starting and
// stopping the streams of one input (a "unit": an account's streams stay together, so its rate
// budget holds) as its claims come and go. The core only knows this contract.

import type { SiphonError } from './errors.js';

/** What the collector lets an assignment source do with its inputs. */
export interface UnitControl {
  /** The names of the enabled inputs, in configuration order. */
  readonly units: readonly string[];
  /**
   * Loads the unit's saved state (the last committed checkpoint) and starts its streams.
   * Rejects when the state cannot be loaded (nothing started then).
   */
  start(unit: string): Promise<void>;
  /**
   * Stops the unit's streams and resolves once they ended: the pages in flight are delivered
   * and committed, or abandoned (a commit the claim no longer covers is refused).
   */
  stop(unit: string): Promise<void>;
  /** The units whose streams run now. */
  running(): readonly string[];
}

/** Decides which units run here, until `signal` aborts; then stops them and gives them up. */
export interface UnitAssignment {
  run(control: UnitControl, signal: AbortSignal): Promise<void>;
}

/**
 * A stream's claim on its unit, checked before a page is handed to the outputs. `valid()` is
 * cheap (the local clock against the last confirmed renewal): a process woken from a long pause
 * learns it may have lost the stream before delivering a page someone else now pulls.
 */
export interface StreamClaim {
  valid(): boolean;
  /** The stream found its claim gone (the check above, or a refused commit): its unit stops here. */
  lost(reason: SiphonError): void;
}
