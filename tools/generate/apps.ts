import type { KubeObject } from '../kube/object.ts';
import type { Catalog } from '../catalog/index.ts';
import type { Environment } from '../catalog/types.ts';
import { externalUrl } from '../catalog/tls.ts';
import { COMPONENTS } from '../components/index.ts';
import { ARGOCD_NAMESPACE, NAMESPACE, PART_OF, PROJECT, ROOT_APP } from '../catalog/names.ts';
import { kindsOf } from '../kube/kinds.ts';
import { PART_OF_LABEL } from '../kube/labels.ts';

/** Every object the catalog deploys, per environment: what the AppProject must allow. */
function deployedObjects(catalog: Catalog): KubeObject[] {
  return catalog.environments.flatMap((env) => env.components.flatMap((c) => COMPONENTS[c].build(env)));
}

export function appProject(catalog: Catalog): KubeObject {
  const objects = deployedObjects(catalog);
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: { name: PROJECT, namespace: ARGOCD_NAMESPACE, annotations: { 'argocd.argoproj.io/sync-wave': '-1' } },
    spec: {
      description: 'The observability stack: MinIO, Loki, Alloy and Grafana, one Application per environment and component.',
      sourceRepos: [catalog.repoURL],
      destinations: catalog.environments.map((env) => ({ name: env.cluster.name, namespace: NAMESPACE })),
      clusterResourceWhitelist: kindsOf(objects.filter((o) => !o.metadata.namespace)),
      namespaceResourceWhitelist: kindsOf(objects.filter((o) => o.metadata.namespace)),
      orphanedResources: { warn: true },
    },
  };
}

/** Links Argo CD's UI shows on every Application of the environment. */
function links(env: Environment): { name: string; url: string }[] {
  return [
    ...(env.components.includes('grafana') ? [{ name: 'Grafana', url: externalUrl(env, env.ingress.grafanaHost) }] : []),
    ...(env.components.includes('minio') ? [{ name: 'MinIO console', url: externalUrl(env, env.ingress.minioConsoleHost) }] : []),
  ];
}

function applicationSetName(env: Environment): string {
  return `observability-${env.name}`;
}

/**
 * One ApplicationSet per environment: a list generator over the environment's components, and a
 * RollingSync strategy with one step per wave, so MinIO syncs before Loki, Loki before Alloy and Grafana.
 */
export function applicationSet(catalog: Catalog, env: Environment): KubeObject {
  const components = env.components.map((name) => COMPONENTS[name]);
  const waves = [...new Set(components.map((c) => c.wave))].sort((a, b) => a - b);
  const envLinks = links(env);
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'ApplicationSet',
    metadata: { name: applicationSetName(env), namespace: ARGOCD_NAMESPACE },
    spec: {
      goTemplate: true,
      goTemplateOptions: ['missingkey=error'],
      generators: [{ list: { elements: components.map((c) => ({ component: c.name, wave: String(c.wave) })) } }],
      strategy: {
        type: 'RollingSync',
        deletionOrder: 'Reverse',
        rollingSync: { steps: waves.map((wave) => ({ matchExpressions: [{ key: 'wave', operator: 'In', values: [String(wave)] }] })) },
      },
      template: {
        metadata: {
          name: `${env.name}-{{.component}}`,
          labels: { env: env.name, component: '{{.component}}', wave: '{{.wave}}', [PART_OF_LABEL]: PART_OF },
          annotations: Object.fromEntries(
            envLinks.map((l) => [`link.argocd.argoproj.io/${l.name.toLowerCase().replace(/\s+/g, '-')}`, l.url]),
          ),
          finalizers: ['resources-finalizer.argocd.argoproj.io'],
        },
        spec: {
          project: PROJECT,
          source: { repoURL: catalog.repoURL, targetRevision: env.targetRevision, path: `overlays/${env.name}/{{.component}}` },
          destination: { name: env.cluster.name, namespace: NAMESPACE },
          info: [
            { name: 'Environment', value: env.name },
            { name: 'Sync wave', value: '{{.wave}}' },
            ...envLinks.map((l) => ({ name: l.name, value: l.url })),
          ],
          syncPolicy: {
            // Under RollingSync the ApplicationSet controller turns automated sync off and syncs each
            // step itself; prune stays declared for those syncs. Self-heal is the drift job's (ADR 8).
            automated: { prune: true, selfHeal: false },
            syncOptions: ['ServerSideApply=true', 'PruneLast=true', 'FailOnSharedResource=true'],
            retry: { limit: 5, backoff: { duration: '10s', factor: 2, maxDuration: '5m' } },
          },
        },
      },
    },
  };
}

/** The root Application an operator applies once: it keeps `apps/` itself in sync. */
export function rootApplication(catalog: Catalog): KubeObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name: ROOT_APP, namespace: ARGOCD_NAMESPACE, labels: { [PART_OF_LABEL]: PART_OF } },
    spec: {
      project: 'default',
      source: { repoURL: catalog.repoURL, targetRevision: 'main', path: 'apps', directory: { recurse: false, include: '*.yaml' } },
      destination: { server: 'https://kubernetes.default.svc', namespace: ARGOCD_NAMESPACE },
      syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['ServerSideApply=true'] },
    },
  };
}

/** Progressive Syncs is a beta feature, off unless this parameter is set (restart the ApplicationSet controller). */
export function progressiveSyncsParams(): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'argocd-cmd-params-cm', namespace: ARGOCD_NAMESPACE, labels: { 'app.kubernetes.io/part-of': 'argocd' } },
    data: { 'applicationsetcontroller.enable.progressive.syncs': 'true' },
  };
}
