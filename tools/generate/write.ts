import { mkdir, readFile, rename, rm, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { readOutputTree } from './disk.ts';
import { OUTPUT_DIRS, isGenerated } from './layout.ts';

/** Where a write stages its files and keeps its journal; on the same filesystem, so renames are atomic. */
export const WORK_DIR = '.generate';

export class WriteError extends Error {
  override readonly name = 'WriteError';
}

interface Journal {
  /** [staged file, target], both repository-relative. */
  writes: [string, string][];
  deletes: string[];
}

export interface WriteResult {
  written: string[];
  deleted: string[];
  unchanged: number;
  /** True when an interrupted earlier write was completed first. */
  recovered: boolean;
}

/** Test seam: called after each step of the apply phase, so a test can kill the process there. */
export type StepHook = (step: string) => void;

async function exists(path: string): Promise<boolean> {
  try {
    await readFile(path);
    return true;
  } catch {
    return false;
  }
}

async function removeEmptyParents(root: string, path: string): Promise<void> {
  let dir = dirname(join(root, path));
  while (OUTPUT_DIRS.some((top) => dir.startsWith(join(root, top)))) {
    try {
      await rmdir(dir);
    } catch {
      return;
    }
    dir = dirname(dir);
  }
}

async function apply(root: string, journal: Journal, onStep?: StepHook): Promise<void> {
  for (const [staged, target] of journal.writes) {
    const from = join(root, staged);
    // Already moved by an earlier, interrupted run: nothing left to do for this file.
    if (!(await exists(from))) continue;
    await mkdir(dirname(join(root, target)), { recursive: true });
    await rename(from, join(root, target));
    onStep?.(`write ${target}`);
  }
  for (const path of journal.deletes) {
    await unlink(join(root, path)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    await removeEmptyParents(root, path);
    onStep?.(`delete ${path}`);
  }
}

/**
 * Finishes a write that was interrupted after its commit point (the journal), or discards one
 * interrupted before it. Returns whether there was anything to finish.
 */
export async function recover(root: string): Promise<boolean> {
  const journalPath = join(root, WORK_DIR, 'journal.json');
  let journal: Journal | undefined;
  try {
    journal = JSON.parse(await readFile(journalPath, 'utf8')) as Journal;
  } catch {
    journal = undefined;
  }
  if (journal) await apply(root, journal);
  await rm(join(root, WORK_DIR), { recursive: true, force: true });
  return journal !== undefined;
}

/**
 * What an interrupted `writeTree` left behind: `committed` (its journal is written: the tree is half
 * new, and the next generate finishes it), `staged` (killed before its commit point: the tree is the
 * old one, and the next generate discards the staging), or undefined when there is none.
 */
export async function interruptedWrite(root: string): Promise<'committed' | 'staged' | undefined> {
  if (await exists(join(root, WORK_DIR, 'journal.json'))) return 'committed';
  try {
    await stat(join(root, WORK_DIR));
    return 'staged';
  } catch {
    return undefined;
  }
}

/**
 * Makes the output directories hold exactly `files`: writes what changed, deletes generated files
 * no longer generated, never touches a file it did not generate. All new content is staged first;
 * the journal's atomic rename is the commit point, so an interruption leaves the old tree (before
 * it) or a tree `recover` completes to the new one (after it).
 */
export async function writeTree(root: string, files: ReadonlyMap<string, string>, onStep?: StepHook): Promise<WriteResult> {
  const recovered = await recover(root);
  const disk = await readOutputTree(root);
  const writes: [string, string][] = [];
  let unchanged = 0;
  for (const [path, text] of files) {
    const current = disk.get(path);
    if (current === text) {
      unchanged++;
      continue;
    }
    if (current !== undefined && !isGenerated(current)) {
      throw new WriteError(
        `${path}: exists and was not generated; move it out of ${path.split('/')[0]}/ (generated directories hold only generated files) and run again`,
      );
    }
    writes.push([`${WORK_DIR}/staging/${path}`, path]);
  }
  const deletes = [...disk].filter(([path, text]) => !files.has(path) && isGenerated(text)).map(([path]) => path);
  if (writes.length === 0 && deletes.length === 0) return { written: [], deleted: [], unchanged, recovered };

  for (const [staged, target] of writes) {
    await mkdir(dirname(join(root, staged)), { recursive: true });
    await writeFile(join(root, staged), files.get(target) as string);
  }
  const journal: Journal = { writes, deletes };
  const journalPath = join(root, WORK_DIR, 'journal.json');
  await writeFile(`${journalPath}.tmp`, JSON.stringify(journal));
  await rename(`${journalPath}.tmp`, journalPath);
  onStep?.('commit');
  await apply(root, journal, onStep);
  await rm(join(root, WORK_DIR), { recursive: true, force: true });
  return { written: writes.map(([, target]) => target), deleted: deletes, unchanged, recovered };
}
