/**
 * The working tree read as a commit's tree plus the paths git reports changed since (changes.ts):
 * a path the change does not touch is known by the commit's blob id without reading or hashing
 * it, and without reading git's index; a touched path is answered by the disk.
 */
import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import type { Changes } from './changes.ts';
import type { OverlayRef } from './checkout.ts';
import type { EntryKind, InputSource } from './source.ts';
import { overlaysOf, treeFilesUnder, type GitTree } from './tree.ts';

/**
 * `disk` (the working tree), answering from `tree` (the commit the working tree was compared with,
 * one without links or submodules: their targets are the disk's to resolve) wherever `changes`
 * leaves a path alone. What neither knows (a file git ignores) is the disk's answer, as for the
 * working tree itself.
 */
export function changedTreeSource(tree: GitTree, changes: Changes, disk: InputSource): InputSource {
  const knownId = (path: string): string | undefined => (changes.within(path) ? undefined : tree.files.get(path));
  const held = (path: string): boolean => tree.files.has(path) || tree.dirs.has(path);
  const changedUnder = (dir: string): string[] =>
    [...changes.paths, ...changes.dirs].filter((path) => dir === '' || path.startsWith(`${dir}/`));
  return {
    kind: (path): EntryKind => (changes.touches(path) || !held(path) ? disk.kind(path) : tree.files.has(path) ? 'file' : 'dir'),
    bytes: (path) => disk.bytes(path),
    contentId: async (path) => knownId(path) ?? disk.contentId(path),
    knownId,
    async filesUnder(dir) {
      if (changes.within(dir) || !tree.dirs.has(dir)) return disk.filesUnder(dir);
      const committed = treeFilesUnder(tree, dir);
      const changed = changedUnder(dir);
      if (changed.length === 0) return committed;
      const files = new Set(committed.filter((path) => !changes.within(path)));
      for (const path of changed) {
        const kind = disk.kind(path);
        if (kind === 'file') files.add(path);
        else if (kind === 'dir') for (const file of await disk.filesUnder(path)) files.add(file);
      }
      return [...files].sort();
    },
    // A path the commit holds and the change leaves alone is a plain file or directory inside.
    ...(disk.outside
      ? { outside: (path: string) => (changes.touches(path) || !held(path) ? (disk.outside?.(path) ?? false) : false) }
      : {}),
  };
}

/**
 * Whether `dir` (from the top of the working tree `root`) is a folder on disk: not a link to one, as a
 * listing finds them.
 */
export const folderOnDisk =
  (root: string) =>
  (dir: string): boolean =>
    lstatSync(join(root, dir), { throwIfNoEntry: false })?.isDirectory() ?? false;

/**
 * The overlays of the working tree (`overlays/<env>/<component>` folders) read as `tree` plus `changes`:
 * the commit's, with the few a change lies in (or is) looked up in `source` (the working tree as
 * changedTreeSource reads it) and on the disk (`isFolder`, folderOnDisk: a folder, not a link to one, as
 * a listing of the working tree finds them). A change to `overlays/` itself or to an environment folder
 * (a new one, untracked) lists them all from the disk (`listDisk`). A folder git does not see (empty, or
 * holding only files git ignores) is no overlay: a commit of the working tree would not hold it.
 */
export async function changedOverlays(
  tree: GitTree,
  changes: Changes,
  source: InputSource,
  isFolder: (dir: string) => boolean,
  listDisk: () => Promise<OverlayRef[]>,
): Promise<OverlayRef[]> {
  // Untouched, the commit answers. Touched: a folder holding a path git names (untracked or changed: a link leading out
  // too, which a commit would hold and the render refuses), or a file the commit or the disk has under it; an emptied folder is none.
  const seen = async (dir: string): Promise<boolean> => {
    if (!changes.touches(dir)) return tree.dirs.has(dir);
    if (!isFolder(dir)) return false;
    const named = [...changes.paths, ...changes.dirs].some(
      (path) => (path === dir || path.startsWith(`${dir}/`)) && source.kind(path) !== 'none',
    );
    return named || (await source.filesUnder(dir)).length > 0;
  };
  const overlays = new Set(tree.overlayDirs());
  for (const changed of [...changes.paths, ...changes.dirs]) {
    const parts = changed.split('/');
    if (parts[0] !== 'overlays') continue;
    const [, env, component] = parts;
    if (env === undefined || component === undefined) {
      const listed = await listDisk();
      const held = await Promise.all(listed.map((overlay) => seen(overlay.dir)));
      return listed.filter((_, index) => held[index]);
    }
    const dir = `overlays/${env}/${component}`;
    if (await seen(dir)) overlays.add(dir);
    else overlays.delete(dir);
  }
  return overlaysOf(overlays);
}
