/**
 * A cache of rendered overlays on disk, keyed by the kustomize version and the content hash of the
 * overlay's input files: a changed input or another kustomize misses exactly the affected entries.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KubeObject } from '../kube/object.ts';

/** Where the cache lives under the repository root (gitignored). */
export const DEFAULT_CACHE_DIR = '.cache/render';

export class RenderCacheError extends Error {
  override readonly name = 'RenderCacheError';
}

/** The cache key of a render: sha256 of the kustomize version and the overlay's input hash (graph.ts). */
export function cacheKey(kustomizeVersion: string, inputHash: string): string {
  return createHash('sha256').update(`kustomize ${kustomizeVersion}\n${inputHash}\n`).digest('hex');
}

export class RenderCache {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  private file(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.json`);
  }

  /** The cached render, or undefined on a miss (an unreadable entry is a miss: it is rendered and written again). */
  async get(key: string): Promise<KubeObject[] | undefined> {
    let text: string;
    try {
      text = await readFile(this.file(key), 'utf8');
    } catch {
      return undefined;
    }
    try {
      const objects: unknown = JSON.parse(text);
      return Array.isArray(objects) ? (objects as KubeObject[]) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Writes atomically (a temporary file renamed over the entry): a reader never sees half an entry. */
  async put(key: string, objects: readonly KubeObject[]): Promise<void> {
    const target = this.file(key);
    const temporary = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await mkdir(join(this.dir, key.slice(0, 2)), { recursive: true });
      await writeFile(temporary, JSON.stringify(objects));
      await rename(temporary, target);
    } catch (error) {
      await rm(temporary, { force: true });
      const reason = error instanceof Error ? error.message : String(error);
      throw new RenderCacheError(`${this.dir}: render cache entry ${key} could not be written (${reason}); make the directory writable or delete it`, { cause: error });
    }
  }
}

/** The repository's render cache, `.cache/render/` under `root`. */
export function openRenderCache(root: string): RenderCache {
  return new RenderCache(join(root, DEFAULT_CACHE_DIR));
}
