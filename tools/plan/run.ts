/**
 * `plan`: what Argo CD and Grafana will show for the committed tree: each ApplicationSet of `apps/`
 * expanded into its Applications in sync order, and per environment the dashboards and alert rules
 * Grafana provisions.
 */
import { argoObjects } from '../argocd/app-files.ts';
import { plannedApplications, type PlannedApplication } from '../argocd/expand.ts';
import type { Catalog } from '../catalog/index.ts';
import { validateCatalog } from '../catalog/validate.ts';
import { grafanaContentSummary, type GrafanaContentSummary } from '../components/grafana-content/summary.ts';
import { readOutputTree } from '../generate/disk.ts';
import type { KubeObject } from '../kube/object.ts';

export interface Plan {
  /** The ApplicationSets of `apps/`, in file order. */
  applicationSets: KubeObject[];
  /** Every Application they generate, by RollingSync step then name (tools/argocd/expand.ts). */
  applications: PlannedApplication[];
  /** One entry per environment that deploys Grafana. */
  grafana: GrafanaContentSummary[];
}

/**
 * The plan of the repository at `root` for the catalog's environments.
 * @throws CatalogError when the catalog is invalid (the same check `generate` makes, so `plan` never
 * describes a catalog that cannot be generated); ExpandError when an ApplicationSet cannot be
 * expanded; a file error when `apps/` cannot be read.
 */
export async function planRepository(root: string, catalog: Catalog): Promise<Plan> {
  validateCatalog([catalog.baseline, ...catalog.environments]);
  const objects = argoObjects(await readOutputTree(root));
  return {
    applicationSets: objects.filter((o) => o.kind === 'ApplicationSet'),
    applications: plannedApplications(objects),
    grafana: catalog.environments.flatMap((env) => grafanaContentSummary(env) ?? []),
  };
}
