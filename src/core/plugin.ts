// A vendor's plug-in record: everything Siphon knows of one vendor, from one folder.
// The record itself is cheap (a name and two loaders): `siphon run`/`check` load a vendor's
// connector only when the configuration names it, and `siphon demo`, `siphon simulate`, the
// conformance suite and the bench load its simulator kit. The list of records is src/app/vendors.ts.

import type { Connector } from './connector.js';

export interface VendorPlugin {
  /** The input `type` that picks this vendor: its connector's `type`. */
  readonly type: string;
  /**
   * The connector (its settings schema, its API code), loaded only when a configuration names
   * the vendor: a collector does not hold the code of vendors it does not read.
   */
  connector(): Promise<Connector>;
  /** The simulator kit, loaded only when asked for: `siphon run` never loads simulator code. */
  simulator(): Promise<SimulatorKit>;
  /** The vendor's page (settings, services, tags), relative to the repository: `docs/vendors/<type>.md`. */
  readonly docs: string;
}

/** How to start a vendor's simulator and what the demo, the tests and the bench need of it. */
export interface SimulatorKit {
  /** `siphon simulate <name>` and the demo's input name. */
  readonly name: string;
  /** The vendor's product, for the demo's banner ("LastPass"). */
  readonly displayName: string;
  start(options: SimulatorOptions): Promise<SimulatedVendor>;
  readonly conformance: ConformanceSetup;
  readonly bench: BenchSetup;
}

export interface SimulatorOptions {
  /** 0 or absent: any free port. */
  port?: number;
  /** The one credential `siphon simulate --token` sets (a token, a secret, a hash); default: generated. */
  secret?: string;
  /** Events each stream holds at the start (default: the simulator's own history). */
  events?: number;
  /** How far back those events reach, ending now (default: the simulator's own). */
  historyMs?: number;
  /** New events per second while running (0: none). */
  liveEventsPerSecond?: number;
  /** false: the simulator enforces no rate limit (the bench). */
  rateLimit?: boolean;
}

export interface SimulatedVendor {
  readonly url: string;
  readonly port: number;
  /** `siphon simulate`'s JSON line: where it listens and the credentials it accepts. */
  readonly description: Record<string, unknown>;
  /** `siphon simulate`'s line for people. */
  readonly banner: string;
  /** One entry of `inputs:` reading this simulator (YAML indented by two spaces); secrets as `${env:NAME}`. */
  inputYaml(block: InputBlock): string;
  /** The `${env:NAME}` values `inputYaml` refers to. */
  readonly env: Readonly<Record<string, string>>;
  /** Credential values that must never appear in an output, a log line or a state file. */
  readonly secrets: readonly string[];
  /** Per stream, the dedup keys of every event the vendor holds, in delivery order. */
  expectedKeys(): Map<string, string[]>;
  /** The dedup key of a delivered event, comparable with `expectedKeys`. */
  keyOf(stream: string, event: Record<string, unknown>): string;
  /** New events arrive (some late, where the vendor has late events). */
  addEvents(): void;
  /** Every response waits `ms` first (0: off). */
  slowResponses(ms: number): void;
  /** The next `n` API requests are refused as over the rate limit, with a retry in about 1 s. */
  rateLimitNext(n: number): void;
  /** When the vendor received API requests (ms since the epoch). */
  requestTimes(): number[];
  /** The configured credentials stop working. */
  revokeCredentials(): void;
  /** Back to no fault. */
  resetFaults(): void;
  /** The bench baseline's arguments (before the destination's). */
  baselineArgs(): string[];
  close(): Promise<void>;
}

/** What an `inputs:` entry for a simulator says. */
export interface InputBlock {
  /** The key under `inputs:`. */
  readonly name: string;
  readonly id?: number;
  /** Where every stream starts (ms since the epoch). */
  readonly startMs: number;
  /** Events per request, where the vendor has a page size. */
  readonly pageSize?: number;
  /** Requests per minute; false: rate limiting off; absent: the connector's default. */
  readonly rateLimit?: number | false;
  readonly requestPeriodSeconds?: number;
  readonly lagSeconds?: number;
  /** Short HTTP back-off (tests: a retry must not take seconds). */
  readonly fastRetries?: boolean;
  /** The demo: add the vendor's showcase settings (an obfuscation rule). */
  readonly showcase?: boolean;
  /** Only these streams (default: every stream). */
  readonly streams?: readonly string[];
}

/** The shared conformance suite's view of a vendor. */
export interface ConformanceSetup {
  /** A simulator holding several pages of `pageSize` events per stream. */
  start(): Promise<SimulatedVendor>;
  readonly pageSize: number;
  /** How far back the setup's events reach (the suite starts its streams an hour before). */
  readonly historyMs: number;
  /** What a run with revoked credentials prints. */
  readonly revokedMessage: RegExp;
  /**
   * How delivered events compare with the vendor's: 'exact' in order; 'unordered' as a set
   * (the vendor serves a window newest first, or late events land before delivered ones);
   * 'content' as a set of content keys numbered among identical events (no event ids).
   */
  readonly order: 'exact' | 'unordered' | 'content';
}

/** The vendor's bench case: the same events pulled by Siphon and by a bare-minimum client. */
export interface BenchSetup {
  /** The table's title for `events` events. */
  title(events: number): string;
  /** A simulator holding `events` events (rate limit off). */
  start(events: number): Promise<SimulatedVendor>;
  /** The Siphon input for the bench (the simulator's block with these options). */
  readonly input: Omit<InputBlock, 'name'>;
  /** The bare-minimum client's script: `new URL('./baseline.js', import.meta.url)`; its arguments are `baselineArgs()` then the output file. */
  readonly baseline: URL;
}
