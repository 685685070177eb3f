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
import { keepTable, readSealed, sealed } from '../files.ts';
import { compareStrings, lowerBound } from '../kube/order.ts';
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

/**
 * A table as kept, read with few allocations: the paths once, sorted, one per line; for each path the
 * overlays that asked about it (what `untouched` looks up, for the few paths a change touches); for
 * each overlay its input files by path index (made paths only when read); the few references left
 * unresolved or refused.
 */
interface Table {
  /** The state of the code that walked (runningCodeState). */
  code: string;
  commit: string;
  /** Every path a walk asked about or read, sorted (compareStrings), one per line; `count` of them. */
  paths: string;
  count: number;
  /** The overlays walked, sorted. */
  overlays: string[];
  /** One line per path, as `paths`: the indexes of the overlays that asked about it, comma-separated. */
  askedBy: string;
  /** Per overlay: the indexes of its input files' paths, comma-separated. */
  files: string[];
  /** Overlays with references unresolved or refused, by index: [unresolved, refused]. */
  references: Record<string, [string[], string[]]>;
}

const fileOf = (dir: string, commit: string): string => join(dir, WALKS_DIR, `${commit}.json`);

const isStrings = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === 'string');

/** The comma-separated indexes `list` names. */
const indexes = (list: string): number[] => (list === '' ? [] : list.split(',').map(Number));

/** A kept walk's inputs, its files made paths when first read (most walks are only asked what they refused). */
class KeptInputs implements OverlayInputs {
  readonly unresolved: string[];
  readonly refused: string[];
  private readonly list: string;
  private readonly table: readonly string[];
  private paths: string[] | undefined;

  constructor(list: string, table: readonly string[], unresolved: string[], refused: string[]) {
    this.list = list;
    this.table = table;
    this.unresolved = unresolved;
    this.refused = refused;
  }

  get files(): string[] {
    return (this.paths ??= indexes(this.list).map((index) => this.table[index] as string));
  }
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
 * Whether every entry of `references` is an overlay's index below `count` with two lists of strings: an
 * entry that is not would lose a refused reference, which the head must be stopped by (refuseEscapes).
 */
const validReferences = (references: object, count: number): boolean =>
  Object.entries(references).every(
    ([index, entry]) =>
      /^(0|[1-9][0-9]*)$/.test(index) && Number(index) < count && Array.isArray(entry) && entry.length === 2 && entry.every(isStrings),
  );

/** Whether `table` has the shape written for `code` and `commit` (the lists' contents are checked as they are read). */
function isTable(table: Partial<Table>, code: string, commit: string): table is Table {
  return (
    table.code === code &&
    table.commit === commit &&
    typeof table.paths === 'string' &&
    Number.isInteger(table.count) &&
    typeof table.askedBy === 'string' &&
    isStrings(table.overlays) &&
    isStrings(table.files) &&
    table.files.length === table.overlays.length &&
    typeof table.references === 'object' &&
    table.references !== null &&
    !Array.isArray(table.references) &&
    validReferences(table.references, table.overlays.length)
  );
}

/**
 * The walks of `commit` kept in the cache directory `dir`; undefined when there are none, or they are
 * unreadable or another code's. Read as kept: the paths the changes touch are found by binary search
 * and only their lines of `askedBy` read; a walk's files are made paths only when read. The table is
 * sealed with its checksum (render/cache.ts `sealed`): one damaged or edited is not read, and one
 * read is as this code wrote it, so its entries are not checked one by one (only its shape).
 */
export function readWalks(dir: string, commit: string): Walks | undefined {
  const code = runningCodeState(dir);
  const table = code === undefined ? undefined : ((readSealed(fileOf(dir, commit)) ?? {}) as Partial<Table>);
  if (code === undefined || table === undefined || !isTable(table, code, commit)) return undefined;
  const [paths, askedBy] = table.count === 0 ? [[], []] : [table.paths.split('\n'), table.askedBy.split('\n')];
  const overlays = table.overlays;
  if (paths.length !== table.count || askedBy.length !== table.count) return undefined;
  const position = new Map(overlays.map((overlay, index) => [overlay, index]));
  const references = (index: number): [string[], string[]] => table.references[String(index)] ?? [[], []];
  const made = new Map<string, Walk>();
  return {
    get(overlay) {
      const known = made.get(overlay);
      if (known) return known;
      const index = position.get(overlay);
      if (index === undefined) return undefined;
      const walk = {
        inputs: new KeptInputs(table.files[index] ?? '', paths, ...references(index)),
        get asked() {
          return paths.filter((_, at) => indexes(askedBy[at] ?? '').includes(index));
        },
      };
      made.set(overlay, walk);
      return walk;
    },
    untouched(changes) {
      const touched = new Set<number>();
      for (const at of touchedIndexes(paths, changes)) for (const index of indexes(askedBy[at] ?? '')) touched.add(index);
      return new Set(overlays.filter((_, index) => !touched.has(index)));
    },
  };
}

/**
 * Keeps the walks of `commit` in the cache directory `dir` (atomically), and deletes all but the
 * newest tables. A table that cannot be written is left out: it only saves walking again.
 */
export async function writeWalks(dir: string, commit: string, walks: ReadonlyMap<string, Walk>): Promise<void> {
  const code = runningCodeState(dir);
  if (code === undefined) return;
  const entries = [...walks].sort(([a], [b]) => compareStrings(a, b));
  const paths = [...new Set(entries.flatMap(([, walk]) => [...walk.inputs.files, ...walk.asked]))].sort(compareStrings);
  const at = new Map(paths.map((path, index) => [path, index]));
  const askedBy: number[][] = paths.map(() => []);
  entries.forEach(([, walk], index) => walk.asked.forEach((path) => askedBy[at.get(path) as number]?.push(index)));
  const references: Table['references'] = {};
  entries.forEach(([, walk], index) => {
    if (walk.inputs.unresolved.length > 0 || walk.inputs.refused.length > 0)
      references[String(index)] = [walk.inputs.unresolved, walk.inputs.refused];
  });
  const table: Table = {
    code,
    commit,
    paths: paths.join('\n'),
    count: paths.length,
    overlays: entries.map(([overlay]) => overlay),
    askedBy: askedBy.map((list) => list.join(',')).join('\n'),
    files: entries.map(([, walk]) => walk.inputs.files.map((path) => at.get(path) as number).join(',')),
    references,
  };
  await keepTable(join(dir, WALKS_DIR), `${commit}.json`, sealed(table), KEPT);
}
