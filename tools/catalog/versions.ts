/**
 * Versions are facts (DESIGN §3): the oldest Argo CD the generated objects work with, the kustomize
 * that Argo CD bundles (what renders our overlays in the cluster) and the Kubernetes minor the stack
 * targets. `check` refuses Argo CD fields newer than `argocd.minimum` (tools/argocd/fields.ts) and an
 * e2e workflow that installs an older Argo CD; the README states them.
 */
export interface VersionFacts {
  argocd: {
    /** Semantic version without `v`: the oldest Argo CD whose CRDs accept every field we generate. */
    minimum: string;
    /** kustomize bundled by that Argo CD line: argoproj/argo-cd `hack/tool-versions.sh` (`kustomize5_version`) at v3.2.0…v3.2.12. */
    kustomize: string;
  };
  /**
   * Kubernetes `major.minor` the stack targets: the newest minor argoproj/argo-cd
   * `docs/operator-manual/tested-kubernetes-versions.md` lists for the minimum's line (3.2: v1.33 … v1.30).
   */
  kubernetesMinor: string;
}

export const VERSIONS: VersionFacts = {
  // 3.2.0 is the first release whose ApplicationSet CRD has `spec.strategy.deletionOrder` (absent at v3.1.9).
  argocd: { minimum: '3.2.0', kustomize: '5.7.0' },
  kubernetesMinor: '1.33',
};
