// Settings of the syslog output. Every setting is optional in the file so that one which
// does not apply to the chosen protocol (a `ca` with protocol tcp, a `framing` with udp)
// is reported instead of silently ignored; the defaults are filled in afterwards.

import { hostname as osHostname } from 'node:os';
import { z } from 'zod';
import { codeParams, nonEmptyString } from '../../config/fields.js';

/** Facility codes of RFC 5424 (6.2.1). 13-15 (log audit, log alert, clock) are left out: their names differ between systems. */
const FACILITIES = {
  kern: 0,
  user: 1,
  mail: 2,
  daemon: 3,
  auth: 4,
  syslog: 5,
  lpr: 6,
  news: 7,
  uucp: 8,
  cron: 9,
  authpriv: 10,
  ftp: 11,
  ntp: 12,
  local0: 16,
  local1: 17,
  local2: 18,
  local3: 19,
  local4: 20,
  local5: 21,
  local6: 22,
  local7: 23,
} as const;

const SEVERITIES = { emerg: 0, alert: 1, crit: 2, err: 3, warning: 4, notice: 5, info: 6, debug: 7 } as const;

export type Facility = keyof typeof FACILITIES;
export type Severity = keyof typeof SEVERITIES;

/** The largest UDP payload over IPv4 (65535 - 8 UDP header - 20 IP header). */
const UDP_MAX_PAYLOAD = 65_507;
/**
 * rsyslog's default maxMessageSize: 8096 bytes (its docs say "8k"; a longer datagram is cut
 * there, measured with rsyslog 8.2302), so by default the output cuts first, cleanly and counted.
 */
export const DEFAULT_UDP_MAX_MESSAGE = 8_096;
/** RFC 5424 6.1: every receiver must accept messages of 480 octets. */
const UDP_MIN_MESSAGE = 480;

const enumKeys = <T extends Record<string, number>>(table: T) => Object.keys(table) as [keyof T & string, ...Array<keyof T & string>];

/** HOSTNAME of RFC 5424: 1-255 printable US-ASCII characters, no spaces. */
const hostnameField = nonEmptyString().regex(/^[\x21-\x7e]{1,255}$/, { message: 'must be 1 to 255 printable ASCII characters without spaces' });

/** A fixed APP-NAME must fit both formats: RFC 5424's 48 printable characters, and no `:` or `[`, which end an RFC 3164 TAG. */
const appNameField = nonEmptyString().regex(/^[\x21-\x39\x3b-\x5a\x5c-\x7e]{1,48}$/, {
  message: 'must be 1 to 48 printable ASCII characters, without spaces, `:` or `[`',
});

const seconds = (max: number) => z.number().positive().max(max);

const fileSchema = z
  .object({
    address: nonEmptyString(),
    /** Default: 514 for tcp and udp, 6514 for tls (RFC 5425). */
    port: z.number().int().min(1).max(65_535).optional(),
    protocol: z.enum(['tcp', 'tls', 'udp']).default('tcp'),
    format: z.enum(['rfc5424', 'rfc3164']).default('rfc5424'),
    framing: z.enum(['octet-counting', 'newline']).optional(),
    facility: z.enum(enumKeys(FACILITIES)).default('user'),
    severity: z.enum(enumKeys(SEVERITIES)).default('info'),
    hostname: hostnameField.optional(),
    /** Default: the record's Devo tag (RFC 5424 APP-NAME, RFC 3164 TAG). */
    app_name: appNameField.optional(),
    ca: nonEmptyString().optional(),
    cert: nonEmptyString().optional(),
    key: nonEmptyString().optional(),
    verify_hostname: z.boolean().optional(),
    tls_min_version: z.enum(['TLSv1.2', 'TLSv1.3']).optional(),
    ack: z.enum(['close', 'drain']).optional(),
    connect_timeout_seconds: seconds(600).optional(),
    idle_timeout_seconds: seconds(86_400).optional(),
    max_connection_age_seconds: seconds(7 * 86_400).optional(),
    close_timeout_seconds: seconds(600).optional(),
    udp_max_message_bytes: z.number().int().min(UDP_MIN_MESSAGE).max(UDP_MAX_PAYLOAD).optional(),
  })
  .strict();

type FileSettings = z.infer<typeof fileSchema>;
type Protocol = FileSettings['protocol'];

/** Which protocols each protocol-specific setting applies to. */
const APPLIES_TO: ReadonlyArray<[keyof FileSettings, readonly Protocol[]]> = [
  ['framing', ['tcp', 'tls']],
  ['ack', ['tcp', 'tls']],
  ['connect_timeout_seconds', ['tcp', 'tls']],
  ['idle_timeout_seconds', ['tcp', 'tls']],
  ['max_connection_age_seconds', ['tcp', 'tls']],
  ['close_timeout_seconds', ['tcp', 'tls']],
  ['ca', ['tls']],
  ['cert', ['tls']],
  ['key', ['tls']],
  ['verify_hostname', ['tls']],
  ['tls_min_version', ['tls']],
  ['udp_max_message_bytes', ['udp']],
];

export const syslogOutputSchema = fileSchema
  .superRefine((s, ctx) => {
    for (const [setting, protocols] of APPLIES_TO) {
      if (s[setting] !== undefined && !protocols.includes(s.protocol)) {
        ctx.addIssue({
          code: 'custom',
          path: [setting],
          message: `applies to protocol ${protocols.join(' and ')} only, and protocol is ${s.protocol}: remove it or change the protocol`,
          params: codeParams('CONFIG_INVALID_VALUE'),
        });
      }
    }
    // A certificate without its key (or the reverse) cannot authenticate: say which one is missing.
    if (s.cert !== undefined && s.key === undefined) {
      ctx.addIssue({ code: 'custom', path: ['key'], message: '`cert` is set but `key` is not: the client certificate needs its private key', params: codeParams('CONFIG_MISSING') });
    }
    if (s.key !== undefined && s.cert === undefined) {
      ctx.addIssue({ code: 'custom', path: ['cert'], message: '`key` is set but `cert` is not: the private key needs its client certificate', params: codeParams('CONFIG_MISSING') });
    }
  })
  .transform((s) => ({
    address: s.address,
    protocol: s.protocol,
    port: s.port ?? (s.protocol === 'tls' ? 6514 : 514),
    format: s.format,
    framing: s.framing ?? ('octet-counting' as const),
    facility: s.facility,
    severity: s.severity,
    hostname: s.hostname ?? defaultHostname(),
    app_name: s.app_name,
    ca: s.ca,
    cert: s.cert,
    key: s.key,
    verify_hostname: s.verify_hostname ?? true,
    tls_min_version: s.tls_min_version ?? ('TLSv1.2' as const),
    ack: s.ack ?? ('close' as const),
    connect_timeout_seconds: s.connect_timeout_seconds ?? 10,
    idle_timeout_seconds: s.idle_timeout_seconds ?? 30,
    max_connection_age_seconds: s.max_connection_age_seconds ?? 3_600,
    close_timeout_seconds: s.close_timeout_seconds ?? 10,
    udp_max_message_bytes: s.udp_max_message_bytes ?? DEFAULT_UDP_MAX_MESSAGE,
  }));

export type SyslogOutputSettings = z.output<typeof syslogOutputSchema>;

/** This machine's name as a HOSTNAME field: printable ASCII only, never empty. */
function defaultHostname(): string {
  const name = osHostname().replace(/[^\x21-\x7e]/g, '').slice(0, 255);
  return name.length > 0 ? name : 'localhost';
}

/** PRI = facility * 8 + severity (RFC 5424 6.2.1). */
export function priority(facility: Facility, severity: Severity): number {
  return FACILITIES[facility] * 8 + SEVERITIES[severity];
}
