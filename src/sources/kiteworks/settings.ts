// Configuration of a Kiteworks input: the customer's own host, an OAuth 2.0 custom
// application, and one of three server-to-server flows (signature, JWT assertion, refresh
// token). One `admin` service reads /rest/admin/activities.

import { z } from 'zod';
import { codeParams, fileSetting, httpUrl, inputBaseShape, nonEmptyString, positiveInt, secretString, windowedServiceShape, startTime } from '../../config/fields.js';

export const KITEWORKS_TAG = 'dmp.kiteworks.admin.event';
/** Windows of at most 29 days, as the one public admin-activities client does "to stay within API limits". */
export const KITEWORKS_MAX_SPAN_MS = 29 * 86_400_000;
const YEAR_MS = 365 * 86_400_000;


/** Where a new stream starts: not in the future, not more than a year back (Devo's errors 15-17). */
function historicalPollDatetime() {
  return startTime(Date.now, { badDate: 15, future: 17 }).superRefine((value, ctx) => {
    if (value.ms < Date.now() - YEAR_MS) {
      ctx.addIssue({
        code: 'custom',
        message: `Please enter valid date for historical_poll_datetime less than or equal to one year (${value.text} is older)`,
        params: codeParams('CONFIG_INVALID_VALUE', 16),
      });
    }
  });
}

const serviceSchema = z
  .object({
    ...windowedServiceShape,
    request_period_in_seconds: z.number().min(1).max(86_400).default(60),
    /** Default: one day before the first start. */
    historical_poll_datetime: historicalPollDatetime().optional(),
    /** Any text: changing it (like changing historical_poll_datetime) resets the persistence. */
    reset_persistence_auth: z.string().default(''),
    /** Activities per request (the API's `limit`, at most 10,000). */
    event_fetch_limit_in_items: positiveInt(10_000).default(1_000),
  })
  .strict();

export type KiteworksServiceSettings = z.infer<typeof serviceSchema>;

const credentialsSchema = z
  .object({
    client_id: nonEmptyString(),
    client_secret: secretString(),
    /** The custom application's redirect URI, exactly as registered (signature and JWT flows). */
    redirect_uri: nonEmptyString().optional(),
    /** Scopes to ask for (default: what the application was given). */
    scope: nonEmptyString().optional(),
    /** The administrator the signature and JWT flows act as. */
    user_email: nonEmptyString().optional(),
    /** Signature flow (deprecated by Kiteworks, expected to go at the end of 2026). */
    signature_key: secretString().optional(),
    /** JWT assertion flow: the application's RSA private key (PEM file, relative to the configuration). */
    private_key_file: fileSetting().optional(),
    jwt_algorithm: z.enum(['RS256', 'RS512']).default('RS256'),
    /** Refresh-token flow: a refresh token obtained once by an administrator. */
    refresh_token: secretString().optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const flows = [c.signature_key !== undefined, c.private_key_file !== undefined, c.refresh_token !== undefined].filter(Boolean).length;
    if (flows !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: 'must set exactly one flow: signature_key (with user_email), private_key_file (with user_email), or refresh_token',
        params: codeParams(flows === 0 ? 'CONFIG_MISSING' : 'CONFIG_INVALID_VALUE'),
      });
      return;
    }
    if ((c.signature_key !== undefined || c.private_key_file !== undefined) && c.user_email === undefined) {
      ctx.addIssue({ code: 'custom', path: ['user_email'], message: 'is required by the signature and JWT flows (the administrator they act as)', params: codeParams('CONFIG_MISSING') });
    }
    if ((c.signature_key !== undefined || c.private_key_file !== undefined) && c.redirect_uri === undefined) {
      ctx.addIssue({ code: 'custom', path: ['redirect_uri'], message: "is required by the signature and JWT flows (the application's redirect URI, as registered)", params: codeParams('CONFIG_MISSING') });
    }
  });

export type KiteworksCredentials = z.infer<typeof credentialsSchema>;

export const kiteworksSchema = z
  .object({
    ...inputBaseShape,
    /** The customer's Kiteworks host, e.g. https://kiteworks.example.com. */
    api_base_url: httpUrl(),
    /** The X-Accellion-Version sent on every call. */
    api_version: positiveInt(1_000).default(28),
    credentials: credentialsSchema,
    /** The Devo collector's name for `tls.verify`: false accepts any certificate (for tests only). */
    verify_host_ssl_cert: z.boolean().default(true),
    /** The Devo collector's name for `tls.ca_file`: the private authority's PEM bundle. */
    ca_bundle_file: fileSetting().optional(),
    services: z
      .object({ admin: serviceSchema.optional() })
      .strict()
      .default(() => ({ admin: serviceSchema.parse({}) })),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.ca_bundle_file !== undefined && s.tls.ca_file !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['ca_bundle_file'], message: 'names the same file as tls.ca_file: set one of them', params: codeParams('CONFIG_INVALID_VALUE') });
    }
  })
  // Devo's operators keep their settings; the framework reads the standard `tls` block.
  .transform(({ verify_host_ssl_cert, ca_bundle_file, ...rest }) => ({
    ...rest,
    tls: { verify: rest.tls.verify && verify_host_ssl_cert, ca_file: rest.tls.ca_file ?? ca_bundle_file },
  }));

export type KiteworksSettings = z.infer<typeof kiteworksSchema>;

export function adminService(settings: KiteworksSettings): KiteworksServiceSettings | undefined {
  const service = settings.services.admin;
  return service && service.enabled ? service : undefined;
}

/** Which flow the credentials name (the schema allows exactly one). */
export function flowOf(c: KiteworksCredentials): 'signature' | 'jwt' | 'refresh' {
  if (c.signature_key !== undefined) return 'signature';
  if (c.private_key_file !== undefined) return 'jwt';
  return 'refresh';
}
