import { createTwoFilesPatch } from 'diff';
import { isGenerated } from './layout.ts';

export interface StaleFile {
  path: string;
  /** `changed`: content differs; `missing`: generated but not on disk; `orphaned`: on disk with our header, no longer generated. */
  problem: 'changed' | 'missing' | 'orphaned';
  diff: string;
}

export interface StaleReport {
  stale: StaleFile[];
  /** Files in the output directories that `generate` did not write: hand-written YAML does not belong there. */
  foreign: string[];
}

/**
 * What the stale check asks of the files on disk, for a caller that can answer without reading every
 * file. `T`: what a generated file is known by, its text or (without the text at hand) its git blob id.
 */
export interface OutputFiles<T = string> {
  /** Every file under the output directories. */
  paths: Iterable<string>;
  /** Whether the file `path` (on disk) holds exactly the generated file known by `expected`. */
  holds(path: string, expected: T): boolean;
  /** Whether the file `path` (on disk, not generated) carries the generated marker (`isGenerated`). */
  marked(path: string): boolean;
}

/**
 * The paths of generated files whose content on disk is not what the catalog generates (missing, changed
 * or orphaned), sorted. `generated`: what the catalog generates, path -> what `disk.holds` is asked about.
 */
export function stalePathsOf<T>(generated: ReadonlyMap<string, T>, disk: OutputFiles<T>): string[] {
  const onDisk = new Set(disk.paths);
  const paths = [...generated].filter(([path, expected]) => !onDisk.has(path) || !disk.holds(path, expected)).map(([path]) => path);
  for (const path of onDisk) if (!generated.has(path) && disk.marked(path)) paths.push(path);
  return paths.sort();
}

/** stalePathsOf with every file's text at hand (repository-relative path -> text). */
export function stalePaths(generated: ReadonlyMap<string, string>, disk: ReadonlyMap<string, string>): string[] {
  return stalePathsOf(generated, {
    paths: disk.keys(),
    holds: (path, text) => disk.get(path) === text,
    marked: (path) => isGenerated(disk.get(path) ?? ''),
  });
}

/** Compares what the catalog generates with what is on disk, file by file. */
export function compareWithDisk(generated: ReadonlyMap<string, string>, disk: ReadonlyMap<string, string>): StaleReport {
  const stale = stalePaths(generated, disk).map((path): StaleFile => {
    const [current, text] = [disk.get(path), generated.get(path)];
    if (current === undefined) return { path, problem: 'missing', diff: createTwoFilesPatch('/dev/null', `b/${path}`, '', text ?? '') };
    if (text === undefined) return { path, problem: 'orphaned', diff: createTwoFilesPatch(`a/${path}`, '/dev/null', current, '') };
    return { path, problem: 'changed', diff: createTwoFilesPatch(`a/${path}`, `b/${path}`, current, text) };
  });
  const foreign = [...disk].filter(([path, text]) => !generated.has(path) && !isGenerated(text)).map(([path]) => path);
  return { stale, foreign: foreign.sort() };
}
