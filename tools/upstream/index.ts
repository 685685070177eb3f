/**
 * The upstream loaders as gates: each rendered Alloy configuration and the Argo CD objects checked
 * by the component's own code, Grafana's dashboards and alerting files by the Foundation SDK's
 * types, when the upstream tier's programs are built (`npm run test:upstream`); a program not built
 * is skipped with one line saying so. Loki's configuration is not among them: Loki's module is
 * AGPL-licensed and not used here; `loki/config-schema` (tools/validate) checks it against Loki's
 * documentation instead.
 */
import type { RenderedTree } from '../render/tree.ts';
import type { Finding } from '../validate/finding.ts';
import { alloyConfigFindings } from './alloy.ts';
import { argoCdFindings } from './argocd.ts';
import { grafanaSdkFindings } from './grafana.ts';
import { PROGRAMS_BIN_DIR, programPath, type ProgramName } from './programs.ts';

export interface UpstreamResult {
  findings: Finding[];
  /** One line per program that was not built, e.g. `upstream alloy loader skipped: …`. */
  skipped: string[];
}

/** Argo CD's files among a tree's files: every YAML under apps/ (the bootstrap included). */
export function argoFiles(files: ReadonlyMap<string, string>): Map<string, string> {
  return new Map([...files].filter(([path]) => /^apps\/.*\.ya?ml$/.test(path) && !path.endsWith('kustomization.yaml')));
}

/** Runs every built loader over the rendered tree and the generated files (repository-relative path -> text). */
export async function upstreamFindings(root: string, tree: RenderedTree, files: ReadonlyMap<string, string>): Promise<UpstreamResult> {
  const skipped: string[] = [];
  const built = (name: ProgramName): string | undefined => {
    const path = programPath(root, name);
    if (!path) skipped.push(`upstream ${name} loader skipped: ${PROGRAMS_BIN_DIR}/${name} is not built (npm run test:upstream builds it)`);
    return path;
  };
  const alloy = built('alloy');
  const argocd = built('argocd');
  const grafana = built('grafana');
  const findings: Finding[] = [];
  for (const app of tree.apps) {
    if (alloy && app.component === 'alloy') findings.push(...(await alloyConfigFindings(alloy, app)));
    if (grafana && app.component === 'grafana') findings.push(...(await grafanaSdkFindings(grafana, app)));
  }
  if (argocd) findings.push(...(await argoCdFindings(argocd, argoFiles(files))));
  return { findings, skipped };
}
