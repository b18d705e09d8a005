// Test-only routes under /__sim/: read stats, switch faults, add events, read the ground
// truth. They let a test drive a simulator running in another process (`siphon simulate`).

import type { SimRequest, SimResponse } from '../common/http-server.js';
import type { FaultState } from './faults.js';
import { jsonResponse } from './responses.js';
import type { StatsRecorder } from './stats.js';
import type { EventLog } from './store.js';
import { isEventKind, type AddEventsOptions, type OnePasswordEventKind } from './types.js';

export interface ControlDeps {
  readonly faults: FaultState;
  readonly stats: StatsRecorder;
  readonly logs: Record<OnePasswordEventKind, EventLog>;
  readonly addEvents: (kind: OnePasswordEventKind, n: number, opts?: AddEventsOptions) => unknown[];
}

const MAX_ADD = 1_000_000;

export function handleControl(req: SimRequest, d: ControlDeps): SimResponse {
  const route = `${req.method} ${req.path}`;
  switch (route) {
    case 'GET /__sim/stats':
      return jsonResponse(d.stats.snapshot());
    case 'GET /__sim/faults':
      return jsonResponse(d.faults.snapshot());
    case 'POST /__sim/faults': {
      const body = parseJson(req.body);
      const problem = body === undefined ? 'body is not JSON' : d.faults.applyJson(body.value);
      if (problem !== undefined) return jsonResponse({ error: problem }, 400);
      return jsonResponse(d.faults.snapshot());
    }
    case 'POST /__sim/events': {
      // {"kind":"itemusages","n":10,"late":true}
      const body = parseJson(req.body)?.value;
      const b = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
      const { kind, n, late } = b;
      if (!isEventKind(kind) || typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_ADD || (late !== undefined && typeof late !== 'boolean')) {
        return jsonResponse({ error: 'expected {"kind": "auditevents"|"itemusages"|"signinattempts", "n": 0..1000000, "late"?: boolean}' }, 400);
      }
      d.addEvents(kind, n, { late: late === true });
      return jsonResponse({ added: n, total: d.logs[kind].length });
    }
    case 'GET /__sim/events': {
      // ?kind=itemusages&version=v1 : the ground truth, in ingestion order.
      const kind = req.query.get('kind');
      const version = req.query.get('version') ?? 'v2';
      if (!isEventKind(kind) || (version !== 'v1' && version !== 'v2')) {
        return jsonResponse({ error: 'expected ?kind=auditevents|itemusages|signinattempts[&version=v1|v2]' }, 400);
      }
      const log = d.logs[kind];
      const all = Array.from({ length: log.length }, (_, i) => i);
      return { status: 200, body: `[${log.render(all, version)}]` };
    }
    default:
      return jsonResponse({ error: `no simulator route ${route}` }, 404);
  }
}

function parseJson(body: string | undefined): { value: unknown } | undefined {
  if (body === undefined) return undefined;
  try {
    return { value: JSON.parse(body === '' ? '{}' : body) };
  } catch {
    return undefined;
  }
}
