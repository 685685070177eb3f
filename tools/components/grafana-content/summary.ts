import type { Environment } from '../../catalog/types.ts';
import { alertRules } from './alerts.ts';
import { dashboardFolders } from './dashboards.ts';

/** What Grafana will show in one environment: its provisioned dashboards and alert rules. */
export interface GrafanaContentSummary {
  env: string;
  dashboards: { folder: string; title: string; uid: string; panels: string[] }[];
  rules: { title: string; uid: string; for: string }[];
  /** The contact point alerts go to; none means they stay in Grafana's UI. */
  contactPoint?: string;
}

/** The summary for an environment that deploys Grafana; undefined for one that does not. */
export function grafanaContentSummary(env: Environment): GrafanaContentSummary | undefined {
  if (!env.components.includes('grafana')) return undefined;
  const contactPoint = env.grafana.alerting.contactPoint?.name;
  return {
    env: env.name,
    dashboards: dashboardFolders().flatMap((folder) =>
      folder.dashboards.map((d) => ({
        folder: folder.title,
        title: d.title ?? '',
        uid: d.uid ?? '',
        panels: (d.panels ?? []).map((p) => p.title ?? ''),
      })),
    ),
    rules: alertRules(env).map((r) => ({ title: r.title, uid: r.uid ?? '', for: r.for })),
    ...(contactPoint ? { contactPoint } : {}),
  };
}
