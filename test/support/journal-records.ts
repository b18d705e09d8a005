// The records and key rules the delivery journals' tests (file and PostgreSQL) note and look up.
import type { OutputRecord, VendorEvent } from '../../src/core/contracts.js';

/** A record of `input`/`service` with this key (none when undefined), its event `{ id: key }`. */
export const rec = (key: string | undefined, service = 'audit', input = 'op'): OutputRecord => ({
  tag: 't.a.g',
  input,
  service,
  event: { id: key ?? 'none' },
  ...(key === undefined ? {} : { key }),
});

/** A key rule that finds no key in any event: only the records' own keys count. */
export const noKey = (): string | undefined => undefined;

/** The key rule of events `{ id }`. */
export const byId = (e: VendorEvent): string | undefined => (typeof e['id'] === 'string' ? e['id'] : undefined);
