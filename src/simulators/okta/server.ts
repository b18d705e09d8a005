// HTTP routing: /__sim/* goes to the test controls, the two vendor paths to the API, a known
// path with the wrong method gets 405, and anything else an Okta-style JSON 404.

import { startJsonServer, type JsonServer } from '../common/http-server.js';
import { LOGS_PATH, type OktaApi } from './api.js';
import { handleControl, type ControlDeps } from './control.js';
import { OKTA_ERRORS, oktaError } from './responses.js';
import { TOKEN_PATH } from './tokens.js';

export function startServer(host: string, port: number, api: OktaApi, control: ControlDeps): Promise<JsonServer> {
  return startJsonServer(host, port, (req) => {
    if (req.path.startsWith('/__sim/')) return handleControl(req, control);
    if (req.path === TOKEN_PATH) return req.method === 'POST' ? api.token(req) : oktaError(OKTA_ERRORS.methodNotAllowed, api.requestId(), { Allow: 'POST' });
    if (req.path === LOGS_PATH) return req.method === 'GET' ? api.logs(req) : oktaError(OKTA_ERRORS.methodNotAllowed, api.requestId(), { Allow: 'GET' });
    return oktaError(OKTA_ERRORS.notFound, api.requestId());
  });
}
