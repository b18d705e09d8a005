// One service's loop: load state, pull a page, drop duplicates, obfuscate, hand to the
// outputs, wait for their acknowledgement, then commit cursor + dedup memory in one
// atomic write. Nothing is saved before delivery; an error never moves the cursor.

import type {
  Clock,
  Page,
  PullPosition,
  StreamSettings,
  Logger,
  OutputRecord,
  StreamPuller,
  Checkpoint,
  StateKey,
  StateStore,
  VendorEvent,
} from './contracts.js';
import { ERROR_CATALOGUE, SiphonError, toSiphonError } from './errors.js';
import { DedupMemory, filterDuplicates, type FreshEvent } from '../stages/dedup.js';
import { injectPullingId } from '../stages/pulling-id.js';
import type { Obfuscator } from '../stages/obfuscate.js';
import { unserializableReason, unserializableStandIn } from '../stages/event-json.js';
import { describeEventTime, EVENT_TIME_TOLERANCE_MS, judgeEventTime, usableEventTime, type EventTimeBounds } from './event-time.js';
import { NoProgressGuard } from './no-progress.js';
import { CycleStatistics } from './statistics.js';
import { OrderedCommits } from './ordered-commits.js';
import { describeState, emptyCheckpoint } from './checkpoint.js';
import type { EventSink, StreamEvent, StreamScope } from './events.js';

/** Hands records to the outputs (the delivery queue). */
export interface Delivery {
  /**
   * Waits for room in the queue (back-pressure), then queues the records; `acked` settles
   * when every output has acknowledged them. `exclude[i]`: indexes output i already holds.
   */
  submit(records: readonly OutputRecord[], exclude?: ReadonlyArray<ReadonlySet<number>>): Promise<{ readonly acked: Promise<void> }>;
  /** Per output, the indexes of records it already holds (empty for outputs that cannot tell). */
  findDelivered(records: readonly OutputRecord[], keyOf: (event: VendorEvent) => string | undefined): Promise<Array<Set<number>>>;
  /** The service starts afresh: outputs forget what they noted as delivered for it. */
  forgetDelivered(key: StateKey): Promise<void>;
}

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
}

/** A page ready for the outputs. */
interface PreparedPage {
  cursor: Checkpoint['cursor'];
  fresh: Array<FreshEvent<VendorEvent>>;
  records: OutputRecord[];
  newest: number | null;
  dedupRetain: Page['dedupRetain'];
}

/** How a service's run ended: with `once`, 'caught-up' is the only complete run. */
export type RunEnd = 'caught-up' | 'stopped';

/** Back-off between failed attempts of one stream: 5 s doubling to 5 min. */
const ERROR_BACKOFF_MS = { first: 5_000, max: 300_000 };

/** With --once, attempts of a cycle before the command gives up on a transient fault. */
const ONCE_MAX_ATTEMPTS = 3;

/** Faults that another attempt may cure: vendor errors and outages, output outages. */
function isTransient(error: SiphonError): boolean {
  if (error.permanent) return false;
  const family = ERROR_CATALOGUE[error.code].family;
  return (family === 'PullError' && error.code !== 'PULL_AUTH_LOST') || family === 'OutputError';
}

export class StreamRunner {
  private state: Checkpoint | undefined;
  private dedup: DedupMemory | undefined;
  private consecutiveErrors = 0;
  /**
   * True from start-up until a page is found that no output had already received: the pages
   * pulled first after a crash may have been delivered but not committed.
   */
  private recovering = true;
  private commits: OrderedCommits | undefined;
  /**
   * Pages queued for delivery whose checkpoints wait for their acknowledgement, chained so
   * checkpoints are written in page order. Pulling goes on meanwhile, as far as the queue allows.
   */
  private acks: Promise<void> = Promise.resolve();
  private ackFailure: { error: unknown } | undefined;
  /** An absurd event time is reported once per stream (with the first such event); later ones are counted. */
  private implausibleTimeReported = false;

  constructor(private readonly o: StreamRunnerOptions) {}

  get name(): string {
    return `${this.o.key.input}/${this.o.key.service}`;
  }

  /** Reads persistence; resets it when the start-time setting changed (as the seeds describe). */
  async loadState(): Promise<void> {
    const { logger, store, key, startSetting, clock } = this.o;
    logger.info('Reading persisted data');
    let state = await store.get(key);
    if (state) {
      logger.info(`Data retrieved from the persistence: ${describeState(state)}`);
      logger.info('Running the persistence corrections steps');
      if (state.start_setting !== startSetting) {
        // Before the new record: a crash in between resets again at the next start.
        await this.o.delivery.forgetDelivered(key);
        logger.warn(
          `The start-time setting changed (was ${JSON.stringify(state.start_setting)}, now ${JSON.stringify(startSetting)}): ` +
            'the persistence of this service has been reset and pulling starts again from the configured start time',
        );
        state = await this.writeState(emptyCheckpoint(startSetting, new Date(clock.now()).toISOString()), state.revision);
        // A deliberate re-ingestion: events already in the outputs are wanted again.
        this.recovering = false;
      } else {
        logger.info('No changes were detected in the persistence');
      }
    } else {
      logger.info('No persisted data found: pulling starts from the configured start time');
      await this.o.delivery.forgetDelivered(key);
      state = await this.writeState(emptyCheckpoint(startSetting, new Date(clock.now()).toISOString()), undefined);
      // No state (first start, or `siphon state reset`): nothing can be half-delivered.
      this.recovering = false;
    }
    this.adopt(state);
  }

  /** Takes a saved record as the starting point of the next pages. */
  private adopt(saved: Checkpoint): void {
    const { settings, store, key, events } = this.o;
    const state = this.withoutImplausibleTimes(saved);
    this.state = state;
    this.dedup = new DedupMemory({ windowMs: settings.dedup_window_seconds * 1000, maxKeys: settings.dedup_max_keys }, state.dedup);
    this.commits = new OrderedCommits(store, key, state.revision);
    const checkpointAt = Date.parse(state.updated_at);
    events.emit({
      type: 'state_loaded',
      eventsDelivered: state.events_delivered,
      newestEventTime: state.newest_event_time,
      checkpointAt: Number.isFinite(checkpointAt) ? checkpointAt : null,
    });
  }

  /**
   * A record saved before absurd event times were recognised may hold one (9999-12-31) as the
   * newest delivered time or in the dedup memory, where it would restart a lost cursor from
   * the far future and prune every other key. Such times are set aside here; the next commit
   * saves the repaired record.
   */
  private withoutImplausibleTimes(state: Checkpoint): Checkpoint {
    const bounds = this.timeBounds();
    let repaired = false;
    const dedup = state.dedup.map(([k, t]): [string, number | null] => {
      if (t === null || usableEventTime(t, bounds) === t) return [k, t];
      repaired = true;
      return [k, usableEventTime(t, bounds) ?? null];
    });
    let newest = state.newest_event_time;
    if (newest !== null && usableEventTime(newest, bounds) === undefined) {
      const fallback = dedup.reduce<number | null>((max, [, t]) => (t !== null && (max === null || t > max) ? t : max), null);
      this.o.logger.warn(
        `The saved newest event time ${describeEventTime(newest)} is implausible (an event stamped absurdly by the vendor); ` +
          `it is replaced by ${fallback === null ? 'none' : describeEventTime(fallback)}, the newest plausible time in the dedup memory`,
      );
      newest = fallback;
      repaired = true;
    }
    return repaired ? { ...state, dedup, newest_event_time: newest } : state;
  }

  private timeBounds(): EventTimeBounds {
    return { startMs: this.o.startMs, nowMs: this.o.clock.now() };
  }

  /**
   * After a failed cycle, the in-memory view may be ahead of what was saved (a page delivered,
   * its checkpoint not written). Start again from the saved record, in recovery mode.
   */
  private async reload(): Promise<void> {
    const saved = await this.o.store.get(this.o.key);
    if (!saved) throw new SiphonError('PERSISTENCE_UNREADABLE', `The state of ${this.name} disappeared while the collector was running`);
    this.adopt(saved);
    this.recovering = true;
  }

  /**
   * Pulls until the stream is caught up (one "pull cycle"). Returns normally when caught up;
   * throws the error that stopped it (state untouched past the last delivered page).
   * An abort stops between pages: the page in flight is either delivered and committed, or dropped.
   */
  async runCycle(signal: AbortSignal): Promise<CycleStatistics> {
    const { clock, events } = this.o;
    const state = this.requireState();
    const pullingId = clock.now();
    const stats = new CycleStatistics(pullingId, clock.now());
    this.acks = Promise.resolve();
    this.ackFailure = undefined;
    events.emit({ type: 'pull_started', pullingId });
    const progress = new NoProgressGuard(state.cursor);
    let fetching: Promise<Page> | undefined = this.fetch({ cursor: state.cursor, newestEventTime: state.newest_event_time }, signal);
    try {
      while (fetching) {
        const page = await fetching;
        fetching = undefined;
        stats.requests += page.requests;
        events.emit({ type: 'page_fetched', events: page.events.length, requests: page.requests, hasMore: page.hasMore });
        // A vendor that keeps saying "more" without moving on would be asked for ever.
        progress.check(page);
        stats.received += page.events.length;
        const prepared = this.prepare(page, pullingId, stats);
        // Fetch the next page while this one is delivered: at most two pages in hand, and
        // commits stay in order (the next page is prepared and committed after this one).
        if (page.hasMore && !signal.aborted) {
          progress.sent(page.cursor);
          fetching = this.fetch({ cursor: page.cursor, newestEventTime: prepared.newest }, signal);
          fetching.catch(() => undefined); // awaited on the next turn; an error then surfaces there
        }
        await this.deliverAndCommit(prepared, stats);
        if (!page.hasMore) stats.caughtUp = true;
        else events.emit({ type: 'partial', stats });
        if (signal.aborted) break;
      }
    } catch (err) {
      // Whatever failed, the pages already queued are acknowledged (or refused) and their
      // checkpoints written before the caller reloads the saved record: it must see the last one.
      await fetching?.catch(() => undefined);
      await this.acks.catch(() => undefined);
      await this.requireCommits().flush().catch(() => undefined);
      throw err;
    }
    await this.acks;
    await this.requireCommits().flush();
    stats.finishedAt = clock.now();
    this.consecutiveErrors = 0;
    return stats;
  }

  /** One page from the connector, its requests labelled with this stream. */
  private fetch(position: PullPosition, signal: AbortSignal): Promise<Page> {
    const { puller, scope, key } = this.o;
    return scope ? scope.run(key.service, () => puller.fetchPage(position, signal)) : puller.fetchPage(position, signal);
  }

  /**
   * The service's life: cycles every `request_period_in_seconds`; after an error, back-off and
   * try again from the last commit. With `once`, one successful cycle (or the first error) ends it.
   * Resolves 'caught-up' when a `once` run reached the end of the stream, 'stopped' when the
   * signal ended it first (for a `once` run: before it caught up).
   */
  async run(signal: AbortSignal, once: boolean): Promise<RunEnd> {
    const { clock, settings, events } = this.o;
    try {
      while (!signal.aborted) {
        const started = clock.now();
        let waitMs: number;
        try {
          const stats = await this.runCycle(signal);
          if (signal.aborted && !stats.caughtUp) break;
          const elapsedMs = clock.now() - started;
          waitMs = once ? 0 : Math.max(0, settings.request_period_in_seconds * 1000 - elapsedMs);
          events.emit({ type: 'cycle_completed', stats, elapsedMs, waitMs: once ? undefined : waitMs });
          if (once) return 'caught-up';
        } catch (err) {
          await this.reload();
          if (signal.aborted) break;
          const error = toSiphonError(err);
          this.consecutiveErrors += 1;
          // --once (cron): a passing fault gets a few more tries; bad credentials or state do not.
          const givingUp = once && (this.consecutiveErrors >= ONCE_MAX_ATTEMPTS || !isTransient(error));
          waitMs = Math.min(ERROR_BACKOFF_MS.max, ERROR_BACKOFF_MS.first * 2 ** (this.consecutiveErrors - 1));
          events.emit({ type: 'cycle_failed', error, consecutive: this.consecutiveErrors, waitMs: givingUp ? undefined : waitMs });
          if (givingUp) throw error;
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

  /** Drops duplicates, injects the pulling id, obfuscates: the page as the outputs will get it. */
  private prepare(page: Page, pullingId: number, stats: CycleStatistics): PreparedPage {
    const { puller, key, events } = this.o;
    const state = this.requireState();
    const keys = page.keys;
    const obfuscatedBefore = stats.obfuscatedFields;
    const { fresh, duplicates } = filterDuplicates(
      page.events,
      keys ? (_e, i) => keys[i] : (e) => puller.eventKey(e),
      (e) => puller.eventTime(e),
      this.requireDedup(),
    );
    stats.duplicates += duplicates;
    const tag = this.o.settings.override_tag ?? puller.tag;
    const records: OutputRecord[] = new Array<OutputRecord>(fresh.length);
    let newest = state.newest_event_time;
    const bounds = this.timeBounds();
    for (let i = 0; i < fresh.length; i++) {
      const item = fresh[i]!;
      const vendorTime = item.time;
      // From here on, item.time is what positions may use: the dedup memory and `newest`.
      item.time = this.positionTime(item, bounds, stats);
      const { event, eventJson } = this.serialise(item, vendorTime, pullingId, stats);
      records[i] = item.key === undefined
        ? { tag, input: key.input, service: key.service, event, eventJson }
        : { tag, input: key.input, service: key.service, event, key: item.key, eventJson };
      if (item.time !== undefined && (newest === null || item.time > newest)) newest = item.time;
    }
    events.emit({ type: 'page_prepared', duplicates, obfuscatedFields: stats.obfuscatedFields - obfuscatedBefore });
    return { cursor: page.cursor, fresh, records, newest, dedupRetain: page.dedupRetain };
  }

  /**
   * The event's time as positions may use it, or undefined when it has none or an absurd one
   * (far in the future, or far before the configured start): such an event is delivered, but
   * it neither becomes the newest time nor sets the dedup memory's horizon. Reported once per
   * stream, counted always.
   */
  private positionTime(item: FreshEvent<VendorEvent>, bounds: EventTimeBounds, stats: CycleStatistics): number | undefined {
    if (item.time === undefined) return undefined;
    const judged = judgeEventTime(item.time, bounds);
    if (judged.usable) return judged.time;
    stats.implausibleTimes += 1;
    const limit = judged.why === 'future'
      ? `more than ${EVENT_TIME_TOLERANCE_MS / 3_600_000} hours ahead of the clock`
      : `more than ${EVENT_TIME_TOLERANCE_MS / 3_600_000} hours before the configured start ${describeEventTime(bounds.startMs ?? 0)}`;
    this.o.events.emit({ type: 'implausible_time', key: item.key, time: item.time, limit, first: !this.implausibleTimeReported });
    this.implausibleTimeReported = true;
    return undefined;
  }

  /**
   * Injects the pulling id, obfuscates and serialises the event once (the queue is sized by
   * this text and every output sends it). An event that cannot be serialised is replaced by a
   * stand-in record (see stages/event-json.ts), reported and counted.
   */
  private serialise(item: FreshEvent<VendorEvent>, vendorTime: number | undefined, pullingId: number, stats: CycleStatistics): { event: VendorEvent; eventJson: string } {
    const { obfuscator, events } = this.o;
    injectPullingId(item.event, pullingId);
    try {
      if (obfuscator) stats.obfuscatedFields += obfuscator(item.event);
      return { event: item.event, eventJson: JSON.stringify(item.event) };
    } catch (err) {
      const reason = unserializableReason(err);
      if (reason === undefined) throw err;
      stats.unserializable += 1;
      const event = unserializableStandIn(item.key, vendorTime, reason);
      injectPullingId(event, pullingId);
      events.emit({ type: 'unserializable_event', key: item.key, reason });
      return { event, eventJson: JSON.stringify(event) };
    }
  }

  private async deliverAndCommit(page: PreparedPage, stats: CycleStatistics): Promise<Checkpoint> {
    const { clock, logger, delivery, events } = this.o;
    const { cursor, fresh, records, newest, dedupRetain } = page;
    const state = this.requireState();
    const dedup = this.requireDedup();
    const commits = this.requireCommits();

    // Nothing new and the cursor did not move: no write needed.
    if (records.length === 0 && JSON.stringify(cursor) === JSON.stringify(state.cursor)) return state;

    if (this.ackFailure) throw this.ackFailure.error;
    commits.throwIfFailed();
    const exclude = this.recovering ? await this.alreadyDelivered(records) : undefined;
    const skippedEverywhere = exclude ? countInAll(exclude, records.length) : 0;
    stats.duplicates += skippedEverywhere;
    // Waits here while the queue is full: a slow output slows pulling.
    const submission = await delivery.submit(records, exclude);

    for (const item of fresh) {
      // Keys the connector says it will not read again are not worth adding, only to be pruned.
      if (item.key !== undefined && DedupMemory.retains(dedupRetain, item.time ?? null)) dedup.add(item.key, item.time ?? null);
    }
    dedup.prune(dedupRetain);
    const next: Checkpoint = {
      ...state,
      cursor,
      dedup: dedup.toJSON(),
      newest_event_time: newest,
      events_delivered: state.events_delivered + records.length,
      updated_at: new Date(clock.now()).toISOString(),
    };
    // The next page is prepared against this one's cursor and dedup memory at once; its
    // checkpoint is written only after every output has acknowledged it, in page order.
    this.state = next;
    const sent = records.length - skippedEverywhere;
    this.acks = this.acks
      .then(() => submission.acked)
      .then(() => {
        stats.sent += sent;
        if (logger.isDebugEnabled()) logger.debug('Updating the persistence', { events: records.length });
        commits.enqueue(next, (saved) => {
          const at = Date.parse(saved.updated_at);
          events.emit({ type: 'page_committed', delivered: sent, newestEventTime: saved.newest_event_time, eventsDelivered: saved.events_delivered, at: Number.isFinite(at) ? at : clock.now() });
        });
      });
    this.acks.catch((error: unknown) => {
      this.ackFailure ??= { error };
    });
    return next;
  }

  /** Crash recovery: which of these records each output already holds. Ends recovery when none. */
  private async alreadyDelivered(records: readonly OutputRecord[]): Promise<Array<Set<number>> | undefined> {
    if (records.length === 0) return undefined;
    const found = await this.o.delivery.findDelivered(records, (e) => this.o.puller.eventKey(e));
    const any = found.some((set) => set.size > 0);
    if (!any) {
      this.recovering = false;
      return undefined;
    }
    this.o.events.emit({ type: 'recovery_skipped', records: Math.max(...found.map((s) => s.size)) });
    return found;
  }

  private async writeState(state: Checkpoint, expectedRevision: number | undefined): Promise<Checkpoint> {
    return this.o.store.put(this.o.key, state, expectedRevision);
  }

  private requireState(): Checkpoint {
    if (!this.state) throw new SiphonError('INTERNAL', `${this.name}: state used before loadState()`);
    return this.state;
  }

  private requireCommits(): OrderedCommits {
    if (!this.commits) throw new SiphonError('INTERNAL', `${this.name}: commits used before loadState()`);
    return this.commits;
  }

  private requireDedup(): DedupMemory {
    if (!this.dedup) throw new SiphonError('INTERNAL', `${this.name}: dedup used before loadState()`);
    return this.dedup;
  }
}

/** How many of `total` indexes are in every set (records every output already holds). */
function countInAll(sets: ReadonlyArray<ReadonlySet<number>>, total: number): number {
  if (sets.length === 0) return 0;
  let n = 0;
  for (let i = 0; i < total; i++) if (sets.every((s) => s.has(i))) n++;
  return n;
}
