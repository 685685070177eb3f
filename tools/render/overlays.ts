import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { limiter, mapLimited } from '../concurrency.ts';
import type { KubeObject } from '../kube/object.ts';
import { parseObjects } from '../yaml.ts';
import { cacheKey, type RenderCache } from './cache.ts';
import { listOverlays, openWorkingTree, workingTree, type Checkout, type OverlayRef } from '../git/checkout.ts';
import { hashInputs, overlayInputs, type OverlayInputs, type RefsMemo } from './graph.ts';
import { renderText, RenderError, type Kustomize } from './kustomize.ts';
import type { RenderedApp, RenderedTree } from './tree.ts';

export { listOverlays, type OverlayRef } from '../git/checkout.ts';

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
  /**
   * When given, an overlay that cannot be rendered (or whose references are refused) is passed here
   * and given no objects, instead of failing the whole render.
   */
  onFailure?: (overlay: OverlayRef, error: RenderError) => void;
}

/** An overlay's input files and their content hash (graph.ts). */
export interface HashedOverlay {
  inputs: OverlayInputs;
  hash: string;
}

/** A rendered tree with each overlay's input hash, by overlay directory. */
export interface HashedTree {
  tree: RenderedTree;
  hashes: Map<string, string>;
}

/** Hashing reads files and may wait on git: many overlays at once. */
const IO_PARALLELISM = 32;

/**
 * The refusal of an overlay whose kustomization graph names a URL or a path outside the repository
 * (graph.ts): one line naming the overlay and the first reference, before kustomize runs.
 */
export function refusal(overlay: OverlayRef, inputs: OverlayInputs | undefined): RenderError | undefined {
  const refused = inputs?.refused ?? [];
  if (refused.length === 0) return undefined;
  const more = refused.length > 1 ? ` (and ${refused.length - 1} more reference(s) refused)` : '';
  return new RenderError(`${overlay.dir}: reference refused: ${refused[0]}${more}`);
}

/** The first refusal among `overlays`, thrown. */
export function refuseEscapes(overlays: readonly OverlayRef[], inputsOf: (overlay: OverlayRef) => OverlayInputs | undefined): void {
  for (const overlay of overlays) {
    const refused = refusal(overlay, inputsOf(overlay));
    if (refused) throw refused;
  }
}

function renderFailure(dir: string, overlay: OverlayRef, error: unknown): RenderError {
  const reason = error instanceof Error ? error.message.replace(`${join(dir, overlay.dir)}: `, '') : String(error);
  return new RenderError(`${overlay.dir}: ${reason}`, { cause: error });
}

/**
 * The input hash of each overlay. Kustomization files already parsed (by this run, or by earlier
 * ones through `memo`) are not parsed again: their content id says they are the same.
 */
export async function hashOverlays(checkout: Checkout, overlays: readonly OverlayRef[], memo: RefsMemo = new Map()): Promise<Map<string, HashedOverlay>> {
  const hashed = await mapLimited(overlays, async (overlay) => {
    const inputs = await overlayInputs(checkout.source, overlay.dir, memo);
    return { inputs, hash: await hashInputs(checkout.source, inputs) };
  }, IO_PARALLELISM);
  return new Map(overlays.map((overlay, index) => [overlay.dir, hashed[index] as HashedOverlay]));
}

/**
 * Renders overlays with the real kustomize, as many processes at once as there are cores; an
 * overlay whose input hash is known or cached is not rendered again. Each process's output is
 * parsed and cached after its slot is given to the next overlay, so kustomize never waits on us.
 */
export async function renderHashed(checkout: Checkout, kustomize: Kustomize, overlays: readonly OverlayRef[], hashed: ReadonlyMap<string, HashedOverlay>, options: RenderOptions = {}): Promise<RenderedApp[]> {
  let done = 0;
  const finish = (): void => options.onProgress?.(++done, overlays.length);
  const hashOf = (overlay: OverlayRef): string => hashed.get(overlay.dir)?.hash ?? '';
  const found = await Promise.all(overlays.map(async (overlay) => {
    const objects = options.known?.get(hashOf(overlay)) ?? (await options.cache?.get(cacheKey(kustomize.version, hashOf(overlay))));
    if (objects) finish();
    return objects;
  }));
  const failed = (overlay: OverlayRef, error: RenderError): KubeObject[] => {
    if (!options.onFailure) throw error;
    options.onFailure(overlay, error);
    finish();
    return [];
  };
  const missing = overlays.filter((_, index) => !found[index]);
  // Nothing a refused overlay names is written out or handed to kustomize.
  const refused = new Map(missing.flatMap((overlay) => {
    const error = refusal(overlay, hashed.get(overlay.dir)?.inputs);
    return error ? [[overlay.dir, error] as const] : [];
  }));
  if (!options.onFailure && refused.size > 0) throw [...refused.values()][0];
  const renderable = missing.filter((o) => !refused.has(o.dir));
  const dir = renderable.length > 0 ? await checkout.materialize([...new Set(renderable.flatMap((o) => hashed.get(o.dir)?.inputs.files ?? []))]) : '';
  const slot = limiter(availableParallelism());
  const rendered = await Promise.all(missing.map(async (overlay) => {
    const refusedError = refused.get(overlay.dir);
    if (refusedError) return failed(overlay, refusedError);
    let objects: KubeObject[];
    try {
      const text = await slot(() => renderText(kustomize, join(dir, overlay.dir)));
      objects = parseObjects(text, `kustomize build ${overlay.dir}`);
    } catch (error) {
      return failed(overlay, renderFailure(dir, overlay, error));
    }
    await options.cache?.put(cacheKey(kustomize.version, hashOf(overlay)), objects);
    finish();
    return objects;
  }));
  let next = 0;
  return overlays.map((overlay, index): RenderedApp => ({ ...overlay, objects: found[index] ?? rendered[next++] ?? [] }));
}

/** Hashes and renders the overlays of a checkout; the cache's table of parsed kustomizations is kept up to date. */
export async function renderCheckout(checkout: Checkout, kustomize: Kustomize, overlays: readonly OverlayRef[], options: RenderOptions = {}): Promise<HashedTree> {
  const memo = options.cache?.readRefs() ?? new Map();
  const known = memo.size;
  const hashed = await hashOverlays(checkout, overlays, memo);
  const apps = await renderHashed(checkout, kustomize, overlays, hashed, options);
  if (options.cache && memo.size > known) await options.cache.writeRefs(memo);
  return { tree: { apps }, hashes: new Map([...hashed].map(([dir, h]) => [dir, h.hash])) };
}

/**
 * Renders overlays of the working tree at `root` with the real kustomize, one process each, as many
 * at once as there are cores. Every overlay's kustomization graph is walked first: a URL or a path
 * leaving the repository is refused (RenderError) before kustomize runs.
 */
export async function renderOverlays(root: string, kustomize: Kustomize, overlays: readonly OverlayRef[], options: RenderOptions = {}): Promise<RenderedTree> {
  if (options.cache || options.known) return (await renderCheckout(await openWorkingTree(root), kustomize, overlays, options)).tree;
  // Nothing to look up: the graph is walked for its references and files, not hashed.
  const checkout = workingTree(root);
  const memo: RefsMemo = new Map();
  const inputs = await mapLimited(overlays, (overlay) => overlayInputs(checkout.source, overlay.dir, memo), IO_PARALLELISM);
  const walked = new Map(overlays.map((overlay, index) => [overlay.dir, { inputs: inputs[index] as OverlayInputs, hash: '' }]));
  const apps = await renderHashed(checkout, kustomize, overlays, walked, options);
  return { apps };
}
