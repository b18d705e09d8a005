// Public surface of the HTTP module.
export { createHttpClient, defaultClassify, type ClosableHttpClient, type HttpClientOptions } from './client.js';
export { RateBudget, type RateBudgetSnapshot, type RateWindow } from './rate-budget.js';
export { createRateBudget, rateWindowsFor } from './budget-from-settings.js';
export { parseRetryAfterMs } from './retry-after.js';
