import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { OUTPUT_DIRS } from './layout.ts';
import { compareStrings } from '../kube/order.ts';

/** Every file under `dir`. Synchronous: for thousands of small files, faster than the thread pool's round trips. */
function walk(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return entries.flatMap((entry) => (entry.isDirectory() ? walk(join(dir, entry.name)) : entry.isFile() ? [join(dir, entry.name)] : []));
}

/** Every file under the generator's output directories, as repository-relative path -> text. */
export async function readOutputTree(root: string): Promise<Map<string, string>> {
  const paths = OUTPUT_DIRS.flatMap((dir) => walk(join(root, dir)));
  const texts = paths.map((path) => readFileSync(path, 'utf8'));
  const tree = new Map<string, string>();
  paths.forEach((path, i) => tree.set(relative(root, path).split(sep).join('/'), texts[i] as string));
  return new Map([...tree].sort(([a], [b]) => compareStrings(a, b)));
}
