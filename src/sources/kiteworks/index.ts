// The Kiteworks admin activities connector: factory, setup (token + one test request) and its service.

import { createPrivateKey, type KeyObject } from 'node:crypto';
import { defineConnector } from '../../core/connector.js';
import type { Source } from '../../core/contracts.js';
import { SiphonError } from '../../core/errors.js';
import { KiteworksApi } from './api.js';
import { adminService, flowOf, KITEWORKS_TAG, kiteworksSchema, type KiteworksSettings } from './settings.js';
import { KiteworksStream } from './stream.js';
import { AccessTokens } from './token.js';

/** The JWT flow's key (its file was read when the configuration loaded); its content never reaches a log line. */
function privateKey(settings: KiteworksSettings, inputName: string): KeyObject | undefined {
  const file = settings.credentials.private_key_file;
  if (file === undefined) return undefined;
  try {
    return createPrivateKey(file.text);
  } catch (err) {
    const reason = err instanceof Error && 'code' in err ? String(err.code) : 'not a PEM private key';
    throw new SiphonError('CONFIG_INVALID_VALUE', `inputs.${inputName}.credentials.private_key_file: cannot use ${file.path} (${reason})`);
  }
}

export const kiteworksConnector = defineConnector({
  type: 'kiteworks',
  displayName: 'Kiteworks admin activities',
  logModule: 'Kiteworks',
  schema: kiteworksSchema,
  streams: { admin: { tag: KITEWORKS_TAG } },
  // 30 requests/s per IP is Kiteworks' limit; a collector needs far less and leaves room for other clients.
  rateLimits: [{ limit: 300, perMs: 60_000 }],
  startTime: (service) => service.historical_poll_datetime,
  // As the Devo collector: a new reset_persistence_auth (like a new start) starts over.
  resetWith: (service) => service.reset_persistence_auth,
  streamSettings: (settings: KiteworksSettings) => {
    const service = adminService(settings);
    return service ? { admin: { ...service, dedup_window_seconds: service.overlap_in_seconds } } : {};
  },
  secrets: (settings) =>
    [settings.credentials.client_secret, settings.credentials.signature_key, settings.credentials.refresh_token].filter((s): s is string => s !== undefined),

  create(input, ctx): Source {
    const settings = input.settings;
    const setupLogger = ctx.logger.child({ module: 'KiteworksPullerSetup' });
    const tokens = new AccessTokens({
      http: ctx.http,
      baseUrl: settings.api_base_url,
      apiVersion: settings.api_version,
      credentials: settings.credentials,
      privateKey: privateKey(settings, input.name),
      clock: ctx.clock,
      logger: setupLogger,
      redactor: ctx.redactor,
    });
    const pullLogger = ctx.logger.child({ module: 'KiteworksPuller', service: 'admin' });
    const api = new KiteworksApi(ctx.http, settings.api_base_url, settings.api_version, tokens, pullLogger, ctx.redactor);
    const service = adminService(settings);
    const stream = service
      ? new KiteworksStream({ name: 'admin', tag: KITEWORKS_TAG, settings: service, api, logger: pullLogger, clock: ctx.clock, where: `${input.name}/admin` })
      : undefined;
    return {
      streams: stream ? [stream] : [],
      async setup(signal) {
        await tokens.get(signal, 'setup');
        if (stream) await stream.probe(signal);
        setupLogger.info(`Authenticated with the ${flowOf(settings.credentials)} flow. Source is pullable`);
      },
    };
  },
});
