// Test-only routes under /__sim/ that every simulator has: GET /__sim/stats and
// GET|POST /__sim/faults. A simulator passes its own routes (its /__sim/events) alongside.

import { jsonResponse, type SimRequest, type SimResponse } from './http-server.js';

/** What the shared routes need from a simulator's fault state and stats recorder. */
export interface SharedControlDeps {
  readonly faults: { snapshot(): unknown; applyJson(body: unknown): string | undefined };
  readonly stats: { snapshot(): unknown };
}

/** Handlers keyed by route, e.g. `'POST /__sim/events'`. */
export type ControlRoutes = Readonly<Record<string, (req: SimRequest) => SimResponse>>;

export function handleControlRoute(req: SimRequest, d: SharedControlDeps, ownRoutes: ControlRoutes): SimResponse {
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
  }
  // hasOwn: a route must never resolve to something inherited from Object.prototype.
  const own = Object.hasOwn(ownRoutes, route) ? ownRoutes[route] : undefined;
  return own ? own(req) : jsonResponse({ error: `no simulator route ${route}` }, 404);
}

/** The body as JSON (an empty body counts as `{}`); undefined when it is not JSON or was too large. */
export function parseJson(body: string | undefined): { value: unknown } | undefined {
  if (body === undefined) return undefined;
  try {
    return { value: JSON.parse(body === '' ? '{}' : body) };
  } catch {
    return undefined;
  }
}
