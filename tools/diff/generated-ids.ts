/**
 * What the generator writes, by git blob id, kept between runs beside the render cache, so that the
 * working tree's stale check (trees.ts `staleFiles`) compares ids without running the generator
 * (60–90 ms, more on a first run). `generate` is a pure function of the catalog value and of the
 * running code: the files under tools/ (its own modules, the components, the data files they read),
 * the packages they load and Node.js. The table is keyed by all of them and by the object format, so
 * a table written under any other state is not read; only the newest is kept.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Catalog } from '../catalog/index.ts';
import { generate } from '../generate/index.ts';
import { gitBlobId, type ObjectFormat } from '../git/source.ts';
import { compareStrings } from '../kube/order.ts';
import { readJson, writeAtomically } from '../files.ts';
import { packagesRecord } from '../packages.ts';
import { writeWholeSync } from '../files.ts';

/** Where the table is kept, in the cache directory. */
const IDS_FILE = 'generated-ids.json';

/** tools/ of the running code (not of the repository being diffed, which may be another). */
const TOOLS = fileURLToPath(new URL('..', import.meta.url));

/** Every regular file under `dir`, absolute; symbolic links are not followed. */
function filesUnder(dir: string, into: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) filesUnder(join(dir, entry.name), into);
    else if (entry.isFile()) into.push(join(dir, entry.name));
  }
  return into;
}

/**
 * The state of the code that generates: sha256 (hex) of every file under `tools` (its path relative
 * to `tools`, and its bytes), npm's record of the packages installed for it, and Node's version. The
 * same code elsewhere has the same state. Undefined when no record of the packages is found: a
 * package could then change unseen, so nothing is kept or read. About 5 ms for tools/ (1.2 MB).
 * @param tools the running code's tools/ unless given (tests give a copy)
 */
export function codeState(tools: string = TOOLS): string | undefined {
  const record = packagesRecord(tools);
  if (record === undefined) return undefined;
  const hash = createHash('sha256').update(`node ${process.version}\npackages `).update(record);
  for (const file of filesUnder(tools).sort(compareStrings)) {
    const bytes = readFileSync(file);
    hash.update(`\nfile ${relative(tools, file).split(sep).join('/')} ${bytes.length}\n`).update(bytes);
  }
  return hash.digest('hex');
}

/** Where the code state of the files' last seen metadata is kept, in the cache directory. */
const STATE_FILE = 'code-state.json';

/**
 * codeState of `tools`, taken from the cache directory `dir` while every file under `tools` has the
 * metadata it had when the state was kept there (path, size, modification and change times in
 * nanoseconds, inode, device; any write changes the change time, which no program sets back), npm's
 * record of the packages and Node's version are the same: a few hundred system calls instead of
 * reading and hashing tools/ (about 10 ms cold). Otherwise codeState, kept for the next run.
 */
export function keptCodeState(tools: string, dir: string): string | undefined {
  const record = packagesRecord(tools);
  if (record === undefined) return undefined;
  const print = createHash('sha256').update(`code metadata\nnode ${process.version}\npackages `).update(record);
  for (const file of filesUnder(tools).sort(compareStrings)) {
    const stats = statSync(file, { bigint: true });
    print.update(`\nfile ${relative(tools, file)} ${stats.size} ${stats.mtimeNs} ${stats.ctimeNs} ${stats.ino} ${stats.dev}`);
  }
  const fingerprint = print.digest('hex');
  const kept = (readJson(join(dir, STATE_FILE)) ?? {}) as { fingerprint?: unknown; state?: unknown };
  if (kept.fingerprint === fingerprint && typeof kept.state === 'string' && /^[0-9a-f]{64}$/.test(kept.state)) return kept.state;
  const state = codeState(tools);
  if (state !== undefined) keepState(join(dir, STATE_FILE), JSON.stringify({ fingerprint, state }));
  return state;
}

/** Keeps `text` in `file` whole, synchronously (the run may end right after); left out when it cannot be. */
function keepState(file: string, text: string): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeWholeSync(file, text);
  } catch {
    // Computed again next time.
  }
}

/** The running code's state, read once per process (the code loaded does not change while it runs). */
let running: { state: string | undefined } | undefined;

/**
 * codeState of the running code's tools/, read once per process: what keys every table a run keeps by
 * its own code. With a cache directory `dir`, through keptCodeState there.
 */
export const runningCodeState = (dir?: string): string | undefined =>
  (running ??= { state: dir === undefined ? codeState() : keptCodeState(TOOLS, dir) }).state;

interface Table {
  key: string;
  ids: Record<string, string>;
}

/** The table's key: sha256 (hex) of the object format, the code state and the catalog's JSON (as `check`'s key takes it). */
const tableKey = (catalog: Catalog, format: ObjectFormat, code: string): string =>
  createHash('sha256').update(`generated ids\nformat ${format}\ncode ${code}\ncatalog `).update(JSON.stringify(catalog)).digest('hex');

/**
 * The key the running code keeps `catalog`'s generated ids under in `format` (see tableKey): what a
 * table derived from them is kept under too. Undefined when the code has no state (codeState).
 */
export function generatedKey(catalog: Catalog, format: ObjectFormat, dir?: string): string | undefined {
  const code = runningCodeState(dir);
  return code === undefined ? undefined : tableKey(catalog, format, code);
}

/** The ids kept in `file` under `key`, or undefined (none, unreadable, damaged, another key or format). */
function readIds(file: string, key: string, format: ObjectFormat): Map<string, string> | undefined {
  const table = (readJson(file) ?? {}) as Partial<Table>;
  const id = format === 'sha1' ? /^[0-9a-f]{40}$/ : /^[0-9a-f]{64}$/;
  const ids = typeof table.ids === 'object' && table.ids !== null && !Array.isArray(table.ids) ? Object.entries(table.ids) : [];
  if (table.key !== key || ids.length === 0 || !ids.every(([, value]) => typeof value === 'string' && id.test(value))) return undefined;
  return new Map(ids);
}

/**
 * What `catalog` generates, as repository-relative path -> git blob id in `format` (gitBlobId of the
 * generated text's UTF-8 bytes). Read from the table kept in `dir` when it was written for this
 * catalog, this code state and this format; else the generator runs and its ids are kept in `dir`
 * (written atomically, replacing the table; one that cannot be written is left out, it only saves
 * time). No `dir`, or no code state: the generator runs, nothing is kept. A hit costs about 5 ms
 * (the code state, once per process), a miss the generator's run.
 * @param tools whose code state keys the table: the running code's tools/ unless given (tests give a copy)
 * @throws what `generate` throws for a catalog it refuses (a kept table is only ever one it accepted)
 */
export async function generatedIds(catalog: Catalog, format: ObjectFormat, dir?: string, tools?: string): Promise<Map<string, string>> {
  const code = dir === undefined ? undefined : tools === undefined ? runningCodeState(dir) : codeState(tools);
  const key = code === undefined ? undefined : tableKey(catalog, format, code);
  const file = join(dir ?? '', IDS_FILE);
  const kept = key === undefined ? undefined : readIds(file, key, format);
  if (kept) return kept;
  const ids = new Map([...generate(catalog)].map(([path, text]) => [path, gitBlobId(Buffer.from(text, 'utf8'), format)] as const));
  if (key === undefined) return ids;
  const table: Table = { key, ids: Object.fromEntries(ids) };
  try {
    mkdirSync(dirname(file), { recursive: true });
    await writeAtomically(file, JSON.stringify(table));
  } catch {
    // Not kept: the next run generates again.
  }
  return ids;
}
