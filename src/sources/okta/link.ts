// Okta's Link headers (RFC 8288): `<url>; rel="self"` and `<url>; rel="next"`, sent as separate
// header lines, which the HTTP client joins with commas. Parsed by the grammar, not by
// position: a comma inside <…> or inside a quoted parameter does not split a link.

/** The target of the first link whose `rel` names `relation`, as written; undefined when none does. */
export function linkTarget(header: string | undefined, relation: string): string | undefined {
  if (header === undefined) return undefined;
  for (const link of splitLinks(header)) {
    const m = /^\s*<([^>]*)>(.*)$/s.exec(link);
    if (!m) continue;
    const rels = relValues(m[2] ?? '');
    if (rels.includes(relation.toLowerCase())) return m[1];
  }
  return undefined;
}

/** Splits at commas outside <…> and outside quotes. */
function splitLinks(header: string): string[] {
  const out: string[] = [];
  let current = '';
  let inTarget = false;
  let inQuotes = false;
  for (const ch of header) {
    if (inQuotes) {
      if (ch === '"') inQuotes = false;
    } else if (inTarget) {
      if (ch === '>') inTarget = false;
    } else if (ch === '<') inTarget = true;
    else if (ch === '"') inQuotes = true;
    else if (ch === ',') {
      out.push(current);
      current = '';
      continue;
    }
    current += ch;
  }
  out.push(current);
  return out;
}

/** The space-separated values of the `rel` parameters (quoted or not), lower-cased. */
function relValues(params: string): string[] {
  const values: string[] = [];
  for (const m of params.matchAll(/;\s*rel\s*=\s*(?:"([^"]*)"|([^;\s]+))/gi)) values.push(...(m[1] ?? m[2] ?? '').toLowerCase().split(/\s+/));
  return values.filter((v) => v !== '');
}
