/**
 * Where a checkout's files are read from: the working tree on disk, or a git commit's tree
 * (tools/git/tree.ts). Paths are repository-relative with `/` (an absolute path, which only the
 * working tree can serve, stays absolute). Every file has a content id, git's
 * blob id, so two checkouts agree on a file's identity without both reading it.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { basename, dirname, relative, resolve, sep } from 'node:path';
import { byKey } from '../kube/order.ts';

export type EntryKind = 'file' | 'dir' | 'none';

/** Git's object formats: the hash behind blob ids. */
export type ObjectFormat = 'sha1' | 'sha256';

export interface InputSource {
  kind(path: string): EntryKind;
  /** The file's bytes, or undefined when it cannot be read. */
  bytes(path: string): Promise<Buffer | undefined>;
  /** The file's git blob id, or undefined when it cannot be read. */
  contentId(path: string): Promise<string | undefined>;
  /**
   * The file's git blob id when the source has it without reading the file (a commit's tree, git's
   * index for a file git reports unchanged), else undefined: then `contentId` answers.
   */
  knownId?(path: string): string | undefined;
  /** Every file under the directory `dir` (recursively), root-relative, sorted; empty when it is none. */
  filesUnder(dir: string): Promise<string[]>;
  /** Whether `path` resolves outside the repository root (a symbolic link leading out); absent where links cannot occur. */
  outside?(path: string): boolean;
}

/** Git's blob id of `bytes`: the hash of `blob <length>\0` and the bytes. */
export function gitBlobId(bytes: Buffer, format: ObjectFormat = 'sha1'): string {
  return createHash(format).update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

/**
 * The files under `root`; each file's id is computed once. Reads are synchronous: for
 * many small local files that is several times faster than a round trip through the thread pool.
 */
export function workingTreeSource(root: string, format: ObjectFormat = 'sha1'): InputSource {
  const listings = new Map<string, Map<string, Dirent>>();
  const ids = new Map<string, string | undefined>();
  const read = (path: string): Buffer | undefined => {
    try {
      return readFileSync(resolve(root, path));
    } catch {
      return undefined;
    }
  };
  // One directory listing answers for all its entries: far fewer system calls than a stat per path.
  const listing = (dir: string): Map<string, Dirent> => {
    let entries = listings.get(dir);
    if (!entries) {
      try {
        entries = new Map(readdirSync(dir, { withFileTypes: true }).map((entry) => [entry.name, entry]));
      } catch {
        entries = new Map();
      }
      listings.set(dir, entries);
    }
    return entries;
  };
  const realRoot = realpathSync(root);
  const real = new Map<string, string | undefined>();
  const realpath = (absolute: string): string | undefined => {
    if (!real.has(absolute)) {
      try {
        real.set(absolute, realpathSync(absolute));
      } catch {
        real.set(absolute, undefined);
      }
    }
    return real.get(absolute);
  };
  /** Files under `dir`; a linked directory is followed once (by its real path), unless it leads out. */
  const filesUnder = (dir: string, into: string[], seen: Set<string>): string[] => {
    const absolute = resolve(root, dir);
    const where = realpath(absolute);
    if (where === undefined || seen.has(where)) return into;
    seen.add(where);
    for (const entry of [...listing(absolute).values()].sort(byKey((entry) => entry.name))) {
      const path = dir === '' ? entry.name : `${dir}/${entry.name}`;
      if (entry.isSymbolicLink() && source.outside?.(path)) continue;
      const kind = entry.isSymbolicLink() ? source.kind(path) : entry.isDirectory() ? 'dir' : entry.isFile() ? 'file' : 'none';
      if (kind === 'dir') filesUnder(path, into, seen);
      else if (kind === 'file') into.push(path);
    }
    return into;
  };
  const source: InputSource = {
    kind(path) {
      const absolute = resolve(root, path);
      const entry = listing(dirname(absolute)).get(basename(absolute));
      if (entry?.isFile()) return 'file';
      if (entry?.isDirectory()) return 'dir';
      if (!entry && absolute !== dirname(absolute)) return 'none';
      // A symbolic link (or the filesystem root): what it points at decides.
      const stats = statSync(absolute, { throwIfNoEntry: false });
      return stats?.isDirectory() ? 'dir' : stats?.isFile() ? 'file' : 'none';
    },
    bytes: async (path) => read(path),
    async contentId(path) {
      if (!ids.has(path)) {
        const bytes = read(path);
        ids.set(path, bytes === undefined ? undefined : gitBlobId(bytes, format));
      }
      return ids.get(path);
    },
    filesUnder: async (dir) => filesUnder(dir, [], new Set()),
    // Only the parent directory and a linked entry can lead out: one realpath per directory, not per file.
    outside(path) {
      const absolute = resolve(root, path);
      const parent = realpath(dirname(absolute));
      const entry = listing(dirname(absolute)).get(basename(absolute));
      const target = entry?.isSymbolicLink() ? realpath(absolute) : parent === undefined ? undefined : resolve(parent, basename(absolute));
      if (target === undefined) return false;
      const rel = relative(realRoot, target);
      return rel === '..' || rel.startsWith(`..${sep}`) || resolve(realRoot, rel) !== target;
    },
  };
  return source;
}
