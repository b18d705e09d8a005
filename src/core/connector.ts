// A connector as its vendor folder writes it (`ConnectorDefinition`, typed by its own
// settings), and as the rest of Siphon holds it (`Connector`, the same thing with the
// settings type hidden behind closures, so a list of vendors needs no casts).

import type { ZodType } from 'zod';
import type { FileSetting, HeartbeatSettings, HttpSettings, RateLimitSettings, StartTime } from '../config/fields.js';
import type { ConnectorContext, Source, StreamSettings } from './contracts.js';

/** How a vendor's host is trusted (every input has the block, like OpenTelemetry's `tls`). */
export interface InputTls {
  /** false accepts any certificate (a warning is logged): for tests only. */
  readonly verify: boolean;
  /** A private certificate authority's PEM bundle, read when the configuration loads. */
  readonly ca_file?: FileSetting | undefined;
}

/** Settings every input block has (`inputBaseShape` in config/fields.ts). */
export interface InputSettings {
  readonly id?: string | number | undefined;
  readonly enabled: boolean;
  readonly http: HttpSettings;
  readonly rate_limit: RateLimitSettings;
  readonly heartbeat?: HeartbeatSettings | undefined;
  readonly tls: InputTls;
}

/** One input block of the configuration, after validation by the connector's schema. */
export interface InputInstance<S> {
  /** The input's name in the config (key under `inputs`). */
  readonly name: string;
  readonly id: string | number | undefined;
  readonly settings: S;
}

/** What a vendor folder exports: its settings schema and how to build its source from them. */
export interface ConnectorDefinition<S extends InputSettings, T extends StreamSettings> {
  /** The input `type` that picks this connector. */
  readonly type: string;
  readonly displayName: string;
  /** Prefix of log module names, as the seeds print them: `OnePassword` -> `OnePasswordPuller(...)`. */
  readonly logModule: string;
  /** Validates the whole input block (the config module maps its issues to error codes). */
  readonly schema: ZodType<S>;
  /** Stream names (the `services:` keys) with their default tags. */
  readonly streams: Readonly<Record<string, { tag: string }>>;
  /** Default rate budget of one account: windows of `perMs` allowing `limit` requests. */
  readonly rateLimits: ReadonlyArray<{ limit: number; perMs: number }>;
  /** Settings of the enabled streams. */
  streamSettings(settings: S): Partial<Record<string, T>>;
  /** A stream's configured start time (absent: the connector's default start). Its change starts the stream afresh. */
  startTime(stream: T): StartTime | undefined;
  /** A setting whose change also starts the stream afresh (Kiteworks' `reset_persistence_auth`). */
  resetWith?(stream: T): string;
  /** Every secret value in the settings, so the logger can redact them. */
  secrets(settings: S): string[];
  create(input: InputInstance<S>, ctx: ConnectorContext): Source;
}

/** One enabled stream of a configured input, as the framework needs it. */
export interface ConfiguredStream {
  readonly settings: StreamSettings;
  readonly start: StartTime | undefined;
  /** The text whose change resets the stream's checkpoint (null: nothing configured). */
  readonly resetKey: string | null;
}

/** A validated input block, its settings bound to the connector that validated them. */
export interface ConfiguredSettings {
  readonly common: InputSettings;
  /** The whole validated block, for diagnostics (its shape is the connector's own). */
  readonly block: unknown;
  /** The enabled streams, by name. */
  readonly streams: Readonly<Record<string, ConfiguredStream>>;
  readonly secrets: readonly string[];
  create(input: { name: string; id: string | number | undefined }, ctx: ConnectorContext): Source;
}

/** A connector as the registry, the loader and the runtime hold it. */
export interface Connector {
  readonly type: string;
  readonly displayName: string;
  readonly logModule: string;
  readonly streams: Readonly<Record<string, { tag: string }>>;
  readonly rateLimits: ReadonlyArray<{ limit: number; perMs: number }>;
  /** Validates an input block with `validate` (the loader's, which reports problems); undefined when invalid. */
  configure(validate: <V>(schema: ZodType<V>) => V | undefined): ConfiguredSettings | undefined;
}

export function defineConnector<S extends InputSettings, T extends StreamSettings>(definition: ConnectorDefinition<S, T>): Connector {
  const stream = (settings: T): ConfiguredStream => {
    const start = definition.startTime(settings);
    const text = start?.text ?? null;
    // Kiteworks' reset key predates this record: `start|reset`, kept so saved checkpoints stay valid.
    const resetKey = definition.resetWith ? `${text ?? ''}|${definition.resetWith(settings)}` : text;
    return { settings, start, resetKey };
  };
  return {
    type: definition.type,
    displayName: definition.displayName,
    logModule: definition.logModule,
    streams: definition.streams,
    rateLimits: definition.rateLimits,
    configure(validate) {
      const settings = validate(definition.schema);
      if (settings === undefined) return undefined;
      const streams: Record<string, ConfiguredStream> = {};
      for (const [name, value] of Object.entries(definition.streamSettings(settings))) if (value) streams[name] = stream(value);
      return {
        common: settings,
        block: settings,
        streams,
        secrets: definition.secrets(settings),
        create: (input, ctx) => definition.create({ ...input, settings }, ctx),
      };
    },
  };
}
