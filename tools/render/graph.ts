/**
 * The inputs of an overlay: every file kustomize reads to render it, found by walking the
 * kustomization graph (resources, components, patches, generators, recursively into bases),
 * and the content hash of those files.
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { parse } from 'yaml';
import { workingTreeSource, type InputSource } from '../git/source.ts';

const KUSTOMIZATION_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** What one kustomization file refers to; `null` when it is not a YAML mapping (kustomize reports why). */
export type KustomizationRefs = {
  /** May be a file or a kustomization directory. */
  resources: string[];
  /** Always files: patches, replacements, generator sources. */
  files: string[];
  /** Remote references and Helm charts, which no local file stands for. */
  remote: string[];
} | null;

/**
 * Kustomization files parsed so far, by content id. Parsing YAML is most of a walk's cost, and a
 * base's kustomization is shared by every environment, so each distinct file is parsed once;
 * the render cache keeps this table between runs.
 */
export type RefsMemo = Map<string, KustomizationRefs>;

export interface OverlayInputs {
  /** Root-relative paths (with `/`) of every file the render reads, sorted. */
  files: string[];
  /** References that name no local file (missing paths, remote URLs, Helm charts): kustomize fails on them. */
  unresolved: string[];
}

const isRemote = (ref: string): boolean => /^[a-z][a-z0-9+.-]*:\/\//i.test(ref) || ref.startsWith('git@') || /^(github|gitlab|bitbucket)\.(com|org)\//.test(ref);

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function paths(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry) => (entry !== null && typeof entry === 'object' && typeof (entry as { path?: unknown }).path === 'string' ? [(entry as { path: string }).path] : []));
}

/** Files a kustomization names that are always files: patches, replacements, generator sources. */
function fileRefs(k: Record<string, unknown>): string[] {
  const refs = [...paths(k['patches']), ...paths(k['patchesJson6902']), ...paths(k['replacements']), ...strings(k['configurations'])];
  // A patchesStrategicMerge entry is a path or an inline patch; inline text is already in the kustomization's bytes.
  refs.push(...strings(k['patchesStrategicMerge']).filter((entry) => !entry.includes('\n')));
  const openapi = k['openapi'] as { path?: unknown } | undefined;
  if (typeof openapi?.path === 'string') refs.push(openapi.path);
  for (const field of ['configMapGenerator', 'secretGenerator']) {
    const generators = k[field];
    if (!Array.isArray(generators)) continue;
    for (const generator of generators as Record<string, unknown>[]) {
      refs.push(...strings(generator['files']).map((f) => f.slice(f.indexOf('=') + 1)), ...strings(generator['envs']));
      if (typeof generator['env'] === 'string') refs.push(generator['env']);
    }
  }
  return refs;
}

/** The references of a kustomization file's text. */
export function kustomizationRefs(text: string): KustomizationRefs {
  let k: unknown;
  try {
    k = parse(text);
  } catch {
    return null; // kustomize reports the syntax error; the file's bytes are already part of the inputs.
  }
  if (k === null || typeof k !== 'object' || Array.isArray(k)) return null;
  const record = k as Record<string, unknown>;
  const candidates = ['resources', 'bases', 'components', 'crds', 'generators', 'transformers', 'validators'].flatMap((field) => strings(record[field]));
  const remote = candidates.filter(isRemote);
  if (record['helmCharts'] !== undefined || record['helmChartInflationGenerator'] !== undefined) remote.push('helmCharts');
  return { resources: candidates.filter((ref) => !isRemote(ref)), files: fileRefs(record), remote };
}

const under = (dir: string, ref: string): string => (posix.isAbsolute(ref) ? posix.normalize(ref) : posix.join(dir, ref));

/** Every file kustomize reads to render the overlay at `dir` (root-relative). */
export async function overlayInputs(source: InputSource, dir: string, memo: RefsMemo = new Map()): Promise<OverlayInputs> {
  const files = new Set<string>();
  const unresolved = new Set<string>();
  const visited = new Set<string>();

  const refsOf = async (file: string): Promise<KustomizationRefs> => {
    const id = await source.contentId(file);
    if (id !== undefined && memo.has(id)) return memo.get(id) ?? null;
    const refs = kustomizationRefs((await source.bytes(file))?.toString('utf8') ?? '');
    if (id !== undefined) memo.set(id, refs);
    return refs;
  };

  const visit = async (kustomizationDir: string): Promise<void> => {
    if (visited.has(kustomizationDir)) return;
    visited.add(kustomizationDir);
    const name = KUSTOMIZATION_NAMES.find((n) => source.kind(posix.join(kustomizationDir, n)) === 'file');
    if (!name) {
      unresolved.add(`${kustomizationDir}: no kustomization file`);
      return;
    }
    const file = posix.join(kustomizationDir, name);
    files.add(file);
    const refs = await refsOf(file);
    if (!refs) return;
    for (const ref of refs.remote) unresolved.add(`${file}: ${ref}`);
    for (const ref of refs.resources) {
      const target = under(kustomizationDir, ref);
      const kind = source.kind(target);
      if (kind === 'dir') await visit(target);
      else if (kind === 'file') files.add(target);
      else unresolved.add(`${file}: ${ref}`);
    }
    for (const ref of refs.files) {
      const target = under(kustomizationDir, ref);
      if (source.kind(target) === 'file') files.add(target);
      else unresolved.add(`${file}: ${ref}`);
    }
  };

  await visit(posix.normalize(dir));
  return { files: [...files].sort(), unresolved: [...unresolved].sort() };
}

/** sha256 of every input's path and content id (and of what could not be resolved): equal hashes, equal renders. */
export async function hashInputs(source: InputSource, inputs: OverlayInputs): Promise<string> {
  const hash = createHash('sha256');
  for (const path of inputs.files) hash.update(`file ${path} ${(await source.contentId(path)) ?? 'unreadable'}\n`);
  for (const ref of inputs.unresolved) hash.update(`unresolved ${ref}\n`);
  return hash.digest('hex');
}

/** The content hash of the overlay at `dir` (root-relative) in the working tree at `root`, or in any source. */
export async function overlayHash(from: string | InputSource, dir: string, memo: RefsMemo = new Map()): Promise<string> {
  const source = typeof from === 'string' ? workingTreeSource(from) : from;
  return hashInputs(source, await overlayInputs(source, dir, memo));
}
