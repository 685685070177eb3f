/**
 * `alloy/component-arguments`: every block and argument of the rendered Alloy configuration against
 * the documented arguments of its component at the pinned Alloy (tools/validate/alloy-components.ts):
 * an unknown component, block or argument, a missing required argument and a literal of the wrong
 * type are errors. Values that read other components' exports or call functions are judged only by
 * Alloy itself (the upstream tier parses and evaluates the configuration with Alloy's syntax module).
 */
import { describeObject } from '../kube/object.ts';
import type { RenderedApp } from '../render/tree.ts';
import { ALLOY_COMPONENTS, ALLOY_DOCS_VERSION, alloyDocUrl, type AlloyBlockSchema, type AlloyComponentSchema } from './alloy-components.ts';
import { AlloySyntaxError, parseAlloyConfig, type AlloyBlock } from './alloy-config.ts';
import type { Finding } from './finding.ts';

/** An attribute's value as far as it is a literal; `expression` for anything Alloy must evaluate. */
export type AlloyLiteral =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'bool' }
  | { kind: 'null' }
  | { kind: 'list'; items: AlloyLiteral[] }
  | { kind: 'object'; entries: Map<string, AlloyLiteral> }
  | { kind: 'expression' };

/** Splits at top-level separators, skipping strings and brackets. */
function splitTopLevel(text: string, separator: RegExp): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    if (c === '"' || c === '`') {
      const quote = c;
      i++;
      while (i < text.length && text[i] !== quote) i += quote === '"' && text[i] === '\\' ? 2 : 1;
    } else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (depth === 0 && separator.test(c)) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

const NUMBER = /^-?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Reads an attribute's expression (as written, comments removed) into a literal where it is one. */
export function alloyLiteral(expression: string): AlloyLiteral {
  const text = expression.trim();
  if (/^"([^"\\]|\\.)*"$/.test(text)) {
    try {
      return { kind: 'string', value: JSON.parse(text) as string };
    } catch {
      return { kind: 'string', value: text.slice(1, -1) };
    }
  }
  if (/^`[^`]*`$/.test(text)) return { kind: 'string', value: text.slice(1, -1) };
  if (NUMBER.test(text)) return { kind: 'number', value: Number(text) };
  if (text === 'true' || text === 'false') return { kind: 'bool' };
  if (text === 'null') return { kind: 'null' };
  if (text.startsWith('[') && text.endsWith(']') && splitTopLevel(text, /[,]/).length === 1) {
    return { kind: 'list', items: splitTopLevel(text.slice(1, -1), /,/).map(alloyLiteral) };
  }
  if (text.startsWith('{') && text.endsWith('}') && splitTopLevel(text, /[,]/).length === 1) {
    const entries = new Map<string, AlloyLiteral>();
    for (const entry of splitTopLevel(text.slice(1, -1), /[,\n]/)) {
      const match = /^("(?:[^"\\]|\\.)*"|[A-Za-z_]\w*)\s*=\s*([\s\S]*)$/.exec(entry);
      if (!match) return { kind: 'expression' };
      const key = match[1]?.startsWith('"') ? (JSON.parse(match[1]) as string) : (match[1] ?? '');
      entries.set(key, alloyLiteral(match[2] ?? ''));
    }
    return { kind: 'object', entries };
  }
  return { kind: 'expression' };
}

/** Go's time.ParseDuration grammar, which Alloy decodes `duration` arguments with (syntax/internal/value/decode.go). */
const GO_DURATION = /^[-+]?(0|((\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))+)$/;
const SCALAR_TYPES = new Set(['string', 'secret', 'duration', 'bool', 'int', 'uint', 'number', 'float']);

const describe = (literal: AlloyLiteral): string =>
  literal.kind === 'string'
    ? `the string ${JSON.stringify(literal.value)}`
    : literal.kind === 'number'
      ? `the number ${literal.value}`
      : `a ${literal.kind}`;

/**
 * Why a literal cannot be decoded into an Alloy type, or undefined when it can (or is no literal).
 * Conversions follow Alloy's decoder (syntax/internal/value/value.go convertValue): a number converts
 * to a string, a string of digits to a number; a bool converts to nothing; `duration` is a string Go's
 * time.ParseDuration reads; a capsule (a component's export such as LogsReceiver) takes no literal.
 */
export function alloyTypeProblem(literal: AlloyLiteral, type: string): string | undefined {
  if (literal.kind === 'expression' || literal.kind === 'null') return undefined;
  const wrapped = /^(list|map)\((.*)\)$/.exec(type);
  if (wrapped) {
    const inner = wrapped[2] ?? '';
    if (wrapped[1] === 'list') {
      if (literal.kind !== 'list') return `${describe(literal)} where Alloy expects ${type}`;
      for (const [i, item] of literal.items.entries()) {
        const problem = alloyTypeProblem(item, inner);
        if (problem) return `item ${i}: ${problem}`;
      }
      return undefined;
    }
    if (literal.kind !== 'object') return `${describe(literal)} where Alloy expects ${type}`;
    for (const [key, value] of literal.entries) {
      const problem = alloyTypeProblem(value, inner);
      if (problem) return `key "${key}": ${problem}`;
    }
    return undefined;
  }
  if (!SCALAR_TYPES.has(type)) return `${describe(literal)} where Alloy expects ${type} (a component's export, never a literal)`;
  const wrong = `${describe(literal)} where Alloy expects ${type}`;
  switch (type) {
    case 'string':
    case 'secret':
      return literal.kind === 'string' || literal.kind === 'number' ? undefined : wrong;
    case 'duration':
      if (literal.kind !== 'string' && literal.kind !== 'number') return wrong;
      return GO_DURATION.test(String(literal.value))
        ? undefined
        : `${describe(literal)} is no duration (Go's time.ParseDuration: "30s", "1m30s", "2h")`;
    case 'bool':
      return literal.kind === 'bool' ? undefined : wrong;
    default: {
      const value =
        literal.kind === 'number'
          ? literal.value
          : literal.kind === 'string' && NUMBER.test(literal.value)
            ? Number(literal.value)
            : undefined;
      if (value === undefined) return wrong;
      if ((type === 'int' || type === 'uint') && !Number.isInteger(value))
        return `${describe(literal)} where Alloy expects ${type} (a whole number)`;
      if (type === 'uint' && value < 0) return `${describe(literal)} where Alloy expects uint (not negative)`;
      return undefined;
    }
  }
}

/** One problem in a configuration: where (component and block path) and what. */
export interface AlloyArgumentProblem {
  /** `loki.write "default" > endpoint > url` */
  where: string;
  message: string;
}

function checkBody(
  block: AlloyBlock,
  component: AlloyComponentSchema,
  schema: { arguments: Readonly<Record<string, string>>; required?: readonly string[]; innerBlocks?: 'unchecked' },
  path: readonly string[],
  where: string,
  anchor: string,
): AlloyArgumentProblem[] {
  const problems: AlloyArgumentProblem[] = [];
  const url = alloyDocUrl(component, anchor);
  for (const [name, expression] of block.attributes) {
    const type = schema.arguments[name];
    if (type === undefined) {
      problems.push({
        where: `${where} > ${name}`,
        message: `unknown argument "${name}": Alloy ${ALLOY_DOCS_VERSION} documents ${Object.keys(schema.arguments).sort().join(', ') || 'none'} here (${url})`,
      });
      continue;
    }
    const problem = alloyTypeProblem(alloyLiteral(expression), type);
    if (problem) problems.push({ where: `${where} > ${name}`, message: `wrong type: ${problem} (${url})` });
  }
  for (const name of schema.required ?? []) {
    if (!block.attributes.has(name)) problems.push({ where, message: `missing required argument "${name}" (${url})` });
  }
  if (schema.innerBlocks === 'unchecked') return problems;
  const blocks = component.blocks ?? {};
  for (const inner of block.blocks) {
    const innerPath = [...path, inner.name];
    const key = innerPath.join(' > ');
    const innerSchema: AlloyBlockSchema | undefined = blocks[key];
    const innerWhere = `${where} > ${inner.name}`;
    if (!innerSchema) {
      const known = Object.keys(blocks).filter(
        (k) => k.split(' > ').length === innerPath.length && k.startsWith(path.length ? `${path.join(' > ')} > ` : ''),
      );
      problems.push({
        where: innerWhere,
        message: `unknown block "${inner.name}": Alloy ${ALLOY_DOCS_VERSION} documents ${
          known
            .map((k) => k.split(' > ').at(-1))
            .sort()
            .join(', ') || 'none'
        } here (${alloyDocUrl(component, 'blocks')})`,
      });
      continue;
    }
    problems.push(...checkBody(inner, component, innerSchema, innerPath, innerWhere, innerSchema.anchor));
  }
  return problems;
}

/**
 * Every problem of an Alloy configuration against the documented components (first in file order).
 * Throws AlloySyntaxError when the text cannot be read at all.
 */
function alloyArgumentProblems(
  text: string,
  components: Readonly<Record<string, AlloyComponentSchema>> = ALLOY_COMPONENTS,
): AlloyArgumentProblem[] {
  return parseAlloyConfig(text).flatMap((block) => {
    const where = `${block.name}${block.label === undefined ? '' : ` "${block.label}"`}`;
    const component = components[block.name];
    if (!component) {
      return [
        {
          where,
          message: `component "${block.name}" is not in tools/validate/alloy-components.ts: add its documented arguments from https://grafana.com/docs/alloy/ (version ${ALLOY_DOCS_VERSION}), or fix the name`,
        },
      ];
    }
    return checkBody(block, component, component, [], where, 'arguments');
  });
}

/** The gate over one rendered app: each `.alloy` file of its ConfigMaps. */
export function alloyArgumentFindings(app: RenderedApp): Finding[] {
  return app.objects
    .filter((o) => o.kind === 'ConfigMap')
    .flatMap((configMap) =>
      Object.entries((configMap['data'] ?? {}) as Record<string, string>)
        .filter(([file]) => file.endsWith('.alloy'))
        .flatMap(([file, text]) => {
          let problems: AlloyArgumentProblem[];
          try {
            problems = alloyArgumentProblems(text);
          } catch (error) {
            if (!(error instanceof AlloySyntaxError)) throw error;
            problems = [{ where: file, message: `cannot be read: ${error.message}` }];
          }
          return problems.map((p): Finding => ({
            rule: 'alloy/component-arguments',
            severity: 'error',
            env: app.env,
            component: app.component,
            object: describeObject(configMap),
            path: `/data/${file}`,
            message: `${p.where}: ${p.message}`,
          }));
        }),
    );
}
