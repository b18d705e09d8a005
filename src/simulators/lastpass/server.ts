// HTTP routing: /__sim/* goes to the test controls, /enterpriseapi.php to the API, and
// anything else gets a JSON 404.

import { jsonResponse, startJsonServer, type JsonServer } from '../common/http-server.js';
import { API_PATH, type EnterpriseApi } from './api.js';
import { handleControl, type ControlDeps } from './control.js';

export function startServer(host: string, port: number, api: EnterpriseApi, control: ControlDeps): Promise<JsonServer> {
  return startJsonServer(host, port, (req) => {
    if (req.path.startsWith('/__sim/')) return handleControl(req, control);
    if (req.path === API_PATH) return api.handle(req);
    return jsonResponse({ status: 'FAIL', error: ['Not Found'] }, 404);
  });
}
