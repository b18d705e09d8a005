// Words for values and types in problem messages, in YAML terms (a "list", a "mapping").

/** "a list", "a string"... as the operator wrote it in YAML. Never the value of a string. */
export function yamlTypeOf(value: unknown): string {
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return value === '' ? 'an empty string' : 'a string';
    case 'number':
      return Number.isFinite(value) ? `a number (${value})` : `${value}`;
    case 'boolean':
      return `${value}`;
    case 'object':
      return 'a mapping';
    default:
      return typeof value;
  }
}

/** What zod's `expected` means in YAML terms. */
export function expectedPhrase(expected: string): string {
  switch (expected) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'int':
    case 'bigint':
      return 'a whole number';
    case 'boolean':
      return 'true or false';
    case 'array':
    case 'tuple':
    case 'set':
      return 'a list';
    case 'object':
    case 'record':
    case 'map':
      return 'a mapping';
    case 'null':
      return 'empty';
    default:
      return `a ${expected}`;
  }
}

const MAX_QUOTED = 60;

/** A short primitive as it would be written: "xml", 42, true. Undefined for anything else. */
export function quote(value: unknown): string | undefined {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value !== 'string') return undefined;
  const text = value.length > MAX_QUOTED ? `${value.slice(0, MAX_QUOTED)}...` : value;
  return JSON.stringify(text);
}

/** "a, b or c" */
export function listWords(words: readonly string[], last = 'or'): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} ${last} ${words[words.length - 1] ?? ''}`;
}
