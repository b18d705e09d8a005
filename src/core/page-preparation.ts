// A fetched page made ready for the outputs: duplicates dropped (the dedup memory), the
// pulling id injected, fields obfuscated, each event serialised once, absurd event times kept
// from moving any position. Counted in the cycle's statistics and reported as stream events.

import type { Checkpoint, OutputRecord, Page, StateKey, StreamPuller, VendorEvent } from './contracts.js';
import type { EventSink, StreamEvent } from './events.js';
import { DedupMemory } from '../stages/dedup.js';
import { describeEventTime, EVENT_TIME_TOLERANCE_MS, judgeEventTime, usableEventTime, type EventTimeBounds } from './event-time.js';
import type { CycleStatistics } from './statistics.js';
import { filterDuplicates, type FreshEvent } from '../stages/dedup.js';
import { eventJsonText, unserializableReason, unserializableStandIn } from '../stages/event-json.js';
import type { Obfuscator } from '../stages/obfuscate.js';
import { injectPullingId } from '../stages/pulling-id.js';

/**
 * A page ready for the outputs. It holds no parsed event: once an event's JSON text is made,
 * what waits for the queue (and in it) is that text, and the page's events can be collected.
 */
export interface PreparedPage {
  cursor: Checkpoint['cursor'];
  records: OutputRecord[];
  /** What the dedup memory is to note once the page is delivered: keys, with their event times (same order). */
  remember: { keys: string[]; times: Array<number | null> };
  /** The newest usable event time after this page (the saved one when the page has none newer). */
  newest: number | null;
  dedupRetain: Page['dedupRetain'];
}

export interface PagePreparationOptions {
  key: StateKey;
  puller: Pick<StreamPuller, 'eventKey' | 'eventTime'>;
  /** The tag records carry (`override_tag`, else the puller's). */
  tag: string;
  obfuscator: Obfuscator | undefined;
  events: EventSink<StreamEvent>;
}

/** What the page builds on: the record's newest time and the dedup memory. */
export interface PreparationBase {
  newest: number | null;
  dedup: DedupMemory;
  bounds: EventTimeBounds;
}

export class PagePreparation {
  /** An absurd event time is reported once per stream (with the first such event); later ones are counted. */
  private implausibleTimeReported = false;

  constructor(private readonly o: PagePreparationOptions) {}

  prepare(page: Page, base: PreparationBase, pullingId: number, stats: CycleStatistics): PreparedPage {
    const { puller, events } = this.o;
    const keys = page.keys;
    const obfuscatedBefore = stats.obfuscatedFields;
    const { fresh, duplicates } = filterDuplicates(
      page.events,
      keys ? (_e, i) => keys[i] : (e) => puller.eventKey(e),
      (e) => puller.eventTime(e),
      base.dedup,
    );
    stats.duplicates += duplicates;
    const records: OutputRecord[] = new Array<OutputRecord>(fresh.length);
    const remember: PreparedPage['remember'] = { keys: [], times: [] };
    let newest = base.newest;
    for (let i = 0; i < fresh.length; i++) {
      const item = fresh[i]!;
      const vendorTime = item.time;
      // From here on, item.time is what positions may use: the dedup memory and `newest`.
      item.time = this.positionTime(item, base.bounds, stats);
      records[i] = this.record(item, vendorTime, pullingId, stats);
      const time = item.time ?? null;
      if (time !== null && (newest === null || time > newest)) newest = time;
      // Keys the connector says it will not read again are not worth adding, only to be pruned.
      if (item.key !== undefined && DedupMemory.retains(page.dedupRetain, time)) {
        remember.keys.push(item.key);
        remember.times.push(time);
      }
    }
    events.emit({ type: 'page_prepared', duplicates, obfuscatedFields: stats.obfuscatedFields - obfuscatedBefore });
    return { cursor: page.cursor, records, remember, newest, dedupRetain: page.dedupRetain };
  }

  /**
   * The event's time as positions may use it, or undefined when it has none or an absurd one
   * (far in the future, or far before the configured start): such an event is delivered, but
   * it neither becomes the newest time nor sets the dedup memory's horizon. Reported once per
   * stream, counted always.
   */
  private positionTime(item: FreshEvent<VendorEvent>, bounds: EventTimeBounds, stats: CycleStatistics): number | undefined {
    if (item.time === undefined) return undefined;
    const usable = usableEventTime(item.time, bounds);
    if (usable !== undefined) return usable;
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
   * The event's record: the pulling id injected, obfuscated and serialised once (the queue is
   * sized by this text and every output sends it). An event that cannot be serialised is
   * replaced by a stand-in record (see stages/event-json.ts), reported and counted. A record
   * with a key carries only the text (see OutputRecord); one without keeps the event too.
   */
  private record(item: FreshEvent<VendorEvent>, vendorTime: number | undefined, pullingId: number, stats: CycleStatistics): OutputRecord {
    const { obfuscator, events, tag, key } = this.o;
    injectPullingId(item.event, pullingId);
    let event = item.event;
    let eventJson: string;
    try {
      if (obfuscator) stats.obfuscatedFields += obfuscator(event);
      eventJson = eventJsonText(event);
    } catch (err) {
      const reason = unserializableReason(err);
      if (reason === undefined) throw err;
      stats.unserializable += 1;
      event = unserializableStandIn(item.key, vendorTime, reason);
      injectPullingId(event, pullingId);
      events.emit({ type: 'unserializable_event', key: item.key, reason });
      eventJson = JSON.stringify(event);
    }
    return item.key === undefined
      ? { tag, input: key.input, service: key.service, event, eventJson }
      : { tag, input: key.input, service: key.service, key: item.key, eventJson };
  }
}
