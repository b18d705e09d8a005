// A vendor that answers "there is more" with no events and the very cursor it was sent
// would be asked for the same page for ever, at full speed, spending the account's whole
// rate budget (shared with its other streams). The runner stops such a cycle after a few
// pages in a row, with PULL_NO_PROGRESS; the cycle is then retried with the error back-off.

import type { JsonValue, Page } from './contracts.js';
import { SiphonError } from './errors.js';

/** Pages in a row that may make no progress before the cycle stops. */
const NO_PROGRESS_LIMIT = 3;

/** Longest piece of a cursor quoted in the error (cursors are opaque and can be long). */
const CURSOR_QUOTE_MAX = 80;

export class NoProgressGuard {
  private stalled = 0;

  /** `cursor`: the position the first page of the cycle is fetched from. */
  constructor(private cursor: JsonValue | null) {}

  /** The next page is fetched from this cursor. */
  sent(cursor: JsonValue): void {
    this.cursor = cursor;
  }

  /** Throws PULL_NO_PROGRESS once NO_PROGRESS_LIMIT pages in a row said "more" without events or a new cursor. */
  check(page: Page): void {
    const noProgress = page.hasMore && page.events.length === 0 && sameCursor(page.cursor, this.cursor);
    this.stalled = noProgress ? this.stalled + 1 : 0;
    if (this.stalled < NO_PROGRESS_LIMIT) return;
    throw new SiphonError(
      'PULL_NO_PROGRESS',
      `The vendor answered ${this.stalled} pages in a row that more events follow, with no events and the same cursor ${quote(page.cursor)}: ` +
        'it does not move on, so this cycle stops rather than ask for the same page for ever.',
      { pages: this.stalled },
    );
  }
}

/** The cursor for the log: a string as "…" (its start when long), anything else as JSON. */
function quote(cursor: JsonValue): string {
  const text = typeof cursor === 'string' ? cursor : JSON.stringify(cursor);
  const cut = text.length > CURSOR_QUOTE_MAX ? `${text.slice(0, CURSOR_QUOTE_MAX)}…` : text;
  return typeof cursor === 'string' ? `"${cut}"` : cut;
}

function sameCursor(a: JsonValue | null, b: JsonValue | null): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
