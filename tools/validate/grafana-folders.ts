import { parse as parseYaml } from 'yaml';
import { describeObject, type KubeObject } from '../kube/object.ts';
import type { RenderedApp } from '../render/tree.ts';
import type { Finding } from './finding.ts';

/** A Grafana folder a provisioning file asks for, and who asks. */
interface FolderClaim {
  kind: 'provider' | 'group';
  /** `dashboard provider "logs"` or `alert rule group "observability-stack"`. */
  who: string;
  app: RenderedApp;
  configMap: KubeObject;
  file: string;
  title: string;
  /** Dashboard providers name their folder's uid; alert rule groups cannot (they name a title path). */
  uid?: string;
}

interface ProvidersFile {
  providers?: { name?: string; folder?: string; folderUid?: string }[];
}
interface RulesFile {
  groups?: { name?: string; folder?: string }[];
}

function claims(app: RenderedApp, configMap: KubeObject): FolderClaim[] {
  const data = (configMap['data'] ?? {}) as Record<string, string>;
  return Object.entries(data).flatMap(([file, text]): FolderClaim[] => {
    if (!file.endsWith('.yaml') && !file.endsWith('.yml')) return [];
    let content: unknown;
    try {
      content = parseYaml(text);
    } catch {
      return []; // grafana/unreadable-file reports it (tools/validate/logql.ts)
    }
    const providers = (content as ProvidersFile | null)?.providers;
    const groups = (content as RulesFile | null)?.groups;
    return [
      ...(Array.isArray(providers) ? providers : []).flatMap((p) =>
        p.folder
          ? [
              {
                kind: 'provider' as const,
                who: `dashboard provider "${p.name ?? ''}"`,
                app,
                configMap,
                file,
                title: p.folder,
                ...(p.folderUid ? { uid: p.folderUid } : {}),
              },
            ]
          : [],
      ),
      ...(Array.isArray(groups) ? groups : []).flatMap((g) =>
        g.folder ? [{ kind: 'group' as const, who: `alert rule group "${g.name ?? ''}"`, app, configMap, file, title: g.folder }] : [],
      ),
    ];
  });
}

/**
 * `grafana/folder-collision`: the folders Grafana provisions for one environment are distinct.
 * Dashboard providers find or create their folder by `folderUid`, alert rule groups theirs by
 * title path (grafana/grafana pkg/services/provisioning/alerting/rules_types.go, `folder`): the
 * two provisioners can each create a folder of the same title. So no two providers share a title
 * or a uid, and no alert rule group uses a provider's title (groups may share theirs: one
 * provisioner, one folder).
 */
export function grafanaFolderFindings(apps: readonly RenderedApp[]): Finding[] {
  const all = apps.flatMap((app) => app.objects.filter((o) => o.kind === 'ConfigMap').flatMap((c) => claims(app, c)));
  const providers = all.filter((c) => c.kind === 'provider');
  const groups = all.filter((c) => c.kind === 'group');
  const clash = (a: FolderClaim, b: FolderClaim, what: string): Finding => ({
    rule: 'grafana/folder-collision',
    severity: 'error',
    env: b.app.env,
    component: b.app.component,
    object: describeObject(b.configMap),
    path: `/data/${b.file}`,
    message: `${b.who} uses folder ${what}, as ${a.who} (${describeObject(a.configMap)} /data/${a.file}) does: Grafana can provision two folders of that title; give each its own title and uid`,
  });
  return [
    ...providers.flatMap((b, i) =>
      providers
        .slice(0, i)
        .flatMap((a) => [
          ...(a.title === b.title ? [clash(a, b, `title "${b.title}"`)] : []),
          ...(a.uid !== undefined && a.uid === b.uid ? [clash(a, b, `uid "${b.uid}"`)] : []),
        ]),
    ),
    ...groups.flatMap((b) => providers.filter((a) => a.title === b.title).map((a) => clash(a, b, `title "${b.title}"`))),
  ];
}
