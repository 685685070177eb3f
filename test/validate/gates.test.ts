import { describe, expect, it } from 'vitest';
import { catalog } from '../../tools/catalog/index.ts';
import type { KubeObject } from '../../tools/kube/object.ts';
import type { RenderedTree } from '../../tools/render/tree.ts';
import { validateTree } from '../../tools/validate/index.ts';
import { renderCommitted } from '../support/repo.ts';

type Mutation = (find: (env: string, kind: string, name: string) => Record<string, any>) => void;

describe('validation gates on the rendered tree', async () => {
  const committed = await renderCommitted();
  const mutate = (change: Mutation): RenderedTree => {
    const tree = structuredClone(committed);
    change((env, kind, name) => {
      const found = tree.apps
        .filter((a) => a.env === env)
        .flatMap((a) => a.objects)
        .find((o: KubeObject) => o.kind === kind && o.metadata.name === name);
      if (!found) throw new Error(`no ${kind} ${name} in ${env}`);
      return found as Record<string, any>;
    });
    return tree;
  };
  const rulesOf = (tree: RenderedTree): string[] =>
    validateTree(tree, catalog).findings.map((f) => `${f.rule} ${f.env}/${f.component} ${f.object} ${f.path ?? ''}`.trim());

  it('the committed tree passes every gate', () => {
    expect(validateTree(committed, catalog).findings).toEqual([]);
  });

  it("removing the DNS egress breaks every workload's DNS flows, and only those", () => {
    const tree = mutate((f) => {
      const policy = f('dev', 'NetworkPolicy', 'allow-egress-dns');
      policy['spec'].egress = policy['spec'].egress.filter((rule: { ports: { port: number }[] }) => rule.ports[0]?.port !== 53);
    });
    const findings = validateTree(tree, catalog).findings;
    expect(new Set(findings.map((f) => f.rule))).toEqual(new Set(['network/missing-flow']));
    expect(findings.map((f) => f.message.split(':')[0])).toEqual(
      expect.arrayContaining(['alloy → dns', 'grafana → dns', 'loki → dns', 'minio → dns', 'minio-bucket-setup → dns']),
    );
    expect(findings).toHaveLength(10);
  });

  it('Alloy cut off from the metrics store loses exactly its remote-write flow', () => {
    const tree = mutate((f) => {
      const policy = f('prod', 'NetworkPolicy', 'allow-egress-alloy');
      policy['spec'].egress = policy['spec'].egress.filter(
        (rule: { to: { ipBlock?: { cidr: string } }[] }) => !rule.to.some((p) => p.ipBlock?.cidr === '10.20.0.0/24'),
      );
    });
    expect(validateTree(tree, catalog).findings.map((f) => `${f.rule} ${f.message.split(':')[0]}`)).toEqual([
      'network/missing-flow alloy → metrics-store',
    ]);
  });

  it('a NetworkPolicy widened to every port lets the ingress controller reach ports nobody intended', () => {
    const tree = mutate((f) => delete f('prod', 'NetworkPolicy', 'allow-ingress-minio')['spec'].ingress[0].ports);
    const findings = validateTree(tree, catalog).findings;
    expect(new Set(findings.map((f) => f.rule))).toEqual(new Set(['network/unintended-flow']));
    expect(findings.map((f) => f.message)).toContainEqual(expect.stringMatching(/^ingress-controller → minio:9000\/TCP/));
  });

  it.each<[string, Mutation, string | string[]]>([
    [
      'a wildcard verb',
      (f) => (f('prod', 'ClusterRole', 'observability-stack')['rules'][0].verbs = ['*']),
      [
        // the changed rule is also no longer the model's: one finding for the extra rule, one for the missing one
        'rbac/rules-differ prod/platform ClusterRole observability-stack /rules',
        'rbac/rules-differ prod/platform ClusterRole observability-stack /rules',
        'rbac/wildcard prod/platform ClusterRole observability-stack /rules/0/verbs',
      ],
    ],
    [
      'an extra rule',
      (f) => f('dev', 'Role', 'observability-stack')['rules'].push({ apiGroups: [''], resources: ['pods'], verbs: ['delete'] }),
      'rbac/rules-differ dev/platform Role observability/observability-stack /rules',
    ],
    [
      'a write verb for the drift reader',
      (f) => f('dev', 'Role', 'observability-drift-reader')['rules'][0].verbs.push('delete'),
      'rbac/drift-reader-not-read-only dev/platform Role observability/observability-drift-reader /rules/0/verbs',
    ],
    [
      'readOnlyRootFilesystem dropped',
      (f) => delete f('prod', 'Deployment', 'grafana')['spec'].template.spec.containers[0].securityContext.readOnlyRootFilesystem,
      'security/read-only-root-filesystem prod/grafana Deployment observability/grafana /spec/template/spec/containers/0/securityContext',
    ],
    [
      'a capability added',
      (f) => (f('dev', 'StatefulSet', 'loki')['spec'].template.spec.containers[0].securityContext.capabilities.add = ['NET_ADMIN']),
      'security/drop-all-capabilities dev/loki StatefulSet observability/loki /spec/template/spec/containers/0/securityContext/capabilities/add',
    ],
    [
      'a misspelt field',
      (f) => {
        const spec = f('prod', 'Deployment', 'minio')['spec'];
        spec.replica = spec.replicas;
        delete spec.replicas;
      },
      'schema/unknown-field prod/minio Deployment observability/minio /spec/replica',
    ],
    [
      'a binding to another subject',
      (f) => (f('prod', 'ClusterRoleBinding', 'observability-alloy')['subjects'][0].namespace = 'default'),
      [
        'rbac/binding prod/alloy ClusterRoleBinding observability-alloy /subjects',
        'rbac/missing-rights prod/alloy DaemonSet observability/alloy /spec/template/spec/serviceAccountName',
      ],
    ],
    // one finding per resource the seed's ClusterRole grants beyond pods: configmaps, endpoints, namespaces, nodes, services, /metrics
    [
      "Alloy bound to the seed's ClusterRole",
      (f) => (f('dev', 'ClusterRoleBinding', 'observability-alloy')['roleRef'].name = 'observability-stack'),
      Array(6).fill('rbac/excess-rights dev/alloy DaemonSet observability/alloy /spec/template/spec/serviceAccountName'),
    ],
    [
      'an Alloy discovery the ClusterRole does not cover',
      (f) => {
        const cm = f('prod', 'ConfigMap', 'alloy-config');
        cm['data']['config.alloy'] += '\ndiscovery.kubernetes "nodes" {\n  role = "node"\n}\n';
      },
      'rbac/missing-rights prod/alloy DaemonSet observability/alloy /spec/template/spec/serviceAccountName',
    ],
    [
      "Alloy's discovery narrowed to its namespace while the grant stays cluster-wide",
      (f) => {
        const cm = f('dev', 'ConfigMap', 'alloy-config');
        cm['data']['config.alloy'] = cm['data']['config.alloy'].replace(
          'role = "pod"\n',
          'role = "pod"\n  namespaces {\n    own_namespace = true\n  }\n',
        );
      },
      'rbac/excess-rights dev/alloy DaemonSet observability/alloy /spec/template/spec/serviceAccountName',
    ],
    [
      'a misspelt Loki key',
      (f) => {
        const cm = f('dev', 'ConfigMap', 'loki-config');
        cm['data']['config.yaml'] = cm['data']['config.yaml'].replace('retention_enabled:', 'retention_enabeld:');
      },
      'loki/config-schema dev/loki ConfigMap observability/loki-config /data/config.yaml',
    ],
    [
      'an Alloy component the gate cannot judge',
      (f) => {
        const cm = f('dev', 'ConfigMap', 'alloy-config');
        cm['data']['config.alloy'] += '\nloki.source.kubernetes_events "events" {\n  forward_to = []\n}\n';
      },
      [
        // Nor does the arguments gate know its documented arguments: tools/validate/alloy-components.ts lists the components in use.
        'alloy/component-arguments dev/alloy ConfigMap observability/alloy-config /data/config.alloy',
        'rbac/unjudged-api-use dev/alloy DaemonSet observability/alloy',
      ],
    ],
    [
      'Loki mounting an API token it never uses',
      (f) => (f('prod', 'StatefulSet', 'loki-write')['spec'].template.spec.automountServiceAccountToken = true),
      'rbac/unneeded-token prod/loki StatefulSet observability/loki-write /spec/template/spec/automountServiceAccountToken',
    ],
    [
      "Grafana running as Loki's ServiceAccount",
      (f) => (f('dev', 'Deployment', 'grafana')['spec'].template.spec.serviceAccountName = 'loki'),
      ['rbac/shared-service-account dev/loki StatefulSet observability/loki /spec/template/spec/serviceAccountName'],
    ],
    [
      "MinIO on the namespace's default ServiceAccount",
      (f) => delete f('prod', 'Deployment', 'minio')['spec'].template.spec.serviceAccountName,
      'rbac/default-service-account prod/minio Deployment observability/minio /spec/template/spec/serviceAccountName',
    ],
    [
      "the architecture document's Role removed",
      (f) => (f('dev', 'Role', 'observability-stack')['metadata'].name = 'observability-seed'),
      'rbac/seed-model-missing dev/platform Role observability-stack',
    ],
    [
      'a prod Ingress without its tls section',
      (f) => delete f('prod', 'Ingress', 'grafana')['spec'].tls,
      'tls/host-without-tls prod/grafana Ingress observability/grafana /spec/rules/0/host',
    ],
    [
      'a prod Ingress whose certificate nobody issues',
      (f) => delete f('prod', 'Ingress', 'minio-console')['metadata'].annotations['cert-manager.io/cluster-issuer'],
      'tls/no-certificate-source prod/minio Ingress observability/minio-console /spec/tls',
    ],
    [
      'an ExternalSecret that drops a key Grafana reads',
      (f) => f('prod', 'ExternalSecret', 'grafana-admin')['spec'].data.pop(),
      'wiring/missing-secret-key prod/grafana Deployment observability/grafana /spec/template/spec/containers/0/env/2/valueFrom/secretKeyRef/key',
    ],
    [
      'a misspelt ExternalSecret field',
      (f) => {
        const spec = f('prod', 'ExternalSecret', 'minio-credentials')['spec'];
        spec.refreshIntervall = spec.refreshInterval;
        delete spec.refreshInterval;
      },
      'schema/unknown-field prod/minio ExternalSecret observability/minio-credentials /spec/refreshIntervall',
    ],
    [
      'Alloy pointed at a Service that does not exist',
      (f) => {
        const cm = f('dev', 'ConfigMap', 'alloy-config');
        cm['data']['config.alloy'] = cm['data']['config.alloy'].replace('loki.observability.svc', 'loki-gateway.observability.svc');
      },
      'wiring/config-url dev/alloy ConfigMap observability/alloy-config /data/config.alloy',
    ],
    [
      'Grafana pointed at a port Loki does not serve',
      (f) => {
        const cm = f('prod', 'ConfigMap', 'grafana-datasources');
        cm['data']['datasources.yaml'] = cm['data']['datasources.yaml'].replace(':3100', ':8080');
      },
      'wiring/config-url prod/grafana ConfigMap observability/grafana-datasources /data/datasources.yaml',
    ],
    [
      'a Service whose selector matches nothing',
      (f) => (f('prod', 'Service', 'grafana')['spec'].selector = { 'app.kubernetes.io/name': 'grafana-old' }),
      'wiring/service-selects-nothing prod/grafana Service observability/grafana /spec/selector',
    ],
    [
      'a Service targeting a port the pods lack',
      (f) => (f('dev', 'Service', 'minio')['spec'].ports[1].targetPort = 'ui'),
      'wiring/service-port dev/minio Service observability/minio /spec/ports/1/targetPort',
    ],
    [
      'a mounted ConfigMap that does not exist',
      (f) => (f('dev', 'Deployment', 'grafana')['spec'].template.spec.volumes[1].configMap.name = 'grafana-dashboards'),
      'wiring/missing-reference dev/grafana Deployment observability/grafana /spec/template/spec/volumes/1/configMap/name',
    ],
    [
      'a dev Secret reference that is not rendered',
      (f) =>
        (f('dev', 'Deployment', 'grafana')['spec'].template.spec.containers[0].env[0].valueFrom.secretKeyRef.name = 'grafana-admin-v2'),
      'wiring/missing-reference dev/grafana Deployment observability/grafana /spec/template/spec/containers/0/env/0/valueFrom/secretKeyRef/name',
    ],
    [
      'an unknown PriorityClass',
      (f) => (f('prod', 'StatefulSet', 'loki-write')['spec'].template.spec.priorityClassName = 'urgent'),
      'wiring/missing-reference prod/loki StatefulSet observability/loki-write /spec/template/spec/priorityClassName',
    ],
  ])('%s fails with the right rule and location', (_name, change, expected) => {
    expect(rulesOf(mutate(change))).toEqual(Array.isArray(expected) ? expected : [expected]);
  });
});
