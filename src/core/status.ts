// Live status of each stream, for `siphon` health reporting: a stalled or failing stream
// must be loud, never "silently not ingesting".

import type { ErrorCode } from './errors.js';

export interface ServiceStatus {
  input: string;
  service: string;
  phase: 'starting' | 'pulling' | 'waiting' | 'failing' | 'stopped';
  eventsDelivered: number;
  lastCommitAt: string | undefined;
  lastSuccessAt: string | undefined;
  nextRunAt: string | undefined;
  consecutiveErrors: number;
  /** Events delivered since the start whose time was too absurd to move any position. */
  implausibleEventTimes: number;
  /** Events since the start that could not be serialised and were delivered as a stand-in record. */
  unserializableEvents: number;
  lastError: { code: ErrorCode; message: string; at: string } | undefined;
}

export function newServiceStatus(input: string, service: string): ServiceStatus {
  return {
    input,
    service,
    phase: 'starting',
    eventsDelivered: 0,
    lastCommitAt: undefined,
    lastSuccessAt: undefined,
    nextRunAt: undefined,
    consecutiveErrors: 0,
    implausibleEventTimes: 0,
    unserializableEvents: 0,
    lastError: undefined,
  };
}
