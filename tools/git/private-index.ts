/**
 * A private copy of git's index, for a tool that asks `git status` often: git refreshes the copy's stat
 * data and keeps the untracked cache in it, while the index every other git command reads is never
 * written (nor locked) by the tool.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { gitOutputIfAny } from './exec.ts';
import { writeWholeSync } from '../files.ts';

/** Where a working tree's paths start, and the index git reads for it (undefined: none a copy can stand in for). */
export interface IndexLocation {
  top: string;
  index?: string;
}

/**
 * The git directory a `.git` file names (`gitdir: <path>`, relative to the file's folder: a linked
 * worktree or a submodule; gitrepository-layout(5)), or undefined when the file says nothing else.
 */
function gitFileTarget(dotGit: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(dotGit, 'utf8');
  } catch {
    return undefined;
  }
  const match = /^gitdir: (.+)$/m.exec(text);
  return match?.[1] === undefined ? undefined : resolve(dirname(dotGit), match[1]);
}

/**
 * The top of the working tree `root` is in, and the index git reads for it: `$GIT_INDEX_FILE` when it
 * is absolute (git(1); git reads a relative one from the top of the working tree, which
 * `$GIT_WORK_TREE` or `core.worktree` can move, so it is not guessed at), else `index` in the git
 * directory. At the top (`.git` a folder, or a file naming one) no process is needed; below it,
 * `git rev-parse --show-toplevel --git-path index`. With `$GIT_DIR` set the index is left to git (no
 * `index`). Undefined when `root` is not in a git working tree.
 */
export async function indexLocation(root: string): Promise<IndexLocation | undefined> {
  const atTop = locationAtTop(root);
  if (atTop) return atTop;
  const where = await gitOutputIfAny(root, ['rev-parse', '--show-toplevel', '--git-path', 'index']);
  const [top, index] = where?.split('\n') ?? [];
  return top ? withIndex(top, index ? resolve(root, index) : undefined) : undefined;
}

/** indexLocation at the top of a working tree (`.git` a folder, or a file naming one), found with no process; undefined elsewhere. */
export function locationAtTop(root: string): IndexLocation | undefined {
  const dotGit = join(root, '.git');
  const stats = statSync(dotGit, { throwIfNoEntry: false });
  if (!stats) return undefined;
  const gitDir = stats.isDirectory() ? dotGit : gitFileTarget(dotGit);
  return withIndex(root, gitDir === undefined ? undefined : join(gitDir, 'index'));
}

/** The location of the index git reads at `top`, where `inGitDir` is `index` in the git directory as found. */
function withIndex(top: string, inGitDir: string | undefined): IndexLocation {
  const { GIT_INDEX_FILE: named, GIT_DIR: gitDir } = process.env;
  if (named !== undefined) return isAbsolute(named) ? { top, index: named } : { top };
  return gitDir === undefined && inGitDir !== undefined ? { top, index: inGitDir } : { top };
}

/** The private copy to give git as `GIT_INDEX_FILE`, and whether git has not written it since it was copied. */
export interface PrivateIndex {
  path: string;
  seeded: boolean;
}

/** Where an index's trailing checksum is: its last bytes, 20 (SHA-1) or 32 (SHA-256) long (gitformat-index(5)). */
const TRAILER = 32;

/** All of the file `fd`'s `size` bytes, read at their offsets. */
function readAll(fd: number, size: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let at = 0; at < size;) {
    const read = readSync(fd, bytes, at, size - at, at);
    if (read === 0) break;
    at += read;
  }
  return bytes;
}

/**
 * What the index file `fd` (`size` bytes) holds, in hex: its last 32 bytes, which end with git's
 * checksum of everything before (gitformat-index(5)); a sha256 of the whole file when the checksum is
 * zeros (`index.skipHash`).
 */
function contentName(fd: number, size: number): string {
  const tail = Buffer.alloc(Math.min(TRAILER, size));
  readSync(fd, tail, 0, tail.length, size - tail.length);
  if (tail.subarray(-20).some((byte) => byte !== 0)) return tail.toString('hex');
  return createHash('sha256').update(readAll(fd, size)).digest('hex');
}

/** The name of the copy of an index with that content. */
const COPY_PREFIX = 'index-';

/**
 * A copy of the index file `index` in the folder `dir` (created if missing), named by the index's
 * content: copied again (through a temporary renamed into place, so a reader never sees half of one)
 * whenever the index changed, so what git reports on the copy is what it would report on the index.
 * The copy's modification time is the index's (whole seconds, never later): git takes an entry
 * modified at or after its index file as racily clean and compares its content (read-cache.c,
 * is_racy_stat), so a copy written later would hide a same-size edit the index still catches. Copies
 * of earlier contents are removed. Undefined when there is no index (a fresh `git init`) or the copy
 * cannot be made (a folder that cannot be written): the caller then lets git read `index` itself.
 * Synchronous (a few system calls while the copy is current): a caller can start git in the same turn.
 */
export function privateIndex(index: string, dir: string): PrivateIndex | undefined {
  return withOpened(index, undefined, (fd): PrivateIndex => {
    const stats = fstatSync(fd, { bigint: true });
    const path = join(dir, `${COPY_PREFIX}${contentName(fd, Number(stats.size))}`);
    const kept = statSync(path, { bigint: true, throwIfNoEntry: false });
    // git writes a copy it refreshed at its own time: one not newer than the index is as it was copied.
    if (kept) return { path, seeded: kept.mtimeNs <= stats.mtimeNs };
    mkdirSync(dir, { recursive: true });
    writeWholeSync(path, readAll(fd, Number(stats.size)), Number(stats.mtimeNs / 1_000_000_000n));
    removeOtherCopies(dir, path);
    return { path, seeded: true };
  });
}

/** What `read` answers of the file `file` opened for reading (closed after), or `otherwise` when it cannot be opened or read. */
function withOpened<T, U>(file: string, otherwise: U, read: (fd: number) => T): T | U {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return otherwise;
  }
  try {
    return read(fd);
  } catch {
    return otherwise;
  } finally {
    closeSync(fd);
  }
}

/**
 * Whether the index file `index` still holds the content its copy `copy` was named by (privateIndex):
 * false once it changed (a command of another process wrote it), or when it cannot be read.
 */
export function holdsCopied(index: string, copy: PrivateIndex): boolean {
  return withOpened(index, false, (fd) => basename(copy.path) === `${COPY_PREFIX}${contentName(fd, Number(fstatSync(fd).size))}`);
}

/**
 * Deletes the copies in `dir` other than `path`, and the files named after them (`<copy>.lock`, what a
 * caller keeps beside a copy); temporaries being written are left.
 */
function removeOtherCopies(dir: string, path: string): void {
  for (const name of readdirSync(dir)) {
    const file = join(dir, name);
    const kept = file === path || file.startsWith(`${path}.`);
    if (name.startsWith(COPY_PREFIX) && !name.endsWith('.tmp') && !kept) rmSync(file, { force: true });
  }
}

/** Deletes a copy git could not read, so the next call copies the index again. */
export async function discardPrivateIndex(copy: PrivateIndex): Promise<void> {
  await rm(copy.path, { force: true });
}
