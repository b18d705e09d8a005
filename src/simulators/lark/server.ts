// HTTP routing: /__sim/* goes to the test controls, the two vendor paths to the API, and
// anything else gets Lark's JSON 404.

import { startJsonServer, type JsonServer } from '../common/http-server.js';
import { AUDIT_PATH, TOKEN_PATH, type LarkApi } from './api.js';
import { handleControl, type ControlDeps } from './control.js';
import { JSON_HEADERS, PLATFORM } from './responses.js';

export function startServer(host: string, port: number, api: LarkApi, control: ControlDeps): Promise<JsonServer> {
  return startJsonServer(host, port, (req) => {
    if (req.path.startsWith('/__sim/')) return handleControl(req, control);
    if (req.method === 'POST' && req.path === TOKEN_PATH) return api.token(req);
    if (req.method === 'GET' && req.path === AUDIT_PATH) return api.auditInfos(req);
    return { status: 404, body: JSON.stringify(PLATFORM.notFound), headers: JSON_HEADERS };
  });
}
