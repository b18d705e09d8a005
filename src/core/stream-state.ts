// A stream's saved record as its runner works with it. Loaded at start (and reset when the
// start-time setting changed, as the seeds describe), reloaded after a failed cycle, advanced
// in memory page by page, and written in page order once each page is acknowledged by every
// output. It also tells whether the pages now pulled may be a replay: pages that reached an
// output before the last stop without being committed (crash recovery).

import type { Checkpoint, Clock, Logger, StateKey, StateStore, StreamSettings } from './contracts.js';
import type { Delivery, Receipt } from './delivery.js';
import { SiphonError } from './errors.js';
import { describeEventTime, usableEventTime, type EventTimeBounds } from './event-time.js';
import type { EventSink, StreamEvent } from './events.js';
import { describeState, emptyCheckpoint } from './checkpoint.js';
import { OrderedCommits } from './ordered-commits.js';
import { DedupMemory } from '../stages/dedup.js';

export interface StreamStateOptions {
  key: StateKey;
  store: StateStore;
  /** Told to forget the stream when its state starts afresh. */
  delivery: Pick<Delivery, 'forgetDelivered'>;
  settings: Pick<StreamSettings, 'dedup_window_seconds' | 'dedup_max_keys'>;
  /** The configured start-time value (its text), or null when the connector default applies. */
  startSetting: string | null;
  /** The configured start time (ms), or null: event times far before it are absurd. */
  startMs: number | null;
  logger: Logger;
  clock: Clock;
  events: EventSink<StreamEvent>;
}

/**
 * A record without its dedup list: the DedupMemory holds the keys. Kept as the record the next
 * page builds on, the list would be a second copy of every stream's keys for as long as the
 * stream idles (13 MB of a replica's 108 MB live heap at 3,300 busy streams).
 */
export type CheckpointView = Omit<Checkpoint, 'dedup'>;

/** What the runner holds after `load()`: the record pages build on, and its dedup memory. */
interface Loaded {
  view: CheckpointView;
  dedup: DedupMemory;
  commits: OrderedCommits;
}

export class StreamState {
  private loaded: Loaded | undefined;
  /** True while the pages pulled may already be in some output (after a restart or a failed cycle). */
  private replay = true;
  /** Settles once the receipt of the last page submitted as a replay has been read. */
  private verdict: Promise<void> = Promise.resolve();
  /** Acknowledgements of the pages in flight, chained so their checkpoints are queued in page order. */
  private acks: Promise<void> = Promise.resolve();
  private ackFailure: { error: unknown } | undefined;

  constructor(private readonly o: StreamStateOptions) {}

  private get name(): string {
    return `${this.o.key.input}/${this.o.key.service}`;
  }

  /** Reads persistence; resets it when the start-time setting changed (as the seeds describe). */
  async load(): Promise<void> {
    const { logger, store, key, startSetting, clock, delivery } = this.o;
    logger.info('Reading persisted data');
    let state = await store.get(key);
    if (state) {
      logger.info(`Data retrieved from the persistence: ${describeState(state)}`);
      logger.info('Running the persistence corrections steps');
      if (state.start_setting !== startSetting) {
        // Before the new record: a crash in between resets again at the next start.
        await delivery.forgetDelivered(key);
        logger.warn(
          `The start-time setting changed (was ${JSON.stringify(state.start_setting)}, now ${JSON.stringify(startSetting)}): ` +
            'the persistence of this service has been reset and pulling starts again from the configured start time',
        );
        state = await store.put(key, emptyCheckpoint(startSetting, new Date(clock.now()).toISOString()), state.revision);
        // A deliberate re-ingestion: events already in the outputs are wanted again.
        this.replay = false;
      } else {
        logger.info('No changes were detected in the persistence');
      }
    } else {
      logger.info('No persisted data found: pulling starts from the configured start time');
      await delivery.forgetDelivered(key);
      state = await store.put(key, emptyCheckpoint(startSetting, new Date(clock.now()).toISOString()), undefined);
      // No state (first start, or `siphon state reset`): nothing can be half-delivered.
      this.replay = false;
    }
    this.adopt(state);
  }

  /**
   * After a failed cycle, the in-memory view may be ahead of what was saved (a page delivered,
   * its checkpoint not written). Start again from the saved record; its next pages may be a replay.
   */
  async reload(): Promise<void> {
    const { store, key, logger, delivery, startSetting, clock } = this.o;
    const saved = await store.get(key);
    if (!saved) {
      // Deleted under the running collector: `siphon state reset` against a shared store (PostgreSQL
      // has no folder lock to keep it out). A reset is asked for, so it is one, as at a first start.
      logger.warn(`The state of ${this.name} was deleted while the collector was running (siphon state reset): pulling starts again from the configured start time`);
      await delivery.forgetDelivered(key);
      this.adopt(await store.put(key, emptyCheckpoint(startSetting, new Date(clock.now()).toISOString()), undefined));
      this.replay = false;
      this.verdict = Promise.resolve();
      return;
    }
    this.adopt(saved);
    this.replay = true;
    this.verdict = Promise.resolve();
  }

  /** The record the next page builds on: the last one advanced to, saved or not yet. */
  get checkpoint(): CheckpointView {
    return this.require().view;
  }

  get dedup(): DedupMemory {
    return this.require().dedup;
  }

  /**
   * Whether the next page may already be in some output (it is then checked per output). While
   * replaying, it first waits for the receipt of the last replayed page: once a page turns out to
   * be new to every output, the pages after it are new too, and their look-ups (the file output
   * reads its end for each) are spared.
   */
  async mayReplay(): Promise<boolean> {
    if (this.replay) await this.verdict;
    return this.replay;
  }

  /**
   * A page submitted as a replay: its receipt ends the replay when no output had any of it,
   * and is reported when some output had (those records were not sent to it again).
   */
  replaySubmitted(acked: Promise<Receipt>): void {
    this.verdict = acked.then(
      (receipt) => {
        if (receipt.heldByOne === 0) this.replay = false;
        else this.o.events.emit({ type: 'recovery_skipped', records: receipt.heldByOne });
      },
      () => undefined, // refused: the cycle fails on it, and the next one replays again
    );
  }

  /** A new cycle: no page in flight. */
  beginCycle(): void {
    this.acks = Promise.resolve();
    this.ackFailure = undefined;
  }

  /** Throws the failure of an earlier page's delivery or checkpoint write, if any. */
  throwIfFailed(): void {
    if (this.ackFailure) throw this.ackFailure.error;
    this.require().commits.throwIfFailed();
  }

  /**
   * The next page's record: the next page builds on it at once; it is written once `acked`
   * resolves (after `onAcked` saw the value) and after every record advanced to before it.
   */
  advance<T>(next: Checkpoint, acked: Promise<T>, onAcked: (value: T) => void, onCommitted: (saved: Checkpoint) => void): void {
    const loaded = this.require();
    loaded.view = withoutDedup(next);
    this.acks = this.acks
      .then(() => acked)
      .then((value) => {
        onAcked(value);
        loaded.commits.enqueue(next, onCommitted);
      });
    this.acks.catch((error: unknown) => {
      this.ackFailure ??= { error };
    });
  }

  /** Waits until every page in flight is acknowledged and its record written; throws the first failure. */
  async settle(): Promise<void> {
    await this.acks;
    await this.require().commits.flush();
  }

  /**
   * After a failure: waits until the pages in flight are acknowledged (or refused) and their
   * records written, so that `reload()` sees the last one. Their own failures are not raised.
   */
  async settleQuietly(): Promise<void> {
    await this.acks.catch(() => undefined);
    await this.require().commits.flush().catch(() => undefined);
  }

  bounds(): EventTimeBounds {
    return { startMs: this.o.startMs, nowMs: this.o.clock.now() };
  }

  /** Takes a saved record as the starting point of the next pages. */
  private adopt(saved: Checkpoint): void {
    const { settings, store, key, events } = this.o;
    const state = this.withoutImplausibleTimes(saved);
    this.loaded = {
      view: withoutDedup(state),
      dedup: new DedupMemory({ windowMs: settings.dedup_window_seconds * 1000, maxKeys: settings.dedup_max_keys }, state.dedup),
      commits: new OrderedCommits(store, key, state.revision),
    };
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
    const bounds = this.bounds();
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

  private require(): Loaded {
    if (!this.loaded) throw new SiphonError('INTERNAL', `${this.name}: state used before it was loaded`);
    return this.loaded;
  }
}

function withoutDedup(record: Checkpoint): CheckpointView {
  const { dedup: _keys, ...view } = record;
  return view;
}
