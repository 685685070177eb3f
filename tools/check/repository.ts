/**
 * `check` as the command runs it: the report kept for the repository's current state replayed, or a
 * whole check (run.ts) whose report is kept for the next run (result-cache.ts).
 */
import type { Catalog } from '../catalog/index.ts';
import type { StaleReport } from '../generate/stale.ts';
import type { Kustomize, RenderError } from '../render/kustomize.ts';
import type { RenderOptions } from '../render/overlays.ts';
import type { Finding } from '../validate/finding.ts';
import type { HonouredException } from '../validate/security.ts';
import { checkKey, type CheckCache } from './result-cache.ts';
import type { AppSummary } from './summary.ts';

/** What `check` reports, without the rendered objects: what a later run over the same inputs replays. */
export interface CheckReport {
  stale: StaleReport;
  findings: Finding[];
  honoured: HonouredException[];
  summary: AppSummary[];
  upstreamSkipped: string[];
  /** How many overlays were rendered. */
  overlays: number;
}

export interface CheckOutcome {
  report: CheckReport;
  /** Set when an overlay did not render (the report then holds the stale check only); never replayed. */
  renderError?: RenderError;
  /** Set when the report is replayed: when (ISO 8601) the check that made it ran. */
  replayedFrom?: string;
  /** A line to warn with when the report could not be kept for the next run. */
  cacheWarning?: string;
}

export interface CheckOptions extends Pick<RenderOptions, 'cache' | 'onProgress'> {
  /** Reports of earlier runs (result-cache.ts): replayed when nothing they depend on changed, and this run's kept. */
  reports?: CheckCache;
  /** Check again even when a report for the same inputs is kept (the new report replaces it). */
  fresh?: boolean;
}

/**
 * `check` as the command runs it: the report kept for the repository's current state when there is
 * one (result-cache.ts: the same working tree, catalog, kustomize, Node, packages and upstream
 * programs), else runCheck's, kept for the next run when the state did not change while it ran.
 */
export async function checkRepository(
  root: string,
  catalog: Catalog,
  kustomize: Kustomize,
  options: CheckOptions = {},
): Promise<CheckOutcome> {
  const { reports, fresh, ...render } = options;
  const key = reports ? await checkKey(root, catalog, kustomize) : undefined;
  const kept = key && !fresh ? reports?.get(key) : undefined;
  if (kept) return { report: kept.report, replayedFrom: kept.checkedAt };
  const checkedAt = new Date().toISOString();
  // Loaded only now: a replay needs none of the renderer's and validators' modules (most of check's start-up).
  const { runCheck } = await import('./run.ts');
  const { tree, renderError, ...rest } = await runCheck(root, catalog, kustomize, render);
  const report: CheckReport = { ...rest, overlays: tree.apps.length };
  if (renderError) return { report, renderError };
  // A file changed while the check ran: what it read may be neither state, so nothing is kept.
  if (!reports || key === undefined || (await checkKey(root, catalog, kustomize)) !== key) return { report };
  const cacheWarning = await reports.put(key, { checkedAt, report });
  return cacheWarning ? { report, cacheWarning } : { report };
}
