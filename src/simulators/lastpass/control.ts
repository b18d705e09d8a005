// Test-only routes under /__sim/ (no auth): read stats, switch faults (both shared), add
// events, read the ground truth. They let a test drive a simulator running in another process.

import { handleAddEvents, isOptionalBoolean, type AddEventsBody } from '../common/add-events-route.js';
import { handleControlRoute, type SharedControlDeps } from '../common/control-routes.js';
import type { SimRequest, SimResponse } from '../common/http-server.js';
import type { EventStore } from './store.js';
import type { AddEventsOptions } from './types.js';

export interface ControlDeps extends SharedControlDeps {
  readonly store: EventStore;
  readonly addEvents: (n: number, opts?: AddEventsOptions) => unknown;
}

const ADD_USAGE = 'expected {"n": 0..1000000, "late"?: boolean, "at"?: ms since the epoch, "identical"?: boolean}';

export function handleControl(req: SimRequest, d: ControlDeps): SimResponse {
  return handleControlRoute(req, d, {
    'POST /__sim/events': () => handleAddEvents(req.body, { usage: ADD_USAGE, acceptsAt: true, options: withIdentical, add: d.addEvents, total: () => d.store.length }),
    // The ground truth, ascending sort key.
    'GET /__sim/events': () => ({ status: 200, body: d.store.jsonArray() }),
  });
}

/** LastPass's own field: "identical" (all n events the same). */
function withIdentical(b: AddEventsBody): AddEventsOptions | undefined {
  const { identical } = b.fields;
  return isOptionalBoolean(identical) ? { ...b.options, identical: identical === true } : undefined;
}
