// The LastPass Enterprise API connector (event reporting): factory, setup and its one service.

import { defineConnector } from '../../core/connector.js';
import type { Source } from '../../core/contracts.js';
import { WallClockZone } from './zoned-time.js';
import { LastPassApi } from './api.js';
import { endpointUrl, LASTPASS_TAG, lastPassSchema, reportingService, type LastPassSettings } from './settings.js';
import { LastPassStream } from './stream.js';
import { validateAccess } from './validate.js';

export const lastPassConnector = defineConnector({
  type: 'lastpass',
  displayName: 'LastPass Enterprise API (reporting)',
  logModule: 'LastPass',
  schema: lastPassSchema,
  streams: { reporting: { tag: LASTPASS_TAG } },
  // LastPass publishes no limit. Conservative: one request a second on average, which a
  // back-fill of a year in one-day windows still finishes in minutes.
  rateLimits: [{ limit: 60, perMs: 60_000 }],
  startTime: (service) => service.start_time_in_utc,
  streamSettings: (settings: LastPassSettings) => {
    const service = reportingService(settings);
    // The overlap, not a window of keys, bounds what LastPass re-reads (see stream.ts).
    return service ? { reporting: { ...service, dedup_window_seconds: service.overlap_in_seconds } } : {};
  },
  secrets: (settings) => [settings.credentials.provisioning_hash],

  create(input, ctx): Source {
    const settings = input.settings;
    const api = new LastPassApi(
      ctx.http,
      endpointUrl(settings.override_api_base_url),
      { companyId: settings.credentials.company_id, provisioningHash: settings.credentials.provisioning_hash },
      settings.api_user,
      ctx.redactor,
    );
    const service = reportingService(settings);
    const services = service
      ? [
          new LastPassStream({
            name: 'reporting',
            tag: LASTPASS_TAG,
            settings: service,
            api,
            logger: ctx.logger.child({ module: 'LastPassPuller', service: 'reporting' }),
            clock: ctx.clock,
            where: `${input.name}/reporting`,
          }),
        ]
      : [];
    const setupLogger = ctx.logger.child({ module: 'LastPassPullerSetup' });
    const zone = new WallClockZone(service?.time_zone ?? 'America/New_York');

    return {
      streams: services,
      async setup(signal) {
        await validateAccess(api, zone, ctx.clock.now(), signal, { input: input.name });
        setupLogger.info('Successfully tested fetch data for cmd reporting. Source is pullable.');
      },
    };
  },
});
