// The `globals` block: collector-wide settings.

import { resolve } from 'node:path';
import { z } from 'zod';
import { codeParams, nonEmptyString, secretString } from './fields.js';
import { parsePostgresUrl } from '../state/postgres/url.js';
import { isPlainObject, type SettingPath } from './path.js';
import type { Reporter } from './report.js';
import type { GlobalSettings } from './types.js';
import { validate, withoutNulls } from './validate.js';

const DEFAULT_STATE_DIRECTORY = './state';
const DEFAULT_POSTGRES_SCHEMA = 'siphon';

/** "host:port" (IPv6 in brackets: "[::1]:8686") -> its parts, or undefined. */
export function parseListen(text: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/.exec(text.trim());
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port > 65_535) return undefined;
  return { host: (match[1] ?? match[2])!, port };
}

const persistenceSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('filesystem'),
      config: z.object({ directory_name: nonEmptyString() }).strict().default({ directory_name: DEFAULT_STATE_DIRECTORY }),
    })
    .strict(),
  z.object({ type: z.literal('memory') }).strict(),
  z
    .object({
      type: z.literal('postgres'),
      config: z
        .object({
          // Checked here so a bad URL is a configuration error; the message never repeats the URL (it holds the password).
          url: secretString().superRefine((url, ctx) => {
            try {
              parsePostgresUrl(url);
            } catch (err) {
              ctx.addIssue({ code: 'custom', message: `the PostgreSQL URL ${err instanceof Error ? err.message : String(err)}`, params: codeParams('CONFIG_INVALID_VALUE') });
            }
          }),
          // PostgreSQL's limit for a name is 63 bytes; any other character is quoted.
          schema: nonEmptyString()
            .refine((name) => Buffer.byteLength(name) <= 63, { message: 'must be at most 63 bytes (PostgreSQL\'s limit for a name)' })
            .default(DEFAULT_POSTGRES_SCHEMA),
          /** A PEM bundle of the CA that signed the server's certificate, relative to the configuration. */
          ca_file: nonEmptyString().optional(),
        })
        .strict(),
    })
    .strict(),
]);

/** How many seconds a replica's claim on an input lasts without renewal (below 3, a busy event loop loses claims). */
export const DEFAULT_LEASE_SECONDS = 15;
const MIN_LEASE_SECONDS = 3;

const clusterSchema = z
  .object({
    /** Replicas with the same configuration and database share the streams (needs postgres persistence). */
    enabled: z.boolean().default(false),
    lease_seconds: z.number().min(MIN_LEASE_SECONDS).max(3_600).default(DEFAULT_LEASE_SECONDS),
  })
  .strict();

export const globalsSchema = z
  .object({
    name: nonEmptyString().default('siphon'),
    persistence: persistenceSchema.default({ type: 'filesystem', config: { directory_name: DEFAULT_STATE_DIRECTORY } }),
    cluster: clusterSchema.default({ enabled: false, lease_seconds: DEFAULT_LEASE_SECONDS }),
    debug_status: z.boolean().default(false),
    log_format: z.enum(['text', 'json']).default('text'),
    memory_report_interval_seconds: z.number().int().min(0).default(300),
    obfuscation: z.object({ hash_key: secretString() }).strict().optional(),
    shutdown_timeout_seconds: z.number().min(0).max(3_600).default(30),
    // The one bounded queue between the pullers and the outputs (Devo's 10,000 events: fewer
    // make `ack: close` outputs open a connection per page, see docs/performance.md).
    queue_max_size_in_messages: z.number().int().min(1).max(10_000_000).default(10_000),
    /** Estimated memory the queued records hold (event object and JSON text), not the JSON alone. */
    queue_max_size_in_mb: z.number().min(1).max(65_536).default(64),
    /** Sender statistics in the log, every N seconds (Devo: every 10 minutes); 0 turns them off. */
    sender_statistics_interval_seconds: z.number().int().min(0).default(600),
    /** The status server (health, readiness, metrics, status page); off when absent. */
    status_server: z
      .object({
        /** host:port; port 0 picks a free one. */
        listen: nonEmptyString().refine((v) => parseListen(v) !== undefined, { message: 'must be host:port, e.g. 127.0.0.1:8686 (port 0 picks a free one)' }),
        /** A bearer token every endpoint but /health requires. */
        token: secretString().optional(),
        /** Serve HTTPS with this certificate and key (PEM files, relative to the configuration). */
        tls: z.object({ cert: nonEmptyString(), key: nonEmptyString() }).strict().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type GlobalsBlock = z.infer<typeof globalsSchema>;

/** Devo collector globals that mean nothing to Siphon: accepted with a warning so Devo files load. */
const DEVO_ONLY_GLOBALS: readonly string[] = [
  'id',
  'requests_per_second',
  'multiprocessing',
  'queue_max_eps_internal',
  'queue_max_eps_standard',
  'queue_max_eps_lookup',
  'queue_wrap_max_size_in_messages',
  'generate_metrics',
];

const PATH: SettingPath = ['globals'];

/** Validates `globals` (absent: every default). Undefined when it has problems (reported). */
export function readGlobals(raw: unknown, baseDir: string, reporter: Reporter): GlobalSettings | undefined {
  let input = raw === null || raw === undefined ? {} : raw;
  if (isPlainObject(input)) {
    const kept: Record<string, unknown> = { ...input };
    for (const key of DEVO_ONLY_GLOBALS) {
      if (!Object.hasOwn(kept, key)) continue;
      delete kept[key];
      reporter.warn({
        code: 'CONFIG_UNKNOWN_KEY',
        path: [...PATH, key],
        at: 'key',
        message: `\`${key}\` is a Devo collector setting that Siphon does not use; it is ignored`,
      });
    }
    input = kept;
  }
  const result = validate(globalsSchema, withoutNulls(input), PATH, reporter);
  if (!result.ok) return undefined;
  if (!clusterFitsPersistence(result.data.cluster.enabled, result.data.persistence.type)) {
    reporter.error({
      code: 'CONFIG_INVALID_VALUE',
      path: [...PATH, 'cluster', 'enabled'],
      message: `cluster.enabled needs persistence.type: postgres (the replicas share their streams' state and leases through it); persistence.type is ${result.data.persistence.type}`,
    });
    return undefined;
  }
  return toGlobalSettings(result.data, baseDir);
}

/** Replicas share state and leases through PostgreSQL only: a cluster on any other store would pull every stream once per replica. */
function clusterFitsPersistence(enabled: boolean, persistenceType: string): boolean {
  return !enabled || persistenceType === 'postgres';
}

function toGlobalSettings(block: GlobalsBlock, baseDir: string): GlobalSettings {
  const { persistence, obfuscation, status_server, ...rest } = block;
  return {
    ...rest,
    ...(status_server
      ? {
          status_server: {
            ...parseListen(status_server.listen)!,
            ...(status_server.token !== undefined ? { token: status_server.token } : {}),
            ...(status_server.tls ? { tls: { cert: resolve(baseDir, status_server.tls.cert), key: resolve(baseDir, status_server.tls.key) } } : {}),
          },
        }
      : {}),
    persistence: persistenceSettings(persistence, baseDir),
    ...(obfuscation ? { obfuscation } : {}),
  };
}

function persistenceSettings(persistence: GlobalsBlock['persistence'], baseDir: string): GlobalSettings['persistence'] {
  switch (persistence.type) {
    case 'memory':
      return { type: 'memory' };
    case 'filesystem':
      return { type: 'filesystem', directory: resolve(baseDir, persistence.config.directory_name) };
    case 'postgres': {
      const { url, schema, ca_file } = persistence.config;
      return { type: 'postgres', url, schema, ...(ca_file !== undefined ? { caFile: resolve(baseDir, ca_file) } : {}) };
    }
  }
}

/** The secrets of a persistence setting: the database password, as written in the URL and decoded. */
export function persistenceSecrets(persistence: GlobalSettings['persistence']): string[] {
  if (persistence.type !== 'postgres') return [];
  const { password } = parsePostgresUrl(persistence.url);
  if (password === undefined) return [];
  return [password, new URL(persistence.url).password];
}
