// The configuration file as a YAML document: parsing, plain values, and the line:column
// of any setting path, so every problem can point at the place to fix.

import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { defineKey, formatPath, type PathSegment, type SettingPath } from './path.js';

export interface Position {
  line: number;
  column: number;
}

/** A YAML-level problem (syntax, duplicate key, odd key), before it gets a catalogue code. */
export interface SourceProblem extends Position {
  path: string;
  message: string;
}

/** Called for every string scalar: returns the value to use (secret references resolved). */
export type StringHook = (value: string, path: SettingPath) => unknown;

// Aliases can expand a small file into a huge value ("billion laughs"); a configuration never needs this many nodes.
const MAX_NODES = 100_000;

interface Located {
  /** True when every segment of the path exists. */
  complete: boolean;
  /** The deepest node reached. */
  node: Node | null;
  /** The key node of the deepest mapping entry reached, if the path went through one. */
  key: Node | null;
}

/** Syntax errors reported one by one before the rest are summed up. */
const MAX_SYNTAX_ERRORS = 3;

export class YamlSource {
  private constructor(
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
    private readonly text: string,
    /** Offsets of keys that repeat an earlier key of the same mapping. */
    private readonly duplicateKeyOffsets: readonly number[],
  ) {}

  /**
   * Parses with the YAML 1.2 core schema (timestamps stay strings), duplicate keys as errors.
   * The parser's own duplicate check compares each key with every earlier one (80,000 keys:
   * minutes), so it is off and `findDuplicateKeys` does the same check with one set per mapping.
   */
  static parse(text: string): YamlSource {
    const lines = new LineCounter();
    const doc = parseDocument(text, {
      lineCounter: lines,
      version: '1.2',
      schema: 'core',
      uniqueKeys: false,
      prettyErrors: false,
    });
    return new YamlSource(doc, lines, text, findDuplicateKeys(doc));
  }

  errors(): SourceProblem[] {
    const found = [
      ...this.doc.errors.map((e) => ({ offset: e.pos[0], message: (FRIENDLIER[e.code] ?? plainMessage(e.message)) + this.unquotedReferenceHint(e.pos[0]) })),
      ...this.duplicateKeyOffsets.map((offset) => ({ offset, message: DUPLICATE_KEY })),
    ].sort((a, b) => a.offset - b.offset);
    const all = found.map(({ offset, message }) => ({ path: '', ...this.positionAt(offset), message }));
    if (all.length <= MAX_SYNTAX_ERRORS) return all;
    // One YAML mistake (an unquoted `${...}` in a flow mapping, say) cascades into dozens of
    // errors; past the first few they only hide the cause.
    const rest = all[MAX_SYNTAX_ERRORS]!;
    return [
      ...all.slice(0, MAX_SYNTAX_ERRORS),
      { ...rest, message: `${all.length - MAX_SYNTAX_ERRORS} more YAML error(s) from here on, most likely caused by the ones above` },
    ];
  }

  /** The usual cause of a flow-mapping error in a Devo-style file: `{token: ${env:X}}`. */
  private unquotedReferenceHint(offset: number): string {
    const start = this.text.lastIndexOf('\n', Math.max(0, offset - 1)) + 1;
    const end = this.text.indexOf('\n', offset);
    const line = this.text.slice(start, end === -1 ? undefined : end);
    return /\{[^}]*[:,]\s*\$\{(env|file):/.test(line)
      ? ' (a ${env:...} or ${file:...} reference inside { } must be quoted: token: "${env:NAME}")'
      : '';
  }

  warnings(): SourceProblem[] {
    return this.doc.warnings.map((w) => ({ path: '', ...this.positionAt(w.pos[0]), message: plainMessage(w.message) }));
  }

  /**
   * Where to point for `path`: `at: 'key'` points at the key itself (unknown keys),
   * `at: 'value'` at the value. A path that does not exist (a missing setting) points
   * at the key of its deepest existing parent mapping.
   */
  positionOf(path: SettingPath, at: 'key' | 'value' = 'value'): Position {
    const found = this.locate(path);
    if (found.complete) {
      const node = at === 'key' ? (found.key ?? found.node) : preferValue(found.node, found.key);
      return this.positionOfNode(node);
    }
    return this.positionOfNode(found.key ?? found.node);
  }

  /** True when the file writes this path (possibly with an empty value). */
  has(path: SettingPath): boolean {
    return this.locate(path).complete;
  }

  /** The document as plain objects, arrays and scalars, with every string passed through `onString`. */
  toValue(onString: StringHook): { value: unknown; problems: SourceProblem[] } {
    const problems: SourceProblem[] = [];
    let count = 0;
    const active = new Set<Node>();

    const convert = (raw: unknown, path: PathSegment[]): unknown => {
      if (++count > MAX_NODES) throw new TooLarge();
      const node = this.resolve(raw);
      if (node === null) return null;
      if (active.has(node)) {
        problems.push({ path: formatPath(path), ...this.positionOfNode(node), message: 'an alias refers to one of its own parents' });
        return null;
      }
      if (isScalar(node)) {
        const value = node.value;
        if (typeof value === 'string') return onString(value, path);
        if (value instanceof Date) return onString(value.toISOString(), path);
        if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
        return String(value);
      }
      active.add(node);
      try {
        if (isSeq(node)) return node.items.map((item, i) => convert(item, [...path, i]));
        if (isMap(node)) {
          const out: Record<string, unknown> = {};
          for (const pair of node.items) {
            const key = this.keyText(pair.key);
            if (key === undefined) {
              problems.push({ path: formatPath(path), ...this.positionOfNode(this.resolve(pair.key)), message: 'keys must be plain names, not lists or mappings' });
              continue;
            }
            defineKey(out, key, convert(pair.value, [...path, key]));
          }
          return out;
        }
        return null;
      } finally {
        active.delete(node);
      }
    };

    try {
      return { value: convert(this.doc.contents, []), problems };
    } catch (err) {
      if (!(err instanceof TooLarge)) throw err;
      problems.push({ path: '', line: 1, column: 1, message: `the document expands to more than ${MAX_NODES} values (aliases?)` });
      return { value: null, problems };
    }
  }

  private locate(path: SettingPath): Located {
    let node = this.resolve(this.doc.contents);
    let key: Node | null = null;
    for (const segment of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => this.keyText(p.key) === String(segment));
        if (!pair) return { complete: false, node, key };
        key = this.resolve(pair.key);
        node = this.resolve(pair.value);
      } else if (isSeq(node) && typeof segment === 'number' && segment < node.items.length) {
        node = this.resolve(node.items[segment]);
        key = null;
      } else {
        return { complete: false, node, key };
      }
    }
    return { complete: true, node, key };
  }

  private resolve(raw: unknown): Node | null {
    let node = raw;
    // An alias may point at another alias; the parser rejects cycles among aliases themselves.
    for (let hops = 0; isAlias(node) && hops < 100; hops++) node = node.resolve(this.doc) ?? null;
    return isScalar(node) || isMap(node) || isSeq(node) ? node : null;
  }

  private keyText(raw: unknown): string | undefined {
    const node = this.resolve(raw);
    if (node === null) return raw === null ? '' : undefined;
    if (!isScalar(node)) return undefined;
    return node.value instanceof Date ? node.value.toISOString() : String(node.value);
  }

  private positionOfNode(node: Node | null): Position {
    const offset = node?.range?.[0] ?? this.resolve(this.doc.contents)?.range?.[0] ?? 0;
    return this.positionAt(offset);
  }

  private positionAt(offset: number): Position {
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }
}

class TooLarge extends Error {}

/**
 * Where a mapping repeats a key, as the parser's own check judges keys (scalars by value,
 * anything else by identity), in linear time. Aliases are not followed: the node they name
 * is checked where it is written.
 */
function findDuplicateKeys(doc: Document.Parsed): number[] {
  const offsets: number[] = [];
  const pending: unknown[] = [doc.contents];
  while (pending.length > 0) {
    const node = pending.pop();
    if (isSeq(node)) {
      for (const item of node.items) pending.push(item);
    } else if (isMap(node)) {
      const seen = new Set<unknown>();
      for (const pair of node.items) {
        const key = pair.key;
        const identity = isScalar(key) ? key.value : key;
        if (seen.has(identity)) offsets.push(isScalar(key) || isMap(key) || isSeq(key) ? (key.range?.[0] ?? 0) : 0);
        else seen.add(identity);
        pending.push(key, pair.value);
      }
    }
  }
  return offsets;
}

const DUPLICATE_KEY = 'this key already appears earlier in the same mapping (duplicate keys are not allowed)';

/** Parser messages that read better in the words of a configuration file. */
const FRIENDLIER: Partial<Record<string, string>> = {
  DUPLICATE_KEY,
  MULTIPLE_DOCS: 'the file holds more than one YAML document (a second `---`); put everything in one',
};

/** An empty value (`key:` with nothing after it) has no useful position of its own: use the key's. */
function preferValue(value: Node | null, key: Node | null): Node | null {
  if (value === null) return key;
  if (isScalar(value) && value.value === null && key !== null) return key;
  return value;
}

/** The parser's message without the " at line 3, column 1:" excerpt (the position is reported apart). */
function plainMessage(message: string): string {
  return message.replace(/ at line \d+, column \d+:[\s\S]*$/, '').trim();
}
