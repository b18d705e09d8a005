// Secret redaction: the last line of defence before anything is written out.
// Every secret value the configuration resolved is registered here; any text that
// leaves the process (log lines, what a command prints) goes through `redact()`.

/** What a hidden secret, or a hidden piece of one, is replaced with. */
export const REDACTED = '[REDACTED]';

/** Shorter values are not registered: they would hide ordinary words. */
const MIN_SECRET_LENGTH = 4;

/**
 * A secret's first characters are hidden wherever they appear once this many of them
 * appear together. Texts get cut (by a vendor echoing a request, by an excerpt), and a cut
 * leaves a prefix that whole-value matching misses. Twelve characters of a random token
 * never occur in ordinary text by chance, while shorter runs might: eight would already
 * catch "https://" whenever a URL is kept as a secret. What this lets through, a prefix of
 * at most 11 characters not at a cut, leaves a token's remaining characters unknown.
 */
const PREFIX_ANYWHERE = 12;

/**
 * Where a text was visibly cut (it ends there, or an ellipsis follows), a secret's first
 * characters are hidden from this many on: a cut right inside a secret is the usual way a
 * prefix escapes, and text that happens to stop exactly on six characters of a secret is
 * rare enough to hide without regret.
 */
const PREFIX_AT_CUT = 6;

/** "…" or "..." (possibly after spaces): the mark of a cut text. */
const ELLIPSIS = /^\s*(…|\.\.\.)/;

export class Redactor {
  private readonly secrets = new Set<string>();
  /** Each secret's first PREFIX_AT_CUT characters (or the whole of a shorter one), to the secrets that start so. */
  private byHead = new Map<string, string[]>();
  private pattern: RegExp | undefined;

  add(...values: Array<string | undefined>): void {
    let changed = false;
    for (const value of values) {
      if (value === undefined || value.length < MIN_SECRET_LENGTH || this.secrets.has(value)) continue;
      // Also hide the forms a secret takes on the wire.
      for (const form of [value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)]) this.secrets.add(form);
      changed = true;
    }
    if (changed) this.pattern = undefined;
  }

  get size(): number {
    return this.secrets.size;
  }

  /** The text with every secret, and every long enough piece of a secret's start, replaced by [REDACTED]. */
  redact(text: string): string {
    if (this.secrets.size === 0) return text;
    const pattern = this.compile();
    pattern.lastIndex = 0;
    let out = '';
    let copied = 0;
    for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
      const start = match.index;
      const end = this.hiddenEnd(text, start, match[0]);
      if (end === undefined) {
        // Not long enough here; another secret's start may begin inside this one.
        pattern.lastIndex = start + 1;
        continue;
      }
      out += text.slice(copied, start) + REDACTED;
      copied = end;
      pattern.lastIndex = end;
    }
    return copied === 0 ? text : out + text.slice(copied);
  }

  /** Where the hidden span that starts at `start` ends, or undefined when what matches there may stay. */
  private hiddenEnd(text: string, start: number, head: string): number | undefined {
    let best: number | undefined;
    // Shorter secrets are their own heads: one of them may start where a longer head matched.
    const candidates: string[] = [];
    for (let k = head.length; k >= MIN_SECRET_LENGTH; k--) candidates.push(...(this.byHead.get(head.slice(0, k)) ?? []));
    for (const secret of candidates) {
      const length = commonPrefixLength(text, start, secret);
      const end = start + length;
      const hide = length === secret.length || length >= PREFIX_ANYWHERE || (length >= PREFIX_AT_CUT && isCut(text, end));
      if (hide && (best === undefined || end > best)) best = end;
    }
    return best;
  }

  private compile(): RegExp {
    if (this.pattern) return this.pattern;
    const byHead = new Map<string, string[]>();
    for (const secret of this.secrets) {
      const head = secret.slice(0, PREFIX_AT_CUT);
      const list = byHead.get(head);
      if (list) list.push(secret);
      else byHead.set(head, [secret]);
    }
    this.byHead = byHead;
    this.pattern = new RegExp(
      [...byHead.keys()]
        .sort((a, b) => b.length - a.length)
        .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('|'),
      'g',
    );
    return this.pattern;
  }
}

function commonPrefixLength(text: string, start: number, secret: string): number {
  let n = 0;
  while (n < secret.length && start + n < text.length && text.charCodeAt(start + n) === secret.charCodeAt(n)) n++;
  return n;
}

function isCut(text: string, at: number): boolean {
  return at === text.length || ELLIPSIS.test(text.slice(at, at + 8));
}

/** Bearer tokens and Authorization headers, even ones never registered. */
export function redactAuthHeaders(text: string): string {
  return text.replace(/(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g, '$1 [REDACTED]');
}

/** Registered secrets and bearer/basic credentials hidden: what every printed or logged line goes through. */
export function redactAll(text: string, redactor: Redactor): string {
  return redactAuthHeaders(redactor.redact(text));
}

export interface ExcerptOptions {
  /** Longest excerpt, in characters, before the ellipsis. */
  readonly maxChars: number;
  /** Drop HTML tags (an error page from a web tier). */
  readonly stripMarkup?: boolean;
}

/**
 * A short, single-line view of text from outside (a vendor's answer, a receiver's body) for
 * a message. Redacted first and cut afterwards, so that a cut can never leave the start of a
 * secret that redaction would no longer recognise; a cut never splits a [REDACTED] mark.
 */
export function excerpt(text: string, redactor: Redactor, options: ExcerptOptions): string {
  let line = redactAll(text, redactor);
  if (options.stripMarkup) line = line.replace(/<[^>]*>/g, ' ');
  line = line.replace(/\s+/g, ' ').trim();
  if (line.length <= options.maxChars) return line;
  let cut = options.maxChars;
  const mark = line.lastIndexOf(REDACTED, cut);
  if (mark !== -1 && mark + REDACTED.length > cut) cut = mark;
  // Nor a character written as two UTF-16 units.
  if (cut > 0 && /[\uD800-\uDBFF]/.test(line.charAt(cut - 1))) cut -= 1;
  return `${line.slice(0, cut)}…`;
}
