// Describes a failed request attempt in one short line ("connect ECONNREFUSED 127.0.0.1:1234",
// "Headers Timeout Error"), and tells programming mistakes apart from network trouble.

function codeOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  const code = (err as { code: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

export function describeNetworkError(err: unknown): string {
  // Happy-eyeballs connects fail with an AggregateError whose own message is empty.
  if (err instanceof AggregateError && err.errors.length > 0) {
    const parts = [...new Set(err.errors.map((e) => describeNetworkError(e)))];
    return parts.join('; ');
  }
  if (err instanceof Error) {
    if (err.message !== '') return err.message;
    return codeOf(err) ?? err.name;
  }
  return String(err);
}

/** Errors caused by the request itself (bad argument), which no retry can fix. */
export function isRequestBug(err: unknown): boolean {
  const code = codeOf(err);
  return code === 'UND_ERR_INVALID_ARG' || code === 'UND_ERR_NOT_SUPPORTED' || code === 'ERR_INVALID_ARG_TYPE' || code === 'ERR_INVALID_URL';
}
