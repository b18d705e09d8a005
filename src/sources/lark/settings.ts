// Configuration of a Lark input (Devo collector layout: credentials.app_id and
// credentials.app_secret, one `audit_infos` service).

import { z } from 'zod';
import { codeParams, httpUrl, inputBaseShape, nonEmptyString, positiveInt, secretString, windowedServiceShape, startTime } from '../../config/fields.js';

const LARK_DEFAULT_BASE_URL = 'https://open.larksuite.com';
export const LARK_TAG = 'app.lark.audit.event';

/** The API's limits: a window spans at most 30 days; 180 days are kept. */
export const LARK_MAX_SPAN_MS = 30 * 86_400_000;
export const LARK_RETENTION_MS = 180 * 86_400_000;


const serviceSchema = z
  .object({
    ...windowedServiceShape,
    /** The Devo collector's log shows a pull every 60 seconds. */
    request_period_in_seconds: z.number().min(1).max(86_400).default(60),
    /**
     * Where a new stream starts (UTC). Default: one day before the first start. Changing it
     * resets the state. Errors are numbered as in Devo's Lark collector: 1 format, 2 future.
     */
    initial_start_time_in_utc_value: startTime(Date.now, { badDate: 1, future: 2 }).optional(),
    /** Items per request (the API's page_size, at most 200). */
    page_size: positiveInt(200).default(200),
    /** The ID type of operator_value in the events. */
    user_id_type: z.enum(['open_id', 'union_id', 'user_id']).default('open_id'),
    /** Each window re-reads this much of the previous one, to catch records that arrive late (audit pipelines can take minutes). */
    overlap_in_seconds: z.number().int().min(0).max(86_400).default(600),
  })
  .strict();

export type LarkServiceSettings = z.infer<typeof serviceSchema>;

export const larkSchema = z
  .object({
    ...inputBaseShape,
    /** https://open.larksuite.com, or https://open.feishu.cn for Feishu (an app belongs to one of them). */
    override_api_base_url: httpUrl().default(LARK_DEFAULT_BASE_URL),
    credentials: z.object({ app_id: nonEmptyString(), app_secret: secretString() }).strict(),
    services: z
      .object({ audit_infos: serviceSchema.optional() })
      .strict()
      .default(() => ({ audit_infos: serviceSchema.parse({}) })),
  })
  .strict()
  .superRefine((input, ctx) => {
    const appId = input.credentials.app_id;
    // App ids look like cli_a5f3e1b2c4d6e8f0; a secret pasted here is the usual mistake.
    if (!/^cli_[0-9a-z]+$/i.test(appId)) {
      ctx.addIssue({
        code: 'custom',
        path: ['credentials', 'app_id'],
        message: 'must be the app ID from the developer console (it starts with "cli_")',
        params: codeParams('CONFIG_INVALID_VALUE'),
      });
    }
  });

export type LarkSettings = z.infer<typeof larkSchema>;

export function auditInfosService(settings: LarkSettings): LarkServiceSettings | undefined {
  const service = settings.services.audit_infos;
  return service && service.enabled ? service : undefined;
}
