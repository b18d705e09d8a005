// The syslog wire format of one event, and the framing of a batch.
//
//   RFC 5424: <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG
//             <14>1 2024-05-01T12:00:00.123Z host auth.agilebits.onepassword.audit 4242 audit - {"uuid":…}
//   RFC 3164: <PRI>Mmm dd hh:mm:ss HOSTNAME TAG: MSG
//             <14>May  1 12:00:00 host auth.agilebits.onepassword.audit: {"uuid":…}
//
// The Devo tag travels as APP-NAME / TAG. APP-NAME is limited to 48 printable ASCII
// characters: a tag that does not fit is shortened there and carried whole in the
// structured-data element [siphon@32473 tag="…"]. The timestamp is the time of sending
// (one per batch), in UTC for both formats. A message is built as `head + part + event`:
// `head` holds what changes per batch (PRI, time, host), `part` what changes per tag.

import type { OutputRecord } from '../../core/contracts.js';
import { eventText } from '../event-text.js';

export type SyslogFormat = 'rfc5424' | 'rfc3164';
export type Framing = 'octet-counting' | 'newline';

/** SD-ID of the element that carries the Devo tag: 32473 is the private enterprise number IANA reserves for documentation (RFC 5612). */
const TAG_SD_ID = 'siphon@32473';
/** RFC 5424 6.2.5. */
export const MAX_APP_NAME = 48;
/** RFC 5424 6.2.7. */
const MAX_MSGID = 32;
/**
 * rsyslog 8.2302 keeps an RFC 3164 TAG of up to 510 characters; the rest of a longer one
 * spills into the message (measured, see test/outputs/syslog-rsyslog.test.ts). Longer tags are cut here.
 */
export const MAX_RFC3164_TAG = 510;

/** Joined frames grow to about this many characters before a new chunk starts: few socket writes, no huge string. */
const CHUNK_CHARS = 1 << 20;
/** Tags are few (one per service); the cache is cleared past this many. */
const MAX_CACHED_PARTS = 1_000;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export interface FormatterOptions {
  readonly format: SyslogFormat;
  /** facility * 8 + severity. */
  readonly pri: number;
  readonly hostname: string;
  /** PROCID (RFC 5424): the process id. */
  readonly procId: string;
  /** A fixed APP-NAME / TAG instead of the record's tag. */
  readonly appName?: string | undefined;
  /** Told once per tag that had to be changed to fit the format. */
  readonly warn?: (message: string) => void;
}

/** The tag-dependent part of a message, with its length in bytes. */
interface Part {
  readonly text: string;
  readonly bytes: number;
}

const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;

export class SyslogFormatter {
  private readonly parts = new Map<string, Part>();

  constructor(private readonly options: FormatterOptions) {}

  /** What comes before the tag-dependent part, for a batch sent at `now` (ms). ASCII only. */
  head(now: number): string {
    const { format, pri, hostname } = this.options;
    return format === 'rfc5424' ? `<${pri}>1 ${new Date(now).toISOString()} ${hostname} ` : `<${pri}>${rfc3164Time(now)} ${hostname} `;
  }

  /** APP-NAME PROCID MSGID SD (RFC 5424) or `TAG: ` (RFC 3164), each followed by the space before MSG. */
  part(tag: string, service: string): Part {
    const key = `${tag}\n${service}`;
    let part = this.parts.get(key);
    if (part === undefined) {
      if (this.parts.size >= MAX_CACHED_PARTS) this.parts.clear();
      const text = this.options.format === 'rfc5424' ? this.rfc5424Part(tag, service) : this.rfc3164Part(tag);
      part = { text, bytes: Buffer.byteLength(text) };
      this.parts.set(key, part);
    }
    return part;
  }

  /** One whole message, unframed. */
  message(record: OutputRecord, now: number): string {
    return this.head(now) + this.part(record.tag, record.service).text + eventText(record);
  }

  private rfc5424Part(tag: string, service: string): string {
    const fixed = this.options.appName;
    const fits = tag.length <= MAX_APP_NAME && PRINTABLE_ASCII.test(tag);
    const appName = fixed ?? (fits ? tag : toPrintableAscii(tag).slice(0, MAX_APP_NAME));
    // With a fixed APP-NAME, or a tag that does not fit in it, the whole tag rides in structured data.
    const sd = fixed !== undefined || !fits ? `[${TAG_SD_ID} tag="${sdParamValue(tag)}"]` : '-';
    if (fixed === undefined && !fits) {
      this.options.warn?.(`the tag "${tag}" is not a valid RFC 5424 APP-NAME (1-48 printable ASCII characters): APP-NAME is "${appName}" and the whole tag is in the structured data ${TAG_SD_ID}`);
    }
    const msgId = service.length <= MAX_MSGID && PRINTABLE_ASCII.test(service) ? service : '-';
    return `${appName} ${this.options.procId} ${msgId} ${sd} `;
  }

  private rfc3164Part(tag: string): string {
    const fixed = this.options.appName;
    if (fixed !== undefined) return `${fixed}: `;
    // A space, `:` or `[` would end the TAG early; characters outside ASCII are not TAG characters.
    let name = tag.replace(/[^\x21-\x39\x3b-\x5a\x5c-\x7e]/g, '_');
    if (name.length > MAX_RFC3164_TAG) name = name.slice(0, MAX_RFC3164_TAG);
    if (name !== tag) {
      this.options.warn?.(
        `the tag "${tag}" does not fit an RFC 3164 TAG (at most ${MAX_RFC3164_TAG} printable ASCII characters, without ":" or "["): it is sent as "${name}"; format rfc5424 keeps every tag whole`,
      );
    }
    return `${name}: `;
  }
}

/** `Mmm dd hh:mm:ss` in UTC, the day padded with a space (RFC 3164 4.1.2). */
export function rfc3164Time(now: number): string {
  const d = new Date(now);
  const day = d.getUTCDate();
  return `${MONTHS[d.getUTCMonth()] ?? 'Jan'} ${day < 10 ? ' ' : ''}${day} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function toPrintableAscii(text: string): string {
  return text.replace(/[^\x21-\x7e]/g, '_');
}

/** PARAM-VALUE escaping (RFC 5424 6.3.3): `"`, `\` and `]` get a backslash. */
function sdParamValue(text: string): string {
  return text.replace(/["\\\]]/g, '\\$&');
}

/**
 * Newline framing ends a message at a line feed, so one inside the event would split it in
 * two. Event texts are JSON, which never holds a raw line break; should one come anyway it is
 * written as the JSON escape `\n` / `\r`, which inside a JSON string means the same character.
 */
export function escapeLineBreaks(text: string): string {
  // includes() twice is several times faster than one regular expression test here (hot path).
  return text.includes('\n') || text.includes('\r') ? text.replace(/\r/g, '\\r').replace(/\n/g, '\\n') : text;
}

/** The framed messages of a batch for a TCP/TLS stream, joined into a few large strings. */
export function streamChunks(formatter: SyslogFormatter, records: readonly OutputRecord[], now: number, framing: Framing): string[] {
  const head = formatter.head(now);
  const headBytes = head.length; // ASCII
  const chunks: string[] = [];
  let chunk = '';
  let previous: OutputRecord | undefined;
  let part = { text: '', bytes: 0 };
  for (const record of records) {
    if (previous === undefined || record.tag !== previous.tag || record.service !== previous.service) part = formatter.part(record.tag, record.service);
    previous = record;
    const text = eventText(record);
    if (framing === 'newline') {
      chunk += `${head}${part.text}${escapeLineBreaks(text)}\n`;
    } else {
      // RFC 6587 3.4.1: MSG-LEN SP SYSLOG-MSG, the length in octets.
      chunk += `${headBytes + part.bytes + Buffer.byteLength(text)} ${head}${part.text}${text}`;
    }
    if (chunk.length >= CHUNK_CHARS) {
      chunks.push(chunk);
      chunk = '';
    }
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

export interface Datagrams {
  readonly datagrams: Buffer[];
  /** How many messages were cut to `maxBytes`. */
  readonly truncated: number;
}

/** One datagram per event (RFC 5426), each cut to `maxBytes` at a UTF-8 character boundary. */
export function udpDatagrams(formatter: SyslogFormatter, records: readonly OutputRecord[], now: number, maxBytes: number): Datagrams {
  const head = formatter.head(now);
  const datagrams: Buffer[] = [];
  let truncated = 0;
  let previous: OutputRecord | undefined;
  let part = { text: '', bytes: 0 };
  for (const record of records) {
    if (previous === undefined || record.tag !== previous.tag || record.service !== previous.service) part = formatter.part(record.tag, record.service);
    previous = record;
    const message = Buffer.from(head + part.text + eventText(record));
    if (message.length > maxBytes) {
      truncated += 1;
      datagrams.push(truncateUtf8(message, maxBytes));
    } else {
      datagrams.push(message);
    }
  }
  return { datagrams, truncated };
}

/** The longest prefix of `bytes` of at most `max` bytes that does not split a UTF-8 character. */
export function truncateUtf8(bytes: Buffer, max: number): Buffer {
  if (bytes.length <= max) return bytes;
  let end = max;
  // bytes[end] is the first byte left out: while it continues a character, that character is cut.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end -= 1;
  return bytes.subarray(0, end);
}
