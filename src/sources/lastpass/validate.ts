// The LastPass integrator's "Validate" button, as setup and `siphon check` use it: one
// reporting request over the last few minutes; the credentials work, or the reason why not.

import { SiphonError } from '../../core/errors.js';
import { formatWallTime, type WallClockZone } from './zoned-time.js';
import { CredentialsRejectedError, type LastPassApi } from './api.js';

const VALIDATE_WINDOW_MS = 5 * 60_000;

/** Throws SetupError 102 with the Devo collector's sentence; rejected credentials are permanent. */
export async function validateAccess(api: LastPassApi, zone: WallClockZone, nowMs: number, signal: AbortSignal, details: Record<string, unknown>): Promise<void> {
  const to = zone.settledWall(nowMs);
  try {
    await api.reporting({ from: formatWallTime(to - VALIDATE_WINDOW_MS), to: formatWallTime(to) }, signal);
  } catch (err) {
    if (signal.aborted) throw err;
    const reason = err instanceof SiphonError ? err.message : String(err);
    throw new SiphonError('SETUP_NOT_PULLABLE', `Failed to fetch data from ${api.endpoint}. Source is not pullable. ${reason}`, details, {
      permanent: err instanceof CredentialsRejectedError,
      cause: err,
    });
  }
}
