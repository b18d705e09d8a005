// Settings of the `http` output: where to POST, in which body format, how to authenticate,
// how big a POST may grow, how long and how often to try, and how to trust the receiver.

import { z } from 'zod';
import { codeParams, httpUrl, nonEmptyString, positiveInt, proxySettingsSchema, secretString } from '../../config/fields.js';
import { configuredProxy, proxySecrets } from '../../config/proxy.js';

const MIB = 1024 * 1024;

/** Headers the output writes itself: a static value would corrupt the request. */
const RESERVED_HEADERS = new Set(['content-type', 'content-encoding', 'content-length', 'transfer-encoding', 'host', 'connection', 'expect', 'keep-alive', 'te', 'upgrade']);

// RFC 9110 token characters; header values must not break the line.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_VALUE = /^[^\r\n\0]*$/;

const headerName = z.string().regex(HEADER_NAME, { message: 'is not a valid HTTP header name' });
const headerValue = z.string().regex(HEADER_VALUE, { message: 'must not contain line breaks' });

export const httpOutputSchema = z
  .object({
    /** Where events are POSTed (for `splunk_hec`, the HEC base URL). */
    url: httpUrl(),
    mode: z.enum(['ndjson', 'splunk_hec']).default('ndjson'),
    /** `Authorization: Bearer <token>`. */
    bearer_token: secretString().optional(),
    /** HTTP basic authentication. */
    username: nonEmptyString().optional(),
    password: secretString().optional(),
    /** Splunk HEC: `Authorization: Splunk <token>`. */
    hec_token: secretString().optional(),
    /** Splunk HEC: the `host` field of each event (default: this machine's host name). */
    hostname: nonEmptyString().optional(),
    /** Splunk HEC: the `index` field of each event (default: the token's default index). */
    index: nonEmptyString().optional(),
    gzip: z.boolean().default(true),
    batch_max_events: positiveInt(100_000).default(500),
    /** Uncompressed body size; one event larger than this still goes, alone. */
    batch_max_bytes: z.number().int().min(1024).max(256 * MIB).default(MIB),
    /** One attempt, from connecting to the end of the answer. */
    timeout_seconds: z.number().positive().max(600).default(30),
    /** Retries of 429, 5xx and network failures within one write. */
    max_retries: z.number().int().min(0).max(20).default(5),
    headers: z.record(headerName, headerValue).default({}),
    /** PEM file of the CA(s) that sign the receiver's certificate; replaces the system CAs. */
    ca_file: nonEmptyString().optional(),
    verify_tls: z.boolean().default(true),
    /** Client certificate and key (PEM files), for receivers that require one. */
    cert_file: nonEmptyString().optional(),
    key_file: nonEmptyString().optional(),
    /** A forward proxy every request goes through (replaces HTTPS_PROXY/HTTP_PROXY/NO_PROXY). */
    proxy: proxySettingsSchema.optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    const issue = (path: string, message: string, missing = false): void => {
      ctx.addIssue({ code: 'custom', path: [path], message, params: codeParams(missing ? 'CONFIG_MISSING' : 'CONFIG_INVALID_VALUE') });
    };
    let url: URL;
    try {
      url = new URL(s.url);
    } catch {
      return; // already reported by httpUrl()
    }
    if (url.username !== '' || url.password !== '') issue('url', 'must not carry credentials: use `username` and `password`');
    if (s.username !== undefined && s.password === undefined) issue('password', 'is required with `username`', true);
    if (s.password !== undefined && s.username === undefined) issue('username', 'is required with `password`', true);
    const schemes = [s.bearer_token !== undefined, s.username !== undefined || s.password !== undefined, s.hec_token !== undefined].filter(Boolean).length;
    if (schemes > 1) issue('bearer_token', 'set only one of `bearer_token`, `username`/`password` and `hec_token`');
    if (s.mode === 'splunk_hec') {
      if (s.hec_token === undefined) issue('hec_token', 'is required with `mode: splunk_hec`', true);
      if (s.bearer_token !== undefined || s.username !== undefined) issue('mode', '`splunk_hec` authenticates with `hec_token` only');
    } else {
      for (const key of ['hec_token', 'hostname', 'index'] as const) {
        if (s[key] !== undefined) issue(key, 'applies only to `mode: splunk_hec`');
      }
    }
    for (const name of Object.keys(s.headers)) {
      const lower = name.toLowerCase();
      if (RESERVED_HEADERS.has(lower)) issue('headers', `must not set ${name}: the output writes it`);
      if (lower === 'authorization' && schemes > 0) issue('headers', 'must not set Authorization together with an authentication setting');
    }
    if ((s.cert_file === undefined) !== (s.key_file === undefined)) {
      issue(s.cert_file === undefined ? 'cert_file' : 'key_file', 'is required with the other of `cert_file`/`key_file`', true);
    }
    if (url.protocol === 'http:') {
      for (const key of ['ca_file', 'cert_file', 'key_file'] as const) {
        if (s[key] !== undefined) issue(key, 'applies only to an https:// `url`');
      }
    }
  });

export type HttpOutputSettings = z.infer<typeof httpOutputSchema>;

/** How the `proxy` block of the output's `config` is named in messages. */
export const PROXY_SETTING = 'config.proxy';

/** The value of a static `Authorization` header, if `headers` sets one (it is a credential too). */
function staticAuthorization(settings: HttpOutputSettings): string | undefined {
  for (const [name, value] of Object.entries(settings.headers)) {
    if (name.toLowerCase() === 'authorization') return value;
  }
  return undefined;
}

/** The `Authorization` header the settings call for, if any. */
export function authorizationHeader(settings: HttpOutputSettings): string | undefined {
  if (settings.hec_token !== undefined) return `Splunk ${settings.hec_token}`;
  if (settings.bearer_token !== undefined) return `Bearer ${settings.bearer_token}`;
  if (settings.username !== undefined && settings.password !== undefined) {
    return `Basic ${Buffer.from(`${settings.username}:${settings.password}`, 'utf8').toString('base64')}`;
  }
  return staticAuthorization(settings);
}

/** Every secret the settings hold, in every form it takes on the wire, for log redaction. */
export function httpOutputSecrets(settings: HttpOutputSettings): string[] {
  const out = [settings.bearer_token, settings.password, settings.hec_token, staticAuthorization(settings)];
  if (settings.proxy !== undefined) out.push(...proxySecrets(configuredProxy(settings.proxy, PROXY_SETTING)));
  const auth = authorizationHeader(settings);
  if (auth?.startsWith('Basic ')) out.push(auth.slice('Basic '.length));
  return out.filter((v): v is string => v !== undefined);
}
