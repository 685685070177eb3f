/**
 * Batched rendering: several overlays through one kustomize process, where that provably gives each
 * overlay the bytes of its own `kustomize build`.
 *
 * A batch is a temporary kustomization listing the overlays as resources, with
 * `buildMetadata: [originAnnotations]`: kustomize then annotates every object with the file it came
 * from (`config.kubernetes.io/origin`, `path:` or, for generated objects, `configuredIn:`), which names
 * its overlay because the overlays of a batch share no input file. The annotation is cut out of the
 * text again; kustomize writes every mapping with its keys sorted, so removing those lines (and an
 * `annotations:` left empty) restores the overlay's own bytes. Facts from kustomize v5.5:
 * - `api/internal/target/kusttarget.go` (makeCustomizedResMap): name hashes, back references and vars
 *   are resolved once, at the top kustomization, over every object of the batch. An overlay whose
 *   graph can rename an object or declare vars (generators, prefixes, namespaces, transformers,
 *   replacements, vars, name-changing patches…) could then change another overlay's references, so
 *   only overlays whose every kustomization uses the fields of {@link BATCHABLE_FIELDS} are batched.
 * - `api/internal/builtins/SortOrderTransformer.go`: the top kustomization sorts (legacy order, kubectl's
 *   default) by kind, then by `gvk|namespace|name`, a strict order on distinct objects, so each overlay's
 *   objects keep their own order inside the batch's. An overlay with its own `sortOptions` is not batched.
 * - The same object from two overlays of a batch is an error of kustomize's ("may not add resource with
 *   an already registered id"), as is any other failure: the batch is then rendered one overlay per
 *   process (overlays.ts), so every error names its overlay.
 * Each overlay stays its own kustomization root inside the batch: the load restrictor applies to it as
 * to a single build.
 */
import { mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { parse } from 'yaml';
import type { OverlayInputs } from './graph.ts';
import { renderText, RenderError, type Kustomize } from './kustomize.ts';
import type { InputSource } from '../git/source.ts';

/**
 * Kustomization fields that neither rename objects nor add anything resolved at the top of a build
 * (kustomize's `types.Kustomization`): an overlay whose kustomizations use only these can share a process.
 */
const BATCHABLE_FIELDS: ReadonlySet<string> = new Set([
  'apiVersion',
  'kind',
  'metadata',
  'resources',
  'bases',
  'patches',
  'images',
  'replicas',
  'labels',
  'commonLabels',
  'commonAnnotations',
]);

/** Patch options that let a patch rename an object or change its kind (kustomize's PatchTransformer). */
const RENAMING_PATCH_OPTIONS = ['allowNameChange', 'allowKindChange'];

const ORIGIN_LINE = '    config.kubernetes.io/origin: |';
const KUSTOMIZATION_FILE = /(^|\/)(kustomization\.ya?ml|Kustomization)$/;

/** Whether one kustomization file's text uses batchable fields only. */
export function kustomizationBatchable(text: string): boolean {
  let k: unknown;
  try {
    k = parse(text);
  } catch {
    return false;
  }
  if (k === null || typeof k !== 'object' || Array.isArray(k)) return false;
  const record = k as Record<string, unknown>;
  if (!Object.keys(record).every((field) => BATCHABLE_FIELDS.has(field))) return false;
  const patches = Array.isArray(record['patches']) ? (record['patches'] as unknown[]) : [];
  return patches.every((patch) => {
    const options = (patch as { options?: unknown } | null)?.options;
    return (
      options === undefined ||
      (options !== null &&
        typeof options === 'object' &&
        RENAMING_PATCH_OPTIONS.every((name) => !(options as Record<string, unknown>)[name]))
    );
  });
}

/** Verdicts by kustomization content id, so a base shared by many overlays is read once. */
export type BatchableMemo = Map<string, boolean>;

/**
 * What an overlay may not share with another overlay of its batch: its input paths and the content ids
 * of its files other than kustomizations (two copies of one file declare the same objects, which would
 * collide). Undefined when the overlay must render alone: unresolved inputs, or a kustomization
 * using a field outside {@link BATCHABLE_FIELDS}.
 */
export async function batchKeys(
  source: InputSource,
  inputs: OverlayInputs,
  memo: BatchableMemo = new Map(),
): Promise<string[] | undefined> {
  if (inputs.unresolved.length > 0) return undefined;
  const keys = [...inputs.files];
  for (const file of inputs.files) {
    const id = await source.contentId(file);
    if (!KUSTOMIZATION_FILE.test(file)) {
      keys.push(`content ${id ?? 'unreadable'}`);
      continue;
    }
    let verdict = id === undefined ? undefined : memo.get(id);
    if (verdict === undefined) {
      const bytes = await source.bytes(file);
      verdict = bytes !== undefined && kustomizationBatchable(bytes.toString('utf8'));
      if (id !== undefined) memo.set(id, verdict);
    }
    if (!verdict) return undefined;
  }
  return keys;
}

/**
 * Groups overlays into batches of at most `maxSize` whose overlays share no key: first fit, in the
 * given order. `keys` gives what an overlay may not share ({@link batchKeys}), or undefined for an
 * overlay that must render alone (a batch of one).
 */
export function planBatches<T>(overlays: readonly T[], keys: (overlay: T) => readonly string[] | undefined, maxSize: number): T[][] {
  const batches: { members: T[]; taken: Set<string> }[] = [];
  const alone: T[][] = [];
  for (const overlay of overlays) {
    const own = keys(overlay);
    if (!own || maxSize < 2) {
      alone.push([overlay]);
      continue;
    }
    let batch = batches.find((b) => b.members.length < maxSize && own.every((key) => !b.taken.has(key)));
    if (!batch) {
      batch = { members: [], taken: new Set() };
      batches.push(batch);
    }
    batch.members.push(overlay);
    for (const key of own) batch.taken.add(key);
  }
  return [...batches.map((b) => b.members), ...alone];
}

/** One document of kustomize's output without its origin annotation, and the file the annotation named. */
export interface TracedDocument {
  text: string;
  /** `path` or `configuredIn` of the origin, relative to the batch kustomization. */
  origin: string;
}

/** A lone `path:` whose value is a plain relative path with a `/` (never a number, boolean or null in YAML). */
const PLAIN_PATH = /^path: ([\w.][\w./-]*\/[\w./-]*)$/;

/** The file an origin annotation's value names (`path`, or `configuredIn` for generated objects); undefined for a remote origin. */
function originPath(value: readonly string[]): string | undefined {
  // Nearly every object: one plain path line, read without a YAML parser.
  const plain = value.length === 1 ? PLAIN_PATH.exec(value[0] as string) : null;
  if (plain) return plain[1];
  let parsed: unknown;
  try {
    parsed = parse(value.join('\n'));
  } catch {
    return undefined;
  }
  const record = (parsed ?? {}) as Record<string, unknown>;
  const origin = typeof record['path'] === 'string' ? record['path'] : record['configuredIn'];
  return typeof origin !== 'string' || record['repo'] !== undefined ? undefined : origin;
}

/**
 * Cuts the `config.kubernetes.io/origin` annotation out of one output document (keys sorted,
 * two-space indentation, as kustomize writes it). Undefined when the document has none where expected.
 */
export function traceDocument(doc: string): TracedDocument | undefined {
  const lines = doc.split('\n');
  const metadata = lines.indexOf('metadata:');
  if (metadata < 0) return undefined;
  let end = lines.findIndex((line, index) => index > metadata && line !== '' && !line.startsWith(' '));
  if (end < 0) end = lines.length;
  const start = lines.indexOf(ORIGIN_LINE, metadata);
  if (start < 0 || start > end) return undefined;
  let stop = start + 1;
  while (stop < end && (lines[stop] as string).startsWith('      ')) stop += 1;
  const origin = originPath(lines.slice(start + 1, stop).map((line) => line.slice(6)));
  if (origin === undefined) return undefined;
  lines.splice(start, stop - start);
  // An annotations mapping that held only the origin goes too.
  const annotations = lines.indexOf('  annotations:', metadata);
  if (annotations >= 0 && annotations < end && !(lines[annotations + 1] ?? '').startsWith('    ')) lines.splice(annotations, 1);
  return { text: lines.join('\n'), origin };
}

/** kustomize's output split into its documents (`---` lines; block scalars are indented, so never at column 0). */
function documents(text: string): string[] {
  if (text === '') return [];
  return text.split(/^---\n/m).filter((doc, index) => index > 0 || doc !== '');
}

const posixPath = (path: string): string => path.split(sep).join('/');

/**
 * Renders `overlays` (directories relative to `root`, sharing no input file) in one kustomize process
 * and returns each overlay's text, byte for byte what its own build prints. Throws RenderError when
 * kustomize fails or a document cannot be traced to exactly one overlay; the caller then renders the
 * overlays one by one.
 */
export async function renderBatchText(
  kustomize: Kustomize,
  root: string,
  overlays: readonly { dir: string; inputs: OverlayInputs }[],
): Promise<Map<string, string>> {
  const owner = new Map<string, string>();
  for (const overlay of overlays) for (const file of overlay.inputs.files) owner.set(file, overlay.dir);
  const realRoot = await realpath(root);
  const batch = await realpath(await mkdtemp(join(tmpdir(), 'kustomize-batch-')));
  try {
    const resources = overlays
      .map((overlay) => `  - ${JSON.stringify(posixPath(relative(batch, join(realRoot, overlay.dir))))}\n`)
      .join('');
    await writeFile(
      join(batch, 'kustomization.yaml'),
      `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nbuildMetadata: [originAnnotations]\nresources:\n${resources}`,
    );
    const text = await renderText(kustomize, batch);
    const docs = new Map<string, string[]>(overlays.map((overlay) => [overlay.dir, []]));
    for (const doc of documents(text)) {
      const traced = traceDocument(doc);
      const dir = traced && owner.get(posixPath(relative(realRoot, resolve(batch, traced.origin))));
      if (!traced || !dir)
        throw new RenderError(`batch of ${overlays.map((o) => o.dir).join(', ')}: an object could not be traced to its overlay`);
      docs.get(dir)?.push(traced.text);
    }
    return new Map([...docs].map(([dir, texts]) => [dir, texts.join('---\n')]));
  } finally {
    await rm(batch, { recursive: true, force: true });
  }
}
