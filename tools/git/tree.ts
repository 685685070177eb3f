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
import { TreeListing } from './listing.ts';
import { keepTable, readSealedText, sealedText } from '../files.ts';

/** The files of one commit: path -> blob id, and the directories they imply. */
export interface GitTree {
  readonly sha: string;
  readonly format: ObjectFormat;
  /** Blob ids by path. */
  readonly files: ReadonlyMap<string, string>;
  readonly dirs: ReadonlySet<string>;
  /** Symbolic links or submodules: a checkout resolves them, a blob listing cannot. */
  readonly hasLinks: boolean;
  /** Every file under the directory `dir` ('' for all), sorted. */
  readonly filesUnder: (dir: string) => string[];
  /** Every `overlays/<env>/<component>` directory, in any order. */
  readonly overlayDirs: () => string[];
}

/** Every file of `tree` under the directory `dir` ('' for all), sorted. */
export const treeFilesUnder = (tree: GitTree, dir: string): string[] => tree.filesUnder(dir);

/**
 * The overlays of the `overlays/<env>/<component>` folders `dirs`, in listing order: by environment,
 * then component, each by code unit (`dev/…` before `dev-eu/…`, as a sorted listing of each folder
 * has them), sorted natively as strings with the separator made the lowest character.
 */
export function overlaysOf(dirs: Iterable<string>): OverlayRef[] {
  const keys = [...dirs].map((dir) => dir.slice('overlays/'.length).replace('/', '\0')).sort();
  return keys.map((key) => {
    const cut = key.indexOf('\0');
    const [env, component] = [key.slice(0, cut), key.slice(cut + 1)];
    return { env, component, dir: `overlays/${env}/${component}` };
  });
}

/** Every `overlays/<env>/<component>` directory of `tree`, in listing order (overlaysOf). */
const treeOverlays = (tree: GitTree): OverlayRef[] => overlaysOf(tree.overlayDirs());

/** The files of a listing looked up in place (listing.ts), as a map of path -> blob id. */
class ListedFiles implements ReadonlyMap<string, string> {
  private readonly listing: TreeListing;
  constructor(listing: TreeListing) {
    this.listing = listing;
  }
  get size(): number {
    return this.listing.size;
  }
  get(path: string): string | undefined {
    const index = this.listing.find(path);
    return index === -1 ? undefined : this.listing.id(index);
  }
  has(path: string): boolean {
    return this.listing.find(path) !== -1;
  }
  *entries(): MapIterator<[string, string]> {
    for (let index = 0; index < this.listing.size; index++) yield [this.listing.path(index), this.listing.id(index)];
  }
  *keys(): MapIterator<string> {
    for (let index = 0; index < this.listing.size; index++) yield this.listing.path(index);
  }
  *values(): MapIterator<string> {
    for (let index = 0; index < this.listing.size; index++) yield this.listing.id(index);
  }
  [Symbol.iterator](): MapIterator<[string, string]> {
    return this.entries();
  }
  forEach(callback: (id: string, path: string, map: ReadonlyMap<string, string>) => void): void {
    for (const [path, id] of this.entries()) callback(id, path, this);
  }
}

/** The directories of a listing looked up in place: one holds a file under it. Iterated, all of them are made once. */
class ListedDirs implements ReadonlySet<string> {
  private readonly listing: TreeListing;
  private all: Set<string> | undefined;
  constructor(listing: TreeListing) {
    this.listing = listing;
  }
  has(dir: string): boolean {
    const [first, last] = this.listing.under(dir);
    return dir === '' || first < last;
  }
  private get made(): Set<string> {
    return (this.all ??= dirsOf(this.listing.size, (index) => this.listing.path(index)));
  }
  get size(): number {
    return this.made.size;
  }
  entries(): SetIterator<[string, string]> {
    return this.made.entries();
  }
  keys(): SetIterator<string> {
    return this.made.keys();
  }
  values(): SetIterator<string> {
    return this.made.values();
  }
  [Symbol.iterator](): SetIterator<string> {
    return this.made.values();
  }
  forEach(callback: (dir: string, same: string, set: ReadonlySet<string>) => void): void {
    for (const dir of this.made) callback(dir, dir, this);
  }
}

/** Every directory above the `count` paths `pathAt` gives ('' included), which come folder by folder. */
function dirsOf(count: number, pathAt: (index: number) => string): Set<string> {
  const dirs = new Set<string>(['']);
  let lastDir = '';
  for (let index = 0; index < count; index++) {
    const path = pathAt(index);
    const cut = path.lastIndexOf('/');
    if (cut === -1 || (cut === lastDir.length && path.startsWith(lastDir))) continue;
    lastDir = path.slice(0, cut);
    for (let at = path.indexOf('/'); at !== -1; at = path.indexOf('/', at + 1)) dirs.add(path.slice(0, at));
  }
  return dirs;
}

/** A commit's tree from its listing, looked up in place (listing.ts). */
function listedTree(sha: string, listing: TreeListing): GitTree {
  return {
    sha,
    format: sha.length === 64 ? 'sha256' : 'sha1',
    files: new ListedFiles(listing),
    dirs: new ListedDirs(listing),
    hasLinks: listing.hasLinks,
    filesUnder(dir) {
      const [first, last] = listing.under(dir);
      return Array.from({ length: last - first }, (_, offset) => listing.path(first + offset));
    },
    overlayDirs: () => listing.foldersBelow('overlays', 2),
  };
}

/** A commit's tree from its listing, every path made a string (a listing with paths TreeListing cannot look up in place). */
function parsedTree(sha: string, text: string): GitTree {
  const files = new Map<string, string>();
  let hasLinks = false;
  // `<mode> <type> <oid>\t<path>`.
  for (let start = 0, end = text.indexOf('\0'); end !== -1; start = end + 1, end = text.indexOf('\0', start)) {
    const tab = text.indexOf('\t', start);
    if (tab === -1 || tab > end) continue;
    if (text.startsWith('120000', start) || text.startsWith('160000', start)) hasLinks = true;
    files.set(text.slice(tab + 1, end), text.slice(text.lastIndexOf(' ', tab) + 1, tab));
  }
  const paths = [...files.keys()].sort(compareStrings);
  const dirs = dirsOf(paths.length, (index) => paths[index] as string);
  return {
    sha,
    format: sha.length === 64 ? 'sha256' : 'sha1',
    files,
    dirs,
    hasLinks,
    filesUnder: (dir) => (dir === '' ? [...paths] : paths.filter((path) => path.startsWith(`${dir}/`))),
    overlayDirs: () => [...dirs].filter((dir) => dir.startsWith('overlays/') && dir.split('/').length === 3),
  };
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

/** Listings kept in a folder: the newest by modification time (as the tables kept per commit, tools/diff/walks.ts). */
const LISTINGS_KEPT = 8;

/**
 * Lists every file of the commit `sha` (a full SHA, see resolveRef), once `after` has settled, so that
 * more urgent work of the caller goes first: on the benchmark tree, a listing started beside a working
 * tree's `git status` made the status take about 40 ms instead of 25. A commit's listing never changes:
 * with `keptIn`, it is kept there (sealed with the commit it lists, tools/files.ts) and read from there by
 * later runs, instead of `git ls-tree` (a process, about 15 ms of CPU for 10,000 files).
 */
export async function readGitTree(
  repoDir: string,
  sha: string,
  options: { after?: Promise<unknown>; keptIn?: string } = {},
): Promise<GitTree> {
  const { after, keptIn } = options;
  if (after) await after.catch(() => undefined);
  const name = `${sha}.listing`;
  // The listing follows a line naming its commit, inside the seal: one kept for another commit (a file copied
  // or renamed in a shared cache) is not taken for this one.
  const named = `${sha}\n`;
  const kept = keptIn === undefined ? undefined : readSealedText(join(keptIn, name));
  let listing = kept?.startsWith(named) ? kept.slice(named.length) : undefined;
  if (listing === undefined) {
    listing = await git(repoDir, ['ls-tree', '-r', '-z', '--full-tree', sha]);
    if (keptIn !== undefined) await keepTable(keptIn, name, sealedText(`${named}${listing}`), LISTINGS_KEPT);
  }
  return TreeListing.inPlace(listing) ? listedTree(sha, new TreeListing(listing)) : parsedTree(sha, listing);
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
