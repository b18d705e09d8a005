// `siphon status`: one line per stream from the running collector's status server; when none
// answers, what the state store knows (each service's checkpoint and its age). Exit 0 only
// when every stream is healthy, so cron and monitoring can use it as a check.

import type { StateStore } from '../../core/contracts.js';
import { EXIT, toSiphonError } from '../../core/errors.js';
import type { SiphonConfig } from '../../config/types.js';
import { describeStateStore, openStateStore } from '../../state/index.js';
import { humanDuration, humanSince } from '../../telemetry/human-time.js';
import type { ErrorSummary, StatusDocument, StreamStatus } from '../../telemetry/status-types.js';
import type { CliIo } from '../io.js';
import { fetchStatus, type StatusTarget } from '../status-client.js';

export interface StatusCommandOptions {
  /** The loaded configuration (--config), and its file name for messages. */
  config?: { settings: SiphonConfig; path: string };
  /** --url: the status server's address; overrides the configuration's. */
  url?: string;
  /** --token, or SIPHON_STATUS_TOKEN; overrides the configuration's. */
  token?: string;
  json: boolean;
  now?: () => number;
}

interface Checkpoint {
  input: string;
  service: string;
  checkpoint_at: string | null;
  checkpoint_age_seconds: number | null;
  newest_event_at: string | null;
  events_delivered: number | null;
  error?: string;
}

/** A long error message is cut: one line per stream. */
const MAX_MESSAGE_CHARS = 200;

export async function showStatus(options: StatusCommandOptions, io: CliIo): Promise<number> {
  const now = options.now ?? Date.now;
  const found = findTarget(options);
  if ('usage' in found) {
    io.err(`siphon status: ${found.usage}`);
    return EXIT.FAILURE;
  }
  const target = 'target' in found ? found.target : undefined;
  const answer = target ? await fetchStatus(target) : undefined;
  const url = target ? target.url.href.replace(/\/$/, '') : null;

  if (answer?.kind === 'status') {
    const healthy = answer.document.streams.every((s) => s.state === 'healthy');
    if (options.json) io.out(JSON.stringify({ url, answer: 'status', healthy, status: answer.document }));
    else printDocument(answer.document, url ?? '', now(), io);
    return healthy ? EXIT.OK : EXIT.FAILURE;
  }
  if (answer?.kind === 'failed') {
    if (options.json) io.out(JSON.stringify({ url, answer: 'failed', reason: answer.reason, healthy: false }));
    else io.err(`siphon status: ${answer.reason}`);
    return EXIT.FAILURE;
  }

  // Nobody to ask: say why, then what the state store knows.
  const why = answer ? `No collector answers at ${url} (${answer.reason}).` : `${'why' in found ? found.why : ''}.`;
  const checkpoints = options.config ? await readCheckpoints(options.config.settings, now()) : undefined;
  if (options.json) {
    io.out(JSON.stringify({ url, answer: answer ? 'unreachable' : 'not_configured', reason: why, healthy: false, checkpoints: checkpoints && 'rows' in checkpoints ? checkpoints.rows : null }));
    return EXIT.FAILURE;
  }
  io.out(why);
  if (!checkpoints) io.out('Give --config FILE too, to see the checkpoints its state store holds.');
  else printCheckpoints(checkpoints, now(), io);
  return EXIT.FAILURE;
}

type Found = { target: StatusTarget } | { why: string } | { usage: string };

/** Where to ask: --url, else the configuration's globals.status_server. */
function findTarget(options: StatusCommandOptions): Found {
  const configured = options.config?.settings.globals.status_server;
  if (options.url !== undefined) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      return { usage: `--url ${options.url} is not a URL (e.g. http://127.0.0.1:8686)` };
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return { usage: `--url must start with http:// or https://, not ${url.protocol}//` };
    return { target: { url, token: options.token ?? configured?.token } };
  }
  if (!options.config) return { usage: 'give --config FILE (it names the status server) or --url URL (e.g. http://127.0.0.1:8686)' };
  const file = options.config.path;
  if (!configured) return { why: `No status server configured in ${file} (globals.status_server), so the running collector cannot be asked` };
  if (configured.port === 0) {
    return {
      why: `globals.status_server.listen in ${file} uses port 0 (any free port), so its port cannot be known from the configuration: give --url with the address the collector logged ("Status server listening on ...")`,
    };
  }
  // A server listening on every address is asked on this machine's loopback.
  const host = configured.host === '0.0.0.0' ? '127.0.0.1' : configured.host === '::' ? '::1' : configured.host;
  const url = new URL(`${configured.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${configured.port}`);
  return { target: { url, token: options.token ?? configured.token, pinnedCertFile: configured.tls?.cert } };
}

// ---------------------------------------------------------------------------
// The collector's answer

function printDocument(doc: StatusDocument, url: string, nowMs: number, io: CliIo): void {
  const c = doc.collector;
  io.out(`Collector ${clean(c.name)} (Siphon ${clean(c.version)}) at ${url}, started ${clean(c.started_at)} (${humanSince(c.started_at, nowMs) ?? '?'})`);
  if (c.replica !== undefined) io.out(`Replica ${clean(c.replica)} of a cluster: each stream shows the replica that holds it`);
  const withBackfill = doc.streams.some((s) => s.backfill);
  const withOwner = doc.streams.some((s) => s.owner !== undefined);
  table(
    doc.streams.map((s) => [
      `${clean(s.input)}/${clean(s.service)}`,
      clean(s.state),
      `lag ${s.lag_seconds === null ? 'none' : humanDuration(s.lag_seconds)}`,
      `last success ${s.last_success_at ? (humanSince(s.last_success_at, nowMs) ?? clean(s.last_success_at)) : 'never'}`,
      ...(withBackfill ? [backfillText(s)] : []),
      ...(withOwner ? [ownerText(s, nowMs)] : []),
      `last error ${errorText(s.last_error, nowMs)}`,
    ]),
    io,
  );
  table(
    doc.outputs.map((o) => [`output ${clean(o.name)} (${clean(o.type)})`, clean(o.state), `queue ${o.queue_events} events`, `last error ${errorText(o.last_error, nowMs)}`]),
    io,
  );
  io.out(summary(doc.streams));
}

/** Cluster mode: who holds the stream's input and for how long (the database's clock). */
function ownerText(s: StreamStatus, nowMs: number): string {
  if (!s.owner) return 'held by no replica';
  const expiresMs = s.lease_expires_at ? Date.parse(s.lease_expires_at) : Number.NaN;
  if (Number.isNaN(expiresMs)) return `held by ${clean(s.owner)}`;
  const left = Math.round((expiresMs - nowMs) / 1000);
  return `held by ${clean(s.owner)}, lease ${left >= 0 ? `expires in ${humanDuration(left)}` : `expired ${humanDuration(-left)} ago`}`;
}

function backfillText(s: StreamStatus): string {
  if (!s.backfill) return 'back-fill -';
  const eta = s.backfill.eta_seconds === undefined ? '' : ` (ETA ${humanDuration(s.backfill.eta_seconds)})`;
  return `back-fill ${s.backfill.percent.toFixed(1)} %${eta}`;
}

function errorText(error: ErrorSummary | null, nowMs: number): string {
  if (!error) return 'none';
  const message = clean(error.message);
  const cut = message.length > MAX_MESSAGE_CHARS ? `${message.slice(0, MAX_MESSAGE_CHARS)}…` : message;
  return `[${clean(error.code)}] ${cut} (${humanSince(error.at, nowMs) ?? clean(error.at)})`;
}

/** "3 streams: 2 healthy, 1 failed." */
function summary(streams: readonly StreamStatus[]): string {
  const counts = new Map<string, number>();
  for (const s of streams) counts.set(s.state, (counts.get(s.state) ?? 0) + 1);
  const parts = [...counts].map(([state, n]) => `${n} ${clean(state)}`);
  return `${streams.length} stream(s)${parts.length > 0 ? `: ${parts.join(', ')}` : ''}.`;
}

// ---------------------------------------------------------------------------
// The state store, when no collector answers

async function readCheckpoints(config: SiphonConfig, nowMs: number): Promise<{ where: string; rows: Checkpoint[] } | { where: string; error: string }> {
  const persistence = config.globals.persistence;
  if (persistence.type === 'memory') return { where: 'memory', rows: [] };
  const where = describeStateStore(persistence);
  let store: StateStore;
  try {
    // No lock: the collector may be running (and holding it) after all.
    store = await openStateStore(persistence, { lock: false });
  } catch (err) {
    return { where, error: toSiphonError(err).describe() };
  }
  try {
    const rows: Checkpoint[] = [];
    for (const key of await store.list()) {
      try {
        const state = await store.get(key);
        if (!state) continue;
        const at = Date.parse(state.updated_at);
        rows.push({
          input: key.input,
          service: key.service,
          checkpoint_at: state.updated_at,
          checkpoint_age_seconds: Number.isNaN(at) ? null : Math.max(0, Math.round((nowMs - at) / 1000)),
          newest_event_at: state.newest_event_time === null ? null : new Date(state.newest_event_time).toISOString(),
          events_delivered: state.events_delivered,
        });
      } catch (err) {
        rows.push({ ...key, checkpoint_at: null, checkpoint_age_seconds: null, newest_event_at: null, events_delivered: null, error: toSiphonError(err).describe() });
      }
    }
    return { where, rows };
  } catch (err) {
    return { where, error: toSiphonError(err).describe() };
  } finally {
    await store.close();
  }
}

function printCheckpoints(found: { where: string; rows: Checkpoint[] } | { where: string; error: string }, nowMs: number, io: CliIo): void {
  if (found.where === 'memory') {
    io.out('The configuration keeps state in memory (globals.persistence type memory): without the collector, no checkpoint is known.');
    return;
  }
  if ('error' in found) {
    io.out(`The state store in ${found.where} cannot be read: ${found.error}`);
    return;
  }
  if (found.rows.length === 0) {
    io.out(`The state store in ${found.where} holds no checkpoint yet.`);
    return;
  }
  io.out(`What the state store in ${found.where} knows:`);
  table(
    found.rows.map((r) =>
      r.error !== undefined
        ? [`${r.input}/${r.service}`, `unreadable: ${r.error}`]
        : [
            `${r.input}/${r.service}`,
            `checkpoint ${r.checkpoint_at ?? '?'} (${r.checkpoint_age_seconds === null ? '?' : `${humanDuration(r.checkpoint_age_seconds)} ago`})`,
            `newest event ${r.newest_event_at ?? 'none'}${r.newest_event_at ? ` (${humanSince(r.newest_event_at, nowMs) ?? '?'})` : ''}`,
            `${r.events_delivered ?? 0} events delivered`,
          ],
    ),
    io,
  );
}

// ---------------------------------------------------------------------------

/** Prints rows with their columns aligned (two spaces between). */
function table(rows: string[][], io: CliIo): void {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  for (const row of rows) io.out(row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '));
}

/** Vendor text and names on one line, without control characters (no terminal escape gets through). */
function clean(value: unknown): string {
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  return String(value ?? '').replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').replace(/\s+/g, ' ').trim();
}
