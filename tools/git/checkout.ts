/**
 * A checkout to render: the files of a working tree, or of a git commit (tools/git/tree.ts), and a
 * way to put the files kustomize needs on disk.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { APP_FILE } from '../argocd/app-files.ts';
import { gitIndexSource } from './index-source.ts';
import { workingTreeSource, type InputSource, type ObjectFormat } from './source.ts';

export interface OverlayRef {
  env: string;
  component: string;
  /** Repository-relative, e.g. `overlays/prod/loki`. */
  dir: string;
}

export interface Checkout {
  readonly source: InputSource;
  /** Every `overlays/<env>/<component>` directory, sorted. */
  listOverlays(): Promise<OverlayRef[]>;
  /** The Argo CD objects' files, `apps/*.yaml`, by repository-relative path. */
  appFiles(): Promise<Map<string, string>>;
  /** A directory on disk that holds at least `files` (repository-relative) at their paths, for kustomize to read. */
  materialize(files: readonly string[]): Promise<string>;
}

/**
 * The working tree at `root`; in a git repository, files git reports unchanged are known by their
 * index id without being read (tools/git/index-source.ts).
 */
export async function openWorkingTree(root: string, format: ObjectFormat = 'sha1'): Promise<Checkout> {
  const disk = workingTreeSource(root, format);
  return workingTree(root, format, (await gitIndexSource(root, disk, format)) ?? disk);
}

async function subdirs(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Every `overlays/<env>/<component>` directory of the working tree at `root`, sorted. */
export async function listOverlays(root: string): Promise<OverlayRef[]> {
  const refs: OverlayRef[] = [];
  for (const env of await subdirs(join(root, 'overlays'))) {
    for (const component of await subdirs(join(root, 'overlays', env))) refs.push({ env, component, dir: `overlays/${env}/${component}` });
  }
  return refs;
}

/** The working tree at `root`, read from disk: its files are already where kustomize reads them. */
export function workingTree(root: string, format: ObjectFormat = 'sha1', source: InputSource = workingTreeSource(root, format)): Checkout {
  return {
    source,
    listOverlays: () => listOverlays(root),
    async appFiles() {
      const names = (await readdir(join(root, 'apps')).catch(() => [] as string[]))
        .map((name) => `apps/${name}`)
        .filter((path) => APP_FILE.test(path))
        .sort();
      const texts = await Promise.all(names.map((path) => readFile(join(root, path), 'utf8')));
      return new Map(names.map((path, index) => [path, texts[index] as string]));
    },
    materialize: async () => root,
  };
}
