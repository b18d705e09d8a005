// Configuration of a 1Password input (Devo collector layout).

import { z } from 'zod';
import {
  httpUrl,
  inputBaseShape,
  positiveInt,
  secretString,
  serviceBaseShape,
  startTime,
} from '../../config/fields.js';

const ONEPASSWORD_REGIONS = [
  'https://events.1password.com',
  'https://events.ent.1password.com',
  'https://events.1password.ca',
  'https://events.1password.eu',
] as const;

/** Service name -> endpoint, token feature and Devo tag. */
export const ONEPASSWORD_SERVICES = {
  audit: { endpoint: 'auditevents', feature: 'auditevents', tag: 'auth.agilebits.onepassword.audit' },
  item_usage: { endpoint: 'itemusages', feature: 'itemusages', tag: 'auth.agilebits.onepassword.itemusage' },
  sign_in_attempts: { endpoint: 'signinattempts', feature: 'signinattempts', tag: 'auth.agilebits.onepassword.signinattempt' },
} as const;

export type OnePasswordServiceName = keyof typeof ONEPASSWORD_SERVICES;

const serviceSchema = z
  .object({
    ...serviceBaseShape,
    /** Where a new stream starts. Default: the start of the API's 120-day history. */
    start_time_value: startTime().optional(),
    /** Events per request (the API's `limit`, at most 1000). */
    page_size: positiveInt(1000).default(1000),
    // 1Password pages through a cursor, so the only replay is the one after a rejected cursor,
    // which restarts at the newest delivered event's second: a minute of dedup memory covers it.
    dedup_window_seconds: z.number().int().min(0).max(30 * 86_400).default(60),
  })
  .strict();

export type OnePasswordServiceSettings = z.infer<typeof serviceSchema>;

const defaultService = (): OnePasswordServiceSettings => serviceSchema.parse({});

export const onePasswordSchema = z
  .object({
    ...inputBaseShape,
    /** The events host of the account's region, or a simulator's URL. */
    base_url: httpUrl().default(ONEPASSWORD_REGIONS[0]),
    /** `v2` (default) adds account fields; `v1` for older tooling. */
    api_version: z.enum(['v1', 'v2']).default('v2'),
    credentials: z.object({ token: secretString() }).strict(),
    services: z
      .object({
        audit: serviceSchema.optional(),
        item_usage: serviceSchema.optional(),
        sign_in_attempts: serviceSchema.optional(),
      })
      .strict()
      // No `services` block: all three services with their defaults.
      .default(() => ({ audit: defaultService(), item_usage: defaultService(), sign_in_attempts: defaultService() })),
  })
  .strict();

export type OnePasswordSettings = z.infer<typeof onePasswordSchema>;

/** The enabled services, with their settings. */
export function enabledServices(settings: OnePasswordSettings): Array<[OnePasswordServiceName, OnePasswordServiceSettings]> {
  const out: Array<[OnePasswordServiceName, OnePasswordServiceSettings]> = [];
  for (const name of Object.keys(ONEPASSWORD_SERVICES) as OnePasswordServiceName[]) {
    const service = settings.services[name];
    if (service && service.enabled) out.push([name, service]);
  }
  return out;
}
