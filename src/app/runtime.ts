// Builds a running collector from a validated configuration: the logger with every secret
// registered for redaction, the state store, the outputs, one HTTP client and rate budget
// per vendor account, and one runner per enabled service.

import type { Clock, Logger, Output, Channel, Source, StateStore } from '../core/contracts.js';
import { Collector, startSpacingMs, type CollectorInput, type InputParts } from '../core/collector.js';
import { DeliveryQueue } from '../core/delivery-queue.js';
import { OutputLane } from '../core/output-lane.js';
import { InternalRecords } from '../core/internal-records.js';
import { SenderStatisticsReporter, senderTypeName } from '../core/sender-statistics.js';
import { SIPHON_VERSION } from '../core/version.js';
import { StreamRunner } from '../core/stream-runner.js';
import { Heartbeat } from '../core/heartbeat.js';
import { Redactor } from '../core/redact.js';
import type { ConfiguredInput, SiphonConfig } from '../config/types.js';
import { DEFAULT_OUTPUT_DELIVERY, outputDelivery, type OutputDeliveryConfig } from '../config/output-delivery.js';
import { createHttpClient } from '../http/client.js';
import { createRateBudget } from '../http/budget-from-settings.js';
import { openStateStore } from '../state/index.js';
import { FileDeliveryJournal, deliveryJournalDirectory } from '../state/delivery-journal.js';
import type { DeliveryJournal } from '../state/journal.js';
import { JournaledOutput } from './journaled-output.js';
import type { ClusterReplica } from './cluster.js';
import type { Fence } from '../state/postgres/database.js';
import { SiphonError } from '../core/errors.js';
import { compileObfuscation } from '../stages/obfuscate.js';
import { createLogger, type LogFormat, type LogRecord, type LogSink } from '../telemetry/logger.js';
import { Telemetry } from '../telemetry/telemetry.js';

export interface RuntimeOptions {
  clock: Clock;
  signal: AbortSignal;
  /** Overrides globals.log_format (the --log-format flag). */
  logFormat?: LogFormat;
  sink?: LogSink;
  /** Lock the state folder (false for read-only commands). */
  lockState?: boolean;
  /** Replaces configured outputs (tests); normally built from the configuration. They carry the standard service. */
  outputs?: Output[];
  /** --once: an output that keeps failing ends the run instead of being waited for. */
  once?: boolean;
  /**
   * The command's redactor (what it prints goes through it): the configuration's secrets are
   * registered with it, so printed lines and log lines hide the same. Default: a new one.
   */
  redactor?: Redactor;
  /** Keep Prometheus metrics even without a status server (tests). */
  metrics?: boolean;
}

/**
 * Beyond the queue's size, how many acknowledged keys a delivery journal keeps: room for pages
 * released by the queue whose checkpoints are still being written (and one oversized page).
 */
const JOURNAL_MARGIN_ENTRIES = 10_000;

export interface Runtime {
  collector: Collector;
  logger: Logger;
  redactor: Redactor;
  /** Log lines, metrics and health of every stream, input and output; what the status server serves. */
  telemetry: Telemetry;
  /** `source()` builds the input's parts if need be (see CollectorInput.parts). */
  inputs: Array<{ config: ConfiguredInput; source(): Source; logger: Logger }>;
  outputs: Output[];
  /** Closes HTTP clients, outputs and the state store. */
  close(): Promise<void>;
}

/** `config.secrets` already holds every resolved reference, each connector's credentials and the hash key. */
function redactorFor(config: SiphonConfig, given: Redactor | undefined): Redactor {
  const redactor = given ?? new Redactor();
  redactor.add(...config.secrets);
  return redactor;
}

function createRootLogger(
  config: SiphonConfig,
  redactor: Redactor,
  options: Pick<RuntimeOptions, 'logFormat' | 'sink' | 'clock'>,
  listeners?: Array<(record: LogRecord) => void>,
): Logger {
  return createLogger({
    format: options.logFormat ?? config.globals.log_format,
    level: config.globals.debug_status ? 'debug' : 'info',
    redactor,
    sink: options.sink,
    now: () => options.clock.now(),
    ...(listeners ? { listeners } : {}),
  });
}

/** How the input's host is trusted: verification (a warning when off) and a private CA (read by the loader). */
function tlsOptions(input: ConfiguredInput, logger: Logger): { rejectUnauthorized: boolean; ca?: string } | undefined {
  const tls = input.settings.common.tls;
  if (!tls.verify) {
    logger.warn(`Certificate verification of ${input.name}'s host is off (tls.verify is false): anyone on the path can read the credentials`);
    return { rejectUnauthorized: false };
  }
  return tls.ca_file === undefined ? undefined : { rejectUnauthorized: true, ca: tls.ca_file.text };
}

export async function buildRuntime(config: SiphonConfig, options: RuntimeOptions): Promise<Runtime> {
  const { clock, signal } = options;
  const redactor = redactorFor(config, options.redactor);
  const logListeners: Array<(record: LogRecord) => void> = [];
  const logger = createRootLogger(config, redactor, options, logListeners);
  // prom-client is loaded only when something reads the metrics.
  const metrics = (options.metrics ?? config.globals.status_server !== undefined) ? (await import('../telemetry/metrics.js')).SiphonMetrics : undefined;
  const telemetry = new Telemetry({
    collectorName: config.globals.name,
    version: SIPHON_VERSION,
    clock,
    metrics: metrics ? (readings) => new metrics(readings) : undefined,
    queueSize: (): { messages: number; bytes: number } => queue.size,
  });

  const configured: Array<{ output: Output; readonly channels: ReadonlyArray<Channel>; readonly delivery: OutputDeliveryConfig }> = options.outputs
    ? options.outputs.map((output) => ({ output, channels: ['standard'], delivery: DEFAULT_OUTPUT_DELIVERY }))
    : config.outputs
        .filter((o) => o.enabled)
        .map((o) => ({
          output: o.definition.create(o.name, o.settings, {
            logger: logger.child({ module: `${senderTypeName(o.type)}Sender(${o.name})` }),
            clock,
            baseDir: config.baseDir,
            environmentProxies: config.environmentProxies,
          }),
          channels: o.channels,
          delivery: o.delivery,
        }));
  const lockState = options.lockState ?? true;
  const cluster = lockState ? await joinCluster(config, options, logger, telemetry) : undefined;
  const store = cluster ? cluster.store : await openStateStore(config.globals.persistence, { lock: lockState });
  /** The logger of one output's delivery side (its lane and its journal), named as Devo's sender managers. */
  const senderManagerLogger = (output: Output): Logger => logger.child({ module: `${senderTypeName(output.type)}SenderManager(${output.name})` });
  // Only the collector that holds the state writes journals (not `siphon check`). Outputs that
  // cannot read back what they hold get a journal of what they acknowledged, sized to cover what
  // the checkpoints may not yet cover: about one delivery queue. It lives with the state: in the
  // state folder, or in the database (shared by the replicas of a cluster).
  const journalEntries = config.globals.queue_max_size_in_messages + JOURNAL_MARGIN_ENTRIES;
  const openJournal = lockState ? await journalOpener(config.globals.persistence, store, journalEntries, cluster?.coordinator.fence) : undefined;
  if (openJournal) {
    for (const c of configured) {
      if (c.output.findDelivered) continue;
      c.output = new JournaledOutput(c.output, await openJournal(c.output.name, senderManagerLogger(c.output)));
    }
  }
  const outputs = configured.map((c) => c.output);
  const written = configured.map(({ output }, i) =>
    telemetry.output(output.name, output.type, senderManagerLogger(output), (): number => lanes[i]?.queued('standard') ?? 0),
  );
  const lanes: OutputLane[] = configured.map(({ output, channels, delivery }, i) => {
    const { retry, writeMaxEvents, onceMaxAttempts } = outputDelivery(delivery);
    return new OutputLane(
      output,
      new Set(channels),
      { retry, writeMaxEvents, maxAttempts: options.once ? onceMaxAttempts : undefined, onGiveUp: (error) => queue.abort(error) },
      written[i]!,
      clock,
    );
  });
  const queue: DeliveryQueue = new DeliveryQueue(
    lanes,
    { maxMessages: config.globals.queue_max_size_in_messages, maxBytes: Math.round(config.globals.queue_max_size_in_mb * 1024 * 1024) },
    logger.child({ module: 'DeliveryQueue' }),
    clock,
  );
  const internal = lanes.some((lane) => lane.carries('internal'))
    ? new InternalRecords({ collectorName: config.globals.name, collectorVersion: SIPHON_VERSION, offer: (records) => queue.offerInternal(records), clock })
    : undefined;
  if (internal) logListeners.push(internal.listener);

  const closers: Array<() => Promise<void>> = [];
  const collectorInputs: CollectorInput[] = [];
  const runtimeInputs: Runtime['inputs'] = [];
  const periodsMs: number[] = [];

  for (const input of config.inputs.filter((i) => i.enabled)) {
    const connector = input.connector;
    const inputLogger = logger.child({ input: input.name, inputId: input.id });
    const httpLogger = inputLogger.child({ module: 'HttpClient' });
    const inputTelemetry = telemetry.input(input.name, httpLogger);
    const common = input.settings.common;
    const tls = tlsOptions(input, inputLogger);
    // Each enabled stream's logger and telemetry, made once: the status lists every stream,
    // whether this process pulls it now or not.
    const streams = Object.entries(connector.streams).flatMap(([name, { tag }]) => {
      const stream = input.settings.streams[name];
      if (!stream) return [];
      const { settings, start } = stream;
      periodsMs.push(settings.request_period_in_seconds * 1000);
      const pullerLogger = inputLogger.child({ module: `${connector.logModule}Puller`, service: name });
      const info = {
        input: input.name,
        service: name,
        type: input.type,
        tag: settings.override_tag ?? tag,
        periodSeconds: settings.request_period_in_seconds,
        alarmSeconds: settings.no_events_alarm_in_seconds,
        startMs: start?.ms ?? null,
      };
      return [{ name, stream, logger: pullerLogger, events: telemetry.stream(inputTelemetry, info, pullerLogger) }];
    });
    /** The HTTP client, the source and the runners: what pulling the input takes. */
    const build = (): { parts: InputParts; close(): Promise<void> } => {
      const http = createHttpClient({
        settings: common.http,
        budget: createRateBudget(connector.rateLimits, common.rate_limit, clock),
        clock,
        logger: httpLogger,
        redactor,
        events: inputTelemetry,
        scope: telemetry.scope,
        environmentProxies: config.environmentProxies,
        ...(tls ? { tls } : {}),
        // In a cluster the vendor (and a test's simulator) sees which replica asks.
        ...(cluster ? { userAgent: `siphon/${SIPHON_VERSION} (replica ${cluster.coordinator.replicaId})` } : {}),
      });
      const source = input.settings.create({ name: input.name, id: input.id }, { logger: inputLogger, clock, http, signal, redactor });
      const runners = source.streams.flatMap((puller) => {
        const made = streams.find((s) => s.name === puller.name);
        if (!made) return [];
        const { settings, start } = made.stream;
        return [
          new StreamRunner({
            key: { input: input.name, service: puller.name },
            puller,
            settings,
            startSetting: made.stream.resetKey,
            startMs: start?.ms ?? null,
            store,
            delivery: queue,
            obfuscator: compileObfuscation(settings.obfuscation, config.globals.obfuscation?.hash_key),
            logger: made.logger,
            clock,
            events: made.events,
            scope: telemetry.scope,
            ...(cluster ? { claim: cluster.coordinator.claimFor(input.name) } : {}),
          }),
        ];
      });
      return { parts: { source, runners }, close: () => http.close() };
    };
    // A replica builds an input when it claims it (see CollectorInput.parts); one process, at once.
    let built = cluster ? undefined : build();
    closers.push(async () => {
      await built?.close();
    });
    const heartbeat = common.heartbeat
      ? new Heartbeat({
          input: input.name,
          tag: common.heartbeat.tag,
          intervalMs: common.heartbeat.interval_seconds * 1000,
          collectorName: config.globals.name,
          version: SIPHON_VERSION,
          describe: () => telemetry.streamStates(input.name),
          delivery: queue,
          clock,
        })
      : undefined;
    const parts = (): InputParts => (built ??= build()).parts;
    collectorInputs.push({
      name: input.name,
      streams: streams.map((s) => `${input.name}/${s.name}`),
      parts,
      release: async () => {
        if (!cluster) return; // one process pulls every input for as long as it runs
        const dropped = built;
        built = undefined;
        await dropped?.close();
      },
      logger: inputLogger.child({ module: `${connector.logModule}PullerSetup` }),
      events: inputTelemetry,
      ...(heartbeat ? { heartbeat } : {}),
    });
    runtimeInputs.push({ config: input, source: () => parts().source, logger: inputLogger });
  }

  const collector = new Collector({
    inputs: collectorInputs,
    outputs,
    store,
    logger,
    clock,
    phases: (phase) => telemetry.setPhase(phase),
    queue,
    internal,
    statistics: new SenderStatisticsReporter(
      lanes.map((lane, i) => ({ lane, written: written[i]! })),
      logger,
      clock,
    ),
    statisticsIntervalMs: config.globals.sender_statistics_interval_seconds * 1000,
    shutdownTimeoutMs: config.globals.shutdown_timeout_seconds * 1000,
    startSpacingMs: startSpacingMs(periodsMs),
    ...(cluster ? { assignment: cluster.coordinator } : {}),
  });
  return {
    collector,
    logger,
    redactor,
    telemetry,
    inputs: runtimeInputs,
    outputs,
    async close() {
      await collector.close();
      for (const close of closers) await close();
    },
  };
}

/**
 * How an output's delivery journal is opened for the configured persistence; undefined: none
 * (memory). pg and the PostgreSQL modules load only when PostgreSQL keeps the state: a
 * filesystem collector never pays their start-up time and memory.
 */
async function journalOpener(
  persistence: SiphonConfig['globals']['persistence'],
  store: StateStore,
  entries: number,
  fence: Fence | undefined,
): Promise<((output: string, logger: Logger) => Promise<DeliveryJournal>) | undefined> {
  if (persistence.type === 'filesystem') {
    const stateDirectory = persistence.directory;
    return (output, logger) => FileDeliveryJournal.open(deliveryJournalDirectory(stateDirectory, output), entries, logger);
  }
  if (persistence.type !== 'postgres') return undefined;
  const [{ PostgresStateStore }, { PostgresDeliveryJournal }] = await Promise.all([import('../state/postgres/store.js'), import('../state/postgres/journal.js')]);
  // The journals share the store's pool: one per process.
  if (store instanceof PostgresStateStore) {
    const database = store.database;
    return (output, logger) => Promise.resolve(new PostgresDeliveryJournal({ database, output, keepEntries: entries, logger, ...(fence ? { fence } : {}) }));
  }
  return undefined;
}

/**
 * With `cluster.enabled`, this process becomes a replica: it opens the database, and its leases
 * decide which inputs it pulls and fence its commits. A `--once` run would pull every input
 * without a claim, beside the replicas: it is refused.
 */
async function joinCluster(config: SiphonConfig, options: RuntimeOptions, logger: Logger, telemetry: Telemetry): Promise<ClusterReplica | undefined> {
  const { cluster, persistence } = config.globals;
  if (!cluster.enabled || persistence.type !== 'postgres') return undefined;
  if (options.once) {
    throw new SiphonError('CONFIG_INVALID_VALUE', '--once cannot run with cluster.enabled: it would pull every input beside the replicas that hold them; run the replicas continuously, or turn the cluster off for a one-off run');
  }
  const { url, schema, caFile } = persistence;
  const { openClusterReplica } = await import('./cluster.js');
  return openClusterReplica(
    { url, schema, ...(caFile !== undefined ? { caFile } : {}) },
    { leaseSeconds: cluster.lease_seconds, logger: logger.child({ module: 'Cluster' }), events: telemetry.cluster() },
  );
}
