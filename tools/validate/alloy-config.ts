/**
 * Reads an Alloy configuration file far enough to say what it asks of the Kubernetes API: its blocks
 * (`name "label" { … }`), nested blocks and attributes, with strings and comments skipped as the
 * Alloy syntax defines them (Alloy docs/sources/get-started/configuration-syntax/syntax.md).
 */
import { ATTACH_METADATA_READS, DISCOVERY_ROLE_READS, type ApiRead } from '../catalog/rbac.ts';

export interface AlloyBlock {
  /** `discovery.kubernetes`, `selectors`, … */
  name: string;
  label?: string;
  /** Attribute name -> its expression, as written. */
  attributes: Map<string, string>;
  blocks: AlloyBlock[];
}

/** A configuration the scanner cannot read: unbalanced braces or an unterminated string. */
export class AlloySyntaxError extends Error {
  override readonly name = 'AlloySyntaxError';
}

/** Index just past a string literal that starts at `start` (a `"` or a backtick). */
function skipString(text: string, start: number): number {
  const quote = text[start];
  let i = start + 1;
  while (i < text.length && text[i] !== quote) i += quote === '"' && text[i] === '\\' ? 2 : 1;
  if (i >= text.length) throw new AlloySyntaxError(`unterminated string at offset ${start}`);
  return i + 1;
}

/** Index past whitespace and comments from `i`. */
function skipSpace(text: string, i: number): number {
  for (;;) {
    while (i < text.length && /\s/.test(text[i] ?? '')) i++;
    if (text.startsWith('//', i)) i = text.indexOf('\n', i) === -1 ? text.length : text.indexOf('\n', i);
    else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      if (end === -1) throw new AlloySyntaxError(`unterminated comment at offset ${i}`);
      i = end + 2;
    } else return i;
  }
}

/** Index of the bracket closing the one at `open`, skipping strings and comments inside. */
function matching(text: string, open: number): number {
  let depth = 0;
  let i = open;
  while (i < text.length) {
    const c = text[i];
    if (c === '"' || c === '`') {
      i = skipString(text, i);
      continue;
    }
    if (text.startsWith('//', i) || text.startsWith('/*', i)) {
      i = skipSpace(text, i);
      continue;
    }
    if (c === '{' || c === '[' || c === '(') depth++;
    else if (c === '}' || c === ']' || c === ')') {
      depth--;
      if (depth === 0) return i;
    }
    i++;
  }
  throw new AlloySyntaxError(`unbalanced "${text[open] ?? ''}" at offset ${open}`);
}

/** End of an attribute's expression: the first newline outside brackets and strings. */
function expressionEnd(text: string, start: number): number {
  let i = start;
  while (i < text.length && text[i] !== '\n') {
    const c = text[i];
    if (c === '"' || c === '`') i = skipString(text, i);
    else if (c === '{' || c === '[' || c === '(') i = matching(text, i) + 1;
    else if (text.startsWith('//', i)) return i;
    else if (text.startsWith('/*', i)) {
      const close = text.indexOf('*/', i + 2);
      if (close === -1) throw new AlloySyntaxError(`unterminated comment at offset ${i}`);
      i = close + 2;
    } else i++;
  }
  return i;
}

/** An expression as written, without its comments. */
function withoutComments(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"' || c === '`') {
      const end = skipString(text, i);
      out += text.slice(i, end);
      i = end;
    } else if (text.startsWith('//', i) || text.startsWith('/*', i)) {
      out += ' ';
      i = skipSpace(text, i);
    } else {
      out += c;
      i++;
    }
  }
  return out.trim();
}

/** The blocks and attributes of one body (the whole file, or the inside of a block). */
function parseBody(text: string): { attributes: Map<string, string>; blocks: AlloyBlock[] } {
  const attributes = new Map<string, string>();
  const blocks: AlloyBlock[] = [];
  let i = skipSpace(text, 0);
  while (i < text.length) {
    const name = /^[A-Za-z_][\w.]*/.exec(text.slice(i))?.[0];
    if (!name) throw new AlloySyntaxError(`expected a block or attribute name at offset ${i}`);
    i = skipSpace(text, i + name.length);
    if (text[i] === '=') {
      const start = skipSpace(text, i + 1);
      const end = expressionEnd(text, start);
      attributes.set(name, withoutComments(text.slice(start, end)));
      i = skipSpace(text, end);
      continue;
    }
    let label: string | undefined;
    if (text[i] === '"') {
      const end = skipString(text, i);
      label = JSON.parse(text.slice(i, end)) as string;
      i = skipSpace(text, end);
    }
    if (text[i] !== '{') throw new AlloySyntaxError(`expected "{" after ${name} at offset ${i}`);
    const close = matching(text, i);
    const body = parseBody(text.slice(i + 1, close));
    blocks.push({ name, ...(label === undefined ? {} : { label }), ...body });
    i = skipSpace(text, close + 1);
  }
  return { attributes, blocks };
}

/** The top-level blocks (components) of an Alloy configuration. */
export function parseAlloyConfig(text: string): AlloyBlock[] {
  return parseBody(text).blocks;
}

const stringValue = (expression: string | undefined): string | undefined =>
  expression && /^"[^"\\]*"$/.test(expression) ? expression.slice(1, -1) : undefined;
const stringList = (expression: string | undefined): string[] => [...(expression ?? '').matchAll(/"([^"\\]*)"/g)].map((m) => m[1] ?? '');

/** What the configuration asks of the Kubernetes API, and components it uses that this reader cannot judge. */
export interface KubernetesApiUse {
  /** Each read with the component that makes it: `discovery.kubernetes "pods"`. */
  reads: { read: ApiRead; by: string }[];
  /** Components that talk to the Kubernetes API in ways not modelled here: a finding, never a pass. */
  unjudged: string[];
}

/** Components whose name says they read the Kubernetes API, beyond the ones modelled. */
const KUBERNETES_COMPONENT = /kubernetes|podlogs|\.operator\.|k8sattributes/;

/**
 * The API reads of an Alloy configuration. `discovery.kubernetes`: its role's resources plus
 * attach_metadata's (catalog/rbac.ts), in the `namespaces { names }` listed, else across the cluster
 * (`own_namespace` adds `ownNamespace`). Any other Kubernetes-facing component is returned unjudged.
 * Throws AlloySyntaxError on text it cannot read.
 */
export function kubernetesApiUse(text: string, ownNamespace: string): KubernetesApiUse {
  const use: KubernetesApiUse = { reads: [], unjudged: [] };
  for (const block of parseAlloyConfig(text)) {
    const by = `${block.name}${block.label === undefined ? '' : ` "${block.label}"`}`;
    if (block.name !== 'discovery.kubernetes') {
      if (KUBERNETES_COMPONENT.test(block.name)) use.unjudged.push(by);
      continue;
    }
    const role = stringValue(block.attributes.get('role')) ?? '';
    const roleReads = DISCOVERY_ROLE_READS[role];
    if (!roleReads || block.attributes.has('api_server') || block.attributes.has('kubeconfig_file')) {
      use.unjudged.push(by);
      continue;
    }
    const attach = block.blocks.find((b) => b.name === 'attach_metadata');
    const extra = Object.entries(ATTACH_METADATA_READS)
      .filter(([field]) => attach?.attributes.get(field) === 'true')
      .map(([, read]) => read);
    const scope = block.blocks.find((b) => b.name === 'namespaces');
    const names = [
      ...stringList(scope?.attributes.get('names')),
      ...(scope?.attributes.get('own_namespace') === 'true' ? [ownNamespace] : []),
    ];
    for (const read of roleReads) {
      if (names.length === 0) use.reads.push({ read, by });
      else for (const namespace of names) use.reads.push({ read: { ...read, namespace }, by });
    }
    // Node and Namespace metadata are cluster-scoped objects whatever namespaces the role searches.
    for (const read of extra) use.reads.push({ read, by });
  }
  return use;
}
