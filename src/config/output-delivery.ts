// An output's `delivery` block: how its lane of the delivery queue retries a failed write and
// how many events one write carries. Every output type has it, beside `config`, with defaults.

import { z } from 'zod';
import type { RetryPolicy } from '../core/retry-policy.js';
import { codeParams, positiveInt } from './fields.js';

const retrySchema = z
  .object({
    /** The wait after the first failed write. */
    initial_interval_seconds: z.number().positive().max(3_600).default(1),
    /** No wait is longer. */
    max_interval_seconds: z.number().positive().max(3_600).default(30),
    /** Growth of the wait per failed write (2: doubling). */
    multiplier: z.number().min(1).max(10).default(2),
    /** `run --once`: failed writes of one batch before the run gives up on the output (a cron run must end). */
    max_attempts_once: positiveInt(1_000).default(5),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.max_interval_seconds >= r.initial_interval_seconds) return;
    ctx.addIssue({
      code: 'custom',
      path: ['max_interval_seconds'],
      message: `must be at least \`initial_interval_seconds\` (${r.initial_interval_seconds})`,
      params: codeParams('CONFIG_INVALID_VALUE'),
    });
  });

export const outputDeliverySchema = z
  .object({
    retry: retrySchema.default(retrySchema.parse({})),
    /** Most events one write carries: pages queued for the output are merged into one write up to this. */
    write_max_events: positiveInt(1_000_000).default(5_000),
  })
  .strict();

export type OutputDeliveryConfig = z.infer<typeof outputDeliverySchema>;

export const DEFAULT_OUTPUT_DELIVERY: OutputDeliveryConfig = outputDeliverySchema.parse({});

/** What an output's lane is given (src/core/output-lane.ts). */
export interface OutputDelivery {
  readonly retry: RetryPolicy;
  readonly writeMaxEvents: number;
  readonly onceMaxAttempts: number;
}

export function outputDelivery(config: OutputDeliveryConfig): OutputDelivery {
  const { retry } = config;
  return {
    // One lane per output: nothing to spread out, so the waits are exact (the log line says them).
    retry: { initialMs: retry.initial_interval_seconds * 1000, maxMs: retry.max_interval_seconds * 1000, multiplier: retry.multiplier, jitter: 0 },
    writeMaxEvents: config.write_max_events,
    onceMaxAttempts: retry.max_attempts_once,
  };
}
