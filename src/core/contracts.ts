// The contracts between Siphon's parts. `core` owns them; connectors, outputs, state
// stores and the HTTP client implement them. Nothing here imports an implementation.

import type { ZodType } from 'zod';
import type { Redactor } from './redact.js';

// ---------------------------------------------------------------------------
// Events

/** A vendor event exactly as received (JSON.parse keeps the key order). */
export type VendorEvent = Record<string, unknown>;

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/**
 * What an output receives: one event and where it came from. The event comes as its JSON
 * text (`eventJson`), as the parsed object (`event`), or both; outputs read it through
 * eventText(). The pipeline keeps only the text of a record that has a key: the object is
 * about three times the text's size in memory, and it would wait in the delivery queue for
 * nothing (crash recovery matches on `key`). A record without a key keeps the object, from
 * which recovery computes the key.
 */
export type OutputRecord = OutputRecordSource & OutputRecordEvent;

/** Where a record comes from, and its dedup key. */
export interface OutputRecordSource {
  readonly tag: string;
  readonly input: string;
  readonly service: string;
  /**
   * The event's dedup key, as the framework remembers it. Outputs that can read back what
   * they hold (the file output) store it, so crash recovery matches on it even when
   * obfuscation changed the fields the key was computed from.
   */
  readonly key?: string;
}

/** The event itself: the parsed object, its JSON text, or both (never neither). */
export type OutputRecordEvent =
  | {
      readonly event: VendorEvent;
      /**
       * The event serialised as JSON, once, by the pipeline (it also sizes the delivery queue
       * with it). Outputs send this text rather than serialise the event again; see eventText().
       */
      readonly eventJson?: string;
    }
  | { readonly event?: undefined; readonly eventJson: string };

// ---------------------------------------------------------------------------
// Logging

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Where a log line comes from, printed as `Module(input,id,service)`. */
export interface LogContext {
  module?: string;
  input?: string;
  inputId?: string | number;
  service?: string;
}

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(context: LogContext): Logger;
  isDebugEnabled(): boolean;
}

// ---------------------------------------------------------------------------
// Time

export interface Clock {
  /** Milliseconds since the epoch (UTC). */
  now(): number;
  /** Resolves after `ms`, or rejects with an AbortError when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

// ---------------------------------------------------------------------------
// HTTP (implemented in src/http)

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  /** A string body is sent as is; an object is sent as JSON. */
  body?: string | JsonObject;
  /** Short name for logs and errors, e.g. "POST /api/v2/auditevents". Defaults to method + path. */
  operation?: string;
  signal?: AbortSignal;
  /** 'token': the request obtains an access token (counted as a token renewal when answered 2xx). */
  purpose?: 'token';
  /**
   * Decides, for a response, whether to retry it. Default: retry 429 and 5xx.
   * Vendors that signal rate limits otherwise (Lark: 400 + code, Kiteworks: 403) pass their own.
   */
  classify?: (res: HttpResponse) => RetryDecision;
}

export type RetryDecision =
  /**
   * The answer stands. `pauseUntil` (ms since the epoch): the vendor announced that the account's
   * allowance is used up until then (rate-limit headers), so its budget waits before a 429 happens.
   */
  | { kind: 'done'; pauseUntil?: number }
  /** Retry after back-off; `rateLimited` pauses the whole account's budget, `delayMs` overrides the back-off. */
  | { kind: 'retry'; rateLimited: boolean; delayMs?: number };

export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** The whole body (bounded by the client's maximum body size). */
  readonly body: string;
  /** Number of attempts this response took (1 = no retry). */
  readonly attempts: number;
}

/**
 * A forward proxy that HTTP requests go through, in an HTTP CONNECT tunnel (the proxy sees
 * the vendor's host and port, never the request).
 */
export interface ProxyServer {
  /** `http://host:port` or `https://host:port`: no credentials, no path. */
  readonly url: string;
  /** `host:port`, as log lines and errors name it. */
  readonly address: string;
  /** Basic credentials sent in Proxy-Authorization (both or neither). Secrets. */
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  /** Where it was set, for messages: `http.proxy`, `HTTPS_PROXY`, ... */
  readonly source: string;
}

/** The proxies the environment names (HTTPS_PROXY, HTTP_PROXY and NO_PROXY, lower-case names first). */
export interface EnvironmentProxies {
  /** For https:// requests. */
  readonly https?: ProxyServer | undefined;
  /** For http:// requests. */
  readonly http?: ProxyServer | undefined;
  /** Hosts that go direct, as written ('' when unset). */
  readonly noProxy: string;
}

/**
 * The one HTTP client connectors get. It applies timeouts, the account's rate budget,
 * retries with exponential back-off and jitter, and `Retry-After`. A response that is not
 * retried (or whose retries are exhausted) is returned, not thrown, so the connector maps
 * statuses to its own errors; network failures after every retry throw SiphonError PULL_NETWORK.
 */
export interface HttpClient {
  request(req: HttpRequest): Promise<HttpResponse>;
  /** Requests made through this client since it was created (attempts, not calls). */
  readonly requestCount: number;
}

// ---------------------------------------------------------------------------
// State (implemented in src/state)

export interface StateKey {
  readonly input: string;
  readonly service: string;
}

/** What the framework saves for one service, in one atomic write. Connectors never write it. */
export interface Checkpoint {
  '@persistence_version': 1;
  /** The configured start-time value this state was built from; a change resets the state. */
  start_setting: string | null;
  /** The connector's cursor (opaque to the framework). null: nothing pulled yet. */
  cursor: JsonValue | null;
  /** Dedup memory: keys of recently delivered events with their event time (ms, or null). */
  dedup: Array<[string, number | null]>;
  /** Newest event time delivered so far (ms since epoch), used by connectors to recover a lost cursor. */
  newest_event_time: number | null;
  /** Totals and the time of the last successful commit, for `siphon state show` and health. */
  events_delivered: number;
  updated_at: string;
  /** Monotonic revision, used for compare-and-set. */
  revision: number;
}

export interface StateStore {
  readonly kind: string;
  /** Returns undefined when the service has no state; throws PERSISTENCE_UNREADABLE on a corrupt record. */
  get(key: StateKey): Promise<Checkpoint | undefined>;
  /**
   * Saves atomically. `expectedRevision` is the revision read before (undefined: must not exist);
   * a mismatch throws PERSISTENCE_CONFLICT. The stored record gets revision = expectedRevision + 1.
   */
  put(key: StateKey, state: Checkpoint, expectedRevision: number | undefined): Promise<Checkpoint>;
  delete(key: StateKey): Promise<boolean>;
  list(): Promise<StateKey[]>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------
// Outputs (implemented in src/outputs)

export interface Output {
  readonly name: string;
  readonly type: string;
  open(): Promise<void>;
  /**
   * Resolves only once every record is durably handed off (file: written and flushed). A write
   * that rejects is retried later with the very same array, so an output that delivers in
   * parts (the http output's POSTs) may remember how far it got and not repeat those parts.
   * `signal` aborts when the stop's deadline passes (or a --once run gives up on the output):
   * the output then drops what is in flight (requests, connections) and starts nothing new.
   * The records are not acknowledged, so they are pulled and sent again at the next start.
   */
  write(records: readonly OutputRecord[], signal?: AbortSignal): Promise<void>;
  /**
   * Bytes put on the wire (or disk) since the output was created, for the sender statistics.
   * Outputs that cannot tell leave it out; the statistics then count the events' JSON size.
   */
  readonly bytesSent?: number;
  /**
   * For `siphon check`: connect/open test; throws SiphonError OUTPUT_UNAVAILABLE with the reason.
   * May return what it proved ("TLSv1.3 handshake with … completed"), printed on the PASS line.
   */
  check(): Promise<string | void>;
  /**
   * Closes gracefully (a TCP/TLS connection: half-close, then the receiver's close). `signal`
   * aborts when the stop's deadline passes: the output then destroys its connections at once.
   */
  close(signal?: AbortSignal): Promise<void>;
  /**
   * Crash recovery, for outputs that can read back what they hold (the file output). After a
   * restart, the first pages pulled again may have reached this output before the crash
   * without being committed. Returns the indexes of `records` already present, matched on
   * input, service and key (`record.key`, else `keyOf(event)`). Outputs without it get every replayed record again
   * (at-least-once).
   */
  findDelivered?(records: readonly OutputRecord[], keyOf: (event: VendorEvent) => string | undefined): Promise<Set<number>>;
  /**
   * The service's state is starting afresh (first start, a new start time, a reset): what this
   * output noted as delivered for it must no longer keep records from it, since re-ingestion
   * is what was asked for. Outputs whose findDelivered reads what they physically hold (the
   * file output) need not implement it.
   */
  forgetDelivered?(input: string, service: string): Promise<void>;
}

// ---------------------------------------------------------------------------
// Connectors (implemented in src/sources/<vendor>)

/** Everything a connector may use. No globals: tests inject their own. */
export interface ConnectorContext {
  readonly logger: Logger;
  readonly clock: Clock;
  /** Builds the HTTP client for one vendor account, sharing one rate budget among its services. */
  readonly http: HttpClient;
  readonly signal: AbortSignal;
  /**
   * The collector's redactor: vendor text quoted in an error goes through `excerpt()` with it,
   * redacted before it is cut (a cut secret would no longer be recognised).
   */
  readonly redactor: Redactor;
}

/** Where a service resumes: the saved cursor and what the framework knows of delivered data. */
export interface PullPosition<C extends JsonValue = JsonValue> {
  readonly cursor: C | null;
  readonly newestEventTime: number | null;
}

export interface Page<C extends JsonValue = JsonValue> {
  readonly events: VendorEvent[];
  /** The cursor to save once these events are delivered. */
  readonly cursor: C;
  /** false: the stream is caught up ("The data is up to date!"). */
  readonly hasMore: boolean;
  /** HTTP requests this page took, retries included (for the statistics line). */
  readonly requests: number;
  /**
   * Per event (same order as `events`), its dedup key, for vendors whose key depends on the
   * page's context (LastPass: a content hash plus the event's occurrence among identical
   * events of its second). When absent, `StreamPuller.eventKey` is asked per event.
   */
  readonly keys?: ReadonlyArray<string | undefined>;
  /**
   * The event-time ranges (ms, inclusive) whose keys the dedup memory must keep once this
   * page is committed; every other key is forgotten. For vendors that page newest-first
   * inside a time window (LastPass), where "a window behind the newest event" would forget
   * keys still needed. When absent, the service's `dedup_window_seconds` rule applies.
   */
  readonly dedupRetain?: ReadonlyArray<readonly [number, number]>;
}

export interface StreamPuller<C extends JsonValue = JsonValue> {
  readonly name: string;
  readonly tag: string;
  /** Pulls one page. Errors are thrown as SiphonError; the framework keeps the cursor. */
  fetchPage(position: PullPosition<C>, signal: AbortSignal): Promise<Page<C>>;
  /** The dedup key of an event (vendor id), or undefined when the event has none. */
  eventKey(event: VendorEvent): string | undefined;
  /** The event's time in ms since the epoch (UTC), or undefined. */
  eventTime(event: VendorEvent): number | undefined;
  /** For `siphon check` and setup: proves the service is pullable (one cheap request). */
  probe(signal: AbortSignal): Promise<void>;
}

/** A configured vendor account: its services, ready to pull. */
export interface Source {
  /** Authenticates and checks permissions. Throws SetupError codes. Logs "Source is pullable". */
  setup(signal: AbortSignal): Promise<void>;
  readonly streams: readonly StreamPuller[];
}

/** Settings every service has, whatever its connector (validated by the config module). */
export interface StreamSettings {
  enabled: boolean;
  request_period_in_seconds: number;
  override_tag?: string;
  /** Dedup memory window behind the newest delivered event. */
  dedup_window_seconds: number;
  /** Upper bound on dedup keys kept, whatever the window. */
  dedup_max_keys: number;
  obfuscation: ObfuscationRule[];
  /** Pulls that succeed with no new event for this long turn the stream `stale`; 0: never. */
  no_events_alarm_in_seconds: number;
}

export interface ObfuscationRule {
  /** Dot path; `[]` or `*` reach into arrays: "client.ip_address", "actors[].email". */
  path: string;
  method: 'hash' | 'mask' | 'drop';
}

/**
 * An output carries one or both channels (Devo's collectors call them "sender services"): `standard` for the pulled events,
 * `internal` for the collector's own log records. Each output carries one or both.
 */
export type Channel = 'standard' | 'internal';

/** What outputs get at creation. */
export interface OutputContext {
  readonly logger: Logger;
  readonly clock: Clock;
  /** The configuration file's folder: relative paths in output settings start here. */
  readonly baseDir: string;
  /** The environment's proxies, for outputs that make HTTP requests (absent: none). */
  readonly environmentProxies?: EnvironmentProxies;
}

export interface OutputDefinition<S = unknown> {
  /** The output `type` in the config. */
  readonly type: string;
  /** Validates the output's `config` block (absent block = `{}`). */
  readonly schema: ZodType<S>;
  create(name: string, settings: S, ctx: OutputContext): Output;
  /** Secret values in the settings (an HTTP token, a password), so the logger redacts them. */
  secrets?(settings: S): string[];
  /** The channels an output of this type carries when its block does not say (`standard`, `internal`). */
  readonly defaultChannels?: ReadonlyArray<Channel>;
}
