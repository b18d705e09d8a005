// Test-only routes under /__sim/ (no auth): read stats, switch faults (both shared), add
// events, read the ground truth. They let a test drive a simulator running in another process.

import { handleLateOrAtEvents } from '../common/add-events-route.js';
import { handleControlRoute, type SharedControlDeps } from '../common/control-routes.js';
import { jsonResponse, type SimRequest, type SimResponse } from '../common/http-server.js';
import type { FaultState } from './faults.js';
import type { ActivityStore } from './store.js';
import { RESPONSE_SHAPES, type KiteworksAddEventsOptions, type ResponseShape } from './types.js';

export interface ControlDeps extends SharedControlDeps {
  readonly faults: FaultState;
  readonly store: ActivityStore;
  readonly addEvents: (n: number, opts?: KiteworksAddEventsOptions) => unknown;
}

export function handleControl(req: SimRequest, d: ControlDeps): SimResponse {
  return handleControlRoute(req, d, {
    // Kiteworks has no fields of its own: "late" and "at" are all its addEvents takes.
    'POST /__sim/events': () => handleLateOrAtEvents(req.body, d.addEvents, () => d.store.length),
    // The ground truth, ascending created then insertion order, in ?shape=events|data (default: the shape served now).
    'GET /__sim/events': () => {
      const asked = req.query.get('shape');
      if (asked !== null && !RESPONSE_SHAPES.includes(asked as ResponseShape)) return jsonResponse({ error: `shape must be one of ${RESPONSE_SHAPES.join(', ')}` }, 400);
      const shape = asked === null ? d.faults.currentShape : (asked as ResponseShape);
      return { status: 200, body: d.store.jsonArray(shape, d.faults.currentOffsetStyle) };
    },
  });
}
