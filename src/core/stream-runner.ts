// One stream's loop. A pull cycle fetches a page, prepares it (dedup, pulling id,
// obfuscation), submits it to the outputs, and commits the page's checkpoint once every
// output has acknowledged it; while a page is delivered the next one is fetched. Nothing is
// saved before delivery, and an error never moves the checkpoint: after a failed cycle the
// stream backs off and starts again from the last commit. The saved record (load, reset,
// reload, ordered commits) is StreamState's; what an output already holds after a crash is
// that output's lane's business (the runner only says a page may be a replay).

import type { Clock, Page, PullPosition, StreamSettings, Logger, StreamPuller, Checkpoint, StateKey, StateStore } from './contracts.js';
import type { Delivery, Receipt } from './delivery.js';
import { SiphonError, toSiphonError } from './errors.js';
import type { StreamClaim } from './assignment.js';
import type { Obfuscator } from '../stages/obfuscate.js';
import { NoProgressGuard } from './no-progress.js';
import { CycleStatistics } from './statistics.js';
import { StreamState } from './stream-state.js';
import { PagePreparation, type PreparedPage } from './page-preparation.js';
import { CycleFailures } from './cycle-failures.js';
import type { EventSink, StreamEvent, StreamScope } from './events.js';

export interface StreamRunnerOptions {
  key: StateKey;
  puller: StreamPuller;
  settings: StreamSettings;
  /** The configured start-time value (its text), or null when the connector default applies. */
  startSetting: string | null;
  /** The configured start time (ms), or null: events far before it move no position. */
  startMs: number | null;
  store: StateStore;
  delivery: Delivery;
  obfuscator: Obfuscator | undefined;
  logger: Logger;
  clock: Clock;
  /** Where the stream's happenings go (log lines, metrics, health: see core/events.ts). */
  events: EventSink<StreamEvent>;
  /** Labels the stream's requests on the input's shared HTTP client; absent: unlabelled. */
  scope?: StreamScope;
  /** In a cluster: the replica's claim on this stream's input, checked before each page goes to the outputs. */
  claim?: StreamClaim;
}

/** How a service's run ended: with `once`, 'caught-up' is the only complete run. */
export type RunEnd = 'caught-up' | 'stopped';

export class StreamRunner {
  private readonly state: StreamState;
  private readonly preparation: PagePreparation;
  private readonly failures = new CycleFailures();

  constructor(private readonly o: StreamRunnerOptions) {
    const { key, puller, settings, obfuscator, events } = o;
    this.state = new StreamState(o);
    this.preparation = new PagePreparation({ key, puller, tag: settings.override_tag ?? puller.tag, obfuscator, events });
  }

  get name(): string {
    return `${this.o.key.input}/${this.o.key.service}`;
  }

  /** Reads persistence; resets it when the start-time setting changed (as the seeds describe). */
  loadState(): Promise<void> {
    return this.state.load();
  }

  /**
   * The service's life: cycles every `request_period_in_seconds`; after an error, back-off and
   * try again from the last commit. With `once`, one successful cycle (or the first error) ends it.
   * Resolves 'caught-up' when a `once` run reached the end of the stream, 'stopped' when the
   * signal ended it first (for a `once` run: before it caught up).
   */
  async run(signal: AbortSignal, once: boolean): Promise<RunEnd> {
    const { clock, settings, events } = this.o;
    // After a failed cycle the next one starts from the saved record. Reading it is part of that
    // cycle: a store that is unreachable (a database restarting) fails it, and it is tried again.
    let reload = false;
    try {
      while (!signal.aborted) {
        const started = clock.now();
        let waitMs: number;
        try {
          if (reload) {
            await this.state.reload();
            reload = false;
          }
          const stats = await this.runCycle(signal);
          this.failures.succeeded();
          if (signal.aborted && !stats.caughtUp) break;
          const elapsedMs = clock.now() - started;
          waitMs = once ? 0 : Math.max(0, settings.request_period_in_seconds * 1000 - elapsedMs);
          events.emit({ type: 'cycle_completed', stats, elapsedMs, waitMs: once ? undefined : waitMs });
          if (once) return 'caught-up';
        } catch (err) {
          reload = true;
          const error = toSiphonError(err);
          if (error.code === 'PERSISTENCE_FENCED') {
            // Another replica holds the stream now: its checkpoint is not this process's to move.
            this.o.logger.warn(`This replica lost the stream ${this.name} and stops pulling it (${error.message}); the replica that holds it now continues from its last checkpoint`);
            this.o.claim?.lost(error);
            break;
          }
          if (signal.aborted) break;
          const verdict = this.failures.failed(error, once);
          waitMs = verdict.waitMs;
          events.emit({ type: 'cycle_failed', error, consecutive: verdict.consecutive, waitMs: verdict.givingUp ? undefined : waitMs });
          if (verdict.givingUp) throw error;
        }
        try {
          await clock.sleep(waitMs, signal);
        } catch {
          break;
        }
      }
      return 'stopped';
    } finally {
      events.emit({ type: 'stopped' });
    }
  }

  /**
   * Pulls until the stream is caught up (one "pull cycle"). Returns normally when caught up;
   * throws the error that stopped it (state untouched past the last delivered page).
   * An abort stops between pages: the page in flight is either delivered and committed, or dropped.
   */
  async runCycle(signal: AbortSignal): Promise<CycleStatistics> {
    const { clock, events } = this.o;
    const { state } = this;
    const pullingId = clock.now();
    const stats = new CycleStatistics(pullingId, clock.now());
    state.beginCycle();
    events.emit({ type: 'pull_started', pullingId });
    const start = state.checkpoint;
    const progress = new NoProgressGuard(start.cursor);
    let fetching: Promise<Page> | undefined = this.fetch({ cursor: start.cursor, newestEventTime: start.newest_event_time }, signal);
    try {
      while (fetching) {
        const { prepared, hasMore, next } = await this.takePage(fetching, progress, pullingId, stats, signal);
        fetching = next;
        await this.submitAndCommit(prepared, stats);
        if (!hasMore) stats.caughtUp = true;
        else events.emit({ type: 'partial', stats });
        if (signal.aborted) break;
      }
    } catch (err) {
      // Whatever failed, the pages already queued are acknowledged (or refused) and their
      // checkpoints written before the caller reloads the saved record: it must see the last one.
      await fetching?.catch(() => undefined);
      await state.settleQuietly();
      throw err;
    }
    await state.settle();
    stats.finishedAt = clock.now();
    return stats;
  }

  /**
   * Waits for a fetched page, prepares it, and starts fetching the next one (while this one is
   * delivered: at most two pages in hand, and commits stay in order, the next page being
   * prepared and committed after this one). The page itself stays here: what is delivered
   * is its records' text, so its parsed events can be collected while the records wait for
   * the queue.
   */
  private async takePage(
    fetching: Promise<Page>,
    progress: NoProgressGuard,
    pullingId: number,
    stats: CycleStatistics,
    signal: AbortSignal,
  ): Promise<{ prepared: PreparedPage; hasMore: boolean; next: Promise<Page> | undefined }> {
    const { events } = this.o;
    const { state } = this;
    const page = await fetching;
    stats.requests += page.requests;
    events.emit({ type: 'page_fetched', events: page.events.length, requests: page.requests, hasMore: page.hasMore });
    // A vendor that keeps saying "more" without moving on would be asked for ever.
    progress.check(page);
    stats.received += page.events.length;
    const base = { newest: state.checkpoint.newest_event_time, dedup: state.dedup, bounds: state.bounds() };
    const prepared = this.preparation.prepare(page, base, pullingId, stats);
    let next: Promise<Page> | undefined;
    if (page.hasMore && !signal.aborted) {
      progress.sent(page.cursor);
      next = this.fetch({ cursor: page.cursor, newestEventTime: prepared.newest }, signal);
      next.catch(() => undefined); // awaited on the next turn; an error then surfaces there
    }
    return { prepared, hasMore: page.hasMore, next };
  }

  /** One page from the connector, its requests labelled with this stream. */
  private fetch(position: PullPosition, signal: AbortSignal): Promise<Page> {
    const { puller, scope, key } = this.o;
    // A replica woken from a long pause asks the vendor nothing for a stream it may have lost.
    if (this.o.claim && !this.o.claim.valid()) return Promise.reject(this.claimGone('no page is requested'));
    return scope ? scope.run(key.service, () => puller.fetchPage(position, signal)) : puller.fetchPage(position, signal);
  }

  private claimGone(consequence: string): SiphonError {
    return new SiphonError('PERSISTENCE_FENCED', `The claim on ${this.o.key.input} was not confirmed within its lease; ${consequence}`, { input: this.o.key.input }, { permanent: true });
  }

  /**
   * Hands the page to the outputs (waiting while the queue is full: a slow output slows
   * pulling) and moves the state to it; its checkpoint is written once every output has it.
   */
  private async submitAndCommit(page: PreparedPage, stats: CycleStatistics): Promise<void> {
    const { clock, logger, delivery, events, puller } = this.o;
    const { state } = this;
    const { cursor, records, remember, newest, dedupRetain } = page;
    // The record this page builds on (the previous page's, written or not yet).
    const base = state.checkpoint;

    // Nothing new and the cursor did not move: no write needed.
    if (records.length === 0 && JSON.stringify(cursor) === JSON.stringify(base.cursor)) return;

    state.throwIfFailed();
    const replay = records.length > 0 && (await state.mayReplay());
    // After a long pause (SIGSTOP, a stalled machine) another replica may have taken the stream:
    // its page is not handed to the outputs (the commit would be refused anyway, but too late).
    if (this.o.claim && !this.o.claim.valid()) throw this.claimGone('the page is not delivered');
    const submission = await delivery.submit(records, replay ? { replay: { keyOf: (e) => puller.eventKey(e) } } : undefined);
    if (replay) state.replaySubmitted(submission.acked);

    const dedup = state.dedup;
    for (let i = 0; i < remember.keys.length; i++) dedup.add(remember.keys[i]!, remember.times[i]!);
    dedup.prune(dedupRetain);
    const next: Checkpoint = {
      ...base,
      cursor,
      dedup: dedup.toJSON(),
      newest_event_time: newest,
      events_delivered: base.events_delivered + records.length,
      updated_at: new Date(clock.now()).toISOString(),
    };
    // The next page is prepared against this one's cursor and dedup memory at once.
    // The closures below keep only the count: a page's records must be free once its outputs
    // have them, not held until its checkpoint is written (closures share their scope's variables).
    const count = records.length;
    let sent = count;
    const acknowledged = (receipt: Receipt): void => {
      // What every output already had was delivered by an earlier run: a duplicate, not sent.
      stats.duplicates += receipt.heldByEvery;
      sent = count - receipt.heldByEvery;
      stats.sent += sent;
      if (logger.isDebugEnabled()) logger.debug('Updating the persistence', { events: count });
    };
    state.advance(next, submission.acked, acknowledged, (committed) => {
      const at = Date.parse(committed.updated_at);
      events.emit({ type: 'page_committed', delivered: sent, newestEventTime: committed.newest_event_time, eventsDelivered: committed.events_delivered, at: Number.isFinite(at) ? at : clock.now() });
    });
  }
}
