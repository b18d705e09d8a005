// The saved record of one service (Checkpoint): how a new one looks, and how it is
// summarised in logs and `siphon state show` (the dedup list is long and the cursor opaque).

import type { Checkpoint } from './contracts.js';

/** The state of a service that has pulled nothing yet. */
export function emptyCheckpoint(startSetting: string | null, nowIso: string): Checkpoint {
  return {
    '@persistence_version': 1,
    start_setting: startSetting,
    cursor: null,
    dedup: [],
    newest_event_time: null,
    events_delivered: 0,
    updated_at: nowIso,
    revision: 0,
  };
}

/** Cursors longer than this are summarised, not printed. */
const CURSOR_SHOWN_CHARS = 2_000;

/**
 * A one-line summary of a state record. The dedup list can be long: it is counted. A
 * structured cursor (LastPass: times, paging key) is shown as is; an opaque token (1Password)
 * or an outsized cursor only by its length.
 */
export function describeState(state: Checkpoint): string {
  const cursorText = JSON.stringify(state.cursor);
  const structured = state.cursor !== null && typeof state.cursor === 'object' && cursorText.length <= CURSOR_SHOWN_CHARS;
  return JSON.stringify({
    '@persistence_version': state['@persistence_version'],
    start_setting: state.start_setting,
    cursor: state.cursor === null ? null : structured ? state.cursor : `<saved, ${cursorText.length} characters>`,
    dedup_keys: state.dedup.length,
    newest_event_time: state.newest_event_time === null ? null : new Date(state.newest_event_time).toISOString(),
    events_delivered: state.events_delivered,
    updated_at: state.updated_at,
  });
}
