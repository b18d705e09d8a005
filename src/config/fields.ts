// The shared vocabulary of configuration fields. Connectors build their schemas from
// these, so every connector reports the same error codes for the same mistakes.
// The loader (./load.ts) maps zod issues to the catalogue: a custom issue carries its
// code in `params.siphonCode`.

import { z } from 'zod';
import type { ErrorCode } from '../core/errors.js';
import { parseStartTime } from '../core/time.js';

/** Attach a catalogue code (and the connector's Devo number for it, if any) to a custom zod issue. */
export function codeParams(code: ErrorCode, devoId?: number): { siphonCode: ErrorCode; devoId?: number } {
  return devoId === undefined ? { siphonCode: code } : { siphonCode: code, devoId };
}

/** A non-empty string (empty -> InitVariablesError 3). */
export function nonEmptyString() {
  return z.string().min(1, { message: 'must not be an empty string' });
}

/** A secret: a non-empty string, usually `${env:NAME}` or `${file:PATH}` in the file. */
export function secretString() {
  return nonEmptyString();
}

export interface StartTime {
  /** The setting exactly as written (after trimming), used to detect a change. */
  readonly text: string;
  readonly ms: number;
  /** The connector's Devo number for "in the future", for the loader's own check. */
  readonly futureDevoId?: number;
}

/** Devo numbers for a start time's errors, where a connector follows its collector's table. */
export interface StartTimeDevoIds {
  readonly badDate?: number;
  readonly future?: number;
}

/** The value a `startTime()` setting validates to (the loader finds them by shape for its own clock). */
export function isStartTime(value: unknown): value is StartTime {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const known = Object.keys(value).every((k) => k === 'text' || k === 'ms' || k === 'futureDevoId');
  return known && typeof v['text'] === 'string' && typeof v['ms'] === 'number';
}

/** The message of InitVariablesError 5, shared by the schema check and the loader's check. */
export function futureStartTimeMessage(text: string): string {
  return `${text} is in the future`;
}

/**
 * A start-time setting: RFC 3339 or `YYYY-MM-DD HH:MM:SS` (UTC), not in the future.
 * `now` is read at parse time; the config loader checks again with its own (injected) clock.
 */
export function startTime(now: () => number = Date.now, devoIds: StartTimeDevoIds = {}) {
  return nonEmptyString().transform((text, ctx): StartTime => {
    const ms = parseStartTime(text);
    if (ms === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `"${text}" is not a valid date: use RFC 3339 (2024-05-01T00:00:00Z) or "YYYY-MM-DD HH:MM:SS" (UTC)`,
        params: codeParams('CONFIG_BAD_DATE', devoIds.badDate),
      });
      return z.NEVER;
    }
    if (ms > now()) {
      ctx.addIssue({
        code: 'custom',
        message: futureStartTimeMessage(text),
        params: codeParams('CONFIG_FUTURE_DATE', devoIds.future),
      });
      return z.NEVER;
    }
    return devoIds.future === undefined ? { text: text.trim(), ms } : { text: text.trim(), ms, futureDevoId: devoIds.future };
  });
}

/**
 * A file a setting names (a private key, a CA bundle): the path as written, relative to the
 * configuration's folder, and its content, which the loader reads before anything runs, so
 * an unreadable file is a configuration error with the setting's path, not a failure later.
 */
export class FileSetting {
  #text: string | undefined;
  constructor(readonly path: string) {}
  /** The file's content. */
  get text(): string {
    if (this.#text === undefined) throw new Error(`${this.path} was not read by the configuration loader`);
    return this.#text;
  }
  /** The loader's: the content it read. */
  loaded(text: string): void {
    this.#text = text;
  }
}

/** A file path setting (see FileSetting). */
export function fileSetting() {
  return nonEmptyString().transform((path) => new FileSetting(path));
}

/** An http(s) URL; trailing slashes are removed so paths can be appended. */
export function httpUrl() {
  return nonEmptyString().transform((text, ctx) => {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not a URL`, params: codeParams('CONFIG_INVALID_VALUE') });
      return z.NEVER;
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      ctx.addIssue({ code: 'custom', message: `"${text}" must start with https:// or http://`, params: codeParams('CONFIG_INVALID_VALUE') });
      return z.NEVER;
    }
    return text.replace(/\/+$/, '');
  });
}

export function positiveInt(max = Number.MAX_SAFE_INTEGER) {
  return z.number().int().min(1).max(max);
}

const obfuscationRuleSchema = z
  .object({
    path: nonEmptyString(),
    method: z.enum(['hash', 'mask', 'drop']),
  })
  .strict();

/** Settings every service accepts. Connectors `.extend()` this and keep `.strict()`. */
export const serviceBaseShape = {
  enabled: z.boolean().default(true),
  request_period_in_seconds: z.number().min(1).max(86_400).default(60),
  override_tag: nonEmptyString().optional(),
  dedup_window_seconds: z.number().int().min(0).max(30 * 86_400).default(3_600),
  dedup_max_keys: positiveInt(1_000_000).default(50_000),
  obfuscation: z.array(obfuscationRuleSchema).default([]),
  /** Pulls that succeed but bring no new event for this long make the stream `stale` (0: never). */
  no_events_alarm_in_seconds: z.number().int().min(0).max(365 * 86_400).default(86_400),
};

/**
 * Settings of a service read by time windows (LastPass, Lark, Kiteworks): the common ones
 * without `dedup_window_seconds` (the overlap decides what the dedup memory keeps), plus the
 * lag behind now and the overlap each window re-reads. Connectors override the defaults.
 */
const { dedup_window_seconds: _dedupWindow, ...serviceShapeWithoutDedupWindow } = serviceBaseShape;
export const windowedServiceShape = {
  ...serviceShapeWithoutDedupWindow,
  /** Stay this far behind now, so events still being written land before their time is read. */
  lag_in_seconds: z.number().int().min(0).max(3_600).default(60),
  /** Each window re-reads this much of the previous one, to catch events that arrive late. */
  overlap_in_seconds: z.number().int().min(0).max(86_400).default(300),
};

/** Why a proxy URL cannot be used, or undefined. Never quotes the URL: it may carry credentials. */
export function proxyUrlProblem(url: URL): string | undefined {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `uses ${url.protocol.replace(/:$/, '')}://, which is not supported: use http:// or https:// (an HTTP proxy that tunnels with CONNECT)`;
  }
  if (url.hostname === '') return 'names no host';
  if ((url.pathname !== '' && url.pathname !== '/') || url.search !== '' || url.hash !== '') return 'must be scheme://host:port, without a path or query';
  return undefined;
}

const proxyUrl = nonEmptyString().superRefine((text, ctx) => {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'is not a URL: write http://host:port or https://host:port', params: codeParams('CONFIG_INVALID_VALUE') });
    return;
  }
  if (url.username !== '' || url.password !== '') {
    ctx.addIssue({ code: 'custom', message: 'must not carry credentials: use `username` and `password`', params: codeParams('CONFIG_INVALID_VALUE') });
    return;
  }
  const problem = proxyUrlProblem(url);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, params: codeParams('CONFIG_INVALID_VALUE') });
});

/**
 * `proxy: {url, username, password}`: every request of the input (or output) goes through
 * this forward proxy, whatever HTTPS_PROXY/HTTP_PROXY/NO_PROXY say (./proxy.ts reads those).
 */
export const proxySettingsSchema = z
  .object({
    /** `http://host:port`, or `https://host:port` for TLS to the proxy itself. */
    url: proxyUrl,
    username: nonEmptyString().optional(),
    password: secretString().optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.username !== undefined && s.password === undefined) {
      ctx.addIssue({ code: 'custom', path: ['password'], message: 'is required with `username`', params: codeParams('CONFIG_MISSING') });
    }
    if (s.password !== undefined && s.username === undefined) {
      ctx.addIssue({ code: 'custom', path: ['username'], message: 'is required with `password`', params: codeParams('CONFIG_MISSING') });
    }
  });

export type ProxySettings = z.infer<typeof proxySettingsSchema>;

/**
 * An attempt's overall deadline when `request_timeout_seconds` is not written: a few minutes,
 * and never less than the response timeout (a slow but steady answer must still fit).
 */
const DEFAULT_REQUEST_TIMEOUT_SECONDS = 300;

/** HTTP behaviour an input may tune (all optional). */
export const httpSettingsSchema = z
  .object({
    connect_timeout_seconds: z.number().positive().max(600).default(10),
    /** Time to the response headers, and the longest silence between body chunks. */
    response_timeout_seconds: z.number().positive().max(3_600).default(60),
    /**
     * One attempt from start to end (connect, headers, the whole body): a vendor that trickles
     * its answer never trips the response timeout, but passes this one.
     */
    request_timeout_seconds: z.number().positive().max(86_400).optional(),
    max_retries: z.number().int().min(0).max(20).default(3),
    backoff_base_seconds: z.number().positive().max(600).default(1),
    backoff_max_seconds: z.number().positive().max(3_600).default(60),
    max_body_megabytes: z.number().positive().max(1_024).default(64),
    proxy: proxySettingsSchema.optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    const deadline = s.request_timeout_seconds;
    // The longer of the two timeouts it contains.
    const key = s.response_timeout_seconds >= s.connect_timeout_seconds ? 'response_timeout_seconds' : 'connect_timeout_seconds';
    if (deadline === undefined || deadline >= s[key]) return;
    ctx.addIssue({
      code: 'custom',
      path: ['request_timeout_seconds'],
      message: `must be at least \`${key}\` (${s[key]}): it bounds the whole attempt`,
      params: codeParams('CONFIG_INVALID_VALUE'),
    });
  })
  .transform((s) => ({ ...s, request_timeout_seconds: s.request_timeout_seconds ?? Math.max(DEFAULT_REQUEST_TIMEOUT_SECONDS, s.response_timeout_seconds) }));

const rateLimitSchema = z
  .object({
    requests_per_minute: positiveInt().optional(),
    requests_per_hour: positiveInt().optional(),
    /** false turns the budget off (benchmarks only). */
    enabled: z.boolean().default(true),
  })
  .strict();

/** Keys every input accepts besides its connector's own. */
export const inputBaseShape = {
  id: z.union([z.number(), nonEmptyString()]).optional(),
  type: nonEmptyString().optional(),
  enabled: z.boolean().default(true),
  http: httpSettingsSchema.default(httpSettingsSchema.parse({})),
  rate_limit: rateLimitSchema.default({ enabled: true }),
  /** How the vendor's host is trusted: a private authority's bundle, or (tests only) no verification. */
  tls: z
    .object({ ca_file: fileSetting().optional(), verify: z.boolean().default(true) })
    .strict()
    .default({ verify: true }),
  /** A small event with its own tag, sent every `interval_seconds`, so a SIEM can alert on its absence. */
  heartbeat: z
    .object({
      interval_seconds: z.number().int().min(1).max(86_400),
      tag: nonEmptyString().default('siphon.heartbeat'),
    })
    .strict()
    .optional(),
};

export type HttpSettings = z.infer<typeof httpSettingsSchema>;
export type RateLimitSettings = z.infer<typeof rateLimitSchema>;

export interface HeartbeatSettings {
  interval_seconds: number;
  tag: string;
}
