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
    /** The release e2e installs and the upstream tier reads its CRDs from: the newest patch of the minimum's line. */
    target: string;
    /** kustomize bundled by that Argo CD line: argoproj/argo-cd `hack/tool-versions.sh` (`kustomize5_version`) at v3.2.0…v3.2.12. */
    kustomize: string;
  };
  /**
   * Kubernetes `major.minor` the stack targets: the newest minor argoproj/argo-cd
   * `docs/operator-manual/tested-kubernetes-versions.md` lists for the target release (v3.2.12:
   * v1.34 … v1.31). The upstream tier builds its kube-apiserver at a patch of it.
   */
  kubernetesMinor: string;
  /**
   * The External Secrets Operator release an environment with `credentials: external-secrets` runs
   * (its `external-secrets.io/v1` API is served from v0.17.0); the upstream tier installs its CRDs.
   */
  externalSecretsOperator: string;
}

export const VERSIONS: VersionFacts = {
  // 3.2.0 is the first release whose ApplicationSet CRD has `spec.strategy.deletionOrder` (absent at v3.1.9).
  argocd: { minimum: '3.2.0', target: '3.2.12', kustomize: '5.7.0' },
  kubernetesMinor: '1.34',
  externalSecretsOperator: '0.20.4',
};

/** The Argo CD release as its tags spell it (`v3.2.12`). */
export const ARGO_CD_TARGET_VERSION = `v${VERSIONS.argocd.target}`;
/** The kustomize Argo CD bundles, as `kustomize version` prints it (`v5.7.0`). */
export const KUSTOMIZE_BUNDLED_BY_ARGO_CD = `v${VERSIONS.argocd.kustomize}`;
/** The Kubernetes minor the stack targets (`1.34`). */
export const KUBERNETES_TARGET_MINOR = VERSIONS.kubernetesMinor;
