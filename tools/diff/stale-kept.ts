/**
 * The working tree's stale check (trees.ts `staleFiles`) beside a base commit, its verdicts kept per
 * base commit beside the render cache. A path that neither this run's changes nor those of the run
 * that kept the verdicts touch holds the base commit's bytes in both working trees, so it gets the
 * verdict kept; only the paths either change touches are judged again. The verdicts are a function of
 * the commit's files, of what the catalog generates and of the marker rule, so a table is keyed by the
 * commit and by the generated ids' key (generated-ids.ts: the catalog, the running code, the object
 * format); one kept under any other is not read.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { catalog as currentCatalog, type Catalog } from '../catalog/index.ts';
import { Changes } from '../git/changes.ts';
import type { InputSource, ObjectFormat } from '../git/source.ts';
import { lowerBound } from '../kube/order.ts';
import { keepTable, readSealed, sealed } from '../files.ts';
import { worthKeeping } from '../render/cache.ts';
import { generatedKey } from './generated-ids.ts';
import { readMarks, writeMarks } from './marks.ts';
import { staleFiles } from './trees.ts';

/** Where the tables are kept, one per base commit, in the cache directory. */
const STALE_DIR = 'stale';

/** Tables kept: the newest by modification time (as walks.ts keeps its own). */
const KEPT = 8;

interface Table {
  key: string;
  /** The changes of the run that judged: the paths they touch were not judged as the commit holds them. */
  paths: string[];
  dirs: string[];
  /** The stale paths the changes leave alone, sorted. */
  stale: string[];
}

const fileOf = (dir: string, commit: string): string => join(dir, STALE_DIR, `${commit}.json`);

/** The table's key: sha256 (hex) of the generated ids' key and the commit. */
const tableKey = (generated: string, commit: string): string =>
  createHash('sha256').update(`stale verdicts\ngenerated ${generated}\ncommit ${commit}\n`).digest('hex');

/** The table kept in `dir` for `commit` under `key`, or undefined (none, unreadable, damaged, another key). */
function readTable(dir: string, commit: string, key: string): Table | undefined {
  const table = (readSealed(fileOf(dir, commit)) ?? {}) as Partial<Table>;
  // Sealed (render/cache.ts): as this code wrote it, so only its shape is looked at.
  if (table.key !== key || !Array.isArray(table.paths) || !Array.isArray(table.dirs) || !Array.isArray(table.stale)) return undefined;
  return table as Table;
}

/**
 * The sorted `kept` without the paths within `changes` (Changes.within), and with the sorted `found`
 * (judged again, none of them among those left) in their places: ranges found by binary search, not a
 * pass asking about every path.
 */
function replaced(kept: readonly string[], changes: Changes, found: readonly string[]): string[] {
  const dropped: [number, number][] = [];
  for (const root of [...changes.paths, ...changes.dirs]) {
    const at = lowerBound(kept, root);
    if (kept[at] === root) dropped.push([at, at + 1]);
    const under = lowerBound(kept, `${root}/`);
    let end = under;
    while (end < kept.length && (kept[end] as string).startsWith(`${root}/`)) end++;
    if (end > under) dropped.push([under, end]);
  }
  dropped.sort(([a], [b]) => a - b);
  let left: string[] = [];
  let from = 0;
  for (const [start, end] of dropped) {
    if (start > from) left = left.concat(kept.slice(from, start));
    from = Math.max(from, end);
  }
  left = left.concat(kept.slice(from));
  for (const path of found) left.splice(lowerBound(left, path), 0, path);
  return left;
}

/** The working tree beside its base commit, as the stale check reads it. */
export interface WorkingBeside {
  /** The working tree's top folder. */
  dir: string;
  /** Its files: the base commit's tree plus `changes` (tools/git/changed-tree.ts). */
  source: InputSource;
  format: ObjectFormat;
  /**
   * The base commit (a full SHA); undefined when the commit may hold symbolic links (its paths are not
   * all plain files and folders, tools/diff/sides.ts): then every file is judged and nothing is kept.
   */
  commit: string | undefined;
  /** What differs between the commit and the working tree (tools/git/changes.ts). */
  changes: Changes;
}

/**
 * The generated files of the working tree that `catalog` (the running code's unless given) would
 * generate differently, sorted, as staleFiles finds them. With a table kept in `cacheDir` for the base
 * commit under this key, only the paths this run's changes or the table's own touch are judged (with
 * no table of the marker, the few files are read); else every file is judged (with the marker table
 * kept in `cacheDir`, marks.ts) and the verdicts on the paths the changes leave alone are kept. A
 * table is written again when this run's changes are fewer than those it was judged with.
 * No `cacheDir`, or code with no state (generated-ids.ts): every file is judged, nothing is kept.
 * @throws what `generate` throws for a catalog it refuses
 */
export async function staleBesideCommit(tree: WorkingBeside, catalog: Catalog = currentCatalog, cacheDir?: string): Promise<string[]> {
  const { dir, source, format, commit, changes } = tree;
  const generated = cacheDir === undefined || commit === undefined ? undefined : generatedKey(catalog, format, cacheDir);
  const key = generated === undefined || commit === undefined ? undefined : tableKey(generated, commit);
  const kept = cacheDir === undefined || commit === undefined || key === undefined ? undefined : readTable(cacheDir, commit, key);
  const keep = async (stale: readonly string[]): Promise<void> => {
    if (cacheDir === undefined || commit === undefined || key === undefined) return;
    const left = stale.filter((path) => !changes.within(path));
    const table: Table = { key, paths: [...changes.paths], dirs: [...changes.dirs], stale: left };
    await keepTable(join(cacheDir, STALE_DIR), `${commit}.json`, sealed(table), KEPT);
  };
  if (kept === undefined) {
    const known = cacheDir === undefined ? new Map<string, boolean>() : readMarks(cacheDir);
    const { stale, marks } = await staleFiles(dir, source, format, { catalog, known, ...(cacheDir ? { cacheDir } : {}) });
    const learnt = [...marks.keys()].filter((id) => !known.has(id)).length;
    if (cacheDir !== undefined && worthKeeping(learnt, marks.size)) await writeMarks(cacheDir, marks);
    await keep(stale);
    return stale;
  }
  const judged = new Changes([...changes.paths, ...kept.paths], [...changes.dirs, ...kept.dirs]);
  const { stale: found } = await staleFiles(dir, source, format, { catalog, within: judged, ...(cacheDir ? { cacheDir } : {}) });
  const stale = replaced(kept.stale, judged, found);
  if (changes.size < kept.paths.length + kept.dirs.length) await keep(stale);
  return stale;
}
