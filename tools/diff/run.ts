import { mkdirSync, realpathSync } from 'node:fs';
import { join, sep } from 'node:path';
import { readJson, writeWholeSync } from '../files.ts';
import { resolveRef } from '../git/worktree.ts';
import { KeptRefs, type RenderCache } from '../render/cache.ts';
import { listOverlays, workingTree, type Checkout, type OverlayRef } from '../git/checkout.ts';
import { RenderError, renderText, type Kustomize } from '../render/kustomize.ts';
import { hashOverlays, refuseEscapes, renderHashed } from '../render/overlays.ts';
import type { RenderedApp } from '../render/tree.ts';
import { objectKey, type KubeObject } from '../kube/object.ts';
import { diffTrees, type DiffReport, type Flag, type RenderFailure } from './engine.ts';
import { appFactsOf, argoFilesOf, factsOfOverlays, parseOnce, withCheckouts, type ParseObjects } from './trees.ts';
import { keepApplications, readKeptApplications } from './apps-kept.ts';
import type { ObjectFormat } from '../git/source.ts';
import type { AppFacts } from '../argocd/facts.ts';
import { staleBesideCommit } from './stale-kept.ts';
import { keepDocuments, readKeptDocuments } from './documents-kept.ts';
import { hashSides, withHashes, type Side } from './sides.ts';
import { readWalks, walkOverlays, walksOf, writeWalks, type Walks } from './walks.ts';
import { changedPaths, type Changes } from '../git/changes.ts';
import { folderOnDisk } from '../git/changed-tree.ts';
import { compareStrings } from '../kube/order.ts';
import type { RefsMemo } from '../render/graph.ts';
import { catalog as currentCatalog, type Catalog } from '../catalog/index.ts';
import { flowChanges, networkSignature, type EnvironmentFlows } from './flows.ts';
import { diffApplications, type ApplicationsDiff, type ArgoFileObject } from './applications.ts';
import { plannedApplications } from '../argocd/expand.ts';
import { staleFilesAt, type StaleCheck } from './stale-ref.ts';

export interface RefDiff {
  baseSha: string;
  /** A full SHA, or `working tree`. */
  headSha: string;
  report: DiffReport;
}

export interface DiffOptions {
  /** Renders of both sides are looked up here first and written here. */
  cache?: RenderCache;
  onProgress?: (side: 'base' | 'head', done: number, total: number) => void;
  /** The environments whose flows are evaluated, with their intended flows: the running code's catalog unless given. */
  catalog?: Catalog;
}

/**
 * Work started ahead of when its result (or failure) is needed: `later(promise)` marks the promise as
 * handled, so Node does not report a failure that is awaited after others; `settled()` waits for all
 * of it, so none is still running (or holding a worktree) when the caller returns or throws.
 */
function ahead(): { later: <T>(promise: Promise<T>) => Promise<T>; settled: () => Promise<unknown> } {
  const started: Promise<unknown>[] = [];
  return {
    later(promise) {
      started.push(promise.catch(() => undefined));
      return promise;
    },
    settled: () => Promise.all(started),
  };
}

/**
 * The walks of every overlay of the base commit `sha`, walked now and kept in the cache directory
 * `dir` (by `later` work that the run waits for before it returns) for the next run.
 */
async function walkBase(
  base: Checkout,
  sha: string,
  memo: RefsMemo,
  dir: string | undefined,
  later: <T>(promise: Promise<T>) => Promise<T>,
): Promise<Walks> {
  const walks = await walkOverlays(base, await base.listOverlays(), memo);
  if (dir !== undefined) void later(writeWalks(dir, sha, walks));
  return walksOf(walks);
}

/** Where commits' listings are kept (tools/git/tree.ts readGitTree), in the cache directory. */
const LISTINGS_DIR = 'trees';

/** At most this many overlays are rendered early: beyond a few, the disk's hashing costs more than the head's. */
const EARLY = 8;

/** The early renders (renderEarly), and when kustomize was started for them (or nothing was to be). */
interface EarlyRenders {
  started: Promise<void>;
  /** Renders by input hash. */
  renders: Promise<ReadonlyMap<string, KubeObject[]>>;
  /**
   * Their renders written to the cache and their documents kept for the next diff (documents-kept.ts),
   * once they are rendered: rejects when the cache cannot be written (RenderCacheError).
   */
  kept: Promise<void>;
  /** Settles once every kustomize process started for them has ended (those stopped too). */
  ended: Promise<unknown>;
}

/**
 * The working tree's overlays (`overlays/<env>/<component>` folders on the disk) that a changed path
 * lies in or is, found from the changes and a look at those folders; a change to `overlays/` itself or
 * to an environment folder lists them all from the disk. A guess to start kustomize on, which the
 * head's own listing (changedOverlays) settles.
 */
async function overlaysOnDisk(root: string, changed: Changes): Promise<OverlayRef[]> {
  const found = new Map<string, OverlayRef>();
  const isFolder = folderOnDisk(root);
  for (const path of [...changed.paths, ...changed.dirs]) {
    const [top, env, component] = path.split('/');
    if (top !== 'overlays') continue;
    if (env === undefined || component === undefined) return (await listOverlays(root)).filter((overlay) => changed.touches(overlay.dir));
    const dir = `overlays/${env}/${component}`;
    if (!found.has(dir) && isFolder(dir)) found.set(dir, { env, component, dir });
  }
  return [...found.values()];
}

/** Where the overlays the working tree's last diff rendered early are kept, in the cache directory. */
const LAST_EARLY = 'early.json';

/** Whether `entry` names an overlay folder, `overlays/<env>/<component>`, and nothing above or beside it. */
const isOverlayDir = (entry: unknown): entry is string => {
  const parts = typeof entry === 'string' ? entry.split('/') : [];
  return parts.length === 3 && parts[0] === 'overlays' && parts.every((part) => part !== '' && part !== '.' && part !== '..');
};

/**
 * The overlays the last diff rendered early, as kept in the cache directory `dir` (none when unreadable). Only
 * entries that name an overlay's folder: kustomize starts on them before anything is walked, and a damaged or
 * foreign file must not start it on another folder (the repository's top, or one outside it).
 */
function lastEarly(dir: string): string[] {
  const kept = readJson(join(dir, LAST_EARLY));
  return Array.isArray(kept) ? kept.filter(isOverlayDir).slice(0, EARLY) : [];
}

/**
 * Whether the overlay folder `dir` is on the disk, a folder and inside the working tree at `root` once
 * links are followed (a linked environment folder may lead out of it).
 */
const overlayInside =
  (root: string) =>
  (dir: string): boolean => {
    if (!folderOnDisk(root)(dir)) return false;
    try {
      return realpathSync(join(root, dir)).startsWith(`${realpathSync(root)}${sep}`);
    } catch {
      return false;
    }
  };

/** Keeps `dirs` as the overlays rendered early, unless they are what is kept; left out when it cannot be written. */
function keepEarly(dir: string, dirs: readonly string[], kept: readonly string[]): void {
  if (dirs.length === kept.length && dirs.every((entry, index) => entry === kept[index])) return;
  try {
    mkdirSync(dir, { recursive: true });
    writeWholeSync(join(dir, LAST_EARLY), `${JSON.stringify(dirs)}\n`);
  } catch {
    // Only a head start lost.
  }
}

/** A kustomize run started for one overlay, and how to stop it when its text is not taken. */
interface Started {
  text: Promise<string>;
  stop: AbortController;
}

/** kustomize started on the working tree's overlay `dir` (renderText), its failure left for whoever takes its text. */
function startRender(root: string, kustomize: Kustomize, dir: string): Started {
  const stop = new AbortController();
  const text = renderText(kustomize, join(root, dir), stop.signal);
  text.catch(() => undefined); // a render not taken is stopped: its failure is no news
  return { text, stop };
}

/**
 * The working tree's overlays that hold a changed path (a new overlay too), rendered from the disk
 * (or taken from `cache`) as soon as git has named the changes. kustomize starts before the overlays
 * are walked and hashed: on the overlays the last diff rendered early (kept in the cache directory:
 * an overlay being worked on is diffed again and again) before git status answers, on the others once
 * it has. Its text is used only for an overlay the changes touch, whose walk refuses nothing and whose
 * render the cache lacks; the other runs are killed. Until the walk has looked, kustomize runs as every
 * render does: network cut, load restrictor on, no plugins (kustomize.ts). Renders by input hash,
 * which the head's render reuses where its hash is the same (equal inputs, equal renders). Only a head
 * start: nothing beyond EARLY overlays, and a failure is left for the head's own render to report.
 */
function renderEarly(root: string, kustomize: Kustomize, changes: Promise<Changes>, memo: RefsMemo, cache?: RenderCache): EarlyRenders {
  let start = (): void => undefined;
  const started = new Promise<void>((resolve) => (start = resolve));
  const guessed = cache ? lastEarly(cache.dir) : [];
  const runs = new Map(guessed.filter(overlayInside(root)).map((dir) => [dir, startRender(root, kustomize, dir)]));
  const documents = { known: new Map<string, readonly KubeObject[]>(), learnt: new Map<string, readonly KubeObject[]>() };
  const writes: Promise<void>[] = [];
  const renders = (async (): Promise<ReadonlyMap<string, KubeObject[]>> => {
    try {
      const touched = await overlaysOnDisk(root, await changes);
      if (cache) keepEarly(cache.dir, touched.length > EARLY ? [] : touched.map((overlay) => overlay.dir).sort(compareStrings), guessed);
      if (touched.length === 0 || touched.length > EARLY) return new Map();
      const texts = new Map(
        touched.map((overlay) => {
          const run = runs.get(overlay.dir) ?? startRender(root, kustomize, overlay.dir);
          runs.set(overlay.dir, run);
          return [overlay.dir, run.text];
        }),
      );
      for (const [dir, run] of runs) if (!texts.has(dir)) run.stop.abort();
      start();
      const disk = workingTree(root);
      const hashed = await hashOverlays(disk, touched, memo);
      if (cache) documents.known = readKeptDocuments(cache.dir);
      const failed = new Set<string>();
      const apps = await renderHashed(disk, kustomize, touched, hashed, {
        ...(cache ? { cache, documents, writes } : {}),
        started: texts,
        onFailure: (overlay) => failed.add(overlay.dir),
      });
      // A failure is not a render: the head's own render meets it again and names it.
      return new Map(apps.filter((app) => !failed.has(app.dir)).map((app) => [hashed.get(app.dir)?.hash ?? '', app.objects]));
    } catch {
      return new Map();
    } finally {
      for (const run of runs.values()) run.stop.abort();
      start();
    }
  })();
  const kept = renders.then(async () => {
    await Promise.all(writes);
    if (cache && documents.learnt.size > 0) await keepDocuments(cache.dir, documents.learnt, documents.known);
  });
  // Every run is started before the renders settle; a stopped one ends a little after its abort.
  const ended = renders.then(() => Promise.allSettled([...runs.values()].map((run) => run.text)));
  return { started, renders, kept, ended };
}

/** An error of the head side, named as such: the head failing to render is not a report, it is exit 2. */
async function headSide<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof RenderError)) throw error;
    throw new RenderError(`head: ${error.message}`, { cause: error });
  }
}

function staleOf(check: StaleCheck): { staleFiles: string[] } | { staleError: string } {
  return 'error' in check ? { staleError: check.error } : { staleFiles: check.stale };
}

/**
 * Both sides' `apps/` compared (tools/diff/applications.ts). As with renders, the base failing to be
 * read or expanded is a flag (a PR may be what repairs main) and its Applications count as none; the
 * head failing is an error naming the head.
 */
async function applicationsOf(base: Checkout, head: Checkout, parse: ParseObjects): Promise<ApplicationsDiff> {
  const reason = (error: unknown) => (error instanceof Error ? error.message : String(error));
  let before: ArgoFileObject[] = [];
  let baseFailure: string | undefined;
  try {
    before = await argoFilesOf(base, parse);
    plannedApplications(before.map((entry) => entry.object));
  } catch (error) {
    [before, baseFailure] = [[], reason(error)];
  }
  try {
    const diff = diffApplications(before, await argoFilesOf(head, parse));
    if (baseFailure === undefined) return diff;
    const flag: Flag = {
      severity: 'danger',
      rule: 'render-failed',
      message: `the base side's apps/ could not be read or expanded, so its Applications are unknown: every head Application is shown as added. ${baseFailure}`,
    };
    return { ...diff, flags: [flag, ...diff.flags] };
  } catch (error) {
    throw new Error(`head: apps/: ${reason(error)}`, { cause: error });
  }
}

/** Both sides' Applications compared, and Argo CD's facts of each side's overlays (by `env/component`). */
interface ArgoSides {
  applications: Promise<ApplicationsDiff>;
  baseFacts: Promise<Map<string, AppFacts>>;
  headFacts: Promise<Map<string, AppFacts>>;
}

/**
 * Both sides' `apps/` read (applicationsOf, appFactsOf), started now (`later`: work the run waits for).
 * When the sides are `alike` there (the same bytes under `apps/`), the answers kept in `cacheDir` for the
 * base `commit` (apps-kept.ts) are taken, and answers reached without an error are kept for the next run.
 * The base's facts failing leaves it none; the head's failing is the head's error.
 */
function argoSides(
  base: Checkout,
  head: Checkout,
  options: {
    alike: boolean;
    commit: string;
    overlays: [readonly OverlayRef[], readonly OverlayRef[]];
    later: <T>(promise: Promise<T>) => Promise<T>;
    cacheDir?: string;
  },
): ArgoSides {
  const { alike, commit, overlays, later, cacheDir } = options;
  const kept = alike && cacheDir !== undefined ? readKeptApplications(cacheDir, commit) : undefined;
  if (kept)
    return {
      applications: Promise.resolve(kept.applications),
      baseFacts: Promise.resolve(factsOfOverlays(kept.facts, overlays[0])),
      headFacts: Promise.resolve(factsOfOverlays(kept.facts, overlays[1])),
    };
  const parse = parseOnce();
  const applications = later(applicationsOf(base, head, parse));
  const baseFacts = later(
    appFactsOf(base, parse).then(
      (facts) => factsOfOverlays(facts, overlays[0]),
      () => new Map<string, AppFacts>(),
    ),
  );
  const headAll = later(appFactsOf(head, parse));
  if (alike && cacheDir !== undefined)
    void later(
      Promise.all([applications, headAll]).then(
        ([diff, facts]) => keepApplications(cacheDir, commit, { applications: diff, facts }),
        () => undefined,
      ),
    );
  return { applications, baseFacts, headFacts: later(headAll.then((facts) => factsOfOverlays(facts, overlays[1]))) };
}

/**
 * The overlays of `side` not rendered yet in environments where a rendered head app gains an
 * object its base app lacks: rendered too, to find an object two apps of the environment share.
 */
function contextOverlays(side: Side, headApps: readonly RenderedApp[], baseApps: readonly RenderedApp[]): OverlayRef[] {
  const baseKeys = new Map(baseApps.map((app) => [app.dir, new Set(app.objects.map(objectKey))]));
  const envs = new Set(
    headApps.filter((app) => app.objects.some((object) => !baseKeys.get(app.dir)?.has(objectKey(object)))).map((app) => app.env),
  );
  const rendered = new Set(headApps.map((app) => app.dir));
  return side.overlays.filter((overlay) => envs.has(overlay.env) && !rendered.has(overlay.dir));
}

const objectsOf = (apps: readonly RenderedApp[], env: string): KubeObject[] =>
  apps.filter((app) => app.env === env).flatMap((app) => app.objects);

/**
 * Environments whose NetworkPolicies or workload endpoints differ between the two sides' rendered apps (the others render equal on both).
 */
function networkEnvs(baseApps: readonly RenderedApp[], headApps: readonly RenderedApp[]): string[] {
  const envs = [...new Set([...baseApps, ...headApps].map((app) => app.env))].sort();
  return envs.filter((env) => networkSignature(objectsOf(baseApps, env)) !== networkSignature(objectsOf(headApps, env)));
}

/**
 * The flow matrix changes of each environment `networkEnvs` finds, for the environments the catalog
 * knows and that rendered on both sides: each side is its changed apps plus the apps equal on both
 * sides, rendered here from head if not yet (`renderUnchanged`).
 */
async function flowsOf(
  catalog: Catalog,
  sides: {
    base: readonly RenderedApp[];
    head: readonly RenderedApp[];
    context: readonly RenderedApp[];
    failures: readonly RenderFailure[];
  },
  renderUnchanged: (envs: ReadonlySet<string>, rendered: ReadonlySet<string>) => Promise<RenderedApp[]>,
): Promise<EnvironmentFlows[]> {
  const envs = networkEnvs(sides.base, sides.head).filter((env) => !sides.failures.some((failure) => failure.env === env));
  const known = envs.flatMap((name) => catalog.environments.filter((env) => env.name === name));
  if (known.length === 0) return [];
  const changed = new Set(sides.head.map((app) => app.dir));
  const extra = await renderUnchanged(new Set(known.map((env) => env.name)), new Set([...changed, ...sides.context.map((app) => app.dir)]));
  const unchanged = [...sides.context, ...extra].filter((app) => !changed.has(app.dir));
  return known.map((env) =>
    flowChanges(
      env,
      [...objectsOf(sides.base, env.name), ...objectsOf(unchanged, env.name)],
      [...objectsOf(sides.head, env.name), ...objectsOf(unchanged, env.name)],
    ),
  );
}

/**
 * Diffs the rendered objects of the base ref and the head (a ref, or the working tree). git names
 * the paths that differ (tools/git/changes.ts); the base commit's kustomization walks (walks.ts, kept
 * per commit in the cache) say which overlays read any of them, and only those are walked on the
 * head and hashed on both sides (sides.ts); only overlays whose inputs differ are rendered (or taken
 * from the cache) and compared, as equal inputs render equal objects. Refs are read from git's
 * objects, not checked out; the working tree is the base commit's tree plus the changed paths read
 * from disk (tools/git/changed-tree.ts); renders read only YAML. Both sides' `apps/` are compared as
 * Applications (tools/diff/applications.ts). A head ref's generated files are checked against its
 * own catalog, whose generator runs in a child process on a temporary worktree (stale-ref.ts, ADR
 * 22); the working tree's against the catalog running here, by blob ids (trees.ts `staleFiles`).
 * @throws GitRefError for a ref that is not a commit; RenderError (`head: …`) when the head fails to render
 */
export async function diffRefs(
  root: string,
  kustomize: Kustomize,
  base: string,
  head?: string,
  options: DiffOptions = {},
): Promise<RefDiff> {
  // git status of the working tree needs no ref: it starts first (within this call), on a private copy of the index
  // beside the render cache (git keeps its untracked cache there; the repository's index is never written). The
  // refs are resolved beside it, and handed to it once they are.
  const refsLater = Promise.resolve().then(() => ({ baseRef, headRef }));
  const headLater = head ? refsLater.then((refs) => refs.headRef as Promise<string>) : undefined;
  headLater?.catch(() => undefined); // awaited by changedPaths after the base, whose failure is the one reported
  const changes = changedPaths(
    root,
    refsLater.then((refs) => refs.baseRef),
    headLater,
    options.cache ? join(options.cache.dir, 'index') : undefined,
  );
  const baseRef = resolveRef(root, base);
  const headRef = head ? resolveRef(root, head) : undefined;
  changes.catch(() => undefined); // awaited by compare, or left when a side cannot be read
  const { later, settled } = ahead();
  const cacheDir = options.cache?.dir;
  // Kustomization files parsed, by content id (graph.ts), shared by the early renders and both sides' walks.
  const memo = new KeptRefs(options.cache);
  // The working tree's changed overlays, rendered from the disk as soon as git names the changes.
  const early = head === undefined ? renderEarly(root, kustomize, changes, memo, options.cache) : undefined;
  if (early) void later(Promise.all([early.renders, early.kept]));
  // Nothing started for them is left running when diffRefs returns or throws.
  if (early) void later(early.ended);
  headRef?.catch(() => undefined); // awaited after the base, whose failure is the one reported
  // Both refs resolved or failed before either failure is reported (the base's first): no rev-parse is left running.
  const refs = async () => {
    await Promise.allSettled([baseRef, headRef]);
    return [await baseRef, headRef ? await headRef : 'working tree'] as const;
  };
  // A failure before compare (a ref, a side that cannot be opened) waits for the work started ahead.
  const failed = async (error: unknown): Promise<never> => {
    await settled();
    throw error;
  };
  const [baseSha, headSha] = await refs().catch(failed);
  // The working tree's files get the same kind of id as the repository's blobs, so equal files hash equal.
  const format: ObjectFormat = baseSha.length === 64 ? 'sha256' : 'sha1';
  const compare = async (headCheckout: Checkout, baseCheckout: Checkout): Promise<DiffReport> => {
    // The base's kept walks are read once kustomize runs for the early renders.
    await early?.started;
    const keptWalks = options.cache ? readWalks(options.cache.dir, baseSha) : undefined;
    const walks = keptWalks ?? (await walkBase(baseCheckout, baseSha, memo, options.cache?.dir, later));
    const sides = await hashSides(headCheckout, baseCheckout, memo, walks, await changes);
    const [headHashed, baseHashed] = [sides.head, sides.base];
    // Nothing of the head may name a URL or a path outside the repository, changed or not.
    await headSide(async () => refuseEscapes(headHashed.overlays, (overlay) => headHashed.inputs.get(overlay.dir)));
    const failures: RenderFailure[] = [];
    const render = async (side: Side, overlays: OverlayRef[], name: 'base' | 'head', known?: ReadonlyMap<string, KubeObject[]>) =>
      renderHashed(side.checkout, kustomize, overlays, (await withHashes(side, overlays)).hashed, {
        ...(options.cache ? { cache: options.cache } : {}),
        ...(known ? { known } : {}),
        ...(options.onProgress ? { onProgress: (done: number, total: number) => options.onProgress?.(name, done, total) } : {}),
        // The base failing to render is reported (a PR may be what repairs main); the head failing is exit 2.
        ...(name === 'base'
          ? {
              onFailure: (overlay: OverlayRef, error: Error) =>
                failures.push({ side: 'base', env: overlay.env, component: overlay.component, message: error.message }),
            }
          : {}),
      });
    const headRendered = later(headSide(async () => render(headHashed, sides.headChanged, 'head', await early?.renders)));
    // One turn of the event loop lets the render reach kustomize; while it runs, the Argo CD files and the
    // generated files are read and compared here (their failures are reported after the renders', as before).
    await new Promise(setImmediate);
    const { applications, baseFacts, headFacts } = argoSides(baseCheckout, headCheckout, {
      // A working tree that leaves apps/ alone (of a base without links) holds the base's bytes there.
      alike: head === undefined && !baseCheckout.source.outside && !(await changes).touches('apps'),
      commit: baseSha,
      overlays: [baseHashed.overlays, headHashed.overlays],
      later,
      ...(options.cache ? { cacheDir: options.cache.dir } : {}),
    });
    // A head ref is regenerated by its own catalog, in a worktree; the working tree by the catalog running here.
    const stale = later(
      head
        ? staleFilesAt(root, headSha).then(staleOf)
        : changes.then(async (changed) => ({
            staleFiles: await staleBesideCommit(
              // A base that may hold links (a worktree of it) keeps no verdicts: a path through a link is not the path git names.
              {
                dir: root,
                source: headCheckout.source,
                format,
                commit: baseCheckout.source.outside ? undefined : baseSha,
                changes: changed,
              },
              undefined,
              options.cache?.dir,
            ),
          })),
    );
    const headApps = await headRendered;
    // A base overlay whose inputs equal some head overlay's (a file moved back, say) reuses that render.
    const known = new Map(headApps.map((app) => [headHashed.hashed.get(app.dir)?.hash ?? '', app.objects]));
    const baseApps = await render(baseHashed, sides.baseChanged, 'base', known);
    const headContext = await headSide(() => render(headHashed, contextOverlays(headHashed, headApps, baseApps), 'head'));
    const flows = await flowsOf(
      options.catalog ?? currentCatalog,
      { base: baseApps, head: headApps, context: headContext, failures },
      (envs, rendered) =>
        headSide(() =>
          render(
            headHashed,
            headHashed.overlays.filter((overlay) => envs.has(overlay.env) && !rendered.has(overlay.dir)),
            'head',
          ),
        ),
    );
    await memo.keep();
    // The early renders' cache writes, awaited here: a cache that cannot be written is an error, as for every render.
    await early?.kept;
    const headChanged = new Set(headApps.map((app) => app.dir));
    return diffTrees({
      base: { apps: baseApps },
      head: { apps: headApps },
      unchanged: headHashed.overlays.filter((o) => !headChanged.has(o.dir)),
      // First: a head whose apps/ cannot be expanded stops here, named; a base's is a flag and leaves it no facts.
      applications: await applications,
      baseApps: await baseFacts,
      headApps: await headFacts,
      failures,
      headContext,
      ...(await stale),
      flows,
    });
  };
  // The base commit is listed once kustomize runs for the early renders (not beside git status, which it slows).
  const sides = {
    head: head ? headSha : undefined,
    base: baseSha,
    format,
    changes,
    ...(early ? { after: early.started } : {}),
    ...(cacheDir !== undefined ? { listingsIn: join(cacheDir, LISTINGS_DIR) } : {}),
  };
  const report = withCheckouts(root, sides, async (headCheckout, baseCheckout) => {
    try {
      return await compare(headCheckout, baseCheckout);
    } finally {
      await settled();
    }
  });
  return { baseSha, headSha, report: await report.catch(failed) };
}
