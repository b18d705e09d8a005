// V8 heap sizing that `siphon run` and `siphon demo` apply to their own process before any work
// begins (docs/performance.md, "Heap sizing defaults (issue 14)").
//
// V8 lets its old generation grow to up to 4x what survived the last full collection before it
// collects again. Events queued for delivery outlive the young generation, so a back-fill fills
// the old generation with garbage: peak RSS 1.5-2.4x a bare fetch-parse-write loop, and a soak's
// RSS keeps climbing. A fixed growing factor of 1.5 keeps the garbage in proportion for a little
// more CPU in full collections. V8 reads this flag each time it sets the next collection's limit,
// so setting it at run time works (unlike the young generation's size, fixed when V8 starts).
import { setFlagsFromString } from 'node:v8';

/** Old-generation growth allowed between full collections: 50 means 1.5x what survived. */
export const DEFAULT_HEAP_GROWING_PERCENT = 50;

/** V8 accepts its flags with dashes or underscores. */
const OPERATOR_FLAG = /^--heap[-_]growing[-_]percent(=|$)/;

/**
 * The V8 flags to set, given how Node was started: none when the operator already chose a growing
 * factor (`node --heap-growing-percent=N bin/siphon.js ...`; 0 restores V8's own adaptive rule).
 * NODE_OPTIONS is read too, although Node refuses this flag there today.
 */
export function heapFlagsToSet(execArgv: readonly string[], nodeOptions: string | undefined): string[] {
  const given = [...execArgv, ...(nodeOptions ?? '').split(/\s+/)];
  if (given.some((arg) => OPERATOR_FLAG.test(arg))) return [];
  return [`--heap-growing-percent=${DEFAULT_HEAP_GROWING_PERCENT}`];
}

/**
 * Applies the defaults to this process. Every Node that Siphon supports (20.19+, 22, 24) has the
 * flag; a V8 without it would print "unrecognized flag" once and run on with its own rule.
 */
export function applyHeapDefaults(execArgv: readonly string[] = process.execArgv, nodeOptions: string | undefined = process.env['NODE_OPTIONS']): void {
  for (const flag of heapFlagsToSet(execArgv, nodeOptions)) setFlagsFromString(flag);
}
