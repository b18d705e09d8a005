// POST /__sim/events, the control that adds events, as every simulator reads it: a JSON
// object with "n" (how many) and an optional "late"; some simulators also take "at" (when
// they happen) and fields of their own. A bad body gets 400 with the simulator's usage line.

import { parseJson } from './control-routes.js';
import { jsonResponse, type SimResponse } from './http-server.js';

/** Most events one request may add (keeps a typo from filling memory). */
const MAX_ADD = 1_000_000;

/** The fields every simulator reads, checked. */
export interface AddEventsBody {
  readonly n: number;
  /** "late" and "at" in the form the simulators' addEvents(n, opts) take; "at" only when given and taken. */
  readonly options: { readonly late: boolean; readonly at?: number };
  /** The whole object, for the simulator's own fields. */
  readonly fields: Readonly<Record<string, unknown>>;
}

export interface AddEventsRoute<O> {
  /** The 400 message, e.g. `expected {"n": 0..1000000, "late"?: boolean}`. */
  readonly usage: string;
  /** Whether "at" is read (and checked); otherwise it is ignored like any unknown field. */
  readonly acceptsAt: boolean;
  /** The options for `add` from the checked body; undefined when the simulator's own fields are wrong. */
  readonly options: (body: AddEventsBody) => O | undefined;
  readonly add: (n: number, options: O) => unknown;
  /** How many events the simulator holds after adding (the answer's "total"). */
  readonly total: (options: O) => number;
}

/** Answers {"added": n, "total": …}, or 400 {"error": usage} without adding anything. */
export function handleAddEvents<O>(rawBody: string | undefined, route: AddEventsRoute<O>): SimResponse {
  const body = readAddEventsBody(rawBody, route.acceptsAt);
  const options = body && route.options(body);
  if (body === undefined || options === undefined) return jsonResponse({ error: route.usage }, 400);
  route.add(body.n, options);
  return jsonResponse({ added: body.n, total: route.total(options) });
}

/**
 * POST /__sim/events for a simulator whose addEvents takes "late" and "at" and nothing of
 * its own (Lark, Kiteworks); `total` is how many events it then holds.
 */
export function handleLateOrAtEvents(rawBody: string | undefined, add: (n: number, options: AddEventsBody['options']) => unknown, total: () => number): SimResponse {
  return handleAddEvents(rawBody, { usage: 'expected {"n": 0..1000000, "late"?: boolean, "at"?: ms since the epoch}', acceptsAt: true, options: (b) => b.options, add, total });
}

function readAddEventsBody(rawBody: string | undefined, acceptsAt: boolean): AddEventsBody | undefined {
  const value = parseJson(rawBody)?.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const fields = value as Record<string, unknown>;
  const { n, late } = fields;
  const at = acceptsAt ? fields.at : undefined;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_ADD) return undefined;
  if (!isOptionalBoolean(late)) return undefined;
  if (at !== undefined && (typeof at !== 'number' || !Number.isFinite(at))) return undefined;
  return { n, options: { late: late === true, ...(at === undefined ? {} : { at }) }, fields };
}

export function isOptionalBoolean(value: unknown): value is boolean | undefined {
  return value === undefined || typeof value === 'boolean';
}
