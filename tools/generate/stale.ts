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

/** Compares what the catalog generates with what is on disk, file by file. */
export function compareWithDisk(generated: ReadonlyMap<string, string>, disk: ReadonlyMap<string, string>): StaleReport {
  const stale: StaleFile[] = [];
  const foreign: string[] = [];
  for (const [path, text] of generated) {
    const current = disk.get(path);
    if (current === undefined) stale.push({ path, problem: 'missing', diff: createTwoFilesPatch('/dev/null', `b/${path}`, '', text) });
    else if (current !== text) stale.push({ path, problem: 'changed', diff: createTwoFilesPatch(`a/${path}`, `b/${path}`, current, text) });
  }
  for (const [path, text] of disk) {
    if (generated.has(path)) continue;
    if (isGenerated(text)) stale.push({ path, problem: 'orphaned', diff: createTwoFilesPatch(`a/${path}`, '/dev/null', text, '') });
    else foreign.push(path);
  }
  stale.sort((a, b) => (a.path < b.path ? -1 : 1));
  return { stale, foreign: foreign.sort() };
}
