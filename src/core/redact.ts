// Secret redaction: the last line of defence before anything is written out.
// Every secret value the configuration resolved is registered here; any text that
// leaves the process through the logger goes through `redact()`.

const MIN_SECRET_LENGTH = 4;

export class Redactor {
  private readonly secrets = new Set<string>();
  private pattern: RegExp | undefined;

  add(...values: Array<string | undefined>): void {
    let changed = false;
    for (const value of values) {
      if (value === undefined || value.length < MIN_SECRET_LENGTH || this.secrets.has(value)) continue;
      this.secrets.add(value);
      // Also hide the forms a secret takes on the wire.
      const encoded = encodeURIComponent(value);
      if (encoded !== value) this.secrets.add(encoded);
      const json = JSON.stringify(value).slice(1, -1);
      if (json !== value) this.secrets.add(json);
      changed = true;
    }
    if (changed) this.pattern = undefined;
  }

  get size(): number {
    return this.secrets.size;
  }

  redact(text: string): string {
    if (this.secrets.size === 0) return text;
    this.pattern ??= new RegExp(
      [...this.secrets]
        .sort((a, b) => b.length - a.length)
        .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('|'),
      'g',
    );
    return text.replace(this.pattern, '[REDACTED]');
  }
}

/** Bearer tokens and Authorization headers, even ones never registered. */
export function redactAuthHeaders(text: string): string {
  return text.replace(/(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g, '$1 [REDACTED]');
}
