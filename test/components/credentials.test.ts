import { describe, expect, it } from 'vitest';
import { prod } from '../../tools/catalog/environments.ts';
import type { Environment } from '../../tools/catalog/types.ts';
import { COMPONENTS } from '../../tools/components/index.ts';
import { RELOADER_SECRET_ANNOTATION } from '../../tools/components/credentials.ts';
import type { KubeObject } from '../../tools/kube/object.ts';
import { schemaFindings } from '../../tools/validate/schema.ts';
import { renderCommitted } from '../support/repo.ts';

type Env = { name: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } };
type Pod = { spec: { containers: { env?: Env[] }[] } };

/** `(workload, Secret name, key)` for every secretKeyRef of every pod template. */
function secretReads(objects: readonly KubeObject[]): { owner: KubeObject; secret: string; key: string }[] {
  return objects.flatMap((owner) => {
    const pod = (owner['spec'] as { template?: Pod } | undefined)?.template;
    return (pod?.spec.containers ?? []).flatMap((c) =>
      (c.env ?? []).flatMap((e) =>
        e.valueFrom?.secretKeyRef ? [{ owner, secret: e.valueFrom.secretKeyRef.name, key: e.valueFrom.secretKeyRef.key }] : [],
      ),
    );
  });
}

describe('credentials from a secret store, and what restarts when they rotate', async () => {
  const tree = await renderCommitted();
  const prodApps = tree.apps.filter((a) => a.env === 'prod');
  const rendered = prodApps.flatMap((a) => a.objects);

  it("prod: one schema-valid ExternalSecret per Secret a workload reads, with every key it reads, from the catalog's store", () => {
    const externals = rendered.filter((o) => o.kind === 'ExternalSecret');
    const reads = secretReads(rendered);
    expect(new Set(externals.map((e) => e.metadata.name))).toEqual(new Set(reads.map((r) => r.secret)));
    for (const { owner, secret, key } of reads) {
      const spec = externals.find((e) => e.metadata.name === secret)?.['spec'] as {
        secretStoreRef: unknown;
        target: { name: string };
        data: { secretKey: string; remoteRef: { key: string; property: string } }[];
      };
      expect(spec.secretStoreRef).toEqual({ kind: 'ClusterSecretStore', name: 'secret-manager' });
      expect(spec.target.name).toBe(secret);
      expect(spec.data, `${owner.metadata.name} reads ${secret}/${key}`).toContainEqual({
        secretKey: key,
        remoteRef: { key: `observability/prod/${secret}`, property: key },
      });
    }
    expect(prodApps.flatMap((app) => schemaFindings({ ...app, objects: app.objects.filter((o) => o.kind === 'ExternalSecret') }))).toEqual(
      [],
    );
  });

  it("prod: every workload names in Reloader's annotation the Secrets it reads only at start; Grafana's admin password is not one (it only seeds the first start)", () => {
    const reloads = Object.fromEntries(
      rendered
        .filter((o) => secretReads([o]).length > 0 && o.kind !== 'Job')
        .map((o) => [o.metadata.name, o.metadata.annotations?.[RELOADER_SECRET_ANNOTATION]]),
    );
    expect(reloads).toEqual({
      minio: 'minio-credentials',
      'loki-read': 'loki-s3-credentials',
      'loki-write': 'loki-s3-credentials',
      'loki-backend': 'loki-s3-credentials',
      grafana: 'grafana-alert-webhook',
    });
  });

  it('with Secrets created out of band and no Reloader, nothing is generated for them and restarts stay manual', () => {
    const manual: Environment = { ...prod, credentials: 'external', reloader: false };
    delete manual.secretStore;
    const objects = manual.components.flatMap((c) => COMPONENTS[c].build(manual));
    expect(objects.filter((o) => o.kind === 'ExternalSecret' || o.kind === 'Secret')).toEqual([]);
    expect(objects.filter((o) => o.metadata.annotations?.[RELOADER_SECRET_ANNOTATION])).toEqual([]);
  });

  it('dev: a changed dev credential rolls the pods that read it (checksum of the values on the pod template)', () => {
    const dev = tree.apps.filter((a) => a.env === 'dev').flatMap((a) => a.objects);
    const workloads = dev.filter((o) => ['minio', 'loki'].includes(o.metadata.name) && ['Deployment', 'StatefulSet'].includes(o.kind));
    expect(workloads.map((o) => o.kind).sort()).toEqual(['Deployment', 'StatefulSet']);
    for (const workload of workloads) {
      const annotations =
        (workload['spec'] as { template: { metadata: { annotations?: Record<string, string> } } }).template.metadata.annotations ?? {};
      expect(annotations['checksum/secrets'], workload.metadata.name).toMatch(/^[0-9a-f]{16}$/);
    }
  });
});
