// One service's loop: load state, pull a page, drop duplicates, obfuscate, hand to the
// outputs, wait for their acknowledgement, then commit cursor + dedup memory in one
// atomic write. Nothing is saved before delivery; an error never moves the cursor.

import type {
  Clock,
  Page,
  CommonServiceSettings,
  Logger,
  OutputRecord,
  ServicePuller,
  ServiceState,
  StateKey,
  StateStore,
  VendorEvent,
} from './contracts.js';
import { ERROR_CATALOGUE, SiphonError, toSiphonError } from './errors.js';
import { DedupMemory, filterDuplicates, type FreshEvent } from '../stages/dedup.js';
import { injectPullingId } from '../stages/pulling-id.js';
import type { Obfuscator } from '../stages/obfuscate.js';
import { CycleStatistics } from './statistics.js';
import { OrderedCommits } from './ordered-commits.js';
import { describeState, emptyServiceState } from './service-state.js';
import type { ServiceStatus } from './status.js';

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

export interface ServiceRunnerOptions {
  key: StateKey;
  puller: ServicePuller;
  settings: CommonServiceSettings;
  /** The configured start-time value (its text), or null when the connector default applies. */
  startSetting: string | null;
  store: StateStore;
  delivery: Delivery;
  obfuscator: Obfuscator | undefined;
  logger: Logger;
  clock: Clock;
  status: ServiceStatus;
}

/** A page ready for the outputs. */
interface PreparedPage {
  cursor: ServiceState['cursor'];
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

export class ServiceRunner {
  private state: ServiceState | undefined;
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

  constructor(private readonly o: ServiceRunnerOptions) {}

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
        state = await this.writeState(emptyServiceState(startSetting, new Date(clock.now()).toISOString()), state.revision);
        // A deliberate re-ingestion: events already in the outputs are wanted again.
        this.recovering = false;
      } else {
        logger.info('No changes were detected in the persistence');
      }
    } else {
      logger.info('No persisted data found: pulling starts from the configured start time');
      await this.o.delivery.forgetDelivered(key);
      state = await this.writeState(emptyServiceState(startSetting, new Date(clock.now()).toISOString()), undefined);
      // No state (first start, or `siphon state reset`): nothing can be half-delivered.
      this.recovering = false;
    }
    this.adopt(state);
  }

  /** Takes a saved record as the starting point of the next pages. */
  private adopt(state: ServiceState): void {
    const { settings, store, key, status } = this.o;
    this.state = state;
    this.dedup = new DedupMemory({ windowMs: settings.dedup_window_seconds * 1000, maxKeys: settings.dedup_max_keys }, state.dedup);
    this.commits = new OrderedCommits(store, key, state.revision, (saved) => {
      status.eventsDelivered = saved.events_delivered;
      status.lastCommitAt = saved.updated_at;
    });
    status.eventsDelivered = state.events_delivered;
    status.lastCommitAt = state.updated_at;
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
    const { puller, logger, clock, status } = this.o;
    const state = this.requireState();
    const pullingId = clock.now();
    const stats = new CycleStatistics(pullingId, clock.now());
    this.acks = Promise.resolve();
    this.ackFailure = undefined;
    logger.info('Pull Started');
    status.phase = 'pulling';
    let fetching: Promise<Page> | undefined = puller.fetchPage({ cursor: state.cursor, newestEventTime: state.newest_event_time }, signal);
    try {
      while (fetching) {
        const page = await fetching;
        fetching = undefined;
        stats.requests += page.requests;
        stats.received += page.events.length;
        const prepared = this.prepare(page, pullingId, stats);
        // Fetch the next page while this one is delivered: at most two pages in hand, and
        // commits stay in order (the next page is prepared and committed after this one).
        if (page.hasMore && !signal.aborted) {
          fetching = puller.fetchPage({ cursor: page.cursor, newestEventTime: prepared.newest }, signal);
          fetching.catch(() => undefined); // awaited on the next turn; an error then surfaces there
        }
        await this.deliverAndCommit(prepared, stats);
        if (!page.hasMore) stats.caughtUp = true;
        else if (logger.isDebugEnabled()) logger.debug(`(Partial) ${stats.describe(clock.now())}`);
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
    status.lastSuccessAt = new Date(stats.finishedAt).toISOString();
    status.lastError = undefined;
    status.consecutiveErrors = 0;
    return stats;
  }

  /**
   * The service's life: cycles every `request_period_in_seconds`; after an error, back-off and
   * try again from the last commit. With `once`, one successful cycle (or the first error) ends it.
   * Resolves 'caught-up' when a `once` run reached the end of the stream, 'stopped' when the
   * signal ended it first (for a `once` run: before it caught up).
   */
  async run(signal: AbortSignal, once: boolean): Promise<RunEnd> {
    const { logger, clock, settings, status } = this.o;
    while (!signal.aborted) {
      const started = clock.now();
      let waitMs: number;
      try {
        const stats = await this.runCycle(signal);
        if (signal.aborted && !stats.caughtUp) break;
        logger.info(stats.describe(clock.now()));
        if (stats.caughtUp) logger.info('The data is up to date!');
        if (once) return 'caught-up';
        const elapsed = clock.now() - started;
        waitMs = Math.max(0, settings.request_period_in_seconds * 1000 - elapsed);
        logger.info(
          `Data collection completed. Elapsed time: ${(elapsed / 1000).toFixed(3)} seconds. ` +
            `Waiting for ${(waitMs / 1000).toFixed(3)} second(s) until the next one`,
        );
        status.phase = 'waiting';
      } catch (err) {
        await this.reload();
        if (signal.aborted) break;
        const error = toSiphonError(err);
        this.consecutiveErrors += 1;
        status.phase = 'failing';
        status.lastError = { code: error.code, message: error.describe(), at: new Date(clock.now()).toISOString() };
        status.consecutiveErrors = this.consecutiveErrors;
        // --once (cron): a passing fault gets a few more tries; bad credentials or state do not.
        if (once && (this.consecutiveErrors >= ONCE_MAX_ATTEMPTS || !isTransient(error))) throw error;
        waitMs = Math.min(ERROR_BACKOFF_MS.max, ERROR_BACKOFF_MS.first * 2 ** (this.consecutiveErrors - 1));
        logger.error(
          `${error.describe()} The checkpoint did not move; retrying in ${(waitMs / 1000).toFixed(0)} second(s) ` +
            `(consecutive failures: ${this.consecutiveErrors})`,
          error.details,
        );
      }
      status.nextRunAt = new Date(clock.now() + waitMs).toISOString();
      try {
        await clock.sleep(waitMs, signal);
      } catch {
        break;
      }
    }
    status.phase = 'stopped';
    return 'stopped';
  }

  /** Drops duplicates, injects the pulling id, obfuscates: the page as the outputs will get it. */
  private prepare(page: Page, pullingId: number, stats: CycleStatistics): PreparedPage {
    const { puller, obfuscator, key } = this.o;
    const state = this.requireState();
    const keys = page.keys;
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
    for (let i = 0; i < fresh.length; i++) {
      const item = fresh[i]!;
      injectPullingId(item.event, pullingId);
      if (obfuscator) stats.obfuscatedFields += obfuscator(item.event);
      // Serialised once, here: the queue is sized by this text and every output sends it.
      const eventJson = JSON.stringify(item.event);
      records[i] = item.key === undefined
        ? { tag, input: key.input, service: key.service, event: item.event, eventJson }
        : { tag, input: key.input, service: key.service, event: item.event, key: item.key, eventJson };
      if (item.time !== undefined && (newest === null || item.time > newest)) newest = item.time;
    }
    return { cursor: page.cursor, fresh, records, newest, dedupRetain: page.dedupRetain };
  }

  private async deliverAndCommit(page: PreparedPage, stats: CycleStatistics): Promise<ServiceState> {
    const { clock, logger, delivery } = this.o;
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
    const next: ServiceState = {
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
        commits.enqueue(next);
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
    this.o.logger.warn(
      `${Math.max(...found.map((s) => s.size))} event(s) of this page had reached an output before the last stop ` +
        'without being committed (the process ended between delivery and checkpoint); they are not sent to that output again',
    );
    return found;
  }

  private async writeState(state: ServiceState, expectedRevision: number | undefined): Promise<ServiceState> {
    return this.o.store.put(this.o.key, state, expectedRevision);
  }

  private requireState(): ServiceState {
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
