// The status page: one self-contained HTML file (inline CSS and script, no external asset, so
// it works offline and behind any proxy). It is a TypeScript constant because the package
// runs from dist/ and tsc copies only what it compiles.
//
// The page holds no data: its script fetches `api/v1/status` (a relative URL, so a path
// prefix or a port-forward keeps working) every 5 seconds and renders it. With a token, the
// script takes it from the URL fragment (`#token=...`: browsers never send the fragment to a
// server, so it appears in no request line and no log) and sends it as a bearer header.
//
// Every piece of data reaches the page through textContent or setAttribute, never as HTML:
// an error message that quotes a vendor's `<script>` is shown, not run. The Content-Security-
// Policy (STATUS_PAGE_CSP) allows exactly this script and this style sheet, by hash, and
// requests to this origin only: a second line of defence.
//
// Rendering stays cheap with many streams: rows are kept by stream and only changed text is
// written; rows are re-appended only when the order changes. The rules for durations follow
// human-time.ts (the CLI's), written again here in browser JavaScript.

import { createHash } from 'node:crypto';

const STYLE = String.raw`
:root { color-scheme: light dark; --bg: #f6f7f9; --fg: #1d1f23; --muted: #5b626c; --line: #d8dce2; --card: #fff; --badge-fg: #fff;
  --ok: #1a7f37; --info: #0b62c4; --warn: #8a5a00; --bad: #c62828; --grey: #6a737d; --orange: #b34700; --purple: #7a3fd0; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #111316; --fg: #e6e8eb; --muted: #9aa1ab; --line: #2d3139; --card: #181b20; --badge-fg: #0d1117;
    --ok: #3fb950; --info: #58a6ff; --warn: #d29922; --bad: #f85149; --grey: #8b949e; --orange: #f0883e; --purple: #bc8cff; }
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; padding: 1rem clamp(.75rem, 3vw, 2rem) 2rem; background: var(--bg); color: var(--fg);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
header { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: flex-end; gap: .25rem 1rem; margin-bottom: 1rem; }
h1 { font-size: 1.4rem; margin: 0; overflow-wrap: anywhere; }
h2 { font-size: 1.1rem; margin: 1.4rem 0 .4rem; }
p { margin: 0; }
.meta, .sub { color: var(--muted); }
.sub { font-size: .85em; }
#banner { border: 1px solid var(--bad); border-left-width: 6px; background: var(--card); padding: .6rem .8rem; border-radius: 6px; margin-bottom: 1rem; overflow-wrap: anywhere; }
#banner strong { color: var(--bad); }
.section-head { display: flex; flex-wrap: wrap; align-items: baseline; justify-content: space-between; gap: .5rem; }
#filter { font: inherit; padding: .3rem .5rem; border: 1px solid var(--line); border-radius: 6px; background: var(--card); color: var(--fg); width: min(100%, 18rem); }
.summary { display: flex; flex-wrap: wrap; gap: .35rem; margin: .3rem 0 .6rem; }
.scroll { overflow-x: auto; }
table { width: 100%; border-collapse: collapse; background: var(--card); border: 1px solid var(--line); }
th, td { text-align: left; vertical-align: top; padding: .45rem .6rem; border-bottom: 1px solid var(--line); overflow-wrap: anywhere; }
th { font-weight: 600; color: var(--muted); font-size: .85em; white-space: nowrap; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.main { font-weight: 600; }
td.error .v { max-width: 30rem; }
.code:empty { display: none; }
.code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85em; margin-right: .35rem; color: var(--bad); }
.badge { display: inline-block; padding: .05rem .55rem; border-radius: 999px; font-size: .8em; font-weight: 600; color: var(--badge-fg); background: var(--grey); white-space: nowrap; }
.s-healthy, .o-healthy { background: var(--ok); }
.s-backfilling { background: var(--info); }
.s-throttled { background: var(--warn); }
.s-degraded { background: var(--orange); }
.s-failed, .o-failing { background: var(--bad); }
.s-stale { background: var(--purple); }
.bar { height: .5rem; background: var(--line); border-radius: 999px; overflow: hidden; min-width: 6rem; margin-top: .3rem; }
.fill { height: 100%; width: 0; background: var(--info); }
.empty { color: var(--muted); padding: .5rem 0; }
footer { margin-top: 1.5rem; font-size: .85em; }
@media (max-width: 760px) {
  table.cards, table.cards tbody, table.cards tr, table.cards td { display: block; width: 100%; }
  table.cards { border: 0; background: none; }
  table.cards thead { display: none; }
  table.cards tr { background: var(--card); border: 1px solid var(--line); border-radius: 8px; margin-bottom: .6rem; padding: .3rem .7rem; }
  table.cards td { display: grid; grid-template-columns: 6.5rem minmax(0, 1fr); gap: .5rem; border: 0; padding: .25rem 0; text-align: left; }
  table.cards td::before { content: attr(data-label); color: var(--muted); font-size: .85em; }
  td.error .v { max-width: none; }
}
`;

const SCRIPT = String.raw`
(function () {
  'use strict';
  var REFRESH_MS = 5000;
  var TIMEOUT_MS = 4000;
  // Worst first: the order rows are listed in.
  var STREAM_STATES = ['failed', 'stale', 'degraded', 'throttled', 'starting', 'backfilling', 'healthy', 'stopped'];
  var OUTPUT_STATES = ['failing', 'stopped', 'healthy'];
  var root = document.documentElement;
  var streamRows = new Map();
  var outputRows = new Map();
  var shownOrder = { streams: '', outputs: '' };
  var lastOkAt = 0;
  var clockSkewMs = 0;
  var timer = 0;

  function byId(id) { return document.getElementById(id); }
  function now() { return Date.now() + clockSkewMs; }
  function setText(el, value) { if (el.textContent !== value) el.textContent = value; }
  function setAttr(el, name, value) { if (el.getAttribute(name) !== value) el.setAttribute(name, value); }
  function known(list, value) { return list.indexOf(value) === -1 ? 'unknown' : value; }
  function oneLine(value) { return String(value == null ? '' : value).replace(/\s+/g, ' ').trim(); }
  function count(n) { return typeof n === 'number' && isFinite(n) ? n.toLocaleString('en-US') : '\u2014'; }

  function duration(seconds) {
    var s = Math.max(0, Math.round(seconds));
    if (s < 60) return s + ' s';
    var m = Math.floor(s / 60);
    if (m < 60) return m + ' min' + (s % 60 ? ' ' + (s % 60) + ' s' : '');
    var h = Math.floor(m / 60);
    if (h < 24) return h + ' h' + (m % 60 ? ' ' + (m % 60) + ' min' : '');
    var d = Math.floor(h / 24);
    return d + ' d' + (h % 24 ? ' ' + (h % 24) + ' h' : '');
  }
  function since(iso) {
    var at = Date.parse(iso);
    if (isNaN(at)) return '\u2014';
    var seconds = (now() - at) / 1000;
    if (Math.abs(seconds) < 1) return 'just now';
    return seconds > 0 ? duration(seconds) + ' ago' : 'in ' + duration(-seconds);
  }

  function ownerText(owner, expiresAt) {
    if (!owner) return 'held by no replica';
    var at = Date.parse(expiresAt);
    if (isNaN(at)) return 'held by ' + oneLine(owner);
    var seconds = (at - now()) / 1000;
    return 'held by ' + oneLine(owner) + ', lease ' + (seconds >= 0 ? 'expires in ' + duration(seconds) : 'expired ' + duration(-seconds) + ' ago');
  }

  // "#token=..." (also among other fragment parameters). Not URLSearchParams: it turns "+" into a space.
  function token() {
    var parts = location.hash.replace(/^#/, '').split('&');
    for (var i = 0; i < parts.length; i++) {
      if (parts[i].indexOf('token=') === 0) {
        try { return decodeURIComponent(parts[i].slice(6)); } catch (e) { return parts[i].slice(6); }
      }
    }
    return '';
  }

  function cell(tr, label, className) {
    var td = document.createElement('td');
    td.setAttribute('data-label', label);
    if (className) td.className = className;
    var v = document.createElement('div');
    v.className = 'v';
    td.appendChild(v);
    tr.appendChild(td);
    return v;
  }
  function part(parent, tag, className) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    parent.appendChild(e);
    return e;
  }

  function errorCell(v) {
    return { code: part(v, 'span', 'code'), msg: part(v, 'span', 'msg'), at: part(v, 'div', 'sub') };
  }
  function showError(v, parts, error) {
    if (!error) {
      setText(parts.code, ''); setText(parts.msg, '\u2014'); setText(parts.at, ''); setAttr(v, 'title', '');
      return;
    }
    setText(parts.code, oneLine(error.code));
    setText(parts.msg, oneLine(error.message));
    setText(parts.at, since(error.at));
    setAttr(v, 'title', oneLine(error.message) + ' (' + oneLine(error.at) + ')');
  }

  function newStreamRow() {
    var tr = document.createElement('tr');
    var r = { tr: tr };
    var name = cell(tr, 'Stream'); r.name = part(name, 'div', 'main'); r.kind = part(name, 'div', 'sub'); r.owner = part(name, 'div', 'sub owner');
    var state = cell(tr, 'State'); r.badge = part(state, 'span', 'badge'); r.message = part(state, 'div', 'sub');
    r.lag = cell(tr, 'Lag', 'num');
    r.success = cell(tr, 'Last success');
    r.errorCell = cell(tr, 'Last error', 'error'); r.error = errorCell(r.errorCell);
    r.delivered = cell(tr, 'Delivered', 'num');
    var backfill = cell(tr, 'Back-fill'); r.backfill = backfill; r.progress = part(backfill, 'div'); r.bar = part(backfill, 'div', 'bar'); r.fill = part(r.bar, 'div', 'fill');
    return r;
  }

  function updateStream(r, s, key) {
    var state = known(STREAM_STATES, s.state);
    setAttr(r.tr, 'data-stream', key);
    setAttr(r.tr, 'data-state', oneLine(s.state));
    setText(r.name, key);
    setText(r.kind, oneLine(s.type) + ' \u00b7 ' + oneLine(s.tag));
    // Cluster mode only: which replica holds the stream, and for how long its lease runs.
    r.owner.hidden = s.owner === undefined;
    setText(r.owner, s.owner === undefined ? '' : ownerText(s.owner, s.lease_expires_at));
    r.badge.className = 'badge s-' + state;
    setText(r.badge, oneLine(s.state));
    setText(r.message, oneLine(s.message));
    setText(r.lag, s.lag_seconds == null ? '\u2014' : duration(s.lag_seconds));
    setText(r.success, s.last_success_at ? since(s.last_success_at) : 'never');
    setAttr(r.success, 'title', oneLine(s.last_success_at));
    showError(r.errorCell, r.error, s.last_error);
    setText(r.delivered, count(s.events_delivered));
    var b = s.backfill;
    if (b && typeof b.percent === 'number') {
      var percent = Math.max(0, Math.min(100, b.percent));
      setText(r.progress, percent.toFixed(1) + ' %' + (typeof b.eta_seconds === 'number' ? ' \u00b7 ETA ' + duration(b.eta_seconds) : ''));
      setAttr(r.backfill, 'title', 'at ' + oneLine(b.position) + ', from ' + oneLine(b.from) + ' to ' + oneLine(b.to));
      r.fill.style.width = percent + '%';
      r.bar.hidden = false;
    } else {
      setText(r.progress, '\u2014');
      setAttr(r.backfill, 'title', '');
      r.bar.hidden = true;
    }
  }

  function newOutputRow() {
    var tr = document.createElement('tr');
    var r = { tr: tr };
    var name = cell(tr, 'Output'); r.name = part(name, 'div', 'main'); r.kind = part(name, 'div', 'sub');
    var state = cell(tr, 'State'); r.badge = part(state, 'span', 'badge');
    r.queue = cell(tr, 'Queue', 'num');
    r.errorCell = cell(tr, 'Last error', 'error'); r.error = errorCell(r.errorCell);
    return r;
  }

  function updateOutput(r, o) {
    setAttr(r.tr, 'data-output', oneLine(o.name));
    setAttr(r.tr, 'data-state', oneLine(o.state));
    setText(r.name, oneLine(o.name));
    setText(r.kind, oneLine(o.type));
    r.badge.className = 'badge o-' + known(OUTPUT_STATES, o.state);
    setText(r.badge, oneLine(o.state));
    setText(r.queue, count(o.queue_events) + ' events');
    showError(r.errorCell, r.error, o.last_error);
  }

  // Brings a table's rows in line with the items: reuses rows by key, re-appends only when the order changed.
  function sync(table, rows, items, keyOf, create, update, which) {
    var tbody = table.tBodies[0];
    var seen = new Set();
    var ordered = [];
    for (var i = 0; i < items.length; i++) {
      var key = keyOf(items[i]);
      if (seen.has(key)) continue;
      seen.add(key);
      var row = rows.get(key);
      if (!row) { row = create(); rows.set(key, row); }
      update(row, items[i], key);
      ordered.push(key);
    }
    rows.forEach(function (row, key) { if (!seen.has(key)) { row.tr.remove(); rows.delete(key); } });
    var order = ordered.join('\n');
    if (order !== shownOrder[which]) {
      var fragment = document.createDocumentFragment();
      for (var j = 0; j < ordered.length; j++) fragment.appendChild(rows.get(ordered[j]).tr);
      tbody.appendChild(fragment);
      shownOrder[which] = order;
    }
  }

  function streamKey(s) { return oneLine(s.input) + '/' + oneLine(s.service); }
  function severity(list, state) { var i = list.indexOf(state); return i === -1 ? -1 : i; }

  function applyFilter() {
    var q = byId('filter').value.trim().toLowerCase();
    streamRows.forEach(function (row, key) {
      row.tr.hidden = q !== '' && (key + ' ' + row.tr.getAttribute('data-state')).toLowerCase().indexOf(q) === -1;
    });
  }

  function render(doc) {
    var collector = doc.collector;
    var streams = doc.streams.slice();
    var outputs = doc.outputs.slice();
    streams.sort(function (a, b) {
      return severity(STREAM_STATES, a.state) - severity(STREAM_STATES, b.state) || (streamKey(a) < streamKey(b) ? -1 : streamKey(a) > streamKey(b) ? 1 : 0);
    });
    outputs.sort(function (a, b) { return severity(OUTPUT_STATES, a.state) - severity(OUTPUT_STATES, b.state); });

    setText(byId('collector'), oneLine(collector.name));
    setText(byId('version'), 'Siphon ' + oneLine(collector.version));
    setText(byId('started'), 'started ' + since(collector.started_at));
    setAttr(byId('started'), 'title', oneLine(collector.started_at));

    var counts = {};
    var problems = 0;
    streams.forEach(function (s) {
      counts[s.state] = (counts[s.state] || 0) + 1;
      if (severity(STREAM_STATES, s.state) <= 3) problems++;
    });
    document.title = (problems ? '(' + problems + ') ' : '') + oneLine(collector.name) + ' \u00b7 Siphon status';
    var summary = byId('summary');
    var fragment = document.createDocumentFragment();
    STREAM_STATES.forEach(function (state) {
      if (!counts[state]) return;
      var badge = document.createElement('span');
      badge.className = 'badge s-' + state;
      badge.textContent = counts[state] + ' ' + state;
      fragment.appendChild(badge);
    });
    summary.replaceChildren(fragment);
    setText(byId('stream-count'), '(' + streams.length + ')');
    root.setAttribute('data-streams', String(streams.length));

    sync(byId('streams'), streamRows, streams, streamKey, newStreamRow, updateStream, 'streams');
    sync(byId('outputs'), outputRows, outputs, function (o) { return oneLine(o.name); }, newOutputRow, updateOutput, 'outputs');
    byId('no-streams').hidden = streams.length > 0;
    byId('no-outputs').hidden = outputs.length > 0;
    applyFilter();
  }

  function Problem(kind, message) { this.kind = kind; this.message = message; }

  function showProblem(problem) {
    root.setAttribute('data-status', problem.kind);
    setText(byId('banner-title'), problem.kind === 'unauthorized' ? 'A token is needed.' : 'Collector not reachable.');
    var shown = lastOkAt ? ' The figures below are from ' + new Date(lastOkAt).toLocaleTimeString() + '.' : '';
    setText(byId('banner-detail'), problem.message + shown);
    byId('banner').hidden = false;
  }

  function overflows() {
    if (root.scrollWidth > root.clientWidth) return true;
    var boxes = document.querySelectorAll('.scroll');
    for (var i = 0; i < boxes.length; i++) if (boxes[i].scrollWidth > boxes[i].clientWidth) return true;
    return false;
  }

  function refresh() {
    clearTimeout(timer);
    var controller = new AbortController();
    var cut = setTimeout(function () { controller.abort(); }, TIMEOUT_MS);
    var headers = { Accept: 'application/json' };
    var bearer = token();
    if (bearer) headers.Authorization = 'Bearer ' + bearer;
    fetch('api/v1/status', { headers: headers, cache: 'no-store', credentials: 'omit', signal: controller.signal })
      .then(function (res) {
        var date = Date.parse(res.headers.get('Date') || '');
        if (!isNaN(date)) clockSkewMs = date - Date.now();
        if (res.status === 401) {
          throw new Problem('unauthorized', bearer
            ? 'The collector refused the token given in this page\'s address.'
            : 'The collector asks for a token: open this page as ' + location.origin + location.pathname + '#token=YOUR_TOKEN (what follows # stays in the browser).');
        }
        if (!res.ok) throw new Problem('unreachable', 'The status server answered HTTP ' + res.status + '.');
        return res.json().catch(function () { throw new Problem('unreachable', 'The status server\'s answer is not JSON.'); });
      })
      .then(function (doc) {
        try { render(doc); } catch (e) { throw new Problem('unreachable', 'The status server\'s answer could not be read.'); }
        lastOkAt = Date.now();
        root.setAttribute('data-status', 'ok');
        byId('banner').hidden = true;
        setText(byId('refreshed'), 'Updated ' + new Date(lastOkAt).toLocaleTimeString());
      })
      .catch(function (e) {
        showProblem(e instanceof Problem ? e : new Problem('unreachable', controller.signal.aborted
          ? 'No answer within ' + TIMEOUT_MS / 1000 + ' s.'
          : 'No answer from ' + location.host + ': is the collector running?'));
        setText(byId('refreshed'), (lastOkAt ? 'Updated ' + new Date(lastOkAt).toLocaleTimeString() + ', ' : '') + 'last tried ' + new Date().toLocaleTimeString());
      })
      .then(function () {
        clearTimeout(cut);
        root.setAttribute('data-refreshed', new Date().toISOString());
        // For tests and the curious: does the page fit its window, without sideways scrolling anywhere?
        root.setAttribute('data-overflow', String(overflows()));
        timer = setTimeout(refresh, REFRESH_MS);
      });
  }

  byId('filter').addEventListener('input', applyFilter);
  window.addEventListener('hashchange', refresh);
  refresh();
})();
`;

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** Only this page's own script and style, requests to its own origin, no frames, forms or plugins. */
export const STATUS_PAGE_CSP = [
  "default-src 'none'",
  `script-src ${sha256(SCRIPT)}`,
  `style-src ${sha256(STYLE)}`,
  "connect-src 'self'",
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const STATUS_PAGE_HTML = `<!doctype html>
<html lang="en" data-status="loading">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Siphon status</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>
<header>
  <div>
    <h1 id="collector">Siphon</h1>
    <p class="meta"><span id="version"></span> <span id="started"></span></p>
  </div>
  <p class="meta" id="refreshed" aria-live="polite">Loading…</p>
</header>
<div id="banner" role="alert" hidden><strong id="banner-title"></strong> <span id="banner-detail"></span></div>
<noscript><p>This page needs JavaScript. The same figures: <code>GET /api/v1/status</code>, or <code>siphon status</code>.</p></noscript>
<main>
<section aria-labelledby="streams-title">
  <div class="section-head">
    <h2 id="streams-title">Streams <span id="stream-count" class="meta"></span></h2>
    <input id="filter" type="search" placeholder="Filter: name or state" aria-label="Filter streams by name or state" autocomplete="off">
  </div>
  <div id="summary" class="summary"></div>
  <div class="scroll">
    <table id="streams" class="cards">
      <thead><tr><th>Stream</th><th>State</th><th class="num">Lag</th><th>Last success</th><th>Last error</th><th class="num">Delivered</th><th>Back-fill</th></tr></thead>
      <tbody></tbody>
    </table>
  </div>
  <p id="no-streams" class="empty" hidden>No streams: no enabled service in the configuration.</p>
</section>
<section aria-labelledby="outputs-title">
  <h2 id="outputs-title">Outputs</h2>
  <div class="scroll">
    <table id="outputs" class="cards">
      <thead><tr><th>Output</th><th>State</th><th class="num">Queue</th><th>Last error</th></tr></thead>
      <tbody></tbody>
    </table>
  </div>
  <p id="no-outputs" class="empty" hidden>No outputs.</p>
</section>
</main>
<footer class="meta">Refreshes every 5 s from <code>api/v1/status</code>. Relative times use the collector's clock; lag is the time since the newest delivered event.</footer>
<script>${SCRIPT}</script>
</body>
</html>
`;
