/**
 * The one table of list types, merge keys and pointer fields (tools/kube/api-fields.ts), read by
 * both the overlay patches (strategic merge: patch merge key) and drift (server-side apply:
 * list-map keys): one entry per list gives both, so they never disagree on what identifies an item.
 */
import { describe, expect, it } from 'vitest';
import { compareObject } from '../../tools/drift/compare.ts';
import { childPlace, listType, rootPlace, type Place } from '../../tools/drift/lists.ts';
import { diffObject, type JsonObject } from '../../tools/generate/patch.ts';
import { apiFieldsSource, isBuiltInKind, keepsZero, patchMergeKey, schemaOf, type FieldSchema } from '../../tools/kube/api-fields.ts';
import type { KubeObject } from '../../tools/kube/object.ts';

function at(schema: FieldSchema, path: string): FieldSchema {
  return path.split('/').reduce((s, name) => s.child(name), schema);
}

function place(apiVersion: string, kind: string, path: string): Place {
  return path.split('/').reduce((p, name) => childPlace(p, name), rootPlace(apiVersion, kind));
}

const POD_SPEC = 'spec/template/spec';

describe('the API field table', () => {
  it("is generated from k8s.io/api and the kube-apiserver's OpenAPI of one Kubernetes release", () => {
    expect(apiFieldsSource()).toMatch(/k8s\.io\/api v0\.\d+\.\d+.*k8s\.io\/kubernetes v1\.\d+\.\d+/);
    expect(isBuiltInKind('apps/v1', 'Deployment')).toBe(true);
    expect(isBuiltInKind('external-secrets.io/v1', 'ExternalSecret')).toBe(false);
  });

  it('gives a container port list both keys: strategic merge by containerPort, server-side apply by containerPort and protocol (TCP by default)', () => {
    // GIVEN the ports list of a Deployment's container
    const ports = at(schemaOf('apps/v1', 'Deployment'), `${POD_SPEC}/containers/*/ports`);
    // THEN the one entry holds both, and the Service ports entry its own
    expect(patchMergeKey(ports)).toBe('containerPort');
    expect(listType(place('apps/v1', 'Deployment', `${POD_SPEC}/containers/*/ports`))).toMatchObject({
      type: 'map',
      keys: ['containerPort', 'protocol'],
      defaults: { protocol: 'TCP' },
    });
    expect(patchMergeKey(at(schemaOf('v1', 'Service'), 'spec/ports'))).toBe('port');
    expect(listType(place('v1', 'Service', 'spec/ports'))).toMatchObject({ type: 'map', keys: ['port', 'protocol'] });
  });

  it('says which lists are atomic or sets and which fields are pointers', () => {
    expect(listType(place('rbac.authorization.k8s.io/v1', 'ClusterRole', 'rules')).type).toBe('atomic');
    expect(listType(place('networking.k8s.io/v1', 'NetworkPolicy', 'spec/ingress/*/from')).type).toBe('atomic');
    expect(listType(place('v1', 'Pod', 'metadata/finalizers')).type).toBe('set');
    expect(patchMergeKey(at(schemaOf('v1', 'Pod'), 'spec/tolerations'))).toBeUndefined();
    expect(keepsZero(at(schemaOf('v1', 'Pod'), 'spec/containers/*/securityContext/allowPrivilegeEscalation'))).toBe(true);
    expect(keepsZero(at(schemaOf('v1', 'Pod'), 'spec/hostNetwork'))).toBe(false);
    expect(keepsZero(at(schemaOf('v1', 'Pod'), 'spec/containers/*/volumeMounts/*/readOnly'))).toBe(false);
  });
});

describe('overlay patches and drift read the same merge keys', () => {
  function withHostAliases(hostAliases: unknown[]): JsonObject {
    return {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'x' },
      spec: { template: { spec: { hostAliases, containers: [{ name: 'a', image: 'a:1' }] } } },
    } as JsonObject;
  }
  const base = withHostAliases([
    { ip: '10.0.0.1', hostnames: ['minio'] },
    { ip: '10.0.0.2', hostnames: ['loki'] },
  ]);
  const target = withHostAliases([
    { ip: '10.0.0.1', hostnames: ['minio'] },
    { ip: '10.0.0.2', hostnames: ['loki', 'loki-read'] },
  ]);

  it('hostAliases: the patch changes the item keyed by ip, and drift pairs the items by ip', () => {
    // WHEN the patch from base to target is computed, and drift compares target with base reordered
    const patch = diffObject(base, target);
    const reordered = structuredClone(target) as KubeObject & { spec: { template: { spec: { hostAliases: unknown[] } } } };
    reordered.spec.template.spec.hostAliases.reverse();
    // THEN the patch names the item by its merge key, and drift sees the order change by the same key
    expect(patch).toEqual({ spec: { template: { spec: { hostAliases: [{ ip: '10.0.0.2', hostnames: ['loki', 'loki-read'] }] } } } });
    expect(compareObject(target as unknown as KubeObject, reordered)).toEqual([
      { path: '/spec/template/spec/hostAliases', op: 'replace', desired: ['10.0.0.1', '10.0.0.2'], live: ['10.0.0.2', '10.0.0.1'] },
    ]);
  });

  it('an atomic list (tolerations) is replaced whole by the patch, and its order is drift', () => {
    const tolerations = (keys: string[]): JsonObject =>
      ({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'x' },
        spec: { tolerations: keys.map((key) => ({ key, operator: 'Exists' })) },
      }) as JsonObject;
    expect(diffObject(tolerations(['a', 'b']), tolerations(['a', 'c']))).toEqual({
      spec: {
        tolerations: [
          { key: 'a', operator: 'Exists' },
          { key: 'c', operator: 'Exists' },
        ],
      },
    });
    expect(compareObject(tolerations(['a', 'b']) as unknown as KubeObject, tolerations(['b', 'a']) as unknown as KubeObject)).toEqual([
      { path: '/spec/tolerations', op: 'replace', desired: [0, 1], live: [1, 0] },
    ]);
  });
});
