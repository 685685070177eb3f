import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { toYaml } from '../../yaml.ts';
import { clusterLogsDashboard } from './cluster-logs.ts';
import { stackHealthDashboard } from './stack-health.ts';

/** A Grafana folder of provisioned dashboards: one ConfigMap, mounted at `path`, one provider. */
export interface DashboardFolder {
  title: string;
  /** ConfigMap name suffix and directory name. */
  slug: string;
  dashboards: Dashboard[];
}

/** Where the dashboard ConfigMaps are mounted, one directory per folder. */
export const DASHBOARDS_ROOT = '/etc/grafana/dashboards';

export function dashboardFolders(): DashboardFolder[] {
  return [
    { title: 'Logs', slug: 'logs', dashboards: [clusterLogsDashboard()] },
    { title: 'Observability stack', slug: 'stack', dashboards: [stackHealthDashboard()] },
  ];
}

export function dashboardConfigMapName(folder: DashboardFolder): string {
  return `grafana-dashboards-${folder.slug}`;
}

/** A dashboard as the provisioned JSON file Grafana reads: `<uid>.json`. */
export function dashboardFiles(folder: DashboardFolder): Record<string, string> {
  return Object.fromEntries(folder.dashboards.map((d) => [`${d.uid ?? d.title}.json`, `${JSON.stringify(d, null, 2)}\n`]));
}

/** The provider file: one file provider per folder, read-only in the UI, dashboards removed with their file. */
export function dashboardProviders(folders: readonly DashboardFolder[]): string {
  return toYaml({
    apiVersion: 1,
    providers: folders.map((folder) => ({
      name: folder.slug,
      orgId: 1,
      folder: folder.title,
      folderUid: folder.slug,
      type: 'file',
      disableDeletion: false,
      allowUiUpdates: false,
      updateIntervalSeconds: 60,
      options: { path: `${DASHBOARDS_ROOT}/${folder.slug}` },
    })),
  });
}
