// Vendors that quote a credential back in their refusals: a 401 whose message holds the bearer
// token (as JSON, or as a proxy's plain text that Siphon cuts at 200 characters), LastPass
// errors quoting the request body with the provisioning hash (as FAIL JSON, or in a web tier's
// HTML page that Siphon cuts at 160 characters). Through the CLI, neither `siphon check` nor
// `siphon run --once` prints the secret, nor any 12 characters of it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startOnePasswordSimulator, type OnePasswordSimulator } from '../../src/simulators/onepassword/index.js';
import { startLastPassSimulator, type LastPassSimulator } from '../../src/simulators/lastpass/index.js';
import { fileCollectorYaml, runSiphon, tempDir, writeConfig, type CliResult } from './harness.js';

/** Fails when `printed` holds `secret` or any run of 12 of its characters. */
function assertNoPiece(printed: string, secret: string, what: string): void {
  for (let i = 0; i + 12 <= secret.length; i++) {
    const piece = secret.slice(i, i + 12);
    assert.ok(!printed.includes(piece), `${what} prints characters ${i}..${i + 11} of the secret: …${printed.slice(Math.max(0, printed.indexOf(piece) - 60), printed.indexOf(piece) + 40)}…`);
  }
}

const everything = (r: CliResult): string => `${r.stdout}\n${r.stderr}`;

async function checkAndRun(yaml: string, env: Record<string, string>): Promise<{ check: CliResult; run: CliResult }> {
  const dir = await tempDir('siphon-e2e-quotes-');
  const config = await writeConfig(dir, yaml);
  const check = await runSiphon(['check', '--config', config], env);
  const run = await runSiphon(['run', '--config', config, '--once'], env);
  return { check, run };
}

describe('a 1Password API (or a proxy) that quotes the refused token', () => {
  async function withRefusingSimulator(body: (sim: OnePasswordSimulator, token: string) => Promise<void>): Promise<void> {
    const sim = await startOnePasswordSimulator({ initialEvents: { auditevents: 10, itemusages: 10, signinattempts: 10 } });
    try {
      const token = sim.tokens[0]!;
      sim.faults.revokeToken(token);
      sim.faults.quoteTokenInRefusals(true);
      await body(sim, token);
    } finally {
      await sim.close();
    }
  }

  const yaml = (sim: OnePasswordSimulator): string =>
    fileCollectorYaml(
      'e2e-quotes',
      `  onepassword:
    id: 10001
    base_url: ${sim.url}
    credentials:
      token: \${env:OP_EVENTS_TOKEN}
    http: {max_retries: 1, backoff_base_seconds: 0.05, backoff_max_seconds: 0.2}
    services:
      audit: {}
`,
    );

  for (const shape of ['Error', 'text'] as const) {
    test(`${shape === 'Error' ? 'a JSON message' : 'a plain-text body longer than the quoted excerpt'}: check and run --once print no piece of the token`, async () => {
      await withRefusingSimulator(async (sim, token) => {
        assert.ok(token.length > 200, 'the token is long enough for the excerpt to cut through it');
        sim.faults.errorShape(shape);
        const { check, run } = await checkAndRun(yaml(sim), { OP_EVENTS_TOKEN: token });
        assertNoPiece(everything(run), token, 'siphon run --once');
        assertNoPiece(everything(check), token, 'siphon check');
        assert.equal(check.code, 3, everything(check));
        assert.match(check.stdout, /^FAIL {2}input onepassword \(onepassword\): \[SetupError 100\] The 1Password token was rejected .*the bearer token \[REDACTED\]/m);
        assert.equal(run.code, 3, everything(run));
        assert.match(run.stderr, /ERROR .*The 1Password token was rejected .*the bearer token \[REDACTED\]/);
      });
    });
  }
});

describe('a LastPass API (or its web tier) that quotes the request, provisioning hash included', () => {
  const HASH = '6a1f9c3e8b2d7f4a0c5e9b1d3f7a2c8e4b6d0f9a1c3e5b7d9f2a4c6e8b0d2f4a';

  async function withQuotingSimulator(body: (sim: LastPassSimulator) => Promise<void>): Promise<void> {
    const now = Date.now();
    const sim = await startLastPassSimulator({ companyId: 8771234, provisioningHash: HASH, history: [{ from: now - 3_600_000, to: now - 60_000, count: 20 }] });
    try {
      sim.faults.quoteRequestInErrors(true);
      await body(sim);
    } finally {
      await sim.close();
    }
  }

  const yaml = (sim: LastPassSimulator): string =>
    fileCollectorYaml(
      'e2e-quotes',
      `  lastpass:
    id: 10002
    override_api_base_url: ${sim.url}
    credentials: {company_id: ${sim.companyId}, provisioning_hash: "\${env:LASTPASS_PROVISIONING_HASH}"}
    http: {max_retries: 1, backoff_base_seconds: 0.05, backoff_max_seconds: 0.2}
    services:
      reporting: {start_time_in_utc: "${new Date(Date.now() - 7_200_000).toISOString().slice(0, 19).replace('T', ' ')}", time_zone: ${sim.timeZone}, lag_in_seconds: 0}
`,
    );

  test('"Authorization Error" quoting the request: check and run --once print no piece of the hash', async () => {
    await withQuotingSimulator(async (sim) => {
      sim.faults.revokeCredentials(); // the configured HASH is refused from now on, and quoted back
      const { check, run } = await checkAndRun(yaml(sim), { LASTPASS_PROVISIONING_HASH: HASH });
      assertNoPiece(everything(run), HASH, 'siphon run --once');
      assertNoPiece(everything(check), HASH, 'siphon check');
      assert.equal(check.code, 3, everything(check));
      assert.match(check.stdout, /^FAIL {2}input lastpass \(lastpass\): .*Authorization Error.*"provhash":"\[REDACTED\]"/m);
      assert.equal(run.code, 3, everything(run));
    });
  });

  test('an HTML error page quoting the request, cut in the middle of the hash: check and run --once print no piece of it', async () => {
    await withQuotingSimulator(async (sim) => {
      // The quoted request starts about 130 characters into the page's text: the excerpt's
      // 160-character cut falls inside the hash.
      sim.faults.serverErrorNext(1_000, 502);
      const { check, run } = await checkAndRun(yaml(sim), { LASTPASS_PROVISIONING_HASH: HASH });
      assertNoPiece(everything(run), HASH, 'siphon run --once');
      assertNoPiece(everything(check), HASH, 'siphon check');
      assert.equal(check.code, 3, everything(check));
      assert.match(check.stdout, /^FAIL {2}input lastpass \(lastpass\): .*HTTP 502.*Request: \{"cid":8771234,"provhash":"\[REDACTED\]/m);
      assert.notEqual(run.code, 0, everything(run));
      assert.match(run.stderr, /HTTP 502.*"provhash":"\[REDACTED\]/);
    });
  });
});
