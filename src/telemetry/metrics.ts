// The Prometheus metrics, one registry per collector (no global registry: tests run several
// collectors in one process). Only the telemetry (events -> metrics) writes them; gauges that
// are a function of "now" (lag, checkpoint age) or of the queue are computed when scraped.

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { STREAM_STATES, type StreamState } from './status-types.js';

type StreamLabels = 'input' | 'service';

/** What the scrape-time gauges read from the live collector. */
export interface MetricsReadings {
  /** Per stream: its labels, seconds since the newest delivered event and since the checkpoint (null: unknown). */
  streams(): Iterable<{ input: string; service: string; lagSeconds: number | null; checkpointAgeSeconds: number | null }>;
  queue(): { events: number; bytes: number };
}

export class SiphonMetrics {
  readonly registry = new Registry();
  readonly eventsReceived: Counter<StreamLabels>;
  readonly eventsDelivered: Counter<StreamLabels>;
  readonly eventsDuplicates: Counter<StreamLabels>;
  readonly eventsObfuscatedFields: Counter<StreamLabels>;
  readonly eventsImplausibleTime: Counter<StreamLabels>;
  readonly eventsUnserializable: Counter<StreamLabels>;
  readonly requests: Counter<StreamLabels | 'status'>;
  readonly requestDuration: Histogram<StreamLabels>;
  readonly throttled: Counter<'input'>;
  readonly tokenRenewals: Counter<'input'>;
  readonly lastSuccess: Gauge<StreamLabels>;
  readonly lastEvent: Gauge<StreamLabels>;
  readonly streamState: Gauge<StreamLabels | 'state'>;
  readonly outputEventsSent: Counter<'output'>;
  readonly outputBytesSent: Counter<'output'>;
  readonly outputErrors: Counter<'output' | 'reason'>;
  readonly clusterReplicas: Gauge;
  readonly streamsOwned: Gauge<'replica'>;
  readonly leaseRenewalFailures: Counter;
  readonly fencedCommits: Counter;

  constructor(readings: MetricsReadings) {
    const registers = [this.registry];
    const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> =>
      new Counter<L>({ name, help, labelNames, registers });
    const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]): Gauge<L> => new Gauge<L>({ name, help, labelNames, registers });
    const stream = ['input', 'service'] as const;

    this.eventsReceived = counter('siphon_events_received_total', 'Events received from the vendor', stream);
    this.eventsDelivered = counter('siphon_events_delivered_total', 'Events acknowledged by every output and committed', stream);
    this.eventsDuplicates = counter('siphon_events_duplicates_total', 'Events dropped as already delivered', stream);
    this.eventsObfuscatedFields = counter('siphon_events_obfuscated_fields_total', 'Fields hashed, masked or dropped by obfuscation', stream);
    this.eventsImplausibleTime = counter('siphon_events_implausible_time_total', 'Events delivered whose time was too absurd to move any position', stream);
    this.eventsUnserializable = counter('siphon_events_unserializable_total', 'Events delivered as a stand-in record because they could not be serialised', stream);
    this.requests = counter('siphon_requests_total', 'HTTP requests to the vendor by answer status (error: no answer)', [...stream, 'status']);
    this.requestDuration = new Histogram({
      name: 'siphon_request_duration_seconds',
      help: 'Time of each HTTP request to the vendor, until the whole answer is read',
      labelNames: stream,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.throttled = counter('siphon_throttled_total', 'Answers of the vendor saying too many requests', ['input']);
    this.tokenRenewals = counter('siphon_token_renewals_total', 'Access tokens obtained from the vendor', ['input']);
    this.lastSuccess = gauge('siphon_last_success_timestamp_seconds', 'When the stream last completed a pull cycle (Unix time)', stream);
    this.lastEvent = gauge('siphon_last_event_timestamp_seconds', 'Time of the newest delivered event (Unix time)', stream);
    this.streamState = gauge('siphon_stream_state', 'The stream state: 1 for the current one, 0 for the others', [...stream, 'state']);
    this.outputEventsSent = counter('siphon_output_events_sent_total', 'Events an output accepted', ['output']);
    this.outputBytesSent = counter('siphon_output_bytes_sent_total', 'Bytes an output accepted', ['output']);
    this.outputErrors = counter('siphon_output_errors_total', 'Failed writes of an output, by reason', ['output', 'reason']);
    this.clusterReplicas = gauge('siphon_cluster_replicas', 'Live replicas sharing the streams, as this replica last saw them (cluster mode)', []);
    this.streamsOwned = gauge('siphon_streams_owned', 'Streams this replica holds the lease of (cluster mode)', ['replica']);
    this.leaseRenewalFailures = counter('siphon_lease_renewal_failures_total', 'Lease renewal rounds that failed (the database unreachable or refusing)', []);
    this.fencedCommits = counter('siphon_fenced_commits_total', 'Checkpoint or journal commits refused because this replica no longer held the stream', []);

    new Gauge({
      name: 'siphon_lag_seconds',
      help: 'Seconds between now and the newest delivered event',
      labelNames: stream,
      registers,
      collect() {
        for (const s of readings.streams()) if (s.lagSeconds !== null) this.set({ input: s.input, service: s.service }, s.lagSeconds);
      },
    });
    new Gauge({
      name: 'siphon_checkpoint_age_seconds',
      help: 'Seconds since the checkpoint was last written',
      labelNames: stream,
      registers,
      collect() {
        for (const s of readings.streams()) if (s.checkpointAgeSeconds !== null) this.set({ input: s.input, service: s.service }, s.checkpointAgeSeconds);
      },
    });
    new Gauge({
      name: 'siphon_queue_events',
      help: 'Events in the delivery queue, waiting for the outputs',
      registers,
      collect() {
        this.set(readings.queue().events);
      },
    });
    new Gauge({
      name: 'siphon_queue_bytes',
      help: 'Bytes of the events in the delivery queue',
      registers,
      collect() {
        this.set(readings.queue().bytes);
      },
    });
    collectDefaultMetrics({ register: this.registry });
  }

  /** Sets the one-hot state gauge of a stream. */
  setState(input: string, service: string, current: StreamState): void {
    for (const state of STREAM_STATES) this.streamState.set({ input, service, state }, state === current ? 1 : 0);
  }

  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
