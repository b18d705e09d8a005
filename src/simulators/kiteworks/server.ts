// HTTP(S) routing: /__sim/* goes to the test controls, the two vendor paths to the API, a
// known path with the wrong method gets 405, and anything else a Kiteworks-style JSON 404.

import { startJsonServer, type JsonServer, type TlsMaterial } from '../common/http-server.js';
import { ACTIVITIES_PATH, TOKEN_PATH, type KiteworksApi } from './api.js';
import { handleControl, type ControlDeps } from './control.js';
import { REST_ERRORS, restError } from './responses.js';

export function startServer(host: string, port: number, api: KiteworksApi, control: ControlDeps, tls: TlsMaterial | undefined): Promise<JsonServer> {
  return startJsonServer(
    host,
    port,
    (req) => {
      if (req.path.startsWith('/__sim/')) return handleControl(req, control);
      if (req.path === TOKEN_PATH) return req.method === 'POST' ? api.token(req) : restError(REST_ERRORS.methodNotAllowed, { Allow: 'POST' });
      if (req.path === ACTIVITIES_PATH) return req.method === 'GET' ? api.activities(req) : restError(REST_ERRORS.methodNotAllowed, { Allow: 'GET' });
      return restError(REST_ERRORS.notFound);
    },
    tls,
  );
}
