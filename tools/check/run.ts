import type { Catalog } from '../catalog/index.ts';
import type { ComponentName } from '../catalog/types.ts';
import { COMPONENTS } from '../components/index.ts';
import { generate } from '../generate/index.ts';
import { readOutputTree } from '../generate/disk.ts';
import { OUTPUT_DIRS } from '../generate/layout.ts';
import { gitIgnored } from '../git/tree-state.ts';
import { compareWithDisk, type StaleReport } from '../generate/stale.ts';
import { RenderError, type Kustomize } from '../render/kustomize.ts';
import type { OverlayRef, RenderOptions } from '../render/overlays.ts';
import type { RenderedTree } from '../render/tree.ts';
import { sortFindings, type Finding } from '../validate/finding.ts';
import { renderMatchesCatalog } from './render-matches-catalog.ts';
import { validateRepository, type RepositoryValidation } from './validate.ts';
import type { HonouredException } from '../validate/security.ts';
import { summarize, type AppSummary } from './summary.ts';
import { upstreamFindings } from '../upstream/index.ts';

export interface CheckResult {
  stale: StaleReport;
  /** Set when an overlay did not render: nothing after the stale check could run. */
  renderError?: RenderError;
  tree: RenderedTree;
  findings: Finding[];
  honoured: HonouredException[];
  summary: AppSummary[];
  /** One line per upstream loader that did not run because its program is not built (tools/upstream). */
  upstreamSkipped: string[];
}

/** The catalog's environments and components that an overlay directory stands for, if any. */
function intendedFor(catalog: Catalog, overlay: OverlayRef): ReturnType<(typeof COMPONENTS)[ComponentName]['build']> | undefined {
  const env = catalog.environments.find((e) => e.name === overlay.env);
  const component = env?.components.find((c) => c === overlay.component);
  return env && component ? COMPONENTS[component].build(env) : undefined;
}

/**
 * `npm run check` without the printing: is what is committed exactly what the catalog generates,
 * does every overlay render, and does each render equal what the catalog builds?
 */
export async function runCheck(
  root: string,
  catalog: Catalog,
  kustomize: Kustomize,
  render: Pick<RenderOptions, 'cache' | 'onProgress'> = {},
): Promise<CheckResult> {
  const generated = generate(catalog);
  // What git ignores is never committed, so Argo CD never has it: not a file of the tree (nor part of check's key, ADR 24).
  const ignored = await gitIgnored(root, OUTPUT_DIRS);
  const disk = new Map([...(await readOutputTree(root))].filter(([path]) => !ignored(path)));
  const stale = compareWithDisk(generated, disk);
  let validation: RepositoryValidation;
  try {
    validation = await validateRepository(root, catalog, kustomize, [], { ...render, files: disk });
  } catch (error) {
    if (!(error instanceof RenderError)) throw error;
    return { stale, renderError: error, tree: { apps: [] }, findings: [], honoured: [], summary: [], upstreamSkipped: [] };
  }
  const { tree } = validation;
  const findings: Finding[] = [...validation.findings];
  for (const path of stale.foreign) {
    findings.push({
      rule: 'generate/foreign-file',
      severity: 'error',
      object: path,
      message: 'not generated; hand-written files do not belong in base/, overlays/ or apps/: move it into the catalog',
    });
  }
  // A stale tree renders what git holds, not what the catalog says; comparing them would only repeat the stale diff.
  if (stale.stale.length === 0) {
    for (const app of tree.apps) {
      const intended = intendedFor(catalog, app);
      if (intended) findings.push(...renderMatchesCatalog(app.env, app.component, app.objects, intended));
    }
  }
  // Loki, Alloy and Argo CD's own loaders, when the upstream tier's programs are built.
  const upstream = await upstreamFindings(root, tree, disk);
  findings.push(...upstream.findings);
  return {
    stale,
    tree,
    findings: sortFindings(findings),
    honoured: validation.honoured,
    summary: tree.apps.map(summarize),
    upstreamSkipped: upstream.skipped,
  };
}
