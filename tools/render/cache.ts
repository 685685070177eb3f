/**
 * A cache of rendered overlays on disk, keyed by the kustomize version and the content hash of the
 * overlay's input files: a changed input or another kustomize misses exactly the affected entries.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KubeObject } from '../kube/object.ts';
import { readJson, writeAtomically } from '../files.ts';
import type { KustomizationRefs, RefsMemo } from './graph.ts';
import { compareStrings } from '../kube/order.ts';

/** Where the cache lives under the repository root (gitignored). */
export const DEFAULT_CACHE_DIR = '.cache/render';

export class RenderCacheError extends Error {
  override readonly name = 'RenderCacheError';
}

/** The cache key of a render: sha256 of the kustomize version and the overlay's input hash (graph.ts). */
export function cacheKey(kustomizeVersion: string, inputHash: string): string {
  return createHash('sha256').update(`kustomize ${kustomizeVersion}\n${inputHash}\n`).digest('hex');
}

export class RenderCache {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  private file(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.json`);
  }

  private get refsFile(): string {
    return join(this.dir, KUSTOMIZATIONS_FILE);
  }

  /** The cached render, or undefined on a miss (an unreadable entry is a miss: it is rendered and written again). */
  async get(key: string): Promise<KubeObject[] | undefined> {
    // One synchronous read: for thousands of small entries, faster than the thread pool's round trips.
    const objects = readJson(this.file(key));
    return Array.isArray(objects) ? (objects as KubeObject[]) : undefined;
  }

  async put(key: string, objects: readonly KubeObject[]): Promise<void> {
    await mkdir(join(this.dir, key.slice(0, 2)), { recursive: true }).catch((error: unknown) => this.fail(key, error));
    await this.write(this.file(key), JSON.stringify(objects), key);
  }

  /** The kustomization files parsed by earlier runs, by content id (graph.ts); empty when there is none or it is unreadable. */
  readRefs(): RefsMemo {
    const table = readJson(this.refsFile);
    if (table === null || typeof table !== 'object' || Array.isArray(table)) return new Map();
    return new Map(
      Object.entries(table as Record<string, unknown>).filter((entry): entry is [string, KustomizationRefs] => isRefs(entry[1])),
    );
  }

  /** Keeps the parsed kustomization files for the next run (sorted, so the file does not churn). */
  async writeRefs(memo: RefsMemo): Promise<void> {
    await mkdir(this.dir, { recursive: true }).catch((error: unknown) => this.fail(KUSTOMIZATIONS_FILE, error));
    await this.write(
      this.refsFile,
      JSON.stringify(Object.fromEntries([...memo].sort(([a], [b]) => compareStrings(a, b)))),
      KUSTOMIZATIONS_FILE,
    );
  }

  /**
   * Deletes renders written more than `maxAgeDays` ago (an overlay still in use is rendered again
   * once), temporaries a killed run left behind, and the table of parsed kustomizations. Looks at
   * most once a day; returns how many renders and temporaries it deleted.
   */
  async prune(now: Date = new Date(), maxAgeDays = 30): Promise<number> {
    const marker = join(this.dir, PRUNED_MARKER);
    const day = 24 * 3600 * 1000;
    const last = await stat(marker).then(
      (s) => s.mtimeMs,
      () => undefined,
    );
    if (last !== undefined && now.getTime() - last < day) return 0;
    if (
      !(await stat(this.dir).then(
        (s) => s.isDirectory(),
        () => false,
      ))
    )
      return 0;
    const cutoff = now.getTime() - maxAgeDays * day;
    let deleted = 0;
    for (const shard of (await readdir(this.dir, { withFileTypes: true })).filter((e) => e.isDirectory() && /^[0-9a-f]{2}$/.test(e.name))) {
      const dir = join(this.dir, shard.name);
      for (const name of await readdir(dir)) {
        const file = join(dir, name);
        const modified = await stat(file).then(
          (s) => s.mtimeMs,
          () => Infinity,
        );
        if (modified < (name.endsWith('.tmp') ? now.getTime() - day : cutoff)) {
          await rm(file, { force: true });
          deleted += 1;
        }
      }
    }
    // The table of parsed kustomizations only grows: start it afresh (the next run parses each file once).
    await rm(this.refsFile, { force: true });
    await writeFile(marker, '');
    await utimes(marker, now, now);
    return deleted;
  }

  private async write(target: string, text: string, entry: string): Promise<void> {
    await writeAtomically(target, text).catch((error: unknown) => this.fail(entry, error));
  }

  private fail(entry: string, error: unknown): never {
    const reason = error instanceof Error ? error.message : String(error);
    throw new RenderCacheError(
      `${this.dir}: render cache entry ${entry} could not be written (${reason}); make the directory writable or delete it`,
      { cause: error },
    );
  }
}

/** Kustomization files a run parses itself before it reads the table of those earlier runs parsed. */
const FEW_PARSES = 8;

/**
 * The parsed kustomization files (graph.ts RefsMemo) of one run, with those earlier runs kept in
 * `cache` read only once the run has missed more than a few: a run that walks one or two overlays
 * parses their few files faster than it reads the whole table (about 250 KB at 1,000 overlays).
 */
export class KeptRefs extends Map<string, KustomizationRefs> {
  private readonly cache: RenderCache | undefined;
  /** How many entries the kept table held, once read. */
  private kept: number | undefined;
  private misses = 0;

  constructor(cache?: RenderCache) {
    super();
    this.cache = cache;
  }

  override has(key: string): boolean {
    if (super.has(key)) return true;
    if (this.kept !== undefined || this.cache === undefined || ++this.misses <= FEW_PARSES) return false;
    this.read();
    return super.has(key);
  }

  /** Reads the kept table (once). */
  private read(): void {
    if (this.kept !== undefined || this.cache === undefined) return;
    const table = this.cache.readRefs();
    for (const [id, refs] of table) if (!super.has(id)) this.set(id, refs);
    this.kept = table.size;
  }

  /** Writes the table again when it was read and this run learnt enough to be worth it (worthKeeping). */
  async keep(): Promise<void> {
    if (this.cache !== undefined && this.kept !== undefined && worthKeeping(this.size - this.kept, this.size))
      await this.cache.writeRefs(this);
  }
}

/**
 * Whether a table kept between runs (parsed kustomizations, generated markers) is worth writing
 * again after this run learnt `learnt` of its `size` entries: rewriting it costs about as much as
 * the entries it holds, so the few files a change adds (parsed again next time, a millisecond each)
 * do not rewrite it; a first run, or one after many changes, does.
 */
export const worthKeeping = (learnt: number, size: number): boolean => learnt > 0 && learnt * 50 >= size;

/** Its modification time says when the cache was last pruned. */
const PRUNED_MARKER = 'last-pruned';

/** Where the parsed kustomization files are kept, in the cache directory. */
const KUSTOMIZATIONS_FILE = 'kustomizations.json';

const isStrings = (value: unknown): boolean => Array.isArray(value) && value.every((item) => typeof item === 'string');

/** A table entry as graph.ts writes it; anything else (a damaged or foreign file) is parsed again. */
function isRefs(value: unknown): boolean {
  if (value === null) return true;
  const refs = value as Record<string, unknown>;
  return typeof value === 'object' && ['resources', 'files', 'configs', 'trees', 'remote'].every((field) => isStrings(refs[field]));
}

/** The repository's render cache, `.cache/render/` under `root`. */
export function openRenderCache(root: string): RenderCache {
  return new RenderCache(join(root, DEFAULT_CACHE_DIR));
}
