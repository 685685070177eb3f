/**
 * The subset of jq that Argo CD's `jqPathExpressions` are written in, enough to name paths:
 * a pipeline of path expressions (`.a.b`, `."a-b"`, `.["a"]`, `.[]`, `.[0]`, optional `?`) and
 * `select(PATH == LITERAL)` / `select(PATH != LITERAL)` / `select(PATH)` filters, e.g.
 * `.spec.template.spec.containers[] | select(.name == "x") | .image`. Anything else is refused.
 */
import type { Json } from './json.ts';
import { isObject, jsonEqual } from './json.ts';

export class JqSubsetError extends Error {
  override readonly name = 'JqSubsetError';
}

type Step = { type: 'field'; name: string } | { type: 'index'; index: number } | { type: 'each' };
type Filter = { type: 'select'; path: Step[]; compare?: { op: '==' | '!='; value: Json } };
type Stage = { type: 'path'; steps: Step[] } | Filter;

export interface JqProgram {
  source: string;
  stages: Stage[];
}

/** Splits on `|` outside strings and parentheses. */
function splitPipeline(source: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < source.length; i++) {
    const char = source[i];
    if (quoted) {
      if (char === '\\') i++;
      else if (char === '"') quoted = false;
    } else if (char === '"') quoted = true;
    else if (char === '(') depth++;
    else if (char === ')') depth--;
    else if (char === '|' && depth === 0) {
      parts.push(source.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(source.slice(start));
  return parts.map((part) => part.trim());
}

function readString(text: string, at: number, source: string): { value: string; end: number } {
  const match = /^"(?:[^"\\]|\\.)*"/.exec(text.slice(at));
  if (!match) throw new JqSubsetError(`jq expression ${JSON.stringify(source)}: unterminated string at ${JSON.stringify(text.slice(at))}`);
  return { value: JSON.parse(match[0]) as string, end: at + match[0].length };
}

function parsePath(text: string, source: string): Step[] {
  if (!text.startsWith('.')) throw unsupported(source, text);
  const steps: Step[] = [];
  let at = 0;
  while (at < text.length) {
    const rest = text.slice(at);
    const field = /^\.([A-Za-z_][A-Za-z0-9_]*)/.exec(rest);
    if (field) {
      steps.push({ type: 'field', name: field[1] as string });
      at += field[0].length;
    } else if (rest.startsWith('."')) {
      const string = readString(text, at + 1, source);
      steps.push({ type: 'field', name: string.value });
      at = string.end;
    } else if (/^\.?\[\s*\]/.test(rest)) {
      steps.push({ type: 'each' });
      at += (/^\.?\[\s*\]/.exec(rest) as RegExpExecArray)[0].length;
    } else if (/^\.?\[\s*\d+\s*\]/.test(rest)) {
      const index = /^\.?\[\s*(\d+)\s*\]/.exec(rest) as RegExpExecArray;
      steps.push({ type: 'index', index: Number(index[1]) });
      at += index[0].length;
    } else if (/^\.?\[\s*"/.test(rest)) {
      const open = rest.indexOf('"');
      const string = readString(text, at + open, source);
      const close = /^\s*\]/.exec(text.slice(string.end));
      if (!close) throw unsupported(source, text);
      steps.push({ type: 'field', name: string.value });
      at = string.end + close[0].length;
    } else if (rest.startsWith('?')) {
      at += 1;
    } else if (rest === '.' && steps.length === 0) {
      at += 1;
    } else {
      throw unsupported(source, text);
    }
  }
  return steps;
}

function unsupported(source: string, part: string): JqSubsetError {
  return new JqSubsetError(
    `jq expression ${JSON.stringify(source)}: ${JSON.stringify(part)} is outside the supported subset ` +
      '(paths like .a.b, .["a"], .[], .[0]; select(PATH == LITERAL), select(PATH != LITERAL), select(PATH); joined by |): ' +
      'rewrite it in that subset or as a jsonPointer',
  );
}

function parseFilter(inner: string, source: string): Filter {
  const comparison = /^(.*?)\s*(==|!=)\s*(.+)$/.exec(inner.trim());
  if (!comparison) return { type: 'select', path: parsePath(inner.trim(), source) };
  let value: Json;
  try {
    value = JSON.parse(comparison[3] as string) as Json;
  } catch {
    throw unsupported(source, inner);
  }
  if (typeof value === 'object' && value !== null) throw unsupported(source, inner);
  return { type: 'select', path: parsePath((comparison[1] as string).trim(), source), compare: { op: comparison[2] as '==' | '!=', value } };
}

/** Parses an expression of the supported subset; throws JqSubsetError naming the unsupported part. */
export function parseJq(source: string): JqProgram {
  const stages = splitPipeline(source).map((part): Stage => {
    const select = /^select\s*\((.*)\)$/s.exec(part);
    if (select) return parseFilter(select[1] as string, source);
    return { type: 'path', steps: parsePath(part, source) };
  });
  if (!stages.some((stage) => stage.type === 'path' && stage.steps.length > 0)) {
    throw new JqSubsetError(`jq expression ${JSON.stringify(source)}: selects the whole object; name a path below the root (e.g. .spec.replicas)`);
  }
  return { source, stages };
}

interface Location {
  path: string[];
  value: Json;
}

function walk(locations: Location[], steps: readonly Step[]): Location[] {
  let current = locations;
  for (const step of steps) {
    const next: Location[] = [];
    for (const { path, value } of current) {
      if (step.type === 'each') {
        if (Array.isArray(value)) value.forEach((item, i) => next.push({ path: [...path, String(i)], value: item }));
        else if (isObject(value)) for (const [key, item] of Object.entries(value)) next.push({ path: [...path, key], value: item });
      } else {
        const key = step.type === 'field' ? step.name : String(step.index);
        if (step.type === 'index' ? Array.isArray(value) || isObject(value) : isObject(value)) {
          const item = (value as Record<string, Json>)[key];
          if (item !== undefined) next.push({ path: [...path, key], value: item });
        }
      }
    }
    current = next;
  }
  return current;
}

/** The paths (as unescaped segments) the program selects in `document`. */
export function selectPaths(program: JqProgram, document: Json): string[][] {
  let locations: Location[] = [{ path: [], value: document }];
  for (const stage of program.stages) {
    if (stage.type === 'path') {
      locations = walk(locations, stage.steps);
      continue;
    }
    locations = locations.filter((location) => {
      const found = walk([{ path: [], value: location.value }], stage.path).map((hit) => hit.value);
      if (!stage.compare) return found.some((value) => value !== null && value !== false);
      const { op, value } = stage.compare;
      // A missing path is null to jq.
      const candidates = found.length > 0 ? found : [null];
      const equal = candidates.some((candidate) => jsonEqual(candidate, value));
      return op === '==' ? equal : !equal;
    });
  }
  return locations.map((location) => location.path);
}
