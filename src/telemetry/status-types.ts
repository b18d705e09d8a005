// What the status server serves: the shape of GET /api/v1/status (also read by `siphon status`
// and the status page), and what the server asks of the running collector.

/** A stream's health, judged over a window of recent pulls (see docs/operations.md). */
export type StreamState = 'starting' | 'backfilling' | 'healthy' | 'throttled' | 'degraded' | 'failed' | 'stale' | 'stopped';

export const STREAM_STATES: readonly StreamState[] = ['starting', 'backfilling', 'healthy', 'throttled', 'degraded', 'failed', 'stale', 'stopped'];

/** An output's health: taking events, or refusing them (its lane retries). */
export type OutputState = 'healthy' | 'failing' | 'stopped';

export interface ErrorSummary {
  code: string;
  message: string;
  /** ISO 8601 (UTC). */
  at: string;
}

export interface BackfillProgress {
  /** ISO 8601: where the back-fill started (the start time, or the first event time). */
  from: string;
  /** ISO 8601: the time it is catching up to (now, when measured). */
  to: string;
  /** ISO 8601: the newest event time delivered so far. */
  position: string;
  /** 0..100, one decimal. */
  percent: number;
  /** Estimated seconds left, when it can be told. */
  eta_seconds?: number;
}

export interface StreamStatus {
  input: string;
  service: string;
  /** The connector type (onepassword, lastpass, ...). */
  type: string;
  tag: string;
  state: StreamState;
  /** Why it is in that state, in a sentence. */
  message: string;
  last_success_at: string | null;
  /** Newest delivered event time. */
  last_event_at: string | null;
  last_error: ErrorSummary | null;
  events_delivered: number;
  /** Seconds between now and the newest delivered event time (null: no event yet). */
  lag_seconds: number | null;
  /** When the checkpoint was last written. */
  checkpoint_at: string | null;
  next_poll_at: string | null;
  backfill: BackfillProgress | null;
  /** Cluster mode only: the replica holding the stream's input (null: nobody), as last read from the database. */
  owner?: string | null;
  /** Cluster mode only: when that lease expires unless renewed (ISO 8601, the database's clock). */
  lease_expires_at?: string | null;
}

export interface OutputStatus {
  name: string;
  type: string;
  state: OutputState;
  /** Events waiting for this output. */
  queue_events: number;
  last_error: ErrorSummary | null;
}

export interface StatusDocument {
  /** `replica`: cluster mode only, this process's identity (host:pid:start). */
  collector: { name: string; version: string; started_at: string; replica?: string };
  streams: StreamStatus[];
  outputs: OutputStatus[];
}

export interface Readiness {
  ready: boolean;
  /** Why not ready (empty when ready). */
  reasons: string[];
}

/** What the status server reads from the running collector. */
export interface StatusProvider {
  status(): StatusDocument;
  readiness(): Readiness;
  /** Prometheus text exposition. */
  metrics(): Promise<{ contentType: string; body: string }>;
}

/** The status server's routes: the deployment files (Dockerfile, Kubernetes, systemd) name them too. */
export const STATUS_PATHS = { health: '/health', ready: '/ready', metrics: '/metrics', status: '/api/v1/status', page: '/' } as const;

/** The port the documentation and deployment files use (any port works: `globals.status_server.listen`). */
export const DEFAULT_STATUS_PORT = 8686;
