/**
 * The Argo CD release the stack is written for, and the kustomize it bundles (DESIGN §3, "versions
 * are facts"). v3.2.0 is the first release whose ApplicationSet CRD has
 * `spec.strategy.deletionOrder`, which apps/ sets. The kustomize version is Argo CD's
 * `hack/tool-versions.sh` (`kustomize5_version`) at that tag: Argo CD renders overlays with it, so
 * the upstream tier installs exactly this one (`go install sigs.k8s.io/kustomize/kustomize/v5@…`)
 * and `check` warns when the kustomize on PATH is another.
 */
export const ARGO_CD_TARGET_VERSION = 'v3.2.12';
export const KUSTOMIZE_BUNDLED_BY_ARGO_CD = 'v5.7.0';
