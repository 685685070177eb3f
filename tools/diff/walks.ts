/**
 * The kustomization walk of every overlay of a base commit, kept between runs beside the render
 * cache: each overlay's inputs and every path the walk asked its source about. A walk is a function
 * of its source's answers for those paths (tools/render/graph.ts `overlayInputs`), so on another side
 * whose changes touch none of them it finds the same inputs, with the same content ids: the overlay
 * renders the same without being walked or hashed again. A commit never changes, so its table is
 * valid for as long as the walk's own code is the same: it is keyed by the running code's state
 * (generated-ids.ts `runningCodeState`: tools/, the packages, Node), and none is kept without one.
 */
import { join } from 'node:path';
import { mapLimited } from '../concurrency.ts';
import type { Changes } from '../git/changes.ts';
import type { Checkout, OverlayRef } from '../git/checkout.ts';
import type { InputSource } from '../git/source.ts';
import { overlayInputs, type OverlayInputs, type RefsMemo } from '../render/graph.ts';
import { keepTable, readJson } from '../render/cache.ts';
import { compareStrings } from '../kube/order.ts';
import { runningCodeState } from './generated-ids.ts';

/** One overlay's walk: what it found, and every path whose answer it depended on. */
export interface Walk {
  inputs: OverlayInputs;
  /** Paths asked about: a kind, a content id or bytes, the files under a directory, whether it leads outside. */
  asked: readonly string[];
}

/** Every overlay's walk of one commit, by overlay directory. */
export interface Walks {
  get(dir: string): Walk | undefined;
  /** The overlays whose walk asked about no path `changes` touch: the other side's walk finds the same. */
  untouched(changes: Changes): Set<string>;
}

/** `walks` (just walked) as Walks. */
export function walksOf(walks: ReadonlyMap<string, Walk>): Walks {
  return {
    get: (dir) => walks.get(dir),
    untouched: (changes) => new Set([...walks].filter(([, walk]) => !walk.asked.some((path) => changes.touches(path))).map(([dir]) => dir)),
  };
}

/** Where the tables are kept, one per commit, in the cache directory. */
const WALKS_DIR = 'walks';

/** Tables kept: the newest by modification time (a CI cache holds a branch's few bases). */
const KEPT = 8;

/** Reading files and waiting on git: many overlays at once (as tools/render/overlays.ts hashes). */
const IO_PARALLELISM = 32;

/** `source`, noting in `asked` every path it is asked about. */
function recording(source: InputSource, asked: Set<string>): InputSource {
  const note = (path: string): string => (asked.add(path), path);
  return {
    kind: (path) => source.kind(note(path)),
    bytes: (path) => source.bytes(note(path)),
    contentId: (path) => source.contentId(note(path)),
    filesUnder: (dir) => source.filesUnder(note(dir)),
    ...(source.outside ? { outside: (path: string) => source.outside?.(note(path)) ?? false } : {}),
  };
}

/** Walks `overlays` of `checkout` (`memo`: parsed kustomizations, graph.ts), noting what each asked. */
export async function walkOverlays(checkout: Checkout, overlays: readonly OverlayRef[], memo: RefsMemo): Promise<Map<string, Walk>> {
  const walked = await mapLimited(
    overlays,
    async (overlay) => {
      const asked = new Set<string>();
      const inputs = await overlayInputs(recording(checkout.source, asked), overlay.dir, memo);
      return { inputs, asked: [...asked].sort(compareStrings) };
    },
    IO_PARALLELISM,
  );
  return new Map(overlays.map((overlay, index) => [overlay.dir, walked[index] as Walk]));
}

/** A table as kept: paths once, sorted, each walk by their indexes. */
interface Table {
  /** The state of the code that walked (runningCodeState). */
  code: string;
  commit: string;
  paths: string[];
  /** dir -> [input files, unresolved, refused, asked], files and asked by path index. */
  walks: Record<string, [number[], string[], string[], number[]]>;
}

const fileOf = (dir: string, commit: string): string => join(dir, WALKS_DIR, `${commit}.json`);

const isIndexes = (value: unknown, count: number): value is number[] =>
  Array.isArray(value) && value.every((index) => Number.isInteger(index) && index >= 0 && index < count);
const isStrings = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === 'string');
/** Strictly ascending by code unit (compareStrings): what binary search over the paths needs. */
const isSorted = (paths: readonly string[]): boolean => paths.every((path, index) => index === 0 || (paths[index - 1] as string) < path);

/** A kept walk's inputs, its files made paths when first read (most walks are only asked what they refused). */
class KeptInputs implements OverlayInputs {
  readonly unresolved: string[];
  readonly refused: string[];
  private readonly indexes: readonly number[];
  private readonly table: readonly string[];
  private paths: string[] | undefined;

  constructor(indexes: readonly number[], table: readonly string[], unresolved: string[], refused: string[]) {
    [this.indexes, this.table, this.unresolved, this.refused] = [indexes, table, unresolved, refused];
  }

  get files(): string[] {
    return (this.paths ??= this.indexes.map((index) => this.table[index] as string));
  }
}

/** The first index of sorted `paths` at which `path` would go (paths before it are smaller). */
function lowerBound(paths: readonly string[], path: string): number {
  let [low, high] = [0, paths.length];
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((paths[middle] as string) < path) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * The indexes of sorted `paths` that `changes` touch (Changes.touches): each changed path and
 * directory, those under it (one range of the sorted paths), and the directories above it, found by
 * binary search instead of asking about every path.
 */
function touchedIndexes(paths: readonly string[], changes: Changes): Set<number> {
  const touched = new Set<number>();
  const exact = (path: string): void => {
    const at = lowerBound(paths, path);
    if (paths[at] === path) touched.add(at);
  };
  for (const changed of [...changes.paths, ...changes.dirs]) {
    exact(changed);
    for (let at = lowerBound(paths, `${changed}/`); at < paths.length && (paths[at] as string).startsWith(`${changed}/`); at++)
      touched.add(at);
    for (let slash = changed.lastIndexOf('/'); slash !== -1; slash = changed.lastIndexOf('/', slash - 1)) exact(changed.slice(0, slash));
    exact('');
  }
  return touched;
}

/**
 * The walks of `commit` kept in the cache directory `dir`; undefined when there are none, or they are
 * unreadable, damaged or another code's. Read as kept, by path index: the paths the changes touch are
 * found by binary search, and a walk's files are made paths only when read.
 */
export function readWalks(dir: string, commit: string): Walks | undefined {
  const code = runningCodeState();
  const table = code === undefined ? undefined : (readJson(fileOf(dir, commit)) as Partial<Table> | undefined);
  if (table === undefined || table.code !== code || table.commit !== commit || !isStrings(table.paths) || typeof table.walks !== 'object')
    return undefined;
  const paths = table.paths;
  if (!isSorted(paths)) return undefined;
  const entries = new Map<string, { asked: number[]; inputs: KeptInputs }>();
  for (const [overlay, entry] of Object.entries(table.walks ?? {})) {
    const [files, unresolved, refused, asked] = Array.isArray(entry) ? entry : [];
    if (!isIndexes(files, paths.length) || !isStrings(unresolved) || !isStrings(refused) || !isIndexes(asked, paths.length))
      return undefined;
    entries.set(overlay, { asked, inputs: new KeptInputs(files, paths, unresolved, refused) });
  }
  return {
    get(overlay) {
      const entry = entries.get(overlay);
      if (!entry) return undefined;
      return {
        inputs: entry.inputs,
        get asked() {
          return entry.asked.map((index) => paths[index] as string);
        },
      };
    },
    untouched(changes) {
      const touched = touchedIndexes(paths, changes);
      return new Set([...entries].filter(([, { asked }]) => !asked.some((index) => touched.has(index))).map(([overlay]) => overlay));
    },
  };
}

/**
 * Keeps the walks of `commit` in the cache directory `dir` (atomically), and deletes all but the
 * newest tables. A table that cannot be written is left out: it only saves walking again.
 */
export async function writeWalks(dir: string, commit: string, walks: ReadonlyMap<string, Walk>): Promise<void> {
  const code = runningCodeState();
  if (code === undefined) return;
  const entries = [...walks].sort(([a], [b]) => compareStrings(a, b));
  const paths = [...new Set(entries.flatMap(([, walk]) => [...walk.inputs.files, ...walk.asked]))].sort(compareStrings);
  const index = new Map(paths.map((path, at) => [path, at]));
  const at = (path: string): number => index.get(path) as number;
  const table: Table = {
    code,
    commit,
    paths,
    walks: Object.fromEntries(
      entries.map(([overlay, walk]) => [
        overlay,
        [walk.inputs.files.map(at), walk.inputs.unresolved, walk.inputs.refused, walk.asked.map(at)],
      ]),
    ),
  };
  await keepTable(join(dir, WALKS_DIR), `${commit}.json`, JSON.stringify(table), KEPT);
}
