// Reading Node's system errors without repeating paths or leaking anything else.

/** The errno code ("ENOENT") of a system error, if it is one. */
export function errnoCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

/** "EACCES: permission denied": Node's message without the syscall and path it appends. */
export function describeOsError(err: unknown): string {
  const code = errnoCode(err);
  const message = err instanceof Error ? err.message : String(err);
  const head = message.split(', ')[0] ?? message;
  if (code === undefined) return head;
  return head.startsWith(`${code}:`) ? head : `${code}: ${head}`;
}
