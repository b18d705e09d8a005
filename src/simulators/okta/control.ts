// Test-only routes under /__sim/ (no auth): read stats, switch faults (both shared), add
// events, read the ground truth. They let a test drive a simulator running in another process.

import { handleLateOrAtEvents } from '../common/add-events-route.js';
import { handleControlRoute, type SharedControlDeps } from '../common/control-routes.js';
import type { SimRequest, SimResponse } from '../common/http-server.js';
import type { OktaAddEventsOptions } from './types.js';

export interface ControlDeps extends SharedControlDeps {
  readonly addEvents: (n: number, opts?: OktaAddEventsOptions) => unknown;
  /** How many events the org holds. */
  readonly total: () => number;
  /** The ground truth as one JSON array (every visible, retained event in polling order). */
  readonly eventsJson: () => string;
}

export function handleControl(req: SimRequest, d: ControlDeps): SimResponse {
  return handleControlRoute(req, d, {
    // "late" and "at" are all Okta's addEvents takes.
    'POST /__sim/events': () => handleLateOrAtEvents(req.body, d.addEvents, d.total),
    'GET /__sim/events': () => ({ status: 200, body: d.eventsJson() }),
  });
}
