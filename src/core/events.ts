// Typed internal events: what happens to a stream, an input's HTTP requests and an output,
// said once. The telemetry (src/telemetry) turns each event into its log line, its metric
// updates and its status change in one place, so the three never disagree. Core and the
// HTTP client emit; they do not log these happenings themselves.

import type { Channel } from './contracts.js';
import type { SiphonError } from './errors.js';
import type { CycleStatistics } from './statistics.js';

/** What happens to one stream (an input's service). */
export type StreamEvent =
  /** The saved record the stream resumes from (at start, and after a failed cycle). */
  | { readonly type: 'state_loaded'; readonly eventsDelivered: number; readonly newestEventTime: number | null; readonly checkpointAt: number | null }
  | { readonly type: 'pull_started'; readonly pullingId: number }
  | { readonly type: 'page_fetched'; readonly events: number; readonly requests: number; readonly hasMore: boolean }
  /** A page went through dedup and obfuscation: what was dropped and hidden. */
  | { readonly type: 'page_prepared'; readonly duplicates: number; readonly obfuscatedFields: number }
  /** The first absurd event time of a stream (`first`), or a later one (only counted). */
  | { readonly type: 'implausible_time'; readonly key: string | undefined; readonly time: number; readonly limit: string; readonly first: boolean }
  | { readonly type: 'unserializable_event'; readonly key: string | undefined; readonly reason: string }
  /** Crash recovery: records of a page some output already held. */
  | { readonly type: 'recovery_skipped'; readonly records: number }
  /** A page is acknowledged by every output and its checkpoint is saved. */
  | {
      readonly type: 'page_committed';
      /** Records this process delivered with the page (what every output now has from it). */
      readonly delivered: number;
      /** Newest event time of the stream after the page (ms), null if none yet. */
      readonly newestEventTime: number | null;
      readonly eventsDelivered: number;
      /** When the checkpoint was written (ms). */
      readonly at: number;
    }
  | { readonly type: 'partial'; readonly stats: CycleStatistics }
  /** A cycle ended caught up (or stopped between pages); `waitMs` until the next one (undefined: no next, --once). */
  | { readonly type: 'cycle_completed'; readonly stats: CycleStatistics; readonly elapsedMs: number; readonly waitMs: number | undefined }
  | { readonly type: 'cycle_failed'; readonly error: SiphonError; readonly consecutive: number; readonly waitMs: number | undefined }
  | { readonly type: 'stopped' };

/** What happens to an input: its HTTP requests (`service` from the stream they were made for) and its setup. */
export type InputEvent =
  | {
      readonly type: 'request_answered';
      readonly service: string | undefined;
      readonly operation: string;
      /** The HTTP status, or 'error' for a failure without one (network, deadline). */
      readonly status: number | 'error';
      readonly durationMs: number;
    }
  /** An attempt failed and is tried again after `delayMs`. */
  | {
      readonly type: 'request_retry';
      readonly service: string | undefined;
      readonly operation: string;
      readonly attempt: number;
      readonly maxAttempts: number;
      readonly delayMs: number;
      /** The status that is retried, or the network reason. */
      readonly status: number | undefined;
      readonly reason: string | undefined;
      readonly rateLimited: boolean;
    }
  | { readonly type: 'request_gave_up'; readonly service: string | undefined; readonly operation: string; readonly status: number; readonly attempts: number }
  /** The vendor said "too many requests": the account's budget pauses for `delayMs`. */
  | { readonly type: 'throttled'; readonly service: string | undefined; readonly delayMs: number }
  | { readonly type: 'token_renewed'; readonly operation: string }
  | { readonly type: 'setup_succeeded' }
  | { readonly type: 'setup_failed'; readonly error: SiphonError };

/** What happens to an output's side of the delivery. */
export type OutputEvent =
  | { readonly type: 'output_written'; readonly service: Channel; readonly events: number; readonly bytes: number; readonly elapsedMs: number }
  | { readonly type: 'output_write_failed'; readonly error: SiphonError; readonly attempt: number; readonly events: number; readonly waitMs: number }
  | { readonly type: 'output_gave_up'; readonly error: SiphonError; readonly attempt: number }
  | { readonly type: 'output_recovered'; readonly failures: number };

/** The collector's own phases, for readiness. */
export type CollectorPhase = 'starting' | 'setting_up' | 'opening_outputs' | 'running' | 'stopping' | 'stopped';

export interface EventSink<E> {
  emit(event: E): void;
}

/**
 * Which stream a piece of work is for, carried across awaits: the runner runs a stream's
 * fetches inside it, so the input's shared HTTP client can label its requests by service.
 */
export interface StreamScope {
  run<T>(service: string, work: () => Promise<T>): Promise<T>;
  current(): string | undefined;
}
