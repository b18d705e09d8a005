// The telemetry pieces core tests give the runner, lanes and HTTP client: real ones, logging
// through the test's logger, without Prometheus metrics.
import type { Clock, Logger } from '../../src/core/contracts.js';
import { systemClock } from '../../src/core/time.js';
import { InputTelemetry } from '../../src/telemetry/input-telemetry.js';
import { OutputTelemetry } from '../../src/telemetry/output-telemetry.js';
import { StreamTelemetry } from '../../src/telemetry/stream-telemetry.js';

export function streamEvents(logger: Logger, clock: Clock = systemClock, service = 'svc'): StreamTelemetry {
  const info = { input: 'in', service, type: 'test', tag: 'test.tag', periodSeconds: 1, alarmSeconds: 0, startMs: null };
  return new StreamTelemetry(info, logger, clock, undefined, clock.now());
}

export function outputEvents(name: string, type: string, logger: Logger, clock: Clock = systemClock): OutputTelemetry {
  return new OutputTelemetry(name, type, logger, undefined, () => clock.now());
}

export function inputEvents(logger: Logger): InputTelemetry {
  return new InputTelemetry('in', logger, undefined);
}
