/**
 * The inputs of an overlay: every file kustomize reads to render it, found by walking the
 * kustomization graph (resources, components, patches, generators, recursively into bases),
 * and the content hash of those files.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { parse } from 'yaml';

const KUSTOMIZATION_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** Reads files and directories once per run, however many overlays share them (a base serves every environment). */
export interface InputReader {
  kind(path: string): Promise<'file' | 'dir' | 'none'>;
  bytes(path: string): Promise<Buffer | undefined>;
}

export function createInputReader(): InputReader {
  const kinds = new Map<string, Promise<'file' | 'dir' | 'none'>>();
  const contents = new Map<string, Promise<Buffer | undefined>>();
  return {
    kind(path) {
      let found = kinds.get(path);
      if (!found) {
        found = stat(path).then((s) => (s.isDirectory() ? 'dir' : s.isFile() ? 'file' : 'none'), () => 'none' as const);
        kinds.set(path, found);
      }
      return found;
    },
    bytes(path) {
      let found = contents.get(path);
      if (!found) {
        found = readFile(path).catch(() => undefined);
        contents.set(path, found);
      }
      return found;
    },
  };
}

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

/** References that may be a file or a kustomization directory. */
function resourceRefs(k: Record<string, unknown>): string[] {
  return ['resources', 'bases', 'components', 'crds', 'generators', 'transformers', 'validators'].flatMap((field) => strings(k[field]));
}

/** Every file kustomize reads to render the overlay at `dir` (absolute, or relative to `root`). */
export async function overlayInputs(root: string, dir: string, reader: InputReader = createInputReader()): Promise<OverlayInputs> {
  const files = new Set<string>();
  const unresolved = new Set<string>();
  const visited = new Set<string>();
  const rel = (path: string): string => relative(root, path).split(sep).join('/');

  const visit = async (kustomizationDir: string): Promise<void> => {
    if (visited.has(kustomizationDir)) return;
    visited.add(kustomizationDir);
    let file: string | undefined;
    for (const name of KUSTOMIZATION_NAMES) {
      if ((await reader.kind(join(kustomizationDir, name))) === 'file') {
        file = join(kustomizationDir, name);
        break;
      }
    }
    if (!file) {
      unresolved.add(`${rel(kustomizationDir)}: no kustomization file`);
      return;
    }
    files.add(rel(file));
    let k: unknown;
    try {
      k = parse((await reader.bytes(file))?.toString('utf8') ?? '');
    } catch {
      return; // kustomize reports the syntax error; the file's bytes are already part of the inputs.
    }
    if (k === null || typeof k !== 'object' || Array.isArray(k)) return;
    const record = k as Record<string, unknown>;
    if (record['helmCharts'] !== undefined || record['helmChartInflationGenerator'] !== undefined) unresolved.add(`${rel(file)}: helmCharts`);
    for (const ref of resourceRefs(record)) {
      if (isRemote(ref)) {
        unresolved.add(`${rel(file)}: ${ref}`);
        continue;
      }
      const target = resolve(kustomizationDir, ref);
      const kind = await reader.kind(target);
      if (kind === 'dir') await visit(target);
      else if (kind === 'file') files.add(rel(target));
      else unresolved.add(`${rel(file)}: ${ref}`);
    }
    for (const ref of fileRefs(record)) {
      const target = resolve(kustomizationDir, ref);
      if ((await reader.kind(target)) === 'file') files.add(rel(target));
      else unresolved.add(`${rel(file)}: ${ref}`);
    }
  };

  await visit(resolve(root, dir));
  return { files: [...files].sort(), unresolved: [...unresolved].sort() };
}

/** sha256 of every input's path and bytes (and of what could not be resolved): equal hashes, equal renders. */
export async function hashInputs(root: string, inputs: OverlayInputs, reader: InputReader = createInputReader()): Promise<string> {
  const hash = createHash('sha256');
  for (const path of inputs.files) {
    const bytes = await reader.bytes(resolve(root, path));
    if (bytes === undefined) {
      hash.update(`unreadable ${path}\n`);
      continue;
    }
    hash.update(`file ${path} ${bytes.length}\n`);
    hash.update(bytes);
  }
  for (const ref of inputs.unresolved) hash.update(`unresolved ${ref}\n`);
  return hash.digest('hex');
}

/** The content hash of the overlay at `dir`: its input files' paths and bytes. */
export async function overlayHash(root: string, dir: string, reader: InputReader = createInputReader()): Promise<string> {
  return hashInputs(root, await overlayInputs(root, dir, reader), reader);
}
