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

/** The paths of generated files whose content on disk is not what the catalog generates (missing, changed or orphaned), sorted. */
export function stalePaths(generated: ReadonlyMap<string, string>, disk: ReadonlyMap<string, string>): string[] {
  const paths = [...generated].filter(([path, text]) => disk.get(path) !== text).map(([path]) => path);
  for (const [path, text] of disk) if (!generated.has(path) && isGenerated(text)) paths.push(path);
  return paths.sort();
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
