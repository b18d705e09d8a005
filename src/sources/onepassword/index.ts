// The 1Password Events Reporting connector: factory, setup and services.

import { defineConnector } from '../../core/connector.js';
import type { Source } from '../../core/contracts.js';
import { SiphonError } from '../../core/errors.js';
import { OnePasswordApi } from './api.js';
import { enabledServices, ONEPASSWORD_SERVICES, onePasswordSchema, type OnePasswordServiceSettings, type OnePasswordSettings } from './settings.js';
import { OnePasswordStream } from './stream.js';
import { tokenAudienceHost } from './token.js';

export const onePasswordConnector = defineConnector<OnePasswordSettings, OnePasswordServiceSettings>({
  type: 'onepassword',
  displayName: '1Password Events Reporting',
  logModule: 'OnePassword',
  schema: onePasswordSchema,
  streams: Object.fromEntries(Object.entries(ONEPASSWORD_SERVICES).map(([name, s]) => [name, { tag: s.tag }])),
  // Published limits, per account: 600 requests/min and 30,000/h.
  rateLimits: [
    { limit: 600, perMs: 60_000 },
    { limit: 30_000, perMs: 3_600_000 },
  ],
  streamSettings: (settings) => Object.fromEntries(enabledServices(settings)),
  startTime: (service) => service.start_time_value,
  secrets: (settings) => [settings.credentials.token],

  create(input, ctx): Source {
    const settings = input.settings;
    const api = new OnePasswordApi(ctx.http, settings.base_url, settings.credentials.token, settings.api_version, ctx.redactor);
    const services = enabledServices(settings).map(
      ([name, service]) =>
        new OnePasswordStream({
          name,
          tag: ONEPASSWORD_SERVICES[name].tag,
          endpoint: ONEPASSWORD_SERVICES[name].endpoint,
          pageSize: service.page_size,
          startMs: service.start_time_value?.ms,
          api,
          logger: ctx.logger.child({ module: 'OnePasswordPuller', service: name }),
          clock: ctx.clock,
        }),
    );
    const setupLogger = ctx.logger.child({ module: 'OnePasswordPullerSetup' });

    return {
      streams: services,
      async setup(signal) {
        const audience = tokenAudienceHost(settings.credentials.token);
        const host = new URL(settings.base_url).host;
        if (audience && audience !== host && !host.startsWith('127.0.0.1') && !host.startsWith('localhost')) {
          setupLogger.warn(`The token was issued for ${audience}, but base_url is ${settings.base_url}: requests will likely be refused`);
        }
        const { features } = await api.introspect(signal);
        const missing = enabledServices(settings)
          .map(([name]) => ({ name, feature: ONEPASSWORD_SERVICES[name].feature }))
          .filter((s) => !features.includes(s.feature));
        if (missing.length > 0) {
          throw new SiphonError(
            'SETUP_FEATURE_MISSING',
            missing.map((m) => `Service ${m.name} needs the token feature "${m.feature}", which this token lacks`).join('; ') +
              ` (the token has: ${features.join(', ') || 'no features'}). Issue a token with those events, or disable the service.`,
            { input: input.name },
          );
        }
        setupLogger.info(`Token features: ${features.join(', ')}. Source is pullable`);
      },
    };
  },
});
