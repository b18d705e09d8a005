// Test-only routes under /__sim/ (no auth): read stats, switch faults (both shared), add
// events, read the ground truth. They let a test drive a simulator running in another process.

import { handleLateOrAtEvents } from '../common/add-events-route.js';
import { handleControlRoute, type SharedControlDeps } from '../common/control-routes.js';
import type { SimRequest, SimResponse } from '../common/http-server.js';
import type { AuditStore } from './store.js';
import type { LarkAddEventsOptions } from './types.js';

export interface ControlDeps extends SharedControlDeps {
  readonly store: AuditStore;
  readonly addEvents: (n: number, opts?: LarkAddEventsOptions) => unknown;
}

export function handleControl(req: SimRequest, d: ControlDeps): SimResponse {
  return handleControlRoute(req, d, {
    // Lark has no fields of its own: "late" and "at" are all its addEvents takes.
    'POST /__sim/events': () => handleLateOrAtEvents(req.body, d.addEvents, () => d.store.length),
    // The ground truth, ascending event_time then insertion order, operator_value as open_id.
    'GET /__sim/events': () => ({ status: 200, body: d.store.jsonArray(0) }),
  });
}
