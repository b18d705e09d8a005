// What the configuration loader hands to the rest of Siphon.

import type { ConfiguredSettings, Connector } from '../core/connector.js';
import type { Channel, EnvironmentProxies, OutputDefinition } from '../core/contracts.js';
import type { ErrorCode } from '../core/errors.js';
import type { OutputDeliveryConfig } from './output-delivery.js';

/** One thing wrong (or worth a warning) in the configuration file. */
export interface ConfigProblem {
  code: ErrorCode;
  /** Dotted path of the setting: `inputs.onepassword.services.audit.start_time_value`; `[0]` for list items; '' for the whole file. */
  path: string;
  /** 1-based; 0 when the problem has no position (the file cannot be read). */
  line: number;
  column: number;
  /** A plain sentence. Never contains a secret value. */
  message: string;
  /** The connector's Devo collector number for this problem, printed instead of the catalogue's. */
  devoId?: number;
}

export interface GlobalSettings {
  name: string;
  persistence:
    | { type: 'filesystem'; directory: string /* absolute */ }
    | { type: 'memory' }
    /** PostgreSQL (src/state/postgres): `url` holds the password (registered as a secret); `caFile` is absolute. */
    | { type: 'postgres'; url: string; schema: string; caFile?: string };
  /** Replicas sharing the streams through PostgreSQL (`enabled` only with postgres persistence). */
  cluster: ClusterSettings;
  debug_status: boolean;
  log_format: 'text' | 'json';
  /** 0 turns the memory report off. */
  memory_report_interval_seconds: number;
  obfuscation?: { hash_key: string };
  shutdown_timeout_seconds: number;
  /** Bounds of the delivery queue between pullers and outputs. */
  queue_max_size_in_messages: number;
  queue_max_size_in_mb: number;
  /** 0 turns the sender statistics off. */
  sender_statistics_interval_seconds: number;
  /** The status server; absent: off. */
  status_server?: StatusServerSettings;
}

export interface ClusterSettings {
  enabled: boolean;
  /** How long a claim on an input lasts without renewal (>= 3). */
  lease_seconds: number;
}

export interface StatusServerSettings {
  host: string;
  /** 0: any free port (the log line says which). */
  port: number;
  /** Bearer token required by every endpoint but /health. */
  token?: string;
  /** Absolute paths of the PEM certificate and key: HTTPS instead of HTTP. */
  tls?: { cert: string; key: string };
}

export interface ConfiguredOutput {
  name: string;
  type: string;
  definition: OutputDefinition<unknown>;
  /** The output schema's result for the `config` block. */
  settings: unknown;
  enabled: boolean;
  /** The channels it carries (Devo's "sender services"): `standard` (pulled events), `internal` (Siphon's own log records). */
  channels: ReadonlyArray<Channel>;
  /** The `delivery` block: how the output's lane retries and batches (defaults filled in). */
  delivery: OutputDeliveryConfig;
}

export interface ConfiguredInput {
  name: string;
  type: string;
  connector: Connector;
  /** The input block as its connector validated it. */
  settings: ConfiguredSettings;
  enabled: boolean;
  id: string | number | undefined;
}

export interface SiphonConfig {
  /** Absolute path of the configuration file. */
  path: string;
  /** Folder relative paths are resolved against (the file's folder). */
  baseDir: string;
  globals: GlobalSettings;
  outputs: ConfiguredOutput[];
  inputs: ConfiguredInput[];
  /**
   * Every secret value the configuration holds, for the logger's redactor: what ${env:}/${file:}
   * resolved, each input's `definition.secrets(settings)` (literal tokens too), proxy
   * credentials (the inputs' `http.proxy`, the environment's proxy URLs) and the hash key.
   */
  secrets: string[];
  /** HTTPS_PROXY, HTTP_PROXY and NO_PROXY as the loader read them from the environment. */
  environmentProxies: EnvironmentProxies;
}

export type LoadResult =
  | { ok: true; config: SiphonConfig; warnings: ConfigProblem[] }
  | { ok: false; problems: ConfigProblem[]; warnings: ConfigProblem[] };

/** The connectors and outputs the loader may pick from, by `type`. */
export interface Registries {
  connectors: ReadonlyMap<string, Connector>;
  outputs: ReadonlyMap<string, OutputDefinition<unknown>>;
}

export interface LoadOptions {
  /** Where `${env:NAME}` and the proxy variables are looked up (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** The clock for "start time is in the future" (default: Date.now). */
  now?: () => number;
}
