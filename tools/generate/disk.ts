import { readdirSync, readFileSync, type Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { OUTPUT_DIRS } from './layout.ts';
import { compareStrings } from '../kube/order.ts';

/**
 * Every regular file under `root`/`dir`, as `dir`-prefixed paths with `/`; symbolic links are not followed.
 * Synchronous: for thousands of small files, faster than the thread pool's round trips.
 */
function walk(root: string, dir: string, into: string[]): string[] {
  let entries;
  try {
    entries = readdirSync(join(root, dir), { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return into;
    throw error;
  }
  for (const entry of entries) {
    if (entry.isDirectory()) walk(root, `${dir}/${entry.name}`, into);
    else if (entry.isFile()) into.push(`${dir}/${entry.name}`);
  }
  return into;
}

/** The repository-relative paths of every file under the generator's output directories, sorted (symbolic links are not files here). */
export function outputFiles(root: string): string[] {
  const paths: string[] = [];
  for (const dir of OUTPUT_DIRS) walk(root, dir, paths);
  return paths.sort(compareStrings);
}

type Listing = { entries: Dirent[] } | { error: unknown };

/**
 * outputFiles, with the directories listed by the thread pool while the caller works: `expected`
 * (directories that likely exist, e.g. those of the last commit) are listed at once, with the output
 * directories; `files()` then walks from the output directories as outputFiles does, listing what was
 * not expected, and ignores listings of directories the walk does not reach. Its files and errors are
 * outputFiles's.
 */
export function listOutputFiles(root: string, expected: Iterable<string> = []): { files(): Promise<string[]> } {
  const listings = new Map<string, Promise<Listing>>();
  const list = (dir: string): Promise<Listing> => {
    let listing = listings.get(dir);
    if (!listing) {
      listing = readdir(join(root, dir), { withFileTypes: true }).then(
        (entries) => ({ entries }),
        (error: unknown) => ({ error }),
      );
      listings.set(dir, listing);
    }
    return listing;
  };
  for (const dir of OUTPUT_DIRS) void list(dir);
  for (const dir of expected) void list(dir);
  const walkListed = async (dir: string, into: string[]): Promise<void> => {
    const listing = await list(dir);
    if ('error' in listing) {
      if ((listing.error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw listing.error;
    }
    // In outputFiles's order, so the first error met is the same.
    for (const entry of listing.entries) {
      if (entry.isDirectory()) await walkListed(`${dir}/${entry.name}`, into);
      else if (entry.isFile()) into.push(`${dir}/${entry.name}`);
    }
  };
  return {
    async files() {
      const paths: string[] = [];
      for (const dir of OUTPUT_DIRS) await walkListed(dir, paths);
      return paths.sort(compareStrings);
    },
  };
}

/** Every file under the generator's output directories, as repository-relative path -> text. */
export async function readOutputTree(root: string): Promise<Map<string, string>> {
  return new Map(outputFiles(root).map((path) => [path, readFileSync(join(root, path), 'utf8')]));
}
