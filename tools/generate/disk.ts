import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { OUTPUT_DIRS } from './layout.ts';

async function walk(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const nested = await Promise.all(
    entries.map((entry) => (entry.isDirectory() ? walk(join(dir, entry.name)) : Promise.resolve(entry.isFile() ? [join(dir, entry.name)] : []))),
  );
  return nested.flat();
}

/** Every file under the generator's output directories, as repository-relative path -> text. */
export async function readOutputTree(root: string): Promise<Map<string, string>> {
  const paths = (await Promise.all(OUTPUT_DIRS.map((dir) => walk(join(root, dir))))).flat();
  const texts = await Promise.all(paths.map((path) => readFile(path, 'utf8')));
  const tree = new Map<string, string>();
  paths.forEach((path, i) => tree.set(relative(root, path).split(sep).join('/'), texts[i] as string));
  return new Map([...tree].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
