// HTTP routing: /__sim/* goes to the test controls, everything else to the Events API
// (which answers 404 for unknown paths, counting those under /api/ as API requests).

import { startJsonServer, type JsonServer } from '../common/http-server.js';
import type { EventsApi } from './api.js';
import { handleControl, type ControlDeps } from './control.js';
import { errorResponse } from './responses.js';

export function startServer(host: string, port: number, api: EventsApi, control: ControlDeps): Promise<JsonServer> {
  return startJsonServer(host, port, (req) => {
    if (req.path.startsWith('/__sim/')) return handleControl(req, control);
    if (req.path.startsWith('/api/')) return api.handle(req);
    return errorResponse(control.faults.errorBodyShape, 404, 'Not Found');
  });
}
