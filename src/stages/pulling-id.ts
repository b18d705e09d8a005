// Metadata injection: Devo's collectors stamp every event of a pull cycle with
// "@devo_pulling_id" as its last field; queries and alerts rely on it.

import type { VendorEvent } from '../core/contracts.js';

const PULLING_ID_FIELD = '@devo_pulling_id';

/** Adds the pulling id as the event's last key; an existing one is overwritten where it is. */
export function injectPullingId(event: VendorEvent, pullingId: number): void {
  event[PULLING_ID_FIELD] = pullingId;
}
