/**
 * Loki's configuration file as Loki's documentation states it, at the Loki the catalog pins: the
 * blocks our rendered configs use (top level, `server`, `common`, `memberlist`, `schema_config` and
 * its `period_config`, `compactor`, `storage_config`, `limits_config`, `analytics`, and the
 * `s3_storage_config` under `common.storage.s3`), every documented key of those blocks with its type,
 * and per block the page section that documents it. Blocks outside that set are known by name only:
 * their contents are not judged here.
 *
 * The data (`loki-config-schema.json` beside this file) was read from Loki's configuration reference
 * at v3.7.6 (grafana/loki `docs/sources/shared/configuration.md`, published at
 * grafana.com/docs/loki/v3.7.x/configure/): `<boolean>` is `bool`, `<int>` is `int` (or `size`
 * where the documented default carries a byte unit, e.g. `64MB`), `<duration>` is `duration` (Go's
 * `time.ParseDuration`) or `prometheus-duration` where the Go field is a `model.Duration` (v3.7.6
 * `pkg/validation/limits.go` for limits_config, `pkg/storage/config/schema_config.go` for the
 * period_config table periods), `<daytime>` is a `YYYY-MM-DD` date; `[<block>]` lines (an embedded
 * block, e.g. memberlist's TLS keys) put that block's keys beside their siblings.
 *
 * Why documentation and not Loki's code: github.com/grafana/loki/v3 is one Go module and
 * AGPL-licensed (only a few of its packages are Apache-2.0, LICENSING.md), so it is not used here.
 * Loki reads its file strictly (an unknown key is an error), which this check keeps. It is stricter
 * than Loki's YAML reader on purpose in two places: a scalar of another YAML type (a number where a
 * string is documented, `yes` for a bool, a bare number for a duration other than 0) is refused.
 * A key Loki 3.7.6 documents in a block outside the set above is not judged until that block is
 * added to the data.
 */
import { readFileSync } from 'node:fs';

/** How one documented key's value is read. */
export type LokiKeyType =
  | 'string'
  | 'bool'
  | 'int'
  | 'size'
  | 'float'
  | 'duration'
  | 'prometheus-duration'
  | 'daytime'
  | 'list of strings'
  | 'map of strings'
  | 'map'
  | 'list'
  | 'object'
  | 'any'
  | { block: string }
  | { listOf: string }
  | { keys: Record<string, LokiKeyType> };

export interface LokiBlock {
  /** The documentation section of this block, e.g. `https://grafana.com/docs/loki/v3.7.x/configure/#compactor`. */
  doc: string;
  keys: Record<string, LokiKeyType>;
}

export interface LokiConfigSchema {
  /** The Loki release the data was read from, e.g. `3.7.6`. */
  loki: string;
  /** Blocks by their documented name; `''` is the file's top level. */
  blocks: Record<string, LokiBlock>;
}

let schema: LokiConfigSchema | undefined;

/** The committed schema (loaded once). */
export function lokiConfigSchema(): LokiConfigSchema {
  schema ??= JSON.parse(readFileSync(new URL('./loki-config-schema.json', import.meta.url), 'utf8')) as LokiConfigSchema;
  return schema;
}

/** One problem in a config: the key path (`compactor.retention_enabeld`, `schema_config.configs[0].from`) and what is wrong. */
export interface LokiConfigProblem {
  path: string;
  message: string;
}

// Go's time.ParseDuration: one or more decimal numbers each with a unit; "0" alone needs none.
const GO_DURATION = /^[-+]?(0|((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+)$/;
// prometheus/common model.ParseDuration: units in decreasing order, each at most once; "0" alone.
const PROMETHEUS_DURATION = /^(0|(?=\d)(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?)$/;
// dskit flagext.ByteSize (alecthomas/units ParseBase2Bytes): a whole number with an optional byte unit.
const SIZE = /^\d+([KMGTPE]i?)?B$/;
const DAYTIME = /^\d{4}-\d{2}-\d{2}$/;

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'no value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value === 'string' ? 'string' : typeof value} ${JSON.stringify(value)}`;
}

const isMapping = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Whether a scalar or collection fits a named type (blocks and inline objects are handled by the caller). */
function fits(value: unknown, type: string): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'bool':
      return typeof value === 'boolean';
    case 'int':
      return Number.isInteger(value);
    case 'size':
      return Number.isInteger(value) || (typeof value === 'string' && SIZE.test(value));
    case 'float':
      return typeof value === 'number';
    case 'duration':
      return value === 0 || (typeof value === 'string' && GO_DURATION.test(value));
    case 'prometheus-duration':
      return value === 0 || (typeof value === 'string' && PROMETHEUS_DURATION.test(value));
    case 'daytime':
      return typeof value === 'string' && DAYTIME.test(value);
    case 'list of strings':
      return Array.isArray(value) && value.every((v) => typeof v === 'string');
    case 'map of strings':
      return isMapping(value) && Object.values(value).every((v) => typeof v === 'string');
    case 'map':
    case 'object':
      return isMapping(value);
    case 'list':
      return Array.isArray(value);
    default:
      return true;
  }
}

const EXPECTED: Record<string, string> = {
  int: 'an integer',
  size: 'an integer or a size such as 64MB',
  float: 'a number',
  bool: 'true or false',
  duration: 'a Go duration such as 10m or 1h30m (units ns, us, ms, s, m, h; no d, w, y)',
  'prometheus-duration': 'a Prometheus duration such as 30d or 1w (units ms, s, m, h, d, w, y)',
  daytime: 'a date YYYY-MM-DD',
};

/** The closest documented key within two edits, for "did you mean". */
function closest(key: string, known: readonly string[]): string | undefined {
  const distance = (a: string, b: string): number => {
    let row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const next = [i];
      for (let j = 1; j <= b.length; j++)
        next[j] = Math.min((row[j] as number) + 1, (next[j - 1] as number) + 1, (row[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
      row = next;
    }
    return row[b.length] as number;
  };
  return known
    .map((k) => ({ k, d: distance(key, k) }))
    .filter((c) => c.d <= 2)
    .sort((x, y) => x.d - y.d)[0]?.k;
}

const at = (path: string, key: string | number): string => (typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key);

function keysProblems(
  value: unknown,
  keys: Record<string, LokiKeyType>,
  blockName: string,
  doc: string,
  path: string,
  all: LokiConfigSchema,
): LokiConfigProblem[] {
  if (!isMapping(value)) return [{ path, message: `${describe(value)} where Loki ${all.loki} documents a mapping (${doc})` }];
  const problems: LokiConfigProblem[] = [];
  for (const [key, inner] of Object.entries(value)) {
    const type = keys[key];
    if (type === undefined) {
      const hint = closest(key, Object.keys(keys));
      problems.push({
        path: at(path, key),
        message: `unknown key "${key}": Loki ${all.loki} documents no such key in ${blockName ? `the ${blockName} block` : 'the top level'}${hint ? ` (did you mean "${hint}"?)` : ''} (${doc})`,
      });
    } else problems.push(...valueProblems(inner, type, blockName, doc, at(path, key), all));
  }
  return problems;
}

function valueProblems(
  value: unknown,
  type: LokiKeyType,
  blockName: string,
  doc: string,
  path: string,
  all: LokiConfigSchema,
): LokiConfigProblem[] {
  if (typeof type === 'string') {
    return fits(value, type)
      ? []
      : [{ path, message: `${describe(value)} where Loki ${all.loki} documents ${EXPECTED[type] ?? type} (${doc})` }];
  }
  if ('keys' in type) return keysProblems(value, type.keys, blockName, doc, path, all);
  const name = 'block' in type ? type.block : type.listOf;
  const block = all.blocks[name];
  if (!block)
    throw new Error(
      `loki-config-schema.json: ${path} refers to block "${name}", which the schema lacks; add it from Loki's configuration reference`,
    );
  if ('block' in type) return keysProblems(value, block.keys, name, block.doc, path, all);
  if (!Array.isArray(value))
    return [{ path, message: `${describe(value)} where Loki ${all.loki} documents a list of ${name} blocks (${block.doc})` }];
  return value.flatMap((item, i) => keysProblems(item, block.keys, name, block.doc, at(path, i), all));
}

/**
 * Every problem of a parsed Loki configuration (the YAML document, after environment expansion)
 * against the documented schema, in document order: unknown keys and wrong types, each with its key
 * path and the documentation section that states the fact.
 */
export function lokiConfigProblems(config: unknown, all: LokiConfigSchema = lokiConfigSchema()): LokiConfigProblem[] {
  const top = all.blocks[''];
  if (!top) throw new Error('loki-config-schema.json: the top-level block "" is missing');
  return keysProblems(config, top.keys, '', top.doc, '', all);
}

/** A `${…}` reference the environment does not answer (Loki replaces it with the empty string). */
export interface UnsetReference {
  name: string;
  /** 1-based line of the reference in the file. */
  line: number;
}

/**
 * Loki's `-config.expand-env=true`: `${VAR}`, `${VAR:-default}` (and `${VAR-default}`, `$VAR`)
 * replaced in the file's text before it is parsed, an undefined variable without a default by the
 * empty string (configuration reference, "Use environment variables in the configuration"; Loki
 * v3.7.6 pkg/util/cfg/files.go uses github.com/drone/envsubst). Returns the text and the references
 * left without a value.
 */
export function expandLokiEnv(text: string, env: Readonly<Record<string, string>>): { text: string; unset: UnsetReference[] } {
  const unset: UnsetReference[] = [];
  const lines = text.split('\n').map((line, i) =>
    line.replace(
      /\$\{(\w+)(?::?-([^}]*))?\}|\$(\w+)/g,
      (_all, braced: string | undefined, fallback: string | undefined, bare: string | undefined) => {
        const name = (braced ?? bare) as string;
        const value = env[name];
        if (value !== undefined && !(value === '' && _all.includes(':-'))) return value;
        if (fallback !== undefined) return fallback;
        unset.push({ name, line: i + 1 });
        return '';
      },
    ),
  );
  return { text: lines.join('\n'), unset };
}
