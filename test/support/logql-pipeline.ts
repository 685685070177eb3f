/**
 * THE NODE-SIDE CHECK of LogQL log pipelines against log lines: a small evaluator, exact only for
 * the constructs it accepts, which it checks first. Anything else throws UnsupportedLogql, which
 * fails the corpus test: this is the check, and no other runs the queries. Loki's own engine is not
 * used: github.com/grafana/loki/v3 is one Go module under the AGPL (its LICENSING.md puts only a few
 * packages, none of them LogQL, under Apache-2.0).
 *
 * What it does, each ported from grafana/loki v3.7.6 (facts, not code, carried over):
 * - stream selectors `=`, `!=`, `=~`, `!~` (regexes anchored, as labels.Matcher);
 * - `detected_level`, as the distributor adds it (pkg/distributor/field_detection.go:96-130, 217-250,
 *   346-410): from a level stream label, else a logfmt level field, else a level word in the line;
 *   JSON lines without a level label are refused;
 * - line filters `|=`, `!=`, `|~`, `!~` (no `or`, no IP or pattern filters);
 * - `| logfmt` and `| logfmt a, b` without flags or renames (pkg/logql/log/parser.go:379-447 and
 *   :531-622, decoder pkg/logql/log/logfmt/decode.go); a line repeating a key it extracts is refused;
 * - label filters `=`, `!=`, `=~`, `!~` joined by `and`, `,` and `or` (no numeric, duration, bytes
 *   or IP filters);
 * - regexes in the subset where Go's RE2 and JavaScript agree on ASCII text: literals, escaped
 *   metacharacters, `\d`, `.`, classes without escapes, groups `(…)` and `(?:…)`, `| * + ?`,
 *   `{n,m}`, `^ $`, and a leading `(?i)`; lines must be printable ASCII.
 *
 * What this check does not do, and nothing else does: evaluate metric aggregations, `by`
 * groupings, `offset` and `unless` (only the log pipelines are checked here: a line is "seen" by a
 * query when any of its pipelines keeps it). A query needing a construct refused here is rewritten
 * in the accepted subset, or the construct is added here from Loki's source (facts, not code).
 */
import { parser } from '@grafana/lezer-logql';
import type { SyntaxNode } from '@lezer/common';
import { logPipelines, matcherOf, type LineFilterStage, type LogPipeline, type StreamMatcher } from '../../tools/validate/logql.ts';

export class UnsupportedLogql extends Error {
  override readonly name = 'UnsupportedLogql';
}

export type Labels = Readonly<Record<string, string>>;

// ---------------------------------------------------------------- regexes

/** A JavaScript RegExp that matches exactly what RE2 would on ASCII text; throws UnsupportedLogql outside the subset. */
export function re2(pattern: string, anchored: boolean): RegExp {
  let body = pattern;
  let flags = '';
  if (body.startsWith('(?i)')) {
    flags = 'i';
    body = body.slice(4);
  }
  const refuse = (why: string): never => {
    throw new UnsupportedLogql(`regex ${JSON.stringify(pattern)}: ${why}; the upstream tier decides it`);
  };
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c.charCodeAt(0) < 0x20 || c.charCodeAt(0) > 0x7e) refuse('non-printable or non-ASCII character');
    if (c === '\\') {
      const next = body[i + 1] ?? '';
      if (!'.()[]{}*+?|^$\\/-d'.includes(next) || next === '') refuse(`escape \\${next}`);
      i++;
    } else if (c === '(' && body[i + 1] === '?') {
      if (body[i + 2] !== ':') refuse('group flag or named group');
    } else if (c === '[') {
      const end = body.indexOf(']', i + 2);
      const inside = body.slice(i + 1, end);
      if (end < 0 || /[\\[]/.test(inside)) refuse('character class with escapes or nesting');
      i = end;
    } else if (c === '{') {
      const m = /^\{\d+(,\d*)?\}/.exec(body.slice(i));
      if (!m) refuse('malformed repetition');
      i += (m?.[0].length ?? 1) - 1;
    } else if (c === ']' || c === '}') {
      refuse(`unbalanced ${c}`);
    }
  }
  return new RegExp(anchored ? `^(?:${body})$` : body, flags);
}

function assertAscii(text: string, what: string): void {
  if (!/^[\x20-\x7e\t]*$/.test(text)) throw new UnsupportedLogql(`${what} is not printable ASCII: the upstream tier decides it`);
}

// ---------------------------------------------------------------- logfmt (Loki's decoder)

interface Keyval {
  key: string;
  value: string | undefined;
}

/**
 * Loki's logfmt decoder (pkg/logql/log/logfmt/decode.go ScanKeyval), over an ASCII line: each call
 * returns the next pair, `'error'` for a pair it rejects (the caller may go on), or undefined at the end.
 */
export class LogfmtDecoder {
  private pos = 0;
  private readonly line: string;
  constructor(line: string) {
    assertAscii(line, 'log line');
    this.line = line;
  }

  eol(): boolean {
    return this.pos >= this.line.length;
  }

  scan(): Keyval | 'error' | undefined {
    const line = this.line;
    while (this.pos < line.length && line.charCodeAt(this.pos) <= 32) this.pos++;
    if (this.pos >= line.length) return undefined;
    const start = this.pos;
    for (; this.pos < line.length; this.pos++) {
      const c = line[this.pos] as string;
      if (c === '=') {
        if (this.pos === start) return this.skipValue();
        const key = line.slice(start, this.pos);
        return this.value(key);
      }
      if (c === '"') return this.skipValue();
      if (line.charCodeAt(this.pos) <= 32) return { key: line.slice(start, this.pos), value: undefined };
    }
    return { key: line.slice(start), value: undefined };
  }

  private skipValue(): 'error' {
    while (this.pos < this.line.length && this.line.charCodeAt(this.pos) > 32) this.pos++;
    return 'error';
  }

  private value(key: string): Keyval | 'error' {
    const line = this.line;
    this.pos++;
    if (this.pos >= line.length || line.charCodeAt(this.pos) <= 32) return { key, value: undefined };
    if (line[this.pos] === '"') return this.quoted(key);
    const start = this.pos;
    for (; this.pos < line.length; this.pos++) {
      const c = line[this.pos] as string;
      if (c === '=' || c === '"') return this.skipValue();
      if (line.charCodeAt(this.pos) <= 32) break;
    }
    return { key, value: this.pos > start ? line.slice(start, this.pos) : undefined };
  }

  private quoted(key: string): Keyval | 'error' {
    const line = this.line;
    const start = this.pos;
    let escaped = false;
    for (let p = start + 1; p < line.length; p++) {
      const c = line[p];
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') {
        this.pos = p + 1;
        const raw = line.slice(start + 1, p);
        const value = raw.includes('\\') ? unescapeJson(raw) : raw;
        return value === undefined ? 'error' : { key, value };
      }
    }
    this.pos = line.length;
    return 'error';
  }
}

const JSON_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', "'": "'", b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** A quoted value's escapes, as pkg/logql/log/logfmt/jsonstring.go unquoteBytes reads them; undefined where it fails. */
function unescapeJson(raw: string): string | undefined {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = raw[++i] ?? '';
    if (next === 'u') {
      const hex = raw.slice(i + 1, i + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) return undefined;
      out += String.fromCharCode(parseInt(hex, 16));
      i += 4;
    } else if (JSON_ESCAPES[next] !== undefined) out += JSON_ESCAPES[next];
    else return undefined;
  }
  return out;
}

/** Loki's label-name sanitizing of a parsed key (pkg/logql/log/util.go:22). */
function sanitizeKey(key: string): string {
  const trimmed = key.trim();
  const prefixed = /^[0-9]/.test(trimmed) ? `_${trimmed}` : trimmed;
  return prefixed.replace(/[^a-zA-Z0-9_]/g, '_');
}

// ---------------------------------------------------------------- detected_level

/** validation.DefaultAllowedLevelFields (pkg/validation/limits.go:70). */
const LEVEL_FIELDS = [
  'level',
  'LEVEL',
  'Level',
  'log.level',
  'severity',
  'SEVERITY',
  'Severity',
  'SeverityText',
  'lvl',
  'LVL',
  'Lvl',
  'severity_text',
  'Severity_Text',
  'SEVERITY_TEXT',
];

const LEVEL_NAMES: readonly [readonly string[], string][] = [
  [['trace', 'trc'], 'trace'],
  [['debug', 'dbg'], 'debug'],
  [['info', 'inf', 'information'], 'info'],
  [['warn', 'wrn', 'warning'], 'warn'],
  [['error', 'err'], 'error'],
  [['critical'], 'critical'],
  [['fatal'], 'fatal'],
];

function knownLevel(value: string): string | undefined {
  const lower = value.toLowerCase();
  return LEVEL_NAMES.find(([names]) => names.includes(lower))?.[1];
}

const WORDS: readonly [string, string][] = [
  ['trace', 'trace'],
  ['debug', 'debug'],
  ['fatal', 'fatal'],
  ['critical', 'critical'],
  ['error', 'error'],
  ['err', 'error'],
  ['warning', 'warn'],
  ['warn', 'warn'],
  ['info', 'info'],
];

function levelFromWords(line: string): string {
  const lower = line.toLowerCase();
  const left = (i: number): boolean => i < 0 || ' \t\n[({"='.includes(lower[i] as string);
  const right = (i: number): boolean => i >= lower.length || ' \t\n[](){}:,!"='.includes(lower[i] as string);
  let best = lower.length;
  let guess = 'unknown';
  for (const [word, level] of WORDS) {
    for (let at = lower.indexOf(word); at >= 0; at = lower.indexOf(word, at + 1)) {
      if (left(at - 1) && right(at + word.length)) {
        if (at < best) {
          best = at;
          guess = level;
        }
        break;
      }
    }
    if (best === 0) break;
  }
  return guess;
}

/** The `detected_level` Loki's distributor attaches to a line with these stream labels (and no structured metadata). */
export function detectedLevel(labels: Labels, line: string): string {
  const field = LEVEL_FIELDS.find((f) => labels[f] !== undefined);
  if (field) {
    const value = labels[field] as string;
    return knownLevel(value) ?? value;
  }
  const trimmed = line.trim();
  if (trimmed.startsWith('{') && trimmed.endsWith('}'))
    throw new UnsupportedLogql('a JSON line without a level label: the upstream tier decides its detected_level');
  if (line.includes('=')) {
    // getValueUsingLogfmtParser: stops at the first rejected pair; the earliest hint wins, the first hint at once.
    const decoder = new LogfmtDecoder(line);
    let found: { at: number; value: string } | undefined;
    while (!decoder.eol()) {
      const kv = decoder.scan();
      if (kv === undefined || kv === 'error') break;
      const at = LEVEL_FIELDS.findIndex((f) => f.toLowerCase() === kv.key.toLowerCase());
      if (at >= 0 && (!found || at < found.at)) found = { at, value: kv.value ?? '' };
      if (found?.at === 0) break;
    }
    return (found && knownLevel(found.value)) ?? levelFromWords(line);
  }
  return levelFromWords(line);
}

// ---------------------------------------------------------------- pipelines

function childrenOf(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) out.push(c);
  return out;
}

function matches(m: StreamMatcher, value: string): boolean {
  if (m.op === '=') return value === m.value;
  if (m.op === '!=') return value !== m.value;
  const hit = re2(m.value, true).test(value);
  return m.op === '=~' ? hit : !hit;
}

/** Labels of one line while its pipeline runs: stream labels, structured metadata, parsed labels. */
class LineLabels {
  readonly parsed = new Map<string, string>();
  readonly stream: Labels;
  readonly metadata: Labels;
  constructor(stream: Labels, metadata: Labels) {
    this.stream = stream;
    this.metadata = metadata;
  }

  has(name: string): boolean {
    return this.stream[name] !== undefined || this.metadata[name] !== undefined;
  }

  get(name: string): string {
    return this.parsed.get(name) ?? this.metadata[name] ?? this.stream[name] ?? '';
  }

  /** A parsed label; `_extracted` when a stream label or metadata has the name (parser.go:409, :602). */
  setParsed(name: string, value: string): void {
    this.parsed.set(this.has(name) ? `${name}_extracted` : name, value);
  }
}

function logfmtStage(node: SyntaxNode, text: string, line: string, labels: LineLabels): void {
  if (node.getChild('LogfmtParserFlags')) throw new UnsupportedLogql('logfmt flags: the upstream tier decides them');
  const listed = allListed(node, text);
  if (listed) for (const f of listed) if (!labels.has(f)) labels.parsed.set(f, '');
  const decoder = new LogfmtDecoder(line);
  const seen = new Set<string>();
  while (!decoder.eol()) {
    const kv = decoder.scan();
    if (kv === undefined) break;
    if (kv === 'error') continue;
    const key = sanitizeKey(kv.key);
    if (!key || (listed && !listed.includes(key))) continue;
    if (seen.has(key)) throw new UnsupportedLogql(`line repeats key ${key}: the upstream tier decides which value wins`);
    seen.add(key);
    // A plain `| logfmt` drops empty values (keepEmpty off); `| logfmt a, b` keeps them.
    if (!listed && !kv.value) continue;
    labels.setParsed(key, kv.value ?? '');
  }
}

/** The keys of `| logfmt a, b, c` (the list nests to the left), or undefined for a plain `| logfmt`. */
function allListed(node: SyntaxNode, text: string): string[] | undefined {
  if (node.name !== 'LogfmtExpressionParser') return undefined;
  const keys: string[] = [];
  const visit = (n: SyntaxNode): void => {
    for (const c of childrenOf(n)) {
      if (c.name === 'LabelExtractionExpression') {
        if (c.getChild('Eq')) throw new UnsupportedLogql('logfmt renames: the upstream tier decides them');
        keys.push(text.slice(c.from, c.to));
      } else if (c.name === 'LabelExtractionExpressionList') visit(c);
    }
  };
  visit(node.getChild('LabelExtractionExpressionList') ?? node);
  return keys;
}

function labelFilter(node: SyntaxNode, text: string, labels: LineLabels): boolean {
  const parts = childrenOf(node);
  const [only] = parts;
  if (parts.length === 1 && only?.name === 'Matcher') {
    const m = matcherOf(only, text);
    return matches(m, labels.get(m.name));
  }
  if (parts.length === 3 && parts[0]?.name === 'LabelFilter' && parts[2]?.name === 'LabelFilter') {
    const op = parts[1]?.name;
    const left = labelFilter(parts[0], text, labels);
    if (op === 'Or') return left || labelFilter(parts[2], text, labels);
    if (op === 'And' || text.slice(parts[1]?.from, parts[1]?.to) === ',') return left && labelFilter(parts[2], text, labels);
  }
  throw new UnsupportedLogql(`label filter ${text.slice(node.from, node.to)}: the upstream tier decides it`);
}

function runStage(stage: SyntaxNode, text: string, line: string, labels: LineLabels, nextFilter: () => LineFilterStage): boolean {
  const body = childrenOf(stage).filter((c) => c.name !== 'Pipe');
  const [kind] = body;
  if (body.length !== 1 || !kind) throw new UnsupportedLogql(`stage ${text.slice(stage.from, stage.to)}: the upstream tier decides it`);
  if (kind.name === 'LineFilters') {
    const flat = (n: SyntaxNode): SyntaxNode[] => childrenOf(n).flatMap((c) => (c.name === 'LineFilters' ? flat(c) : [c]));
    return flat(kind).every((node) => {
      const f = nextFilter();
      if (
        node.name !== 'LineFilter' ||
        node.getChild('OrFilter') ||
        node.getChild('FilterOp') ||
        text.slice(node.from, node.to) !== f.text
      ) {
        throw new UnsupportedLogql(`line filter ${text.slice(node.from, node.to)}: the upstream tier decides it`);
      }
      const hit = f.op === '|=' || f.op === '!=' ? line.includes(f.value) : re2(f.value, false).test(line);
      return hit === (f.op === '|=' || f.op === '|~');
    });
  }
  if (kind.name === 'LogfmtParser' || kind.name === 'LogfmtExpressionParser') {
    logfmtStage(kind, text, line, labels);
    return true;
  }
  if (kind.name === 'LabelFilter') return labelFilter(kind, text, labels);
  throw new UnsupportedLogql(`stage ${text.slice(stage.from, stage.to)} (${kind.name}): the upstream tier decides it`);
}

function keeps(pipeline: LogPipeline, text: string, stream: Labels, line: string): boolean {
  assertAscii(line, 'log line');
  if (!pipeline.matchers.every((m) => matches(m, stream[m.name] ?? ''))) return false;
  const labels = new LineLabels(stream, { detected_level: detectedLevel(stream, line) });
  let next = 0;
  const nextFilter = (): LineFilterStage => {
    const f = pipeline.lineFilters[next++];
    if (!f) throw new UnsupportedLogql('line filters out of step with the stages');
    return f;
  };
  return pipeline.stages.every((stage) => runStage(stage, text, line, labels, nextFilter));
}

/** Grafana's substitutions before a query reaches Loki: a variable set to All is its allValue (`.+`), an interval a duration. */
export function substituteGrafana(expr: string): string {
  return expr
    .replace(/\$__(auto|interval|rate_interval|range)\b|\$\{__(auto|interval|rate_interval|range)\}/g, '1m')
    .replace(/\$\{?(namespace|pod|container)\}?/g, '.+');
}

/** A query's log pipelines, ready to run over lines. Throws UnsupportedLogql for a query this check cannot judge. */
export function compileQuery(expr: string): (stream: Labels, line: string) => boolean {
  const text = substituteGrafana(expr);
  const tree = parser.parse(text);
  let broken = false;
  tree.iterate({ enter: (n) => void (n.type.isError && (broken = true)) });
  if (broken) throw new UnsupportedLogql(`does not parse: ${expr}`);
  const pipelines = logPipelines(tree.topNode, text);
  if (pipelines.length === 0) throw new UnsupportedLogql(`no log pipeline in ${expr}`);
  return (stream, line) => pipelines.some((p) => keeps(p, text, stream, line));
}
