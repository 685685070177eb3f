/**
 * The Kubernetes minor the stack targets (DESIGN §3, "versions are facts"): the upstream test tier
 * builds its kube-apiserver from `k8s.io/kubernetes` at a patch of this minor
 * (test/upstream/kube-apiserver/go.mod, checked against this value by the tier).
 * 1.34 is the newest minor Argo CD 3.1 and 3.2 are tested with (argoproj/argo-cd
 * docs/operator-manual/tested-kubernetes-versions.md at v3.2.12).
 */
export const KUBERNETES_TARGET_MINOR = '1.34';
