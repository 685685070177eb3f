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

/** A table as kept: paths once, each walk by their indexes. */
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

/**
 * The walks of `commit` kept in the cache directory `dir`; undefined when there are none, or they are
 * unreadable or another code's. Read as kept, by path index: each path is asked once whether the
 * changes touch it, and a walk is made whole only when asked for.
 */
export function readWalks(dir: string, commit: string): Walks | undefined {
  const code = runningCodeState();
  const table = code === undefined ? undefined : (readJson(fileOf(dir, commit)) as Partial<Table> | undefined);
  if (table === undefined || table.code !== code || table.commit !== commit || !isStrings(table.paths) || typeof table.walks !== 'object')
    return undefined;
  const paths = table.paths;
  const entries = new Map<string, [number[], string[], string[], number[]]>();
  for (const [overlay, entry] of Object.entries(table.walks ?? {})) {
    const [files, unresolved, refused, asked] = Array.isArray(entry) ? entry : [];
    if (!isIndexes(files, paths.length) || !isStrings(unresolved) || !isStrings(refused) || !isIndexes(asked, paths.length))
      return undefined;
    entries.set(overlay, [files, unresolved, refused, asked]);
  }
  const at = (index: number) => paths[index] as string;
  return {
    get(overlay) {
      const entry = entries.get(overlay);
      if (!entry) return undefined;
      const [files, unresolved, refused, asked] = entry;
      // Paths are looked up when read: most walks are only asked what they refused.
      let [filePaths, askedPaths]: (string[] | undefined)[] = [];
      return {
        inputs: {
          get files() {
            return (filePaths ??= files.map(at));
          },
          unresolved,
          refused,
        },
        get asked() {
          return (askedPaths ??= asked.map(at));
        },
      };
    },
    untouched(changes) {
      const touched = paths.map((path) => changes.touches(path));
      return new Set([...entries].filter(([, [, , , asked]]) => !asked.some((index) => touched[index])).map(([overlay]) => overlay));
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
  const index = new Map<string, number>();
  const at = (path: string): number => {
    let found = index.get(path);
    if (found === undefined) index.set(path, (found = index.size));
    return found;
  };
  const entries = [...walks].sort(([a], [b]) => compareStrings(a, b));
  const table: Table = {
    code,
    commit,
    paths: [],
    walks: Object.fromEntries(
      entries.map(([overlay, walk]) => [
        overlay,
        [walk.inputs.files.map(at), walk.inputs.unresolved, walk.inputs.refused, walk.asked.map(at)],
      ]),
    ),
  };
  table.paths = [...index.keys()];
  await keepTable(join(dir, WALKS_DIR), `${commit}.json`, JSON.stringify(table), KEPT);
}
