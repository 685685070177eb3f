/**
 * kustomize's output read without a YAML parser. kustomize (kyaml, go-yaml v3's emitter) writes block
 * mappings and sequences one entry a line, single-line scalars, `|` literal blocks, `{}` / `[]` for
 * empty collections, and folds a long plain scalar onto more indented lines. This reader accepts
 * exactly that and gives the JSON value `documentToJson` gives for the same text: plain scalars are
 * resolved by the very tags of MANIFEST_YAML_OPTIONS' schema, tried in the order the `yaml` package
 * tries them (compose-scalar.js, findScalarTagByTest). Anything else (flow collections, anchors, tags,
 * comments, `>` blocks, indentation indicators, quoted scalars over several lines, merge keys, escapes
 * JSON does not share, tabs) gives undefined: the caller then takes the YAML parser, whose errors name
 * the document. This reader never decides what is an error.
 */
import { Document, isScalar, type ScalarTag } from 'yaml';
import { MANIFEST_YAML_OPTIONS } from './yaml-reading.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Thrown inside the reader when the text leaves the block style it knows; caught at the top. */
class NotBlockYaml extends Error {}

const TAGS = new Document(undefined, MANIFEST_YAML_OPTIONS).schema.tags as ScalarTag[];

/** A plain scalar's value as the `yaml` package resolves it with MANIFEST_YAML_OPTIONS. */
function resolvePlain(text: string, atKey: boolean): Json {
  const tag = TAGS.find((t) => (t.default === true || (atKey && t.default === 'key')) && t.test?.test(text));
  if (!tag) return text;
  let failed = false;
  const resolved: unknown = tag.resolve(text, () => (failed = true), MANIFEST_YAML_OPTIONS as never);
  const value = isScalar(resolved) ? resolved.value : resolved;
  if (failed || (typeof value === 'number' && !Number.isFinite(value))) throw new NotBlockYaml();
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || typeof value === 'boolean' || typeof value === 'number') return value;
  throw new NotBlockYaml();
}

/** Characters that may not start a plain scalar (YAML's indicators; `-`, `?` and `:` only before a space: ns-plain-first). */
const INDICATOR = /^[,[\]{}#&*!|>'"%@`]|^[-?:](\s|$)/;

/** A plain scalar on one line, or undefined when the text is not one. */
function plain(text: string): string | undefined {
  if (text === '' || INDICATOR.test(text) || /\s$|\t|: | #|:$/.test(text)) return undefined;
  return text;
}

/** A quoted scalar filling `text` exactly: single quotes with `''`, or double quotes with JSON's escapes. */
function quoted(text: string): string | undefined {
  if (text.length < 2) return undefined;
  if (text.startsWith("'") && text.endsWith("'")) {
    const body = text.slice(1, -1);
    return /'(?!')/.test(body.replaceAll("''", '')) ? undefined : body.replaceAll("''", "'");
  }
  if (text.startsWith('"') && text.endsWith('"')) {
    // JSON's escapes mean the same in YAML; YAML's others (\x, \e, \N, \_, …) and raw control characters are left to the parser.
    if (/[\u0000-\u001f]/.test(text)) return undefined;
    try {
      const value: unknown = JSON.parse(text);
      return typeof value === 'string' ? value : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** A map key: plain (resolved as a key, then written as JSON writes it) or quoted. */
function keyOf(text: string): string {
  const q = quoted(text);
  if (q !== undefined) return q;
  if (plain(text) === undefined || text === '<<') throw new NotBlockYaml();
  const value = resolvePlain(text, true);
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  throw new NotBlockYaml();
}

/** `key: rest` or `key:` split at the key's end; undefined when the line is not a map entry. */
function entry(text: string): { key: string; rest: string } | undefined {
  let end: number;
  if (text.startsWith('"') || text.startsWith("'")) {
    const quote = text[0] as string;
    end = text.indexOf(quote, 1);
    if (quote === "'") while (end !== -1 && text[end + 1] === "'") end = text.indexOf(quote, end + 2);
    if (quote === '"') while (end !== -1 && text[end - 1] === '\\') end = text.indexOf(quote, end + 1);
    if (end === -1) return undefined;
    end += 1;
    if (text[end] !== ':') return undefined;
  } else {
    const colon = text.indexOf(': ');
    end = colon === -1 ? (text.endsWith(':') ? text.length - 1 : -1) : colon;
    if (end <= 0) return undefined;
  }
  const after = text.slice(end + 1);
  if (after !== '' && !after.startsWith(' ')) return undefined;
  return { key: text.slice(0, end), rest: after.slice(1) };
}

const indentOf = (line: string): number => line.length - line.trimStart().length;

class Reader {
  private index = 0;
  private readonly lines: readonly string[];

  constructor(lines: readonly string[]) {
    this.lines = lines;
  }

  /** The whole document: one block mapping at column 0. */
  document(): Json {
    const value = this.mapping(0);
    if (this.index !== this.lines.length) throw new NotBlockYaml();
    return value;
  }

  private peek(): string | undefined {
    return this.lines[this.index];
  }

  /** A block mapping whose keys start at column `indent`; `first` is the rest of a `- ` line that opened it. */
  private mapping(indent: number, first?: string): { [key: string]: Json } {
    const out: { [key: string]: Json } = {};
    let text = first;
    for (;;) {
      if (text === undefined) {
        const line = this.peek();
        if (line === undefined || indentOf(line) !== indent || line.startsWith('-', indent)) break;
        text = line.slice(indent);
        this.index += 1;
      }
      const found = entry(text);
      if (!found) throw new NotBlockYaml();
      out[keyOf(found.key)] = this.value(found.rest, indent, true);
      text = undefined;
    }
    return out;
  }

  /** A block sequence whose `- ` marks are at column `indent`. */
  private sequence(indent: number): Json[] {
    const out: Json[] = [];
    for (;;) {
      const line = this.peek();
      if (line === undefined || indentOf(line) !== indent || !line.startsWith('- ', indent)) break;
      this.index += 1;
      const rest = line.slice(indent + 2);
      if (rest.startsWith('- ') || rest === '-' || rest === '') throw new NotBlockYaml();
      const found = rest.startsWith('|') ? undefined : entry(rest);
      out.push(found ? this.mapping(indent + 2, rest) : this.value(rest, indent, false));
    }
    return out;
  }

  /**
   * The value after `key:` (`inMap`) or `- `: inline on the line, a literal block, or a nested
   * collection on the next lines (a sequence under a key may start at the key's own column).
   */
  private value(rest: string, indent: number, inMap: boolean): Json {
    if (rest === '') {
      const next = this.peek();
      const nextIndent = next === undefined ? -1 : indentOf(next);
      if (next !== undefined && inMap && nextIndent === indent && next.startsWith('- ', indent)) return this.sequence(indent);
      if (next === undefined || nextIndent <= indent) {
        if (!inMap) throw new NotBlockYaml();
        return null;
      }
      if (next.startsWith('- ', nextIndent)) return this.sequence(nextIndent);
      return this.mapping(nextIndent);
    }
    if (rest === '{}') return {};
    if (rest === '[]') return [];
    if (rest.startsWith('|')) return this.literal(rest, indent);
    const q = quoted(rest);
    if (q !== undefined) return q;
    const text = plain(rest);
    if (text === undefined) throw new NotBlockYaml();
    // go-yaml folds a long plain scalar onto more indented lines: one space for each line break.
    const folded = [text];
    for (let after = this.peek(); after !== undefined && indentOf(after) > indent; after = this.peek()) {
      const more = plain(after.trimStart());
      if (more === undefined) throw new NotBlockYaml();
      folded.push(more);
      this.index += 1;
    }
    return resolvePlain(folded.join(' '), false);
  }

  /** A `|` literal block (YAML 1.2 §8.1.2) under a node at column `indent`. */
  private literal(header: string, indent: number): string {
    // An indentation indicator (`|2`) is left to the parser.
    if (!/^\|[-+]?$/.test(header)) throw new NotBlockYaml();
    const chomp = header === '|-' ? 'strip' : header === '|+' ? 'keep' : 'clip';
    let blockIndent: number | undefined;
    const content: string[] = [];
    for (let line = this.peek(); line !== undefined; line = this.peek()) {
      if (line === '') {
        content.push('');
        this.index += 1;
        continue;
      }
      if (line.trim() === '') throw new NotBlockYaml(); // spaces-only lines: left to the parser
      const own = indentOf(line);
      if (blockIndent === undefined) {
        if (own <= indent) break;
        blockIndent = own;
      }
      if (own < blockIndent) break;
      content.push(line.slice(blockIndent));
      this.index += 1;
    }
    let last = content.length;
    while (last > 0 && content[last - 1] === '') last -= 1;
    // No content line: an empty string, or the kept line breaks.
    if (last === 0) return chomp === 'keep' ? '\n'.repeat(content.length) : '';
    const body = content.slice(0, last).join('\n');
    if (chomp === 'strip') return body;
    if (chomp === 'clip') return `${body}\n`;
    return `${body}\n${'\n'.repeat(content.length - last)}`;
  }
}

/**
 * The documents of `text` (separated by `---` lines, as kustomize writes them) as JSON values, or
 * undefined when any of them is not the block YAML described above.
 */
export function readBlockYaml(text: string): Json[] | undefined {
  if (text.includes('\t') || text.includes('\r') || (text !== '' && !text.endsWith('\n'))) return undefined;
  const documents = text === '' ? [] : text.split(/^---\n/m).filter((doc, index) => index > 0 || doc !== '');
  try {
    return documents.map((doc) => {
      const lines = doc.split('\n');
      lines.pop(); // after the last line break
      if (lines.length === 0 || lines.some((line) => line.startsWith('#') || line.startsWith('%') || line.startsWith('...'))) throw new NotBlockYaml();
      return new Reader(lines).document();
    });
  } catch (error) {
    if (error instanceof NotBlockYaml) return undefined;
    throw error;
  }
}
