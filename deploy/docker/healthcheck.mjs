// The container's health check: `node healthcheck.mjs URL` exits 0 when the status server answers
// GET URL with a 2xx, 1 otherwise (refused, timed out, any other status). Plain Node, because the
// slim image has neither curl nor wget. The Dockerfile and docker-compose.yml pass the URL.
/* global fetch, AbortSignal */

const url = process.argv[2];
if (!url) {
  console.error('usage: node healthcheck.mjs http://127.0.0.1:8686/health');
  process.exit(1);
}
try {
  // Shorter than the HEALTHCHECK timeout (5 s), so the reason is printed before Docker gives up.
  const response = await fetch(url, { signal: AbortSignal.timeout(4_000) });
  await response.body?.cancel();
  if (!response.ok) console.error(`${url} answered HTTP ${response.status}`);
  process.exit(response.ok ? 0 : 1);
} catch (err) {
  console.error(`${url}: ${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)}`);
  process.exit(1);
}
