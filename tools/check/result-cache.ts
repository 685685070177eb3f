/**
 * `check`'s reports kept per state of everything they depend on: a run over an unchanged repository
 * replays the report of the run before instead of rendering and validating again (as build tools
 * replay a cached step). The key covers the working tree (tools/git/tree-state.ts: in this repository
 * the catalog, the components' code and the tools are tracked files), the catalog's data, kustomize,
 * Node.js, the installed packages and the upstream tier's programs.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Catalog } from '../catalog/index.ts';
import { packagesRecord } from '../packages.ts';
import { workingTreeState } from '../git/tree-state.ts';
import { readJson, writeAtomically } from '../files.ts';
import type { Kustomize } from '../render/kustomize.ts';
import { programsState } from '../upstream/programs.ts';
import type { CheckReport } from './repository.ts';

/** Where the reports live under the repository root (gitignored, beside the render cache). */
export const CHECK_CACHE_DIR = '.cache/check';

/** The reports kept: the newest, by when they were written; a branch switched back to is usually among them. */
const KEPT = 16;

/** A report and when the check that made it ran (ISO 8601). */
export interface CachedReport {
  checkedAt: string;
  report: CheckReport;
}

/**
 * The installed packages, by the bytes of npm's record of them in the nearest node_modules at or above
 * `root`, where Node finds them (a workspace's packages are installed at its top): a fresh install of
 * the same packages keeps the key.
 */
function packagesDigest(root: string): string {
  const record = packagesRecord(root);
  return record === undefined ? 'absent' : createHash('sha256').update(record).digest('hex');
}

/**
 * The key of `check`'s report for `root` as it is now: sha256 (hex) of the working tree's state, the
 * catalog's JSON, kustomize's command and version, Node's version, the installed packages and the
 * upstream programs. Undefined when `root` is not a git working tree: then nothing is replayed.
 */
export async function checkKey(root: string, catalog: Catalog, kustomize: Kustomize): Promise<string | undefined> {
  // git runs while the rest is hashed; on a copy of the index kept beside the reports (tree-state.ts).
  const pending = workingTreeState(root, { indexCopies: join(root, CHECK_CACHE_DIR) });
  const rest = createHash('sha256')
    .update(
      [
        `kustomize ${kustomize.command.join(' ')} ${kustomize.version}`,
        `node ${process.version}`,
        `packages ${packagesDigest(root)}`,
        programsState(root),
        JSON.stringify(catalog),
      ].join('\n'),
    )
    .digest('hex');
  const tree = await pending;
  return tree === undefined ? undefined : createHash('sha256').update(`tree ${tree}\n${rest}`).digest('hex');
}

export class CheckCache {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  private file(key: string): string {
    return join(this.dir, `${key}.json`);
  }

  /** The report kept under `key`, or undefined (none, or unreadable: the check then runs). */
  get(key: string): CachedReport | undefined {
    const cached = readJson(this.file(key)) as Partial<CachedReport> | undefined;
    return typeof cached?.checkedAt === 'string' && typeof cached.report === 'object' && cached.report !== null
      ? (cached as CachedReport)
      : undefined;
  }

  /**
   * Keeps `cached` under `key` (atomically), then deletes all but the KEPT newest reports.
   * @returns a warning line when the directory cannot be written (the report is then simply not kept)
   */
  async put(key: string, cached: CachedReport): Promise<string | undefined> {
    try {
      await mkdir(this.dir, { recursive: true });
      await writeAtomically(this.file(key), JSON.stringify(cached));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return `${this.dir}: the check's report could not be kept for the next run (${reason}); make the directory writable or delete it`;
    }
    await this.prune(Date.now()).catch(() => undefined);
    return undefined;
  }

  /**
   * Deletes all but the KEPT newest reports, and temporaries older than a day (a killed run's). Another
   * check pruning at the same time is no error: a file gone meanwhile is simply gone.
   */
  private async prune(now: number): Promise<void> {
    const names = await readdir(this.dir);
    const written = await Promise.all(
      names.map(async (name) => ({
        name,
        at: await stat(join(this.dir, name)).then(
          (s) => s.mtimeMs,
          () => undefined,
        ),
      })),
    );
    const reports = written.filter((w) => w.name.endsWith('.json') && w.at !== undefined).sort((a, b) => (b.at ?? 0) - (a.at ?? 0));
    const leftovers = written.filter((w) => w.name.endsWith('.tmp') && w.at !== undefined && w.at < now - DAY_MS);
    for (const { name } of [...reports.slice(KEPT), ...leftovers]) await rm(join(this.dir, name), { force: true });
  }
}

const DAY_MS = 24 * 3600 * 1000;

/** The repository's check reports, `.cache/check/` under `root`. */
export function openCheckCache(root: string): CheckCache {
  return new CheckCache(join(root, CHECK_CACHE_DIR));
}
