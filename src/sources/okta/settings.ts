// Configuration of an Okta input: the org's URL, one of two credentials (an SSWS API token,
// or an OAuth 2.0 service app signing its client assertion with a private key), and the one
// `system_log` service reading /api/v1/logs.

import { z } from 'zod';
import { codeParams, fileSetting, httpUrl, inputBaseShape, nonEmptyString, positiveInt, secretString, serviceBaseShape, startTime } from '../../config/fields.js';

export const OKTA_TAG = 'auth.okta.system';
/** The scope an access token needs to read the System Log. */
export const LOGS_SCOPE = 'okta.logs.read';
export const JWT_ALGORITHM_NAMES = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512'] as const;

/** Hosts an `http://` okta_url may name: a simulator on this machine. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * The org's address, `https://your-org.okta.com` (or a custom domain): scheme, host and port
 * only, since every path is Okta's. Plain `http://` only for a simulator on this machine:
 * the credentials must never cross a network in clear.
 */
function oktaUrl() {
  return httpUrl().transform((text, ctx) => {
    const url = new URL(text);
    const fail = (message: string): never => {
      ctx.addIssue({ code: 'custom', message, params: codeParams('CONFIG_INVALID_VALUE') });
      return z.NEVER;
    };
    if (url.username !== '' || url.password !== '') return fail('must not carry credentials: set them under `credentials`');
    if (url.pathname !== '/' || url.search !== '' || url.hash !== '') return fail(`must be the org's address only (https://your-org.okta.com), without a path or query: "${url.pathname}${url.search}" is Okta's to choose`);
    if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) {
      return fail(`must start with https://: Okta answers over HTTPS only, and an http:// address would send the credentials in clear (http:// is accepted only for a simulator on 127.0.0.1, [::1] or localhost)`);
    }
    return url.origin;
  });
}

const credentialsSchema = z
  .object({
    /** An SSWS API token (Security → API → Tokens), created by an administrator who may read the System Log. */
    api_token: secretString().optional(),
    /** The OAuth 2.0 service app ("API Services" app) that reads the log. */
    client_id: nonEmptyString().optional(),
    /** The app's private key, PEM (RSA or EC), relative to the configuration; read when the configuration loads. */
    private_key_file: fileSetting().optional(),
    /** The key's `kid` in the app's public keys (Okta requires it when the app has several keys). */
    key_id: nonEmptyString().optional(),
    /** Default: RS256 for an RSA key; ES256, ES384 or ES512 for an EC key, by its curve. */
    jwt_algorithm: z.enum(JWT_ALGORITHM_NAMES).optional(),
    /** Scopes asked for (space-separated); must include okta.logs.read. Default: okta.logs.read. */
    scope: nonEmptyString().optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const oauthKeys = (['client_id', 'private_key_file', 'key_id', 'jwt_algorithm', 'scope'] as const).filter((k) => c[k] !== undefined);
    if (c.api_token !== undefined) {
      if (oauthKeys.length > 0) {
        ctx.addIssue({
          code: 'custom',
          message: `must set one credential: api_token (SSWS), or client_id with private_key_file (an OAuth service app), not both (${oauthKeys.join(', ')} set with api_token)`,
          params: codeParams('CONFIG_INVALID_VALUE'),
        });
      }
      return;
    }
    if (c.client_id === undefined && c.private_key_file === undefined) {
      ctx.addIssue({ code: 'custom', message: 'must set api_token (SSWS), or client_id with private_key_file (an OAuth service app)', params: codeParams('CONFIG_MISSING') });
      return;
    }
    if (c.client_id === undefined) ctx.addIssue({ code: 'custom', path: ['client_id'], message: "is required with private_key_file (the service app's client id)", params: codeParams('CONFIG_MISSING') });
    if (c.private_key_file === undefined) ctx.addIssue({ code: 'custom', path: ['private_key_file'], message: "is required with client_id (the service app's private key, PEM)", params: codeParams('CONFIG_MISSING') });
    if (c.scope !== undefined && !c.scope.split(/\s+/).includes(LOGS_SCOPE)) {
      ctx.addIssue({ code: 'custom', path: ['scope'], message: `must include ${LOGS_SCOPE}, the scope that reads the System Log`, params: codeParams('CONFIG_INVALID_VALUE') });
    }
  });

export type OktaCredentials = z.infer<typeof credentialsSchema>;

const serviceSchema = z
  .object({
    ...serviceBaseShape,
    /** Where a new stream starts. Default: one day before its first start. Okta keeps 90 days: an older start is moved to that limit, with a warning. */
    start_time_value: startTime().optional(),
    /** Events per request (the API's `limit`, at most 1000). */
    page_size: positiveInt(1000).default(1000),
    // The cursor is Okta's next link, so the only replay is the one after a rejected cursor,
    // which restarts at the newest delivered event's time: ten minutes of dedup memory cover
    // it and the events Okta writes late.
    dedup_window_seconds: z.number().int().min(0).max(30 * 86_400).default(600),
  })
  .strict();

export type OktaServiceSettings = z.infer<typeof serviceSchema>;

export const oktaSchema = z
  .object({
    ...inputBaseShape,
    /** https://your-org.okta.com (or the org's custom domain). */
    okta_url: oktaUrl(),
    credentials: credentialsSchema,
    services: z
      .object({ system_log: serviceSchema.optional() })
      .strict()
      .default(() => ({ system_log: serviceSchema.parse({}) })),
  })
  .strict();

export type OktaSettings = z.infer<typeof oktaSchema>;

export function systemLogService(settings: OktaSettings): OktaServiceSettings | undefined {
  const service = settings.services.system_log;
  return service && service.enabled ? service : undefined;
}
