/** The `kubectl get` that saves what `drift` reads from a cluster, for the offline `--snapshot` comparison. */
import { groupOf } from '../kube/object.ts';
import type { ListTarget } from './live.ts';

/**
 * One `kubectl get … -o json` reading every target's kind, label-selected as `drift` lists them, e.g.
 * `kubectl get -n observability ConfigMap,Deployment.v1.apps,… -l app.kubernetes.io/part-of=x -o json`.
 * Kinds are written `Kind` (core) or `Kind.version.group`, the fully qualified form kubectl's resource
 * builder resolves (kubernetes/cli-runtime `pkg/resource/builder.go`, `mappingFor`), so two groups
 * with one kind name never mix. Cluster-scoped kinds ignore `-n`; targets in several namespaces give `-A`.
 */
export function kubectlGetCommand(targets: readonly ListTarget[], labelSelector: string): string {
  const kinds = [
    ...new Set(
      targets.map(({ apiVersion, kind }) =>
        groupOf(apiVersion) ? `${kind}.${apiVersion.slice(apiVersion.indexOf('/') + 1)}.${groupOf(apiVersion)}` : kind,
      ),
    ),
  ].sort();
  const namespaces = [...new Set(targets.flatMap((t) => (t.namespace ? [t.namespace] : [])))];
  const scope = namespaces.length === 1 ? `-n ${namespaces[0]}` : namespaces.length > 1 ? '-A' : '';
  return ['kubectl get', scope, kinds.join(','), `-l ${labelSelector}`, '-o json'].filter(Boolean).join(' ');
}
