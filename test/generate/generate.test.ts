import { describe, expect, it } from 'vitest';
import { catalog } from '../../tools/catalog/index.ts';
import type { Environment } from '../../tools/catalog/types.ts';
import { CatalogError } from '../../tools/catalog/validate.ts';
import { generate } from '../../tools/generate/index.ts';
import { isGenerated } from '../../tools/generate/layout.ts';
import { readOutputTree } from '../../tools/generate/disk.ts';
import { REPO_ROOT } from '../support/repo.ts';

const withEnv = (change: (env: Environment) => Environment, index = 1): typeof catalog => ({
  ...catalog,
  environments: catalog.environments.map((env, i) => (i === index ? change(structuredClone(env)) : env)),
});

describe('generate', () => {
  it('gives the same bytes every time (idempotent, deterministic)', () => {
    // GIVEN the catalog WHEN generated twice THEN byte-identical trees
    const first = generate(catalog);
    const second = generate(catalog);
    expect([...second]).toEqual([...first]);
  });

  it('is exactly what is committed', async () => {
    expect(Object.fromEntries(await readOutputTree(REPO_ROOT))).toEqual(Object.fromEntries(generate(catalog)));
  });

  it('starts every file with the generated-file header naming its source', () => {
    for (const [path, text] of generate(catalog)) {
      expect(isGenerated(text), path).toBe(true);
      expect(text.split('\n')[0], path).toMatch(/from tools\/(components|generate)\/[a-z-]+\.ts/);
    }
  });

  it('writes overlays as patches over the base, not copies', () => {
    const files = generate(catalog);
    const kustomization = files.get('overlays/prod/grafana/kustomization.yaml') ?? '';
    expect(kustomization).toContain('- ../../../base/grafana');
    // every other file is an object only the environment has (its ExternalSecrets), never a copy of a base file
    const others = [...files.keys()].filter(
      (p) => p.startsWith('overlays/prod/grafana/') && !/\/(kustomization|patch-[^/]+)\.yaml$/.test(p),
    );
    expect(others.map((p) => p.split('/').pop())).toEqual([
      'externalsecret-grafana-admin.yaml',
      'externalsecret-grafana-alert-webhook.yaml',
    ]);
    expect(others.filter((p) => files.has(p.replace('overlays/prod/', 'base/')))).toEqual([]);
  });

  it.each([
    [
      'negative replicas',
      (e: Environment) => ({ ...e, loki: { ...e.loki, replicas: { ...e.loki.replicas, write: -1 } } }),
      /^invalid catalog: prod\/loki: loki\.replicas\.write: must be a whole number ≥ 1, got -1/,
    ],
    [
      'an unknown component',
      (e: Environment) => ({ ...e, components: [...e.components, 'tempo' as never] }),
      /^invalid catalog: prod\/tempo: components: unknown component "tempo"/,
    ],
    [
      'a retention under 24h',
      (e: Environment) => ({ ...e, loki: { ...e.loki, retentionHours: 12 } }),
      /^invalid catalog: prod\/loki: loki\.retentionHours: must be a whole number of hours ≥ 24/,
    ],
    [
      'a replication factor above the write replicas',
      (e: Environment) => ({ ...e, loki: { ...e.loki, replicationFactor: 5 } }),
      /prod\/loki: loki\.replicationFactor/,
    ],
    [
      'Grafana replicas on SQLite',
      (e: Environment) => ({ ...e, grafana: { ...e.grafana, replicas: 2 } }),
      /prod\/grafana: grafana\.replicas: more than 1 needs a shared SQL database/,
    ],
    [
      'plain HTTP without a named exception',
      (e: Environment) => ({ ...e, ingress: { ...e.ingress, tls: { mode: 'none' as const, exception: { name: '', reason: '' } } } }),
      /prod\/platform: ingress\.tls\.exception: plain HTTP needs a named exception and its reason/,
    ],
    [
      'external-secrets without a secret store',
      (e: Environment) => ({ ...e, secretStore: undefined }),
      /^invalid catalog: prod\/platform: secretStore: credentials: external-secrets needs a secretStore/,
    ],
    [
      'a metrics store URL that is not http(s)',
      (e: Environment) => ({
        ...e,
        metrics: { remoteWriteUrl: 'mimir:9009/api/v1/push', queryUrl: 'https://m/prometheus', cidr: '10.20.0.0/24' },
      }),
      /^invalid catalog: prod\/alloy: metrics\.remoteWriteUrl: "mimir:9009\/api\/v1\/push" is not an http\(s\) URL/,
    ],
    [
      'a bad quantity',
      (e: Environment) => ({ ...e, grafana: { ...e.grafana, volumeSize: '10 GB' } }),
      /prod\/grafana: grafana\.volumeSize: "10 GB" is not a Kubernetes quantity/,
    ],
    [
      'a CIDR that does not parse',
      (e: Environment) => ({ ...e, cluster: { ...e.cluster, apiServerCidr: '999.18.0.0/99' } }),
      /^invalid catalog: prod\/platform: cluster\.apiServerCidr: "999\.18\.0\.0\/99" is not a CIDR/,
    ],
    [
      'a CIDR prefix over 32 bits',
      (e: Environment) => ({ ...e, cluster: { ...e.cluster, apiServerCidr: '10.0.0.0/33' } }),
      /prod\/platform: cluster\.apiServerCidr: "10\.0\.0\.0\/33" is not a CIDR/,
    ],
    [
      'a zero volume size',
      (e: Environment) => ({ ...e, loki: { ...e.loki, volumeSize: '0Gi' } }),
      /prod\/loki: loki\.volumeSize: "0Gi" must be more than 0/,
    ],
    [
      'a zero quota count',
      (e: Environment) => ({ ...e, limits: { ...e.limits, quota: { ...e.limits.quota, pods: 0 } } }),
      /prod\/platform: limits\.quota\.pods: must be a whole number ≥ 1, got 0/,
    ],
    [
      'a quota size that is no quantity',
      (e: Environment) => ({ ...e, limits: { ...e.limits, quota: { ...e.limits.quota, requestsStorage: 'lots' } } }),
      /prod\/platform: limits\.quota\.requestsStorage: "lots" is not a Kubernetes quantity/,
    ],
    [
      'a negative alert threshold',
      (e: Environment) => ({ ...e, grafana: { ...e.grafana, alerting: { ...e.grafana.alerting, errorLinesPerSecond: -1 } } }),
      /prod\/grafana: grafana\.alerting\.errorLinesPerSecond: must be a number of lines per second above 0, got -1/,
    ],
    [
      'an ingress class that is no name',
      (e: Environment) => ({ ...e, ingress: { ...e.ingress, className: 'Nginx Class' } }),
      /prod\/platform: ingress\.className: "Nginx Class" is not an IngressClass name/,
    ],
    [
      'a controller pod label value too long',
      (e: Environment) => ({ ...e, ingress: { ...e.ingress, controllerPodLabels: { app: 'x'.repeat(64) } } }),
      /prod\/platform: ingress\.controllerPodLabels\.app: "x+" is not a label value/,
    ],
    [
      'a cluster server that is no https URL',
      (e: Environment) => ({ ...e, cluster: { ...e.cluster, server: 'prod:6443' } }),
      /prod\/catalog: cluster\.server: "prod:6443" must be the API server's https:\/\/ URL/,
    ],
  ])('rejects %s with one line naming environment, component and field', (_name, change, message) => {
    // GIVEN a catalog with one bad value WHEN generated THEN a CatalogError says where
    expect(() => generate(withEnv(change))).toThrow(CatalogError);
    expect(() => generate(withEnv(change))).toThrow(message);
  });

  it('rejects a duplicate port in a component', async () => {
    const { COMPONENTS } = await import('../../tools/components/index.ts');
    const original = COMPONENTS.alloy.build;
    const broken = (env: Environment) =>
      original(env).map((o) => {
        if (o.kind !== 'DaemonSet') return o;
        const copy = structuredClone(o) as unknown as { spec: { template: { spec: { containers: { ports: object[] }[] } } } };
        copy.spec.template.spec.containers[0]?.ports.push({ name: 'again', containerPort: 12345, protocol: 'TCP' });
        return copy as unknown as typeof o;
      });
    (COMPONENTS.alloy as { build: typeof broken }).build = broken;
    try {
      expect(() => generate(catalog)).toThrow(
        /^base\/alloy DaemonSet observability\/alloy: spec\.template\.spec\.containers\[alloy\]\.ports: port 12345 declared twice/,
      );
    } finally {
      (COMPONENTS.alloy as { build: typeof broken }).build = original;
    }
  });
});
