// The collector's telemetry: where every typed internal event goes (core/events.ts), and what
// the status server reads. One object per collector (no global registry or singleton).
// Time alone changes some states (stale, failed for lack of success), so a timer re-judges the
// streams every second; it never keeps the process alive.

import { AsyncLocalStorage } from 'node:async_hooks';
import type { Clock, Logger } from '../core/contracts.js';
import type { CollectorPhase, StreamScope } from '../core/events.js';
import type { SiphonError } from '../core/errors.js';
import { InputTelemetry } from './input-telemetry.js';
import type { MetricsReadings, SiphonMetrics } from './metrics.js';
import { OutputTelemetry } from './output-telemetry.js';
import type { Readiness, StatusDocument, StatusProvider, StreamStatus } from './status-types.js';
import { StreamTelemetry, type StreamInfo } from './stream-telemetry.js';

const JUDGE_EVERY_MS = 1_000;

export interface TelemetryOptions {
  collectorName: string;
  version: string;
  clock: Clock;
  /**
   * Builds the Prometheus metrics, given only when something reads them (the status server):
   * prom-client is then loaded, and not otherwise (it costs about 13 MB).
   */
  metrics?: ((readings: MetricsReadings) => SiphonMetrics) | undefined;
  /** The delivery queue's size, for the queue gauges. */
  queueSize: () => { messages: number; bytes: number };
}

/** Carries the stream a fetch is for, so the input's shared HTTP client can label its requests. */
class AsyncStreamScope implements StreamScope {
  private readonly storage = new AsyncLocalStorage<string>();
  run<T>(service: string, work: () => Promise<T>): Promise<T> {
    return this.storage.run(service, work);
  }
  current(): string | undefined {
    return this.storage.getStore();
  }
}

/** A cluster replica's happenings, as the metrics count them. */
export interface ClusterTelemetry {
  replicas(live: number): void;
  /** The inputs `replica` holds now (each with all its streams). */
  owned(replica: string, units: readonly string[]): void;
  renewalFailed(): void;
  fencedCommit(): void;
  /** Every input's lease as last read from the database, by `replica` (this process): the status shows them. */
  leases(replica: string, leases: ReadonlyArray<{ unit: string; owner: string | null; expiresAt: string | null }>): void;
}

export class Telemetry implements StatusProvider {
  readonly scope: StreamScope = new AsyncStreamScope();
  /** Undefined when nothing reads the metrics (no status server). */
  readonly prometheus: SiphonMetrics | undefined;
  private readonly streams: StreamTelemetry[] = [];
  private readonly inputs: InputTelemetry[] = [];
  private readonly outputs: Array<{ telemetry: OutputTelemetry; queued: () => number }> = [];
  private readonly startedAt: number;
  private phase: CollectorPhase = 'starting';
  private fatal: SiphonError | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Cluster mode: this replica and the leases it last read. */
  private clusterView: { replica: string; leases: ReadonlyMap<string, { owner: string | null; expiresAt: string | null }> } | undefined;

  constructor(private readonly o: TelemetryOptions) {
    this.startedAt = o.clock.now();
    this.prometheus = o.metrics
      ? o.metrics({
          streams: () => this.streamAges(),
          queue: () => {
            const size = o.queueSize();
            return { events: size.messages, bytes: size.bytes };
          },
        })
      : undefined;
  }

  /** The telemetry of one input's requests and setup. */
  input(name: string, httpLogger: Logger): InputTelemetry {
    const input = new InputTelemetry(name, httpLogger, this.prometheus);
    this.inputs.push(input);
    return input;
  }

  /** The telemetry of one stream of `input`. */
  stream(input: InputTelemetry, info: StreamInfo, logger: Logger): StreamTelemetry {
    const stream = new StreamTelemetry(info, logger, this.o.clock, this.prometheus, this.startedAt);
    this.streams.push(stream);
    input.addStream(stream);
    return stream;
  }

  /** The state of each stream of `input`, by service (what its heartbeat says). */
  streamStates(input: string): Record<string, string> {
    const states: Record<string, string> = {};
    for (const s of this.streams) if (s.info.input === input) states[s.info.service] = s.currentState;
    return states;
  }

  /** `input/service` of every stream. */
  get streamNames(): string[] {
    return this.streams.map((s) => `${s.info.input}/${s.info.service}`);
  }

  output(name: string, type: string, logger: Logger, queued: () => number): OutputTelemetry {
    const telemetry = new OutputTelemetry(name, type, logger, this.prometheus, () => this.o.clock.now());
    this.outputs.push({ telemetry, queued });
    return telemetry;
  }

  /** What a cluster replica reports (live replicas, streams held, failed renewals, refused commits) into the metrics. */
  cluster(): ClusterTelemetry {
    const metrics = this.prometheus;
    return {
      replicas: (live) => metrics?.clusterReplicas.set(live),
      owned: (replica, units) => {
        const held = new Set(units);
        metrics?.streamsOwned.set({ replica }, this.streams.filter((s) => held.has(s.info.input)).length);
      },
      renewalFailed: () => metrics?.leaseRenewalFailures.inc(),
      fencedCommit: () => metrics?.fencedCommits.inc(),
      leases: (replica, leases) => {
        this.clusterView = { replica, leases: new Map(leases.map((l) => [l.unit, { owner: l.owner, expiresAt: l.expiresAt }])) };
      },
    };
  }

  /** The collector's phase, for readiness; `fatal` is why it cannot run. */
  setPhase(phase: CollectorPhase, fatal?: SiphonError): void {
    this.phase = phase;
    if (fatal) this.fatal = fatal;
    if (phase === 'stopped') for (const o of this.outputs) o.telemetry.stop();
  }

  /** Starts re-judging the streams every second (stale, failed for lack of success). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.judgeAll(), JUDGE_EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private judgeAll(): void {
    const now = this.o.clock.now();
    for (const stream of this.streams) stream.judge(now);
  }

  private *streamAges(): Iterable<{ input: string; service: string; lagSeconds: number | null; checkpointAgeSeconds: number | null }> {
    const now = this.o.clock.now();
    for (const s of this.streams) yield { input: s.info.input, service: s.info.service, ...s.ages(now) };
  }

  status(): StatusDocument {
    const now = this.o.clock.now();
    this.judgeAll();
    return {
      collector: { name: this.o.collectorName, version: this.o.version, started_at: new Date(this.startedAt).toISOString(), ...(this.clusterView ? { replica: this.clusterView.replica } : {}) },
      streams: this.streams.map((s) => this.withLease(s.status(now))),
      outputs: this.outputs.map((o) => o.telemetry.status(o.queued())),
    };
  }

  /** In cluster mode, a stream's status names its input's lease holder and expiry. */
  private withLease(status: StreamStatus): StreamStatus {
    const view = this.clusterView;
    if (!view) return status;
    const lease = view.leases.get(status.input);
    return { ...status, owner: lease?.owner ?? null, lease_expires_at: lease?.expiresAt ?? null };
  }

  readiness(): Readiness {
    const reasons: string[] = [];
    if (this.fatal) reasons.push(`The collector cannot run: ${this.fatal.describe()}`);
    switch (this.phase) {
      case 'starting':
        reasons.push('Starting: reading the state');
        break;
      case 'setting_up':
        reasons.push('Setting up the inputs (authenticating)');
        for (const input of this.inputs) if (input.setupError) reasons.push(`Input ${input.name}: ${input.setupError.describe()}`);
        break;
      case 'opening_outputs':
        reasons.push('Opening the outputs');
        break;
      case 'stopping':
      case 'stopped':
        reasons.push('Shutting down');
        break;
      case 'running':
        break;
    }
    return { ready: reasons.length === 0, reasons };
  }

  async metrics(): Promise<{ contentType: string; body: string }> {
    if (!this.prometheus) return { contentType: 'text/plain; version=0.0.4; charset=utf-8', body: '' };
    this.judgeAll();
    return this.prometheus.text();
  }
}
