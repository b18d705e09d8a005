// Test-only routes under /__sim/: read stats, switch faults (both shared), add events, read
// the ground truth. They let a test drive a simulator running in another process (`siphon simulate`).

import { handleAddEvents } from '../common/add-events-route.js';
import { handleControlRoute } from '../common/control-routes.js';
import { jsonResponse, type SimRequest, type SimResponse } from '../common/http-server.js';
import type { FaultState } from './faults.js';
import type { StatsRecorder } from './stats.js';
import type { EventLog } from './store.js';
import { isEventKind, type AddEventsOptions, type OnePasswordEventKind } from './types.js';

export interface ControlDeps {
  readonly faults: FaultState;
  readonly stats: StatsRecorder;
  readonly logs: Record<OnePasswordEventKind, EventLog>;
  readonly addEvents: (kind: OnePasswordEventKind, n: number, opts?: AddEventsOptions) => unknown[];
}

const ADD_USAGE = 'expected {"kind": "auditevents"|"itemusages"|"signinattempts", "n": 0..1000000, "late"?: boolean}';

export function handleControl(req: SimRequest, d: ControlDeps): SimResponse {
  return handleControlRoute(req, d, {
    'POST /__sim/events': () => addEvents(req, d),
    'GET /__sim/events': () => groundTruth(req, d),
  });
}

/** {"kind":"itemusages","n":10,"late":true} */
function addEvents(req: SimRequest, d: ControlDeps): SimResponse {
  return handleAddEvents(req.body, {
    usage: ADD_USAGE,
    acceptsAt: false,
    // 1Password's own field: which kind of event to add.
    options: ({ fields, options }) => (isEventKind(fields.kind) ? { kind: fields.kind, late: options.late } : undefined),
    add: (n, { kind, late }) => d.addEvents(kind, n, { late }),
    total: ({ kind }) => d.logs[kind].length,
  });
}

/** ?kind=itemusages&version=v1 : the ground truth, in ingestion order. */
function groundTruth(req: SimRequest, d: ControlDeps): SimResponse {
  const kind = req.query.get('kind');
  const version = req.query.get('version') ?? 'v2';
  if (!isEventKind(kind) || (version !== 'v1' && version !== 'v2')) {
    return jsonResponse({ error: 'expected ?kind=auditevents|itemusages|signinattempts[&version=v1|v2]' }, 400);
  }
  const log = d.logs[kind];
  const all = Array.from({ length: log.length }, (_, i) => i);
  return { status: 200, body: `[${log.render(all, version)}]` };
}
