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

interface TreeEntry {
  mode: string;
  oid: string;
}

/** The files of one commit: path -> mode and blob id, and the directories they imply. */
export interface GitTree {
  readonly sha: string;
  readonly format: ObjectFormat;
  readonly files: ReadonlyMap<string, TreeEntry>;
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
  const files = new Map<string, TreeEntry>();
  const dirs = new Set<string>(['']);
  const tops = new Map<string, string[]>();
  let hasLinks = false;
  let lastDir = '';
  // `<mode> <type> <oid>\t<path>`, in git's path order: files of one directory come one after another.
  for (let start = 0, end = listing.indexOf('\0'); end !== -1; start = end + 1, end = listing.indexOf('\0', start)) {
    const tab = listing.indexOf('\t', start);
    if (tab === -1 || tab > end) continue;
    const typeAt = listing.indexOf(' ', start);
    const mode = listing.slice(start, typeAt);
    const oid = listing.slice(listing.indexOf(' ', typeAt + 1) + 1, tab);
    const path = listing.slice(tab + 1, end);
    if (mode === '120000' || mode === '160000') hasLinks = true;
    files.set(path, { mode, oid });
    const slash = path.indexOf('/');
    if (slash !== -1) {
      const top = path.slice(0, slash);
      const under = tops.get(top);
      if (under) under.push(path);
      else tops.set(top, [path]);
    }
    const dir = path.slice(0, Math.max(0, path.lastIndexOf('/')));
    if (dir === lastDir) continue;
    lastDir = dir;
    for (let slash = path.indexOf('/'); slash !== -1; slash = path.indexOf('/', slash + 1)) dirs.add(path.slice(0, slash));
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
    const entry = tree.files.get(path);
    if (!entry) return undefined;
    return (beside?.knownId?.(path) === entry.oid ? await beside.bytes(path) : undefined) ?? blobs.read(entry.oid);
  };
  const source: InputSource = {
    kind: (path): EntryKind => (tree.files.has(path) ? 'file' : tree.dirs.has(path) ? 'dir' : 'none'),
    bytes: read,
    contentId: async (path) => tree.files.get(path)?.oid,
    knownId: (path) => tree.files.get(path)?.oid,
    filesUnder: async (dir) => treeFilesUnder(tree, dir),
  };
  return {
    tree,
    source,
    read,
    async listOverlays(): Promise<OverlayRef[]> {
      // Sorted level by level, as a directory listing is: `dev/…` before `dev-eu/…`.
      const overlays = [...tree.dirs].map((dir) => dir.split('/')).filter((parts) => parts.length === 3 && parts[0] === 'overlays') as [
        string,
        string,
        string,
      ][];
      overlays.sort(([, envA, a], [, envB, b]) => compareStrings(envA, envB) || compareStrings(a, b));
      return overlays.map(([, env, component]) => ({ env, component, dir: `overlays/${env}/${component}` }));
    },
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
