/**
 * The inputs of an overlay: every file kustomize reads to render it, found by walking the
 * kustomization graph (resources, components, patches, generators and transformers with the files
 * their builtin plugin configs name, recursively into bases), and the content hash of those files.
 *
 * The walk errs on the side of rendering: a kustomization field or plugin config it does not know
 * makes every file under that kustomization's directory an input. Every reference is resolved
 * against the repository root first: a URL, or a path that leaves the repository, is refused
 * (`refused`), so kustomize is never asked to fetch or read it.
 *
 * Fields: the Kustomization struct of kustomize v5, sigs.k8s.io/kustomize api/types/kustomization.go
 * (kustomize's decoder refuses unknown fields, DisallowUnknownFields). Builtin plugin configs:
 * api/types (GeneratorArgs, PatchArgs, HelmChart, ReplacementField) and plugin/builtin/*; their
 * paths are relative to the kustomization that lists them (checked with kustomize v5.5).
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { workingTreeSource, type InputSource } from '../git/source.ts';

const KUSTOMIZATION_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** The kustomization directory itself, in `trees`: every file under it is an input. */
const SELF = '.';

/** What one kustomization (or plugin config) file refers to; `null` when it is not a YAML mapping (kustomize reports why). */
export type KustomizationRefs = {
  /** May be a file or a kustomization directory. */
  resources: string[];
  /**
   * Files (a directory stands for every file under it): patches, replacements, generator sources, files named by builtin plugin configs.
   */
  files: string[];
  /** Generator, transformer and validator configs kept in files: parsed in turn for the files they name. */
  configs: string[];
  /** Directories every file of which is an input: `.` when the file uses a field the walk does not know. */
  trees: string[];
  /** References that are URLs: never fetched. */
  remote: string[];
} | null;

/**
 * Kustomization and plugin config files parsed so far, by content id (plugin configs under
 * `plugin:<id>`). Parsing YAML is most of a walk's cost, and a base's kustomization is shared by every
 * environment, so each distinct file is parsed once; the render cache keeps this table between runs.
 */
export type RefsMemo = Map<string, KustomizationRefs>;

export interface OverlayInputs {
  /** Root-relative paths (with `/`) of every file the render reads, sorted. */
  files: string[];
  /** References that name no local file (missing paths): kustomize fails on them. */
  unresolved: string[];
  /** References refused before kustomize runs, one line each: `<file>: <reference>: <why>`. */
  refused: string[];
}

/** A URL, an scp-style git address, or a `github.com/…`-style remote base, as kustomize's loader accepts them. */
const isRemote = (ref: string): boolean =>
  /^[a-z][a-z0-9+.-]*:(:|\/\/)/i.test(ref) ||
  /^[\w.-]+@[\w.-]+:/.test(ref) ||
  /^(github|gitlab|bitbucket)\.(com|org)\//i.test(ref) ||
  /^[\w-]+(\.[\w-]+)+(:\d+)?\/.*(\.git\b|\/\/|\?ref=)/.test(ref);

/** A first path segment that reads as a host name (`example.com/…`, `127.0.0.1:8080/…`). */
const HOST_LIKE = /^[\w-]+(\.[\w-]+)+(:\d+)?\//;

/** Every field of kustomize v5's Kustomization (api/types/kustomization.go); any other field makes the walk hash the whole directory. */
const KNOWN_FIELDS = new Set([
  'apiVersion',
  'kind',
  'metadata',
  'openapi',
  'namePrefix',
  'nameSuffix',
  'namespace',
  'commonLabels',
  'labels',
  'commonAnnotations',
  'patchesStrategicMerge',
  'patchesJson6902',
  'patches',
  'images',
  'imageTags',
  'replacements',
  'replicas',
  'vars',
  'sortOptions',
  'resources',
  'components',
  'crds',
  'bases',
  'configMapGenerator',
  'secretGenerator',
  'helmGlobals',
  'helmCharts',
  'helmChartInflationGenerator',
  'generatorOptions',
  'configurations',
  'generators',
  'transformers',
  'validators',
  'inventory',
  'buildMetadata',
]);

/**
 * Fields of builtin plugin configs (and of the kustomization entries they mirror) that name files;
 * every other field of a builtin config is data. From api/types: GeneratorArgs/KvPairSources
 * (files, envs, env), PatchArgs (path), PatchStrategicMerge (paths), HelmChart (valuesFile,
 * additionalValuesFiles), ReplacementField (path).
 */
const PATH_FIELDS = ['path', 'paths', 'files', 'envs', 'env', 'valuesFile', 'additionalValuesFiles'];

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

function records(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

/** An inline patch or config is YAML text in the kustomization itself; a path is one line. */
const isInline = (entry: string): boolean => entry.includes('\n');

/** The files one entry (a generator, a patch, a plugin config) names; `files: [key=path]` names `path`. */
function entryFiles(entry: Record<string, unknown>): string[] {
  return PATH_FIELDS.flatMap((field) => strings(entry[field]).map((ref) => (field === 'files' ? ref.slice(ref.indexOf('=') + 1) : ref)));
}

/** The files named by the builtin plugin configs in `text` (one or more YAML documents); `trees: ['.']` for anything else. */
function pluginConfigRefs(text: string): KustomizationRefs {
  const refs = { resources: [], files: [] as string[], configs: [], trees: [] as string[], remote: [] as string[] };
  for (const document of parseAllDocuments(text)) {
    const config: unknown = document.errors.length > 0 ? undefined : document.toJS();
    if (config === null || config === undefined) continue;
    if (!isRecord(config) || config['apiVersion'] !== 'builtin') {
      // A non-builtin plugin (kustomize refuses to run it) or YAML we cannot read: take the whole directory.
      refs.trees.push(SELF);
      continue;
    }
    const named = [...entryFiles(config), ...records(config['replacements']).flatMap(entryFiles)];
    refs.files.push(...named.filter((ref) => !isInline(ref)));
    // HelmChartInflationGenerator: the chart home and config home are directories.
    refs.trees.push(...strings(config['chartHome']), ...strings(config['configHome']));
  }
  const remote = [...refs.files, ...refs.trees].filter(isRemote);
  return { ...refs, files: refs.files.filter((ref) => !isRemote(ref)), trees: refs.trees.filter((ref) => !isRemote(ref)), remote };
}

/** The references of a kustomization file's text. */
function kustomizationRefs(text: string): KustomizationRefs {
  let k: unknown;
  try {
    k = parse(text);
  } catch {
    return null; // kustomize reports the syntax error; the file's bytes are already part of the inputs.
  }
  if (!isRecord(k)) return null;
  const resources = ['resources', 'bases', 'components'].flatMap((field) => strings(k[field]));
  const files = [
    ...strings(k['crds']),
    ...strings(k['configurations']),
    ...strings(k['patchesStrategicMerge']).filter((entry) => !isInline(entry)),
    ...[
      'patches',
      'patchesJson6902',
      'replacements',
      'configMapGenerator',
      'secretGenerator',
      'helmCharts',
      'helmChartInflationGenerator',
    ].flatMap((field) => records(k[field]).flatMap(entryFiles)),
  ];
  if (isRecord(k['openapi'])) files.push(...strings(k['openapi']['path']));
  const trees = isRecord(k['helmGlobals']) ? [...strings(k['helmGlobals']['chartHome']), ...strings(k['helmGlobals']['configHome'])] : [];
  // HelmChartArgs (deprecated): `values` is a values file, `chartHome` a directory of charts.
  const inflation = records(k['helmChartInflationGenerator']);
  files.push(...inflation.flatMap((chart) => strings(chart['values'])));
  trees.push(...inflation.flatMap((chart) => strings(chart['chartHome'])));
  if (Object.keys(k).some((field) => !KNOWN_FIELDS.has(field))) trees.push(SELF);
  const configs: string[] = [];
  const remote: string[] = [];
  for (const entry of ['generators', 'transformers', 'validators'].flatMap((field) => strings(k[field]))) {
    if (!isInline(entry)) {
      configs.push(entry);
      continue;
    }
    const inline = pluginConfigRefs(entry);
    files.push(...(inline?.files ?? []));
    trees.push(...(inline?.trees ?? []));
    remote.push(...(inline?.remote ?? []));
  }
  const local = (refs: string[]) => refs.filter((ref) => !isRemote(ref));
  remote.push(...[...resources, ...files, ...configs, ...trees].filter(isRemote));
  return { resources: local(resources), files: local(files), configs: local(configs), trees: [...new Set(local(trees))], remote };
}

/** `ref` resolved against the kustomization directory `dir`, or undefined when it leaves the repository. */
function inRepository(dir: string, ref: string): string | undefined {
  if (posix.isAbsolute(ref)) return undefined;
  const target = posix.join(dir, ref);
  return target === '..' || target.startsWith('../') ? undefined : target === '.' ? '' : target;
}

const REFUSED_REMOTE = 'a remote reference: the renderer reads only files of this repository (vendor the files into it)';
const REFUSED_HOST = 'names no file of this repository and reads as a remote address: the renderer reads only files of this repository';
const REFUSED_OUTSIDE = 'leaves the repository: the renderer reads only files of this repository';

/** Every file kustomize reads to render the overlay at `dir` (root-relative). */
export async function overlayInputs(source: InputSource, dir: string, memo: RefsMemo = new Map()): Promise<OverlayInputs> {
  const files = new Set<string>();
  const unresolved = new Set<string>();
  const refused = new Set<string>();
  const visited = new Set<string>();

  const parsed = async (file: string, prefix: string, parseText: (text: string) => KustomizationRefs): Promise<KustomizationRefs> => {
    const id = await source.contentId(file);
    const key = id === undefined ? undefined : `${prefix}${id}`;
    if (key !== undefined && memo.has(key)) return memo.get(key) ?? null;
    const refs = parseText((await source.bytes(file))?.toString('utf8') ?? '');
    if (key !== undefined) memo.set(key, refs);
    return refs;
  };

  /** Resolves `ref` of kustomization `file` in `kustomizationDir`; a refusal is recorded and gives undefined. */
  const resolve = (file: string, kustomizationDir: string, ref: string): string | undefined => {
    const target = inRepository(kustomizationDir, ref);
    if (target !== undefined && !source.outside?.(target)) return target;
    refused.add(`${file}: ${ref} ${REFUSED_OUTSIDE}`);
    return undefined;
  };

  const addTree = async (file: string, tree: string): Promise<void> => {
    for (const path of await source.filesUnder(tree)) if (!source.outside?.(path)) files.add(path);
    if (source.kind(tree) === 'none') unresolved.add(`${file}: ${tree}`);
  };

  /** Files, trees and plugin configs a kustomization (or a plugin config) names, relative to `kustomizationDir`. */
  const follow = async (file: string, kustomizationDir: string, refs: NonNullable<KustomizationRefs>): Promise<void> => {
    for (const ref of refs.remote) refused.add(`${file}: ${ref} is ${REFUSED_REMOTE}`);
    for (const ref of refs.files) {
      const target = resolve(file, kustomizationDir, ref);
      if (target === undefined) continue;
      const kind = source.kind(target);
      if (kind === 'file') files.add(target);
      else if (kind === 'dir')
        await addTree(file, target); // a generator's `files:` may name a directory
      else unresolved.add(`${file}: ${ref}`);
    }
    for (const ref of refs.trees) {
      const target = resolve(file, kustomizationDir, ref);
      if (target !== undefined) await addTree(file, target);
    }
    for (const ref of refs.configs) {
      const target = resolve(file, kustomizationDir, ref);
      if (target === undefined) continue;
      const kind = source.kind(target);
      if (kind === 'file') {
        files.add(target);
        const config = await parsed(target, 'plugin:', pluginConfigRefs);
        if (config) await follow(target, kustomizationDir, config);
      } else if (kind === 'dir') {
        // A kustomization whose output is the configs: its files, and every file they could name.
        await visit(target);
        await addTree(file, target);
        await addTree(file, kustomizationDir);
      } else unresolved.add(`${file}: ${ref}`);
    }
  };

  const visit = async (kustomizationDir: string): Promise<void> => {
    if (visited.has(kustomizationDir)) return;
    visited.add(kustomizationDir);
    // Every name is asked about: kustomize refuses a folder with more than one ("Found multiple kustomization
    // files", api/konfig RecognizedKustomizationFileNames), so each found is an input and a second one changes
    // the hash; the render kustomize then refuses is not taken from the cache under the first one's.
    const found = KUSTOMIZATION_NAMES.map((n) => posix.join(kustomizationDir, n)).filter((path) => source.kind(path) === 'file');
    const [file] = found;
    if (file === undefined) {
      unresolved.add(`${kustomizationDir}: no kustomization file`);
      return;
    }
    const outside = found.find((path) => source.outside?.(path));
    if (outside !== undefined) {
      refused.add(`${outside}: ${REFUSED_OUTSIDE}`);
      return;
    }
    for (const path of found) files.add(path);
    const refs = await parsed(file, '', kustomizationRefs);
    if (!refs) return;
    for (const ref of refs.resources) {
      const target = resolve(file, kustomizationDir, ref);
      if (target === undefined) continue;
      const kind = source.kind(target);
      if (kind === 'dir') await visit(target);
      else if (kind === 'file') files.add(target);
      // kustomize tries a resource it cannot find as a remote base: a host-like one is never handed to it.
      else if (HOST_LIKE.test(ref)) refused.add(`${file}: ${ref} ${REFUSED_HOST}`);
      else unresolved.add(`${file}: ${ref}`);
    }
    await follow(file, kustomizationDir, refs);
  };

  const root = posix.normalize(dir);
  const overlay = inRepository('', root);
  if (overlay === undefined) refused.add(`${dir}: ${REFUSED_OUTSIDE}`);
  else await visit(overlay);
  return { files: [...files].sort(), unresolved: [...unresolved].sort(), refused: [...refused].sort() };
}

/** sha256 of every input's path and content id (and of what could not be resolved or was refused): equal hashes, equal renders. */
export async function hashInputs(source: InputSource, inputs: OverlayInputs): Promise<string> {
  const hash = createHash('sha256');
  for (const path of inputs.files) hash.update(`file ${path} ${(await source.contentId(path)) ?? 'unreadable'}\n`);
  for (const ref of inputs.unresolved) hash.update(`unresolved ${ref}\n`);
  for (const ref of inputs.refused) hash.update(`refused ${ref}\n`);
  return hash.digest('hex');
}

/** The content hash of the overlay at `dir` (root-relative) in the working tree at `root`, or in any source. */
export async function overlayHash(from: string | InputSource, dir: string, memo: RefsMemo = new Map()): Promise<string> {
  const source = typeof from === 'string' ? workingTreeSource(from) : from;
  return hashInputs(source, await overlayInputs(source, dir, memo));
}
