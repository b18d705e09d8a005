// The Lark (Larksuite / Feishu) admin audit log connector: factory, setup and its service.

import { defineConnector } from '../../core/connector.js';
import type { Source } from '../../core/contracts.js';
import { LarkApi } from './api.js';
import { auditInfosService, LARK_TAG, larkSchema, type LarkSettings } from './settings.js';
import { LarkStream } from './stream.js';
import { TenantTokens } from './token.js';

export const larkConnector = defineConnector({
  type: 'lark',
  displayName: 'Lark admin audit logs (audit_infos)',
  logModule: 'LarkBase',
  schema: larkSchema,
  streams: { audit_infos: { tag: LARK_TAG } },
  // The API's published frequency limit: 100 requests a minute per app.
  rateLimits: [{ limit: 100, perMs: 60_000 }],
  startTime: (service) => service.initial_start_time_in_utc_value,
  streamSettings: (settings: LarkSettings) => {
    const service = auditInfosService(settings);
    return service ? { audit_infos: { ...service, dedup_window_seconds: service.overlap_in_seconds } } : {};
  },
  secrets: (settings) => [settings.credentials.app_secret],

  create(input, ctx): Source {
    const settings = input.settings;
    const setupLogger = ctx.logger.child({ module: 'LarkBasePullerSetup' });
    const tokens = new TenantTokens({
      http: ctx.http,
      baseUrl: settings.override_api_base_url,
      appId: settings.credentials.app_id,
      appSecret: settings.credentials.app_secret,
      clock: ctx.clock,
      logger: setupLogger,
    });
    const api = new LarkApi(ctx.http, settings.override_api_base_url, tokens, ctx.logger.child({ module: 'LarkBasePuller', service: 'audit_infos' }));
    const service = auditInfosService(settings);
    const stream = service
      ? new LarkStream({
          name: 'audit_infos',
          tag: LARK_TAG,
          settings: service,
          api,
          logger: ctx.logger.child({ module: 'LarkBasePuller', service: 'audit_infos' }),
          clock: ctx.clock,
          where: `${input.name}/audit_infos`,
        })
      : undefined;

    return {
      streams: stream ? [stream] : [],
      async setup(signal) {
        await tokens.get(signal, 'setup');
        if (stream) {
          await stream.probe(signal);
          setupLogger.info('Remote source is pullable');
        }
        if (tokens.isValid) setupLogger.info('Token is valid. Skipping the generation of new auth token');
      },
    };
  },
});
