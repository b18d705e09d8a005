// Test-only routes under /__sim/ (no auth): read stats, switch faults (both shared), add
// events, read the ground truth. They let a test drive a simulator running in another process.

import { handleControlRoute, parseJson } from '../common/control-routes.js';
import { jsonResponse, type SimRequest, type SimResponse } from '../common/http-server.js';
import type { FaultState } from './faults.js';
import type { StatsRecorder } from './stats.js';
import type { AuditStore } from './store.js';
import type { LarkAddEventsOptions } from './types.js';

export interface ControlDeps {
  readonly faults: FaultState;
  readonly stats: StatsRecorder;
  readonly store: AuditStore;
  readonly addEvents: (n: number, opts?: LarkAddEventsOptions) => unknown;
}

const MAX_ADD = 1_000_000;
const ADD_USAGE = 'expected {"n": 0..1000000, "late"?: boolean, "at"?: ms since the epoch}';

export function handleControl(req: SimRequest, d: ControlDeps): SimResponse {
  return handleControlRoute(req, d, {
    'POST /__sim/events': () => addEvents(req, d),
    // The ground truth, ascending event_time then insertion order, operator_value as open_id.
    'GET /__sim/events': () => ({ status: 200, body: d.store.jsonArray(0) }),
  });
}

function addEvents(req: SimRequest, d: ControlDeps): SimResponse {
  const body = parseJson(req.body)?.value;
  const b = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  const opts = b && addOptions(b);
  if (!opts) return jsonResponse({ error: ADD_USAGE }, 400);
  d.addEvents(opts.n, opts.opts);
  return jsonResponse({ added: opts.n, total: d.store.length });
}

function addOptions(b: Record<string, unknown>): { n: number; opts: LarkAddEventsOptions } | undefined {
  const { n, late, at } = b;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_ADD) return undefined;
  if (late !== undefined && typeof late !== 'boolean') return undefined;
  if (at !== undefined && (typeof at !== 'number' || !Number.isFinite(at))) return undefined;
  return { n, opts: { late: late === true, ...(at === undefined ? {} : { at }) } };
}
