import { catalog as currentCatalog, type Catalog } from '../catalog/index.ts';
import { APP_FILE, argoObjects } from '../argocd/app-files.ts';
import { applicationFacts, type AppFacts } from '../argocd/facts.ts';
import { isGenerated, OUTPUT_DIRS } from '../generate/layout.ts';
import { stalePathsOf } from '../generate/stale.ts';
import { gitCheckout, readGitTree, type GitTree } from '../git/tree.ts';
import { withWorktree } from '../git/worktree.ts';
import { openWorkingTree, workingTree, type Checkout, type OverlayRef } from '../git/checkout.ts';
import { gitBlobId, workingTreeSource, type InputSource, type ObjectFormat } from '../git/source.ts';
import { changedOverlays, changedTreeSource, folderOnDisk } from '../git/changed-tree.ts';
import type { Changes } from '../git/changes.ts';
import { compareStrings } from '../kube/order.ts';
import { parseObjects } from '../yaml.ts';
import { parse } from 'yaml';
import { readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import type { ArgoFileObject } from './applications.ts';
import type { KubeObject } from '../kube/object.ts';
import type { GeneratedMarks } from './marks.ts';
import { generatedIds } from './generated-ids.ts';

/** Parses YAML text into Kubernetes objects as parseObjects does (`file` names it in errors). */
export type ParseObjects = (text: string, file: string) => KubeObject[];

/**
 * parseObjects that parses each distinct file and text once: both sides of a diff mostly hold the
 * same Argo CD files, read for their Applications and again for their facts. Every call returns its
 * own copy, so no reader sees what another changed.
 */
export function parseOnce(): ParseObjects {
  const parsed = new Map<string, KubeObject[]>();
  return (text, file) => {
    const key = `${file}\0${text}`;
    const objects = parsed.get(key) ?? parseObjects(text, file);
    parsed.set(key, objects);
    return structuredClone(objects);
  };
}

/**
 * Argo CD's facts of every overlay a checkout's Argo CD objects name, by overlay directory, as they
 * declare them (data read from YAML, no code of the checkout run): waves, destination namespaces, sync options.
 */
export async function appFactsOf(checkout: Checkout, parse: ParseObjects = parseObjects): Promise<Map<string, AppFacts>> {
  return applicationFacts(argoObjects(await checkout.appFiles(), parse));
}

/** The facts (appFactsOf) of `overlays`, by `env/component`. */
export function factsOfOverlays(facts: ReadonlyMap<string, AppFacts>, overlays: readonly OverlayRef[]): Map<string, AppFacts> {
  return new Map(
    overlays.flatMap((overlay) => {
      const found = facts.get(overlay.dir);
      return found ? [[`${overlay.env}/${overlay.component}`, found] as const] : [];
    }),
  );
}

/** The Argo CD objects' files (`apps/*.yaml`, APP_FILE) that `source` holds, by repository-relative path. */
async function appFilesOf(source: InputSource): Promise<Map<string, string>> {
  const paths = (await source.filesUnder('apps')).filter((path) => APP_FILE.test(path)).sort();
  const texts = await Promise.all(paths.map(async (path) => (await source.bytes(path))?.toString('utf8') ?? ''));
  return new Map(paths.map((path, index) => [path, texts[index] as string]));
}

/** One side of a diff, ready to open: the working tree (its index read), or a commit's files listed. */
async function prepare(
  root: string,
  sha: string | undefined,
  format: ObjectFormat,
  listing: { after?: Promise<unknown>; keptIn?: string } = {},
): Promise<Checkout | GitTree> {
  return sha === undefined ? openWorkingTree(root, format) : readGitTree(root, sha, listing);
}

/**
 * Runs `fn` on a prepared side: a commit with symbolic links or submodules gets a real worktree, which
 * resolves them. `beside`: the other side, whose files git vouches for are read instead of equal blobs.
 */
async function withPrepared<T>(
  root: string,
  side: Checkout | GitTree,
  format: ObjectFormat,
  fn: (checkout: Checkout) => Promise<T>,
  beside?: Checkout,
): Promise<T> {
  if (!('files' in side)) return fn(side);
  if (side.hasLinks) return withWorktree(root, side.sha, (dir) => fn(workingTree(dir, format)));
  const checkout = gitCheckout(root, side, beside?.source);
  try {
    return await fn(checkout);
  } finally {
    await checkout.dispose();
  }
}

/**
 * Runs `fn` on one side of a diff: the working tree at `root` when `sha` is undefined, else the
 * commit read from git's objects (no checkout; files are written out only for overlays that must
 * be rendered). A commit with symbolic links or submodules gets a real worktree, which resolves them.
 */
export async function withCheckout<T>(
  root: string,
  sha: string | undefined,
  format: ObjectFormat,
  fn: (checkout: Checkout) => Promise<T>,
): Promise<T> {
  return withPrepared(root, await prepare(root, sha, format), format, fn);
}

/**
 * withCheckout of both sides of a diff, `head` (undefined: the working tree) and `base`, with git read
 * for both at once. The working tree, beside a base commit read from git's objects, is that commit's
 * tree plus `changes` (its paths that differ from the base, tools/git/changed-tree.ts): no index to
 * read, nothing unchanged to hash. A failure of the head is the one reported when both fail. The base
 * commit is listed once `after` has settled; with `listingsIn`, commits' listings are kept in that
 * folder and read from it (readGitTree).
 */
export async function withCheckouts<T>(
  root: string,
  sides: {
    head: string | undefined;
    base: string;
    format: ObjectFormat;
    changes: Promise<Changes>;
    after?: Promise<unknown>;
    listingsIn?: string;
  },
  fn: (head: Checkout, base: Checkout) => Promise<T>,
): Promise<T> {
  const { head, base, format, changes, after, listingsIn } = sides;
  const kept = listingsIn === undefined ? {} : { keptIn: listingsIn };
  const baseSide = prepare(root, base, format, { ...(after ? { after } : {}), ...kept });
  const headSide =
    head === undefined
      ? Promise.all([baseSide, changes]).then(([tree, changed]) => {
          if (!('files' in tree) || tree.hasLinks) return openWorkingTree(root, format);
          const disk = workingTreeSource(root, format);
          const checkout = workingTree(root, format, changedTreeSource(tree, changed, disk));
          return {
            ...checkout,
            listOverlays: () => changedOverlays(tree, changed, checkout.source, folderOnDisk(root), checkout.listOverlays),
            // As the rest of this side: no file git ignores (the disk's listing would add them, apps-kept.ts assumes none).
            appFiles: () => appFilesOf(checkout.source),
          };
        })
      : prepare(root, head, format, kept);
  baseSide.catch(() => undefined); // awaited after the head
  return withPrepared(root, await headSide, format, async (headCheckout) =>
    withPrepared(root, await baseSide, format, (baseCheckout) => fn(headCheckout, baseCheckout), headCheckout),
  );
}

/** The stale check's answer, and what it learnt of the files it does not generate. */
export interface StaleFiles {
  /** Generated files that differ from what the catalog generates, sorted (stalePathsOf). */
  stale: string[];
  /** Whether each file under the output directories that the catalog does not generate carries the marker, by content id. */
  marks: GeneratedMarks;
}

/** What staleFiles checks against, and what it may skip. */
export interface StaleOptions {
  /** The catalog whose generated files are expected: the running code's unless given. */
  catalog?: Catalog;
  /** Whether a file carries the generated marker, by content id, as earlier runs learnt (marks.ts). */
  known?: ReadonlyMap<string, boolean>;
  /** Where the generated files' ids are kept between runs (generated-ids.ts): with the same catalog and code, no generator run. */
  cacheDir?: string;
  /** Only the paths these changes touch (`within`) are judged: the files under them and the generated paths among them. */
  within?: Changes;
}

/**
 * The files under the output directories that lie within `changes` (a changed file, or the files
 * under a changed directory or a changed path that became one), as `source` lists them, sorted.
 */
async function outputFilesWithin(source: InputSource, changes: Changes): Promise<string[]> {
  const files = new Set<string>();
  for (const root of [...changes.paths, ...changes.dirs])
    for (const output of OUTPUT_DIRS) {
      // A changed path in an output folder, or a changed folder above one (all of it new): the output folder.
      const under = root === output || root.startsWith(`${output}/`) ? root : root === '' || output.startsWith(`${root}/`) ? output : '';
      if (under === '') continue;
      const kind = source.kind(under);
      if (kind === 'file') files.add(under);
      else if (kind === 'dir') for (const file of await source.filesUnder(under)) files.add(file);
    }
  return [...files].sort();
}

/**
 * Generated files of the working tree at `dir` that its own catalog would generate differently
 * (stalePathsOf: missing, changed, or marked as generated but no longer generated), with every file
 * under the output directories known by `source`'s content id first (git's index answers for a tracked
 * file it reports unchanged, tools/git/index-source.ts). A generated file whose id is the blob id of
 * its generated text holds that text and is not read; one whose id differs is read and its bytes'
 * blob id decides. Another file is read only when `options.known` does not say whether its id carries the marker.
 * The files are those `source` lists under the output directories: for the working tree beside a
 * commit, that commit's files and the changed paths (tools/git/changed-tree.ts), with no directory read;
 * as outputFiles (tools/generate/disk.ts) lists them, none is a symbolic link or under one. With
 * `options.within`, only the files and generated paths within those changes are judged.
 */
export async function staleFiles(dir: string, source: InputSource, format: ObjectFormat, options: StaleOptions = {}): Promise<StaleFiles> {
  const { catalog = currentCatalog, known = new Map(), cacheDir, within } = options;
  const [all, listed] = await Promise.all([
    generatedIds(catalog, format, cacheDir),
    within ? outputFilesWithin(source, within) : Promise.all(OUTPUT_DIRS.map((output) => source.filesUnder(output))).then((l) => l.flat()),
  ]);
  const generated = within ? new Map([...all].filter(([path]) => within.within(path))) : all;
  // As the generator's own check lists them (tools/generate/disk.ts outputFiles): a symbolic link, or a file
  // under a linked folder, is no file of the output folders. A path with a known id is a plain file of a
  // commit or of git's index, with no link on its way; only the others are looked at.
  const realDir = realpathSync(dir);
  const paths = listed.filter((path) => source.knownId?.(path) !== undefined || !throughLink(dir, realDir, path));
  const ids = new Map<string, string | undefined>();
  for (const path of paths) ids.set(path, source.knownId?.(path) ?? (await source.contentId(path)));
  const read = (path: string): Buffer => readFileSync(join(dir, path));
  const marks: GeneratedMarks = new Map();
  const stale = stalePathsOf(generated, {
    paths,
    // Equal ids, equal bytes; else the bytes on disk decide (the index's id of a file git reports unchanged may not be theirs).
    holds: (path, id) => ids.get(path) === id || gitBlobId(read(path), format) === id,
    marked(path) {
      const id = ids.get(path);
      const marked = (id === undefined ? undefined : (marks.get(id) ?? known.get(id))) ?? isGenerated(read(path).toString('utf8'));
      if (id !== undefined) marks.set(id, marked);
      return marked;
    },
  });
  return { stale, marks };
}

/** Whether the path `path` of the folder `dir` (whose real path is `realDir`) is a symbolic link or lies under one. */
function throughLink(dir: string, realDir: string, path: string): boolean {
  try {
    return realpathSync(join(dir, path)) !== join(realDir, path);
  } catch {
    return false;
  }
}

/** Kustomize's own file names: not Kubernetes objects, compared as objects named by their path. */
const KUSTOMIZATION = /(^|\/)(kustomization\.ya?ml|Kustomization)$/;

/**
 * Every Argo CD object under `apps/` of a checkout, bootstrap included, with its file (YAML read
 * from the checkout, no code run). A kustomization file is one object named by its path.
 * @throws YamlParseError naming the file and document that cannot be read.
 */
export async function argoFilesOf(checkout: Checkout, parseYaml: ParseObjects = parseObjects): Promise<ArgoFileObject[]> {
  const files = (await checkout.source.filesUnder('apps')).filter((path) => /\.ya?ml$/.test(path)).sort(compareStrings);
  const texts = await Promise.all(files.map(async (path) => (await checkout.source.bytes(path))?.toString('utf8') ?? ''));
  return files.flatMap((file, index) => {
    const text = texts[index] as string;
    if (!KUSTOMIZATION.test(file)) return parseYaml(text, file).map((object) => ({ file, object }));
    const fields = (parse(text) ?? {}) as Record<string, unknown>;
    return [
      {
        file,
        object: {
          ...fields,
          apiVersion: String(fields['apiVersion'] ?? 'kustomize.config.k8s.io/v1beta1'),
          kind: 'Kustomization',
          metadata: { name: file },
        },
      },
    ];
  });
}
