// Settings of the Devo output, named as Devo's collector configs name them (address, port,
// type, cert, key, chain), plus what Siphon adds: host-name checks, compression, the ack
// mode and the connection timers.

import { hostname as osHostname } from 'node:os';
import { z } from 'zod';
import { codeParams, nonEmptyString } from '../../config/fields.js';

/** Devo's sender compresses a buffer once it grows past this many bytes. */
const DEFAULT_COMPRESSION_BUFFER_BYTES = 19_500;

/** A syslog HOSTNAME field is one token: no spaces, no line breaks. */
const hostnameField = nonEmptyString().regex(/^\S+$/, { message: 'must be one word, without spaces' });

export const devoOutputSchema = z
  .object({
    /** collector-us.devo.io, collector-eu.devo.io, collector-ca.devo.io, collector-ap.devo.io, or a relay. */
    address: nonEmptyString(),
    port: z.number().int().min(1).max(65_535).default(443),
    /** Devo's configs write `SSL` or `TCP`, in any case. */
    type: z.preprocess((v) => (typeof v === 'string' ? v.toUpperCase() : v), z.enum(['SSL', 'TCP'])).default('SSL'),
    /** Client certificate and its key (PEM files); the Devo relay identifies the domain by it. */
    cert: nonEmptyString().optional(),
    key: nonEmptyString().optional(),
    /** CA certificates that sign the relay's certificate (PEM file); absent: the system CAs. */
    chain: nonEmptyString().optional(),
    verify_hostname: z.boolean().default(true),
    tls_min_version: z.enum(['TLSv1.2', 'TLSv1.3']).default('TLSv1.2'),
    /** The HOSTNAME field of every frame. */
    hostname: hostnameField.optional(),
    compression: z.enum(['none', 'gzip']).default('none'),
    compression_buffer_bytes: z.number().int().min(1_024).max(64 * 1024 * 1024).default(DEFAULT_COMPRESSION_BUFFER_BYTES),
    ack: z.enum(['close', 'drain']).default('close'),
    connect_timeout_seconds: z.number().positive().max(600).default(10),
    /** 'drain': Devo's balancers drop idle connections, so one idle this long is replaced. */
    idle_timeout_seconds: z.number().positive().max(86_400).default(30),
    max_connection_age_seconds: z.number().positive().max(7 * 86_400).default(3_600),
    close_timeout_seconds: z.number().positive().max(600).default(10),
  })
  .strict()
  .superRefine((s, ctx) => {
    // A certificate without its key (or the reverse) cannot authenticate: say which one is missing.
    if (s.cert !== undefined && s.key === undefined) {
      ctx.addIssue({ code: 'custom', path: ['key'], message: '`cert` is set but `key` is not: the client certificate needs its private key', params: codeParams('CONFIG_MISSING') });
    }
    if (s.key !== undefined && s.cert === undefined) {
      ctx.addIssue({ code: 'custom', path: ['cert'], message: '`key` is set but `cert` is not: the private key needs its client certificate', params: codeParams('CONFIG_MISSING') });
    }
  });

export type DevoOutputSettings = z.infer<typeof devoOutputSchema>;

/** The HOSTNAME of the frames: the setting, else this machine's name (first word, never empty). */
export function frameHostname(settings: DevoOutputSettings): string {
  if (settings.hostname !== undefined) return settings.hostname;
  const name = osHostname().split(/\s+/)[0] ?? '';
  return name.length > 0 ? name : 'localhost';
}
