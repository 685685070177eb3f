/**
 * Which files under the generator's output directories carry the generated marker (`isGenerated`),
 * by git blob id, kept between runs beside the render cache so that an unchanged file is not read
 * again to learn it. The answer is a function of the file's bytes, which its id names, and of the
 * marker rule, whose code and headers key the whole table (RULE): a table written under another
 * rule is not read.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { isGenerated, markdownHeader, yamlHeader } from '../generate/layout.ts';
import { readJson, writeAtomically } from '../files.ts';

/** Whether a file carries the generated marker, by content id. */
export type GeneratedMarks = Map<string, boolean>;

/** Where the table is kept, in the cache directory. */
const MARKS_FILE = 'generated-marks.json';

/** The marker rule: `isGenerated`'s code and the headers `generate` writes. */
const RULE = createHash('sha256')
  .update(`${String(isGenerated)}\n${yamlHeader('')}${markdownHeader('')}`)
  .digest('hex');

interface Table {
  rule: string;
  marked: string[];
  unmarked: string[];
}

const isIds = (value: unknown): value is string[] => Array.isArray(value) && value.every((id) => typeof id === 'string');

/** The table kept in `dir`; empty when there is none, it is unreadable, or it was written under another rule. */
export function readMarks(dir: string): GeneratedMarks {
  const table = (readJson(join(dir, MARKS_FILE)) ?? {}) as Partial<Table>;
  if (table.rule !== RULE || !isIds(table.marked) || !isIds(table.unmarked)) return new Map();
  return new Map([...table.marked.map((id) => [id, true] as const), ...table.unmarked.map((id) => [id, false] as const)]);
}

/**
 * Keeps `marks` (the answers of one tree, so the table does not grow past a tree) in `dir`, written
 * atomically. A table that cannot be written is left out: it only saves reading files.
 */
export async function writeMarks(dir: string, marks: GeneratedMarks): Promise<void> {
  const ids = (marked: boolean) =>
    [...marks]
      .filter(([, value]) => value === marked)
      .map(([id]) => id)
      .sort();
  const table: Table = { rule: RULE, marked: ids(true), unmarked: ids(false) };
  await writeAtomically(join(dir, MARKS_FILE), JSON.stringify(table)).catch(() => undefined);
}
