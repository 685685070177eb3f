/**
 * A commit's files, read straight from git's object database: no checkout. Listing the tree gives
 * every file's blob id, so overlays can be hashed without reading most files; only what must be
 * parsed or rendered is read (one `git cat-file --batch` process serves every read).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { APP_FILE } from '../argocd/app-files.ts';
import type { Checkout, OverlayRef } from './checkout.ts';
import type { EntryKind, InputSource, ObjectFormat } from './source.ts';
import { WorktreeError } from './worktree.ts';
import { gitOutput } from './exec.ts';
import { compareStrings } from '../kube/order.ts';

/** The files of one commit: path -> blob id, and the directories they imply. */
export interface GitTree {
  readonly sha: string;
  readonly format: ObjectFormat;
  /** Blob ids by path. */
  readonly files: ReadonlyMap<string, string>;
  readonly dirs: ReadonlySet<string>;
  /** Symbolic links or submodules: a checkout resolves them, a blob listing cannot. */
  readonly hasLinks: boolean;
  /** The files under each top-level directory: a range of `files`' keys, which a recursive listing keeps together. */
  readonly tops: ReadonlyMap<string, readonly string[]>;
}

/** Every file of `tree` under the directory `dir` ('' for all), sorted. */
export function treeFilesUnder(tree: GitTree, dir: string): string[] {
  if (dir === '') return [...tree.files.keys()].sort();
  const slash = dir.indexOf('/');
  const top = tree.tops.get(slash === -1 ? dir : dir.slice(0, slash)) ?? [];
  // Nearly sorted already (git's order): sorting is a pass.
  return (slash === -1 ? [...top] : top.filter((path) => path.startsWith(`${dir}/`))).sort();
}

/** Overlays in listing order: by environment, then component, each by code unit (as a sorted directory listing is). */
export const byOverlay = (a: OverlayRef, b: OverlayRef): number => compareStrings(a.env, b.env) || compareStrings(a.component, b.component);

/** Every `overlays/<env>/<component>` directory of `tree`, in listing order (byOverlay: `dev/…` before `dev-eu/…`). */
export function treeOverlays(tree: GitTree): OverlayRef[] {
  const overlays: OverlayRef[] = [];
  for (const dir of tree.dirs) {
    if (!dir.startsWith('overlays/')) continue;
    const slash = dir.indexOf('/', 'overlays/'.length);
    if (slash !== -1 && dir.indexOf('/', slash + 1) === -1)
      overlays.push({ env: dir.slice('overlays/'.length, slash), component: dir.slice(slash + 1), dir });
  }
  return overlays.sort(byOverlay);
}

/** What a git command printed; a failure names the repository and git's first line. */
async function git(repoDir: string, args: string[]): Promise<string> {
  try {
    return await gitOutput(repoDir, args);
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).trim().split('\n')[0];
    throw new WorktreeError(`${repoDir}: git ${args[0]} failed: ${reason}`, { cause: error });
  }
}

/**
 * Lists every file of the commit `sha` (a full SHA, see resolveRef). git starts at once; its listing
 * is read once `after` has settled, so that more urgent work of the caller goes first.
 */
export async function readGitTree(repoDir: string, sha: string, after?: Promise<unknown>): Promise<GitTree> {
  const listed = git(repoDir, ['ls-tree', '-r', '-z', '--full-tree', sha]);
  if (after) {
    listed.catch(() => undefined); // awaited below
    await after.catch(() => undefined);
  }
  const listing = await listed;
  const files = new Map<string, string>();
  const dirs = new Set<string>(['']);
  const tops = new Map<string, string[]>();
  let hasLinks = false;
  // The folder of the previous path, and the files of its top-level folder: git lists each folder's files together.
  let lastDir = '';
  let topPrefix = '\0';
  let topFiles: string[] = [];
  // `<mode> <type> <oid>\t<path>`, in git's path order: files of one directory come one after another.
  for (let start = 0, end = listing.indexOf('\0'); end !== -1; start = end + 1, end = listing.indexOf('\0', start)) {
    const tab = listing.indexOf('\t', start);
    if (tab === -1 || tab > end) continue;
    // The mode is all that is looked at before the id: a link (120000) or a submodule (160000) is no plain file.
    if (listing.startsWith('120000', start) || listing.startsWith('160000', start)) hasLinks = true;
    const path = listing.slice(tab + 1, end);
    files.set(path, listing.slice(listing.lastIndexOf(' ', tab) + 1, tab));
    const slash = path.indexOf('/');
    if (slash === -1) continue;
    if (!path.startsWith(topPrefix)) {
      const top = path.slice(0, slash);
      topPrefix = `${top}/`;
      topFiles = tops.get(top) ?? [];
      tops.set(top, topFiles);
    }
    topFiles.push(path);
    const cut = path.lastIndexOf('/');
    if (cut === lastDir.length && path.startsWith(lastDir)) continue;
    lastDir = path.slice(0, cut);
    for (let at = slash; at !== -1; at = path.indexOf('/', at + 1)) dirs.add(path.slice(0, at));
  }
  return { sha, format: sha.length === 64 ? 'sha256' : 'sha1', files, dirs, hasLinks, tops };
}

/** Reads blobs through one long-lived `git cat-file --batch`; answers come back in the order asked. */
class BlobReader {
  private process: ChildProcessWithoutNullStreams | undefined;
  private readonly pending: { oid: string; resolve: (bytes: Buffer) => void; reject: (error: Error) => void }[] = [];
  private buffer: Buffer = Buffer.alloc(0);
  private readonly repoDir: string;

  constructor(repoDir: string) {
    this.repoDir = repoDir;
  }

  read(oid: string): Promise<Buffer> {
    const child = this.start();
    return new Promise((resolve, reject) => {
      this.pending.push({ oid, resolve, reject });
      child.stdin.write(`${oid}\n`);
    });
  }

  close(): void {
    this.process?.stdin.end();
    this.process = undefined;
  }

  private start(): ChildProcessWithoutNullStreams {
    if (this.process) return this.process;
    const child = spawn('git', ['cat-file', '--batch'], { cwd: this.repoDir });
    const failAll = (error: Error): void => {
      for (const request of this.pending.splice(0)) request.reject(error);
    };
    child.stdout.on('data', (chunk: Buffer) => {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      this.drain();
    });
    const failed = (error: Error): void =>
      failAll(new WorktreeError(`${this.repoDir}: git cat-file failed: ${error.message}`, { cause: error }));
    child.on('error', failed);
    child.stdin.on('error', failed); // a write to a process that has gone
    child.on('close', (code) => {
      if (this.process === child) this.process = undefined; // the next read starts a new one
      failAll(new WorktreeError(`${this.repoDir}: git cat-file exited (code ${code}) with reads pending`));
    });
    this.process = child;
    return child;
  }

  /** Answers are `<oid> <type> <size>\n<bytes>\n`, or `<oid> missing\n`. */
  private drain(): void {
    for (;;) {
      const request = this.pending[0];
      const newline = this.buffer.indexOf(10);
      if (!request || newline === -1) return;
      const header = this.buffer.subarray(0, newline).toString('utf8').split(' ');
      if (header[1] === 'missing') {
        this.buffer = this.buffer.subarray(newline + 1);
        this.pending.shift();
        request.reject(new WorktreeError(`${this.repoDir}: git object ${request.oid} is missing`));
        continue;
      }
      const size = Number(header[2]);
      if (this.buffer.length < newline + 1 + size + 1) return;
      const bytes = Buffer.from(this.buffer.subarray(newline + 1, newline + 1 + size));
      this.buffer = this.buffer.subarray(newline + 1 + size + 1);
      this.pending.shift();
      request.resolve(bytes);
    }
  }
}

/** A commit as a checkout: hashed from its blob ids, materialized file by file when something must be rendered. */
export interface GitCheckout extends Checkout {
  readonly tree: GitTree;
  /** Reads a file of the commit (e.g. `apps/dev.yaml`). */
  read(path: string): Promise<Buffer | undefined>;
  /** Stops the blob reader and deletes what was materialized. */
  dispose(): Promise<void>;
}

/**
 * The commit `tree` of the repository at `repoDir` as a checkout. `beside`, a source whose `knownId`
 * vouches for its files (the working tree, by git's index): a file it holds with the blob's id is read
 * from there, not from git's objects.
 */
export function gitCheckout(repoDir: string, tree: GitTree, beside?: InputSource): GitCheckout {
  const blobs = new BlobReader(repoDir);
  let materialized: string | undefined;
  const written = new Set<string>();
  const read = async (path: string): Promise<Buffer | undefined> => {
    const oid = tree.files.get(path);
    if (!oid) return undefined;
    return (beside?.knownId?.(path) === oid ? await beside.bytes(path) : undefined) ?? blobs.read(oid);
  };
  const source: InputSource = {
    kind: (path): EntryKind => (tree.files.has(path) ? 'file' : tree.dirs.has(path) ? 'dir' : 'none'),
    bytes: read,
    contentId: async (path) => tree.files.get(path),
    knownId: (path) => tree.files.get(path),
    filesUnder: async (dir) => treeFilesUnder(tree, dir),
  };
  return {
    tree,
    source,
    read,
    listOverlays: async () => treeOverlays(tree),
    async appFiles() {
      const paths = [...tree.files.keys()].filter((path) => APP_FILE.test(path)).sort();
      const texts = await Promise.all(paths.map(async (path) => ((await read(path)) as Buffer).toString('utf8')));
      return new Map(paths.map((path, index) => [path, texts[index] as string]));
    },
    async materialize(files) {
      materialized ??= await mkdtemp(join(tmpdir(), 'obs-tree-'));
      const root = materialized;
      await Promise.all(
        files
          .filter((path) => !written.has(path) && tree.files.has(path))
          .map(async (path) => {
            written.add(path);
            const bytes = (await read(path)) as Buffer;
            await mkdir(dirname(join(root, path)), { recursive: true });
            await writeFile(join(root, path), bytes);
          }),
      );
      return root;
    },
    async dispose() {
      blobs.close();
      if (materialized) await rm(materialized, { recursive: true, force: true });
    },
  };
}
