// The Okta System Log connector: factory, setup (a token when the credential is a service
// app, then one test request) and its one service.

import { defineConnector, type ConnectorDefinition } from '../../core/connector.js';
import type { ConnectorContext, Source } from '../../core/contracts.js';
import { ApiTokenAuthorization, ServiceAppAuthorization, type OktaAuthorization } from './auth.js';
import { OktaApi } from './api.js';
import { LOGS_SCOPE, OKTA_TAG, oktaSchema, systemLogService, type OktaServiceSettings, type OktaSettings } from './settings.js';
import { signingKey } from './signing-key.js';
import { SystemLogStream } from './stream.js';

function authorization(settings: OktaSettings, inputName: string, ctx: ConnectorContext): OktaAuthorization {
  const c = settings.credentials;
  if (c.api_token !== undefined) return new ApiTokenAuthorization(c.api_token);
  // The schema allows no other case: client_id and private_key_file come together.
  if (c.client_id === undefined || c.private_key_file === undefined) throw new Error('an Okta input without a credential passed validation');
  const signing = signingKey(c.private_key_file, c.jwt_algorithm, `inputs.${inputName}.credentials`);
  return new ServiceAppAuthorization({
    http: ctx.http,
    oktaUrl: settings.okta_url,
    clientId: c.client_id,
    keyId: c.key_id ?? signing.keyId,
    signing,
    scope: c.scope ?? LOGS_SCOPE,
    clock: ctx.clock,
    logger: ctx.logger.child({ module: 'OktaPullerSetup' }),
    redactor: ctx.redactor,
  });
}

export const oktaDefinition: ConnectorDefinition<OktaSettings, OktaServiceSettings> = {
  type: 'okta',
  displayName: 'Okta System Log',
  logModule: 'Okta',
  schema: oktaSchema,
  streams: { system_log: { tag: OKTA_TAG } },
  // /api/v1/logs allows 50 requests a minute on most orgs (20 on a free developer org, 120 on
  // Workforce Identity), shared by every client of the org, and a new service app gets half
  // of it: 25 leaves the rest to the others. The rate-limit headers pace the rest.
  rateLimits: [{ limit: 25, perMs: 60_000 }],
  streamSettings: (settings) => {
    const service = systemLogService(settings);
    return service ? { system_log: service } : {};
  },
  startTime: (service) => service.start_time_value,
  secrets: (settings) => (settings.credentials.api_token === undefined ? [] : [settings.credentials.api_token]),

  create(input, ctx): Source {
    const settings = input.settings;
    const auth = authorization(settings, input.name, ctx);
    const setupLogger = ctx.logger.child({ module: 'OktaPullerSetup' });
    const pullLogger = ctx.logger.child({ module: 'OktaPuller', service: 'system_log' });
    const api = new OktaApi(ctx.http, settings.okta_url, auth, ctx.clock, pullLogger, ctx.redactor);
    const service = systemLogService(settings);
    const stream = service
      ? new SystemLogStream({
          name: 'system_log',
          tag: OKTA_TAG,
          oktaUrl: settings.okta_url,
          pageSize: service.page_size,
          startMs: service.start_time_value?.ms,
          api,
          logger: pullLogger,
          clock: ctx.clock,
          redactor: ctx.redactor,
          where: `${input.name}/system_log`,
        })
      : undefined;
    const how = settings.credentials.api_token !== undefined ? 'an API token (SSWS)' : `service app ${settings.credentials.client_id ?? ''} (${settings.credentials.scope ?? LOGS_SCOPE})`;
    return {
      streams: stream ? [stream] : [],
      async setup(signal) {
        if (stream) await stream.probe(signal);
        setupLogger.info(`Authenticated with ${how} at ${settings.okta_url}. Source is pullable`);
      },
    };
  },
};

export const oktaConnector = defineConnector(oktaDefinition);
