import { readdir, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { mapLimited, renderObjects, RenderError, type Kustomize } from './kustomize.ts';
import type { KubeObject } from '../kube/object.ts';
import { cacheKey, type RenderCache } from './cache.ts';
import { createInputReader, overlayHash } from './graph.ts';
import type { RenderedApp, RenderedTree } from './tree.ts';

export interface OverlayRef {
  env: string;
  component: string;
  /** Repository-relative, e.g. `overlays/prod/loki`. */
  dir: string;
}

async function subdirs(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Every `overlays/<env>/<component>` directory of a checkout, sorted. */
export async function listOverlays(root: string): Promise<OverlayRef[]> {
  const refs: OverlayRef[] = [];
  for (const env of await subdirs(join(root, 'overlays'))) {
    for (const component of await subdirs(join(root, 'overlays', env))) refs.push({ env, component, dir: `overlays/${env}/${component}` });
  }
  return refs;
}

/** Resolves command-line overlay arguments (`overlays/prod/loki`, a path, or `prod` for all of an env). */
export async function resolveOverlays(root: string, args: readonly string[]): Promise<OverlayRef[]> {
  const all = await listOverlays(root);
  if (args.length === 0) return all;
  const chosen: OverlayRef[] = [];
  for (const arg of args) {
    const rel = relative(root, resolve(arg)).split(sep).join('/');
    const matches = all.filter((o) => o.dir === rel || o.dir.startsWith(`${rel}/`) || o.env === arg);
    if (matches.length === 0) {
      const isDir = await stat(resolve(arg)).then((s) => s.isDirectory(), () => false);
      throw new RenderError(`${arg}: ${isDir ? 'not an overlay directory (expected overlays/<env>/<component>)' : 'no such overlay'}; overlays: ${all.map((o) => o.dir).join(', ')}`);
    }
    for (const match of matches) if (!chosen.includes(match)) chosen.push(match);
  }
  return chosen;
}

export interface RenderOptions {
  /** Renders found here are not rendered again; new renders are written to it. */
  cache?: RenderCache;
  /** Renders already at hand, by input hash (e.g. the other side of a diff): reused, not rendered again. */
  known?: ReadonlyMap<string, KubeObject[]>;
  /** Called after each overlay is done (rendered, cached or reused). */
  onProgress?: (done: number, total: number) => void;
}

/** A rendered tree with each overlay's input hash (graph.ts), by overlay directory. */
export interface HashedTree {
  tree: RenderedTree;
  hashes: Map<string, string>;
}

const IO_PARALLELISM = 32;

function renderFailure(root: string, overlay: OverlayRef, error: unknown): RenderError {
  const reason = error instanceof Error ? error.message.replace(`${join(root, overlay.dir)}: `, '') : String(error);
  return new RenderError(`${overlay.dir}: ${reason}`, { cause: error });
}

/**
 * Renders overlays with the real kustomize, one process each, as many at once as there are cores;
 * an overlay whose inputs hash to a known or cached render is not rendered again.
 */
export async function renderOverlaysHashed(root: string, kustomize: Kustomize, overlays: readonly OverlayRef[], options: RenderOptions = {}): Promise<HashedTree> {
  const reader = createInputReader();
  const hashes = new Map<string, string>();
  let done = 0;
  const finish = (): void => options.onProgress?.(++done, overlays.length);
  // Hashing and cache reads wait on the disk, not the CPU: many at once; kustomize gets one process per core.
  const found = await mapLimited(overlays, async (overlay) => {
    const hash = await overlayHash(root, overlay.dir, reader);
    hashes.set(overlay.dir, hash);
    const objects = options.known?.get(hash) ?? (await options.cache?.get(cacheKey(kustomize.version, hash)));
    if (objects) finish();
    return objects;
  }, IO_PARALLELISM);
  const missing = overlays.filter((_, index) => !found[index]);
  const rendered = await mapLimited(missing, async (overlay) => {
    let objects: KubeObject[];
    try {
      objects = await renderObjects(kustomize, join(root, overlay.dir));
    } catch (error) {
      throw renderFailure(root, overlay, error);
    }
    await options.cache?.put(cacheKey(kustomize.version, hashes.get(overlay.dir) ?? ''), objects);
    finish();
    return objects;
  });
  let next = 0;
  const apps = overlays.map((overlay, index): RenderedApp => ({ ...overlay, objects: found[index] ?? rendered[next++] ?? [] }));
  return { tree: { apps }, hashes };
}

/** Renders overlays with the real kustomize, one process each, as many at once as there are cores. */
export async function renderOverlays(root: string, kustomize: Kustomize, overlays: readonly OverlayRef[], options: RenderOptions = {}): Promise<RenderedTree> {
  if (options.cache || options.known) return (await renderOverlaysHashed(root, kustomize, overlays, options)).tree;
  let done = 0;
  const apps = await mapLimited(overlays, async (overlay): Promise<RenderedApp> => {
    try {
      const objects = await renderObjects(kustomize, join(root, overlay.dir));
      options.onProgress?.(++done, overlays.length);
      return { ...overlay, objects };
    } catch (error) {
      throw renderFailure(root, overlay, error);
    }
  });
  return { apps };
}
