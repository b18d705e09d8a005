// Configuration of a LastPass input (Devo collector layout: credentials.company_id and
// credentials.provisioning_hash, one `reporting` service).

import { z } from 'zod';
import {
  codeParams,
  httpUrl,
  inputBaseShape,
  nonEmptyString,
  secretString,
  windowedServiceShape,
  startTime,
} from '../../config/fields.js';
import { timeZoneProblem } from './zoned-time.js';

const LASTPASS_DEFAULT_BASE_URL = 'https://lastpass.com';
export const LASTPASS_TAG = 'app.lastpass.events';

/** An IANA time zone name this system knows. */
function timeZone() {
  return nonEmptyString().superRefine((name, ctx) => {
    const problem = timeZoneProblem(name);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, params: codeParams('CONFIG_INVALID_VALUE') });
  });
}


const serviceSchema = z
  .object({
    ...windowedServiceShape,
    /** As the Devo collector: a pull cycle every 10 minutes. */
    request_period_in_seconds: z.number().min(1).max(86_400).default(600),
    /** Where a new stream starts (UTC). Default: one day before the first start. Changing it resets the state. */
    start_time_in_utc: startTime().optional(),
    /** The LastPass account's time zone: the API reads and writes times in it, without an offset. */
    time_zone: timeZone().default('America/New_York'),
    /** Back-fill in windows of at most this many seconds (one request series each). */
    backfill_window_in_seconds: z.number().int().min(60).max(31 * 86_400).default(86_400),
  })
  .strict()
  .superRefine((service, ctx) => {
    // Each window moves on by (window - overlap): it must move.
    if (service.overlap_in_seconds >= service.backfill_window_in_seconds) {
      ctx.addIssue({
        code: 'custom',
        path: ['overlap_in_seconds'],
        message: `must be less than backfill_window_in_seconds (${service.backfill_window_in_seconds})`,
        params: codeParams('CONFIG_INVALID_VALUE'),
      });
    }
  });

export type LastPassServiceSettings = z.infer<typeof serviceSchema>;

export const lastPassSchema = z
  .object({
    ...inputBaseShape,
    /** The API host; requests go to {base}/enterpriseapi.php (a URL already ending so is kept). */
    override_api_base_url: httpUrl().default(LASTPASS_DEFAULT_BASE_URL),
    /** Who the requests say they come from (`apiuser`); LastPass shows it in its own reports. */
    api_user: nonEmptyString().default('siphon'),
    credentials: z
      .object({
        /** The account number from the Admin Console dashboard; sent as written (number or string). */
        company_id: z.union([
          z.number().int().positive(),
          nonEmptyString().superRefine((text, ctx) => {
            if (!/^\d+$/.test(text)) {
              ctx.addIssue({ code: 'custom', message: `"${text}" must be the account number: digits only`, params: codeParams('CONFIG_INVALID_VALUE') });
            }
          }),
        ]),
        /** The provisioning hash (Admin Console > Advanced > Enterprise API). */
        provisioning_hash: secretString(),
      })
      .strict(),
    services: z
      .object({ reporting: serviceSchema.optional() })
      .strict()
      .default(() => ({ reporting: serviceSchema.parse({}) })),
  })
  .strict();

export type LastPassSettings = z.infer<typeof lastPassSchema>;

/** {base}/enterpriseapi.php, unless the base already names it. */
export function endpointUrl(base: string): string {
  return /\/enterpriseapi\.php$/i.test(base) ? base : `${base}/enterpriseapi.php`;
}

/** The enabled `reporting` service's settings, or undefined when it is disabled. */
export function reportingService(settings: LastPassSettings): LastPassServiceSettings | undefined {
  const service = settings.services.reporting;
  return service && service.enabled ? service : undefined;
}
