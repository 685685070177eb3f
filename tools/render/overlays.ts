import { readdir, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { mapLimited, renderObjects, RenderError, type Kustomize } from './kustomize.ts';
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

/** Renders overlays with the real kustomize, one process each, as many at once as there are cores. */
export async function renderOverlays(root: string, kustomize: Kustomize, overlays: readonly OverlayRef[]): Promise<RenderedTree> {
  const apps = await mapLimited(overlays, async (overlay): Promise<RenderedApp> => {
    try {
      return { ...overlay, objects: await renderObjects(kustomize, join(root, overlay.dir)) };
    } catch (error) {
      const reason = error instanceof Error ? error.message.replace(`${join(root, overlay.dir)}: `, '') : String(error);
      throw new RenderError(`${overlay.dir}: ${reason}`, { cause: error });
    }
  });
  return { apps };
}
