import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { KubeObject } from '../../tools/kube/object.ts';
import { SECRETS } from '../../tools/catalog/secrets.ts';
import { catalog } from '../../tools/catalog/index.ts';
import { app, renderCommitted } from '../support/repo.ts';

type Pod = {
  metadata?: { labels?: Record<string, string> };
  spec: { containers: Container[]; initContainers?: Container[]; volumes?: Volume[] };
};
type Container = {
  name: string;
  image: string;
  ports?: { name?: string; containerPort: number }[];
  env?: { valueFrom?: { secretKeyRef?: { name: string } } }[];
  resources?: { requests?: object; limits?: object };
  readinessProbe?: object;
  livenessProbe?: object;
  securityContext?: Record<string, unknown>;
};
type Volume = {
  name: string;
  configMap?: { name: string };
  secret?: { secretName: string };
  persistentVolumeClaim?: { claimName: string };
};

function podTemplates(objects: readonly KubeObject[]): { owner: KubeObject; pod: Pod }[] {
  return objects.flatMap((o) => {
    const spec = o['spec'] as { template?: Pod } | undefined;
    return spec?.template ? [{ owner: o, pod: spec.template }] : [];
  });
}

const byKind = (objects: readonly KubeObject[], kind: string): KubeObject[] => objects.filter((o) => o.kind === kind);
const matches = (selector: Record<string, string>, labels: Record<string, string> = {}): boolean =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

describe('the seed, as rendered for every environment', async () => {
  const tree = await renderCommitted();
  const envs = catalog.environments.map((e) => e.name);
  const all = (env: string): KubeObject[] => tree.apps.filter((a) => a.env === env).flatMap((a) => a.objects);

  it.each(envs)('%s: every Service selects pods that exist and targets ports they have', (env) => {
    const objects = all(env);
    const pods = podTemplates(objects);
    for (const svc of byKind(objects, 'Service')) {
      const spec = svc['spec'] as { selector: Record<string, string>; ports: { targetPort: string | number }[] };
      const selected = pods.filter((p) => matches(spec.selector, p.pod.metadata?.labels));
      expect(selected, `Service ${svc.metadata.name} selects no pod`).not.toHaveLength(0);
      for (const port of spec.ports) {
        const served = selected.every((p) =>
          p.pod.spec.containers.some((c) =>
            (c.ports ?? []).some((cp) => cp.name === port.targetPort || cp.containerPort === port.targetPort),
          ),
        );
        expect(served, `Service ${svc.metadata.name} targets ${port.targetPort}, which a selected pod lacks`).toBe(true);
      }
    }
  });

  it.each(envs)(
    '%s: every mounted ConfigMap and PVC exists; every Secret is rendered, comes from an ExternalSecret, or is declared external',
    (env) => {
      const objects = all(env);
      const names = (kind: string): Set<string> => new Set(byKind(objects, kind).map((o) => o.metadata.name));
      const external = catalog.environments.find((e) => e.name === env)?.credentials === 'external';
      const known = new Set(Object.values(SECRETS).map((s) => s.name));
      for (const { owner, pod } of podTemplates(objects)) {
        const claims = new Set(
          ((owner['spec'] as { volumeClaimTemplates?: { metadata: { name: string } }[] }).volumeClaimTemplates ?? []).map(
            (t) => t.metadata.name,
          ),
        );
        for (const volume of pod.spec.volumes ?? []) {
          if (volume.configMap)
            expect(names('ConfigMap'), `${owner.metadata.name} mounts ${volume.configMap.name}`).toContain(volume.configMap.name);
          if (volume.persistentVolumeClaim) expect(names('PersistentVolumeClaim')).toContain(volume.persistentVolumeClaim.claimName);
        }
        for (const c of [...pod.spec.containers, ...(pod.spec.initContainers ?? [])]) {
          for (const mount of (c as { volumeMounts?: { name: string }[] }).volumeMounts ?? []) {
            const declared = (pod.spec.volumes ?? []).some((v) => v.name === mount.name) || claims.has(mount.name);
            expect(declared, `${owner.metadata.name}/${c.name} mounts undeclared volume ${mount.name}`).toBe(true);
          }
          for (const e of c.env ?? []) {
            const secret = e.valueFrom?.secretKeyRef?.name;
            if (!secret) continue;
            if (external) expect(known, `${owner.metadata.name} reads undeclared Secret ${secret}`).toContain(secret);
            else expect(new Set([...names('Secret'), ...names('ExternalSecret')])).toContain(secret);
          }
        }
      }
    },
  );

  it.each(envs)('%s: Alloy pushes to, and Grafana queries, a Loki Service and port that exist', (env) => {
    const objects = all(env);
    const services = byKind(objects, 'Service');
    const alloyConfig = String(
      (byKind(app(tree, env, 'alloy').objects, 'ConfigMap')[0]?.['data'] as Record<string, string>)['config.alloy'],
    );
    const push = /url = "http:\/\/([^.]+)\.observability\.svc\.cluster\.local:(\d+)\/loki\/api\/v1\/push"/.exec(alloyConfig);
    expect(push).not.toBeNull();
    const grafanaSources = byKind(app(tree, env, 'grafana').objects, 'ConfigMap').find((c) => c.metadata.name === 'grafana-datasources');
    const datasource = parse(String((grafanaSources?.['data'] as Record<string, string>)['datasources.yaml'])) as {
      datasources: { type: string; url: string }[];
    };
    const query = /^http:\/\/([^.]+)\.observability\.svc\.cluster\.local:(\d+)$/.exec(datasource.datasources[0]?.url ?? '');
    expect(datasource.datasources[0]?.type).toBe('loki');
    for (const [, service, port] of [push, query] as RegExpExecArray[]) {
      const svc = services.find((s) => s.metadata.name === service);
      expect(svc, `no Service ${service}`).toBeDefined();
      expect((svc?.['spec'] as { ports: { port: number }[] }).ports.map((p) => p.port)).toContain(Number(port));
      expect((svc?.metadata.labels ?? {})['app.kubernetes.io/name']).toBe('loki');
    }
  });

  it.each(envs)('%s: Loki stores chunks on S3 at the MinIO Service, TSDB v13, with compactor retention', (env) => {
    const config = parse(
      String((byKind(app(tree, env, 'loki').objects, 'ConfigMap')[0]?.['data'] as Record<string, string>)['config.yaml']),
    );
    const s3 = config.common.storage.s3;
    const [host, port] = String(s3.endpoint).split(':');
    expect(host).toBe('minio.observability.svc');
    const minio = byKind(app(tree, env, 'minio').objects, 'Service').find((s) => s.metadata.name === 'minio');
    expect((minio?.['spec'] as { ports: { port: number }[] }).ports.map((p) => p.port)).toContain(Number(port));
    expect(s3.access_key_id).toBe('${S3_ACCESS_KEY_ID}');
    expect(config.schema_config.configs[0]).toMatchObject({ store: 'tsdb', schema: 'v13', object_store: 's3', index: { period: '24h' } });
    expect(config.compactor).toMatchObject({ retention_enabled: true, delete_request_store: 's3' });
    expect(config.auth_enabled).toBe(false);
  });

  it('prod keeps 30 days of logs and splits Loki into read / write / backend; dev is monolithic', () => {
    const prodConfig = parse(
      String((byKind(app(tree, 'prod', 'loki').objects, 'ConfigMap')[0]?.['data'] as Record<string, string>)['config.yaml']),
    );
    expect(prodConfig.limits_config.retention_period).toBe('720h');
    const prodTargets = podTemplates(app(tree, 'prod', 'loki').objects).map(
      ({ pod }) => pod.spec.containers[0]?.['args' as keyof Container],
    );
    expect(prodTargets.map((args) => (args as unknown as string[]).find((a) => a.startsWith('-target=')))).toEqual([
      '-target=read',
      '-target=backend',
      '-target=write',
    ]);
    expect(byKind(app(tree, 'prod', 'loki').objects, 'PodDisruptionBudget')).toHaveLength(3);
    const devTargets = podTemplates(app(tree, 'dev', 'loki').objects);
    expect(devTargets).toHaveLength(1);
    expect((devTargets[0]?.owner['spec'] as { replicas: number }).replicas).toBe(1);
  });

  it.each(envs)('%s: the seed ports, ingress hosts, probes, resources and pinned images', (env) => {
    const objects = all(env);
    const ports = new Set(
      podTemplates(objects).flatMap(({ pod }) => pod.spec.containers.flatMap((c) => (c.ports ?? []).map((p) => p.containerPort))),
    );
    for (const port of [9000, 9001, 3100, 12345, 3000]) expect(ports).toContain(port);
    const hosts = byKind(objects, 'Ingress').flatMap((i) => (i['spec'] as { rules: { host: string }[] }).rules.map((r) => r.host));
    expect(hosts.sort()).toEqual(['grafana.local', 'minio.local']);
    for (const { owner, pod } of podTemplates(objects)) {
      for (const c of [...pod.spec.containers, ...(pod.spec.initContainers ?? [])]) {
        expect(c.image, `${owner.metadata.name}/${c.name}`).toMatch(/:[^:/]+$/);
        expect(c.image).not.toMatch(/:latest$/);
        expect(c.resources?.requests && c.resources.limits, `${owner.metadata.name}/${c.name} resources`).toBeTruthy();
        if (owner.kind === 'Job') continue;
        expect(c.readinessProbe, `${owner.metadata.name}/${c.name} readiness`).toBeTruthy();
        // Alloy alone has none: upstream advises against one (tools/catalog/health.ts).
        expect(Boolean(c.livenessProbe), `${owner.metadata.name}/${c.name} liveness`).toBe(c.name !== 'alloy');
      }
    }
  });

  it.each(envs)("%s: every container keeps the seed's controls; Alloy's root is the one declared exception", (env) => {
    for (const { owner, pod } of podTemplates(all(env))) {
      for (const c of pod.spec.containers) {
        const sc = c.securityContext ?? {};
        expect(sc, `${owner.metadata.name}/${c.name}`).toMatchObject({
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
        });
        expect(sc['runAsNonRoot'], `${owner.metadata.name}/${c.name}`).toBe(owner.metadata.name !== 'alloy');
      }
    }
  });

  it('prod holds no credential: its Secrets come from the secret manager through ExternalSecrets', () => {
    expect(tree.apps.filter((a) => a.env === 'prod').flatMap((a) => byKind(a.objects, 'Secret'))).toEqual([]);
    expect(
      tree.apps
        .filter((a) => a.env === 'dev')
        .flatMap((a) => byKind(a.objects, 'Secret'))
        .map((s) => s.metadata.name)
        .sort(),
    ).toEqual(['grafana-admin', 'loki-s3-credentials', 'minio-credentials']);
  });
});
