/**
 * How kubectl, Argo CD and kustomize's readers turn a YAML document into the JSON an API server
 * receives: sigs.k8s.io/yaml's `YAMLToJSON`, which decodes with go-yaml v2 (YAML 1.1 resolution)
 * and then makes the result JSON. Facts from go.yaml.in/yaml/v2 `resolve.go` and `decode.go`
 * (v2.4.2) and sigs.k8s.io/yaml `yaml.go` (v1.6.0):
 * - plain `y|yes|on|true` (and their capitalised forms) are true, `n|no|off|false` false;
 * - an integer is read as Go's `strconv.ParseInt(text without "_", 0, 64)`: `0755` is octal (493),
 *   `0o17`, `0x1F`, `0X1F`, `0b101` are prefixed bases, `1_000` is 1000; what fails is tried as
 *   a float (`1e3`, `.5`, `09`);
 * - a timestamp-looking plain value stays the string it was (no Date), and `1:20` is a string
 *   (no base-60 numbers, unlike the YAML 1.1 spec);
 * - `<<` merges a map, or a sequence of maps (earlier ones win), into the map that holds it, in
 *   document order: a key written before `<<` is overwritten by the merged one, after it wins;
 * - map keys become JSON strings: `on:` is "true", `0755:` is "493"; a null key is refused;
 * - `.inf` and `.nan` cannot be JSON numbers: refused.
 * Everything else follows the `yaml` package's YAML 1.1 schema (null `~`, strings, maps, lists).
 */
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  type Document,
  type YAMLMap,
  type DocumentOptions,
  type ParseOptions,
  type SchemaOptions,
  type ScalarTag,
  type Tags,
} from 'yaml';

export class ManifestYamlError extends Error {
  override readonly name = 'ManifestYamlError';
}

const INT_TAG = 'tag:yaml.org,2002:int';
const FLOAT_TAG = 'tag:yaml.org,2002:float';
/** The YAML 1.1 tags go-yaml v2 does not resolve implicitly, or resolves differently: replaced below or dropped. */
const DROPPED_TAGS = new Set([
  INT_TAG,
  FLOAT_TAG,
  'tag:yaml.org,2002:binary',
  'tag:yaml.org,2002:merge',
  'tag:yaml.org,2002:omap',
  'tag:yaml.org,2002:pairs',
  'tag:yaml.org,2002:set',
  'tag:yaml.org,2002:timestamp',
]);

/** go-yaml v2's float syntax, on the text without underscores (`yamlStyleFloat`). */
const GO_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/** `strconv.ParseInt(plain, 0, 64)` for the forms the test below lets through. */
function parseGoInt(text: string): number {
  const plain = text.replace(/_/g, '');
  const negative = plain.startsWith('-');
  const body = plain.replace(/^[-+]/, '');
  let value: bigint;
  if (/^0[bB]/.test(body)) value = BigInt(`0b${body.slice(2)}`);
  else if (/^0[oO]/.test(body)) value = BigInt(`0o${body.slice(2)}`);
  else if (/^0[xX]/.test(body)) value = BigInt(`0x${body.slice(2)}`);
  else if (/^0[0-7]/.test(body)) value = BigInt(`0o${body.slice(1)}`);
  else value = BigInt(body);
  return Number(negative ? -value : value);
}

const goInt: ScalarTag = {
  tag: INT_TAG,
  default: true,
  identify: (value) => typeof value === 'number' && Number.isInteger(value),
  test: /^[-+]?(?:0[bB]_*[01][01_]*|0[oO]_*[0-7][0-7_]*|0[xX]_*[0-9a-fA-F][0-9a-fA-F_]*|0[0-7_]*|[1-9][0-9_]*)$/,
  resolve: parseGoInt,
};

const goFloat: ScalarTag = {
  tag: FLOAT_TAG,
  default: true,
  identify: (value) => typeof value === 'number',
  // A leading `.` is parsed as written; a sign or digit first, with underscores dropped (resolve.go).
  test: /^(?:\.[0-9]+(?:[eE][-+]?[0-9]+)?|[-+]?(?:\.[0-9_]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9_]+)?)$/,
  resolve: (text) => {
    const plain = text.startsWith('.') ? text : text.replace(/_/g, '');
    return GO_FLOAT.test(plain) ? Number(plain) : text;
  },
};

const goInfinityOrNaN: ScalarTag = {
  tag: FLOAT_TAG,
  default: true,
  identify: (value) => typeof value === 'number' && !Number.isFinite(value),
  test: /^(?:[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  resolve: (text) => (/nan/i.test(text) ? Number.NaN : text.startsWith('-') ? -Infinity : Infinity),
};

/**
 * A timestamp stays the string it was (decode.go keeps timestamp-looking values strings for
 * `interface{}`), but the writer must quote it: kustomize reads it with go-yaml v3 as a time and
 * writes it back as RFC 3339 (`2001-12-14` becomes `2001-12-14T00:00:00Z`).
 */
const goTimestamp: ScalarTag = {
  tag: 'tag:yaml.org,2002:timestamp',
  default: true,
  identify: () => false,
  test: /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::?[0-9]{2})?))?)?$/,
  resolve: (text) => text,
};

/** The parse options that give go-yaml v2's reading; `<<` is merged by `documentToJson`. */
export const MANIFEST_YAML_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  version: '1.1',
  merge: false,
  uniqueKeys: false,
  customTags: (tags: Tags) => [
    ...tags.filter((tag) => typeof tag === 'string' || !DROPPED_TAGS.has(tag.tag)),
    goInfinityOrNaN,
    goInt,
    goFloat,
    goTimestamp,
  ],
};

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** sigs.k8s.io/yaml's map key as a JSON key. */
function keyText(key: unknown, where: string): string {
  if (typeof key === 'string') return key;
  if (typeof key === 'boolean' || (typeof key === 'number' && Number.isFinite(key))) return String(key);
  throw new ManifestYamlError(
    `${where}: map key ${JSON.stringify(key) ?? String(key)} cannot be a JSON key (kubectl refuses it): quote it`,
  );
}

/**
 * A parsed document (parsed with MANIFEST_YAML_OPTIONS) as the JSON value kubectl would send.
 * Throws ManifestYamlError naming `where` and the field at fault.
 */
export function documentToJson(document: Document.Parsed, where: string): Json {
  // Collections being converted: an alias back into one of them would never end.
  const open = new Set<unknown>();
  const within = <T>(node: unknown, convertIt: () => T): T => {
    open.add(node);
    try {
      return convertIt();
    } finally {
      open.delete(node);
    }
  };
  const convert = (node: unknown, path: string): Json => {
    if (isAlias(node)) {
      const target = node.resolve(document);
      if (open.has(target))
        throw new ManifestYamlError(`${where}: ${path || '/'}: alias *${node.source} refers to itself: a manifest cannot be infinite`);
      return convert(target, path);
    }
    if (isScalar(node)) {
      const value = node.value;
      if (typeof value === 'number' && !Number.isFinite(value)) {
        throw new ManifestYamlError(
          `${where}: ${path || '/'}: ${String(node.source ?? value)} is not a JSON number (kubectl refuses it): quote it or write a number`,
        );
      }
      return value === undefined ? null : (value as Json);
    }
    if (isSeq(node)) return within(node, () => node.items.map((item, i) => convert(item, `${path}/${i}`)));
    if (isMap(node)) return within(node, () => convertMap(node, path));
    return null;
  };
  const convertMap = (node: YAMLMap, path: string): Json => {
    const out: { [key: string]: Json } = {};
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = pair.key;
      if (isScalar(key) && key.value === '<<' && key.type === 'PLAIN') {
        merge(out, pair.value, path);
        continue;
      }
      const name = keyText(isScalar(key) ? key.value : key, `${path}/(key)`);
      out[name] = convert(pair.value, `${path}/${name}`);
    }
    return out;
  };
  // decode.go `merge`: a map (or alias to one) sets its keys; a sequence is merged last to first.
  const merge = (into: { [key: string]: Json }, value: unknown, path: string): void => {
    const target = isAlias(value) ? value.resolve(document) : value;
    const maps = isSeq(target) ? [...target.items].reverse() : [target];
    for (const item of maps) {
      const map = convert(item, path);
      if (map === null || typeof map !== 'object' || Array.isArray(map)) {
        throw new ManifestYamlError(`${where}: ${path || '/'}: "<<" merges only a map or a list of maps`);
      }
      Object.assign(into, map);
    }
  };
  return convert(document.contents, '');
}
