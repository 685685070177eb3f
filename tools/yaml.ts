import { createHash } from 'node:crypto';
import { parseAllDocuments, stringify } from 'yaml';
import { isKubeObject, type KubeObject } from './kube/object.ts';
import { documentToJson, ManifestYamlError, MANIFEST_YAML_OPTIONS } from './kube/yaml-reading.ts';

/** Keys a Kubernetes reader looks for first, in this order; every other key follows sorted. */
const LEADING_KEYS = ['apiVersion', 'kind', 'metadata', 'spec', 'data', 'stringData', 'resources'];
const METADATA_KEYS = ['name', 'namespace', 'labels', 'annotations'];

function orderKeys(keys: string[], leading: readonly string[]): string[] {
  const first = leading.filter((key) => keys.includes(key));
  const rest = keys.filter((key) => !leading.includes(key)).sort();
  return [...first, ...rest];
}

/** A deep copy whose object keys are in canonical order, so serialization never depends on build order. */
export function canonicalize(value: unknown, path: readonly string[] = []): unknown {
  if (Array.isArray(value)) return value.map((item) => canonicalize(item, path));
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  const leading = path.length === 0 ? LEADING_KEYS : path.length === 1 && path[0] === 'metadata' ? METADATA_KEYS : [];
  const out: Record<string, unknown> = {};
  for (const key of orderKeys(Object.keys(record), leading)) {
    if (record[key] === undefined) continue;
    out[key] = canonicalize(record[key], [...path, key]);
  }
  return out;
}

/** The repository's one YAML writer: canonical key order, no line wrapping, block literals for text. */
export function toYaml(value: unknown): string {
  return stringify(canonicalize(value), {
    // Strings that kubectl's YAML 1.1 reader would take for something else (`yes`, `0755`) are quoted.
    ...MANIFEST_YAML_OPTIONS,
    lineWidth: 0,
    minContentWidth: 0,
    indentSeq: true,
    blockQuote: 'literal',
    aliasDuplicateObjects: false,
  });
}

export class YamlParseError extends Error {
  override readonly name = 'YamlParseError';
}

/** JSON text (what `kubectl get -o json` and the API server write) by the native parser; `undefined` when it is not JSON. */
function parseJson(text: string): { value: unknown } | { error: string } | undefined {
  if (!/^\s*[[{]/.test(text)) return undefined;
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Parses a multi-document YAML stream (a `kind: List`, or an array of objects) into Kubernetes
 * objects, in order, read as kubectl and Argo CD read manifests (tools/kube/yaml-reading.ts:
 * YAML 1.1 integers and booleans, `<<` merge keys). JSON, which is YAML too, takes the native
 * parser: many times faster on a large snapshot.
 */
export function parseObjects(text: string, source: string): KubeObject[] {
  const objects: KubeObject[] = [];
  const json = parseJson(text);
  if (json && 'value' in json) {
    collect(json.value, `${source}: document 1`, objects);
    return objects;
  }
  // YAML flow style also starts with `{` or `[`: what JSON refused, the YAML parser may read.
  const documents = parseAllDocuments(text, MANIFEST_YAML_OPTIONS);
  const list = Array.isArray(documents) ? documents : [documents];
  list.forEach((document, index) => {
    if (document.errors.length > 0) {
      // Text that looks like JSON gets the JSON parser's reason, which names what is wrong with JSON.
      const reason = json ? `invalid JSON: ${json.error}` : (document.errors[0]?.message ?? 'invalid YAML');
      throw new YamlParseError(`${source}: document ${index + 1}: ${reason.split('\n')[0]}`);
    }
    const where = `${source}: document ${index + 1}`;
    let value: unknown;
    try {
      value = documentToJson(document, where);
    } catch (error) {
      if (error instanceof ManifestYamlError) throw new YamlParseError(error.message, { cause: error });
      throw error;
    }
    collect(value, where, objects);
  });
  return objects;
}

/**
 * The documents of a YAML stream as separate texts, split at its document-start lines (`---` alone on a
 * line). Such a line always starts a document: no scalar may hold it (YAML 1.2 §9.1.4, c-forbidden), and
 * anchors and tags do not reach across documents, so each text reads alone as it reads in the stream.
 * Undefined for a stream the split cannot promise that of: one with directives (`%`), document-end
 * markers (`...`), or anything after `---` on its line. kustomize writes none of them.
 */
export function documentTexts(text: string): string[] | undefined {
  const documents: string[] = [];
  let start = 0;
  for (let at = 0; at < text.length;) {
    const end = text.indexOf('\n', at);
    const line = text.slice(at, end === -1 ? text.length : end);
    const next = end === -1 ? text.length : end + 1;
    if (line === '---') {
      documents.push(text.slice(start, at));
      start = next;
    } else if (line.startsWith('%') || /^(---|\.\.\.)([ \t]|$)/.test(line)) return undefined;
    at = next;
  }
  documents.push(text.slice(start));
  return documents.filter((document) => document.trim() !== '');
}

/** A document's key among those known (parseObjectsKnown): sha256 (hex) of its text. */
const documentDigest = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * parseObjects of `text`, document by document (documentTexts): a document whose text's digest (sha256,
 * hex) is in `known` takes the objects found there instead of being parsed again, and every document's
 * objects are put in `learnt` by its digest. A stream that cannot be split, or a document that does not
 * parse, is parsed whole by parseObjects, so its objects and errors are that function's.
 * @throws YamlParseError as parseObjects
 */
export function parseObjectsKnown(
  text: string,
  source: string,
  known: ReadonlyMap<string, readonly KubeObject[]>,
  learnt: Map<string, readonly KubeObject[]>,
): KubeObject[] {
  const documents = documentTexts(text);
  if (documents === undefined) return parseObjects(text, source);
  const found: [string, readonly KubeObject[]][] = [];
  try {
    for (const document of documents) {
      const digest = documentDigest(document);
      found.push([digest, known.get(digest) ?? learnt.get(digest) ?? parseObjects(document, source)]);
    }
  } catch {
    return parseObjects(text, source);
  }
  for (const [digest, objects] of found) learnt.set(digest, objects);
  return found.flatMap(([, objects]) => objects);
}

/** `where` names the value in errors; for items, `item N` suffixes are added only when an error needs them. */
function collect(value: unknown, where: string, into: KubeObject[]): void {
  if (value === null || value === undefined) return;
  const items = listItems(value);
  if (!items) {
    if (!isKubeObject(value)) {
      throw new YamlParseError(`${where}: not a Kubernetes object (needs apiVersion, kind and metadata.name)`);
    }
    into.push(value);
    return;
  }
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    // Most items are objects: taken here, without naming them first.
    if (isKubeObject(item) && !listItems(item)) into.push(item);
    else collect(item, `${where} item ${i}`, into);
  }
}

/** The items of an array or of a `kind: …List` with `items`; undefined for anything else. */
function listItems(value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) return value;
  const list = value as { kind?: unknown; items?: unknown };
  return typeof list.kind === 'string' && list.kind.endsWith('List') && Array.isArray(list.items) ? list.items : undefined;
}
