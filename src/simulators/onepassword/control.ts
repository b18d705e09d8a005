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

const ADD_USAGE =
  'expected {"kind": "auditevents"|"itemusages"|"signinattempts", "n": 0..1000000, "late"?: boolean, "at"?: ms since the epoch, "nestDepth"?: 1..1000000}';

export function handleControl(req: SimRequest, d: ControlDeps): SimResponse {
  return handleControlRoute(req, d, {
    'POST /__sim/events': () => addEvents(req, d),
    'GET /__sim/events': () => groundTruth(req, d),
  });
}

/** {"kind":"itemusages","n":10,"late":true}; "at" stamps the events at that time, "nestDepth" nests a field that deep. */
function addEvents(req: SimRequest, d: ControlDeps): SimResponse {
  return handleAddEvents(req.body, {
    usage: ADD_USAGE,
    acceptsAt: true,
    // 1Password's own fields: which kind of event to add, and how deep to nest one of its fields.
    options: ({ fields, options }) => {
      const depth = fields.nestDepth;
      if (!isEventKind(fields.kind)) return undefined;
      if (depth !== undefined && (typeof depth !== 'number' || !Number.isInteger(depth) || depth < 1 || depth > MAX_NEST_DEPTH)) return undefined;
      return { kind: fields.kind, options: { late: options.late, ...(options.at === undefined ? {} : { at: options.at }), ...(depth === undefined ? {} : { nestDepth: depth }) } };
    },
    add: (n, { kind, options }) => d.addEvents(kind, n, options),
    total: ({ kind }) => d.logs[kind].length,
  });
}

/** Deepest nesting "nestDepth" may ask for. */
const MAX_NEST_DEPTH = 1_000_000;

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
