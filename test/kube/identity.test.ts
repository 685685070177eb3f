import { describe, expect, it } from 'vitest';
import { argoKey, definedScopes, isNamespaced, withArgoNamespace } from '../../tools/kube/identity.ts';
import type { KubeObject } from '../../tools/kube/object.ts';

const object = (apiVersion: string, kind: string, namespace?: string): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name: 'x', ...(namespace ? { namespace } : {}) },
});
const crd = (kind: string, scope: string): KubeObject => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${kind.toLowerCase()}s.example.com` },
  spec: { group: 'example.com', names: { kind }, scope },
});

describe("Argo CD's identity of an object", () => {
  it('gives a namespaced object without a namespace the destination namespace, keeps an explicit one', () => {
    expect(argoKey(object('v1', 'Service'), 'observability')).toBe('/Service/observability/x');
    expect(argoKey(object('v1', 'Service', 'other'), 'observability')).toBe('/Service/other/x');
  });

  it('takes the namespace off a cluster-scoped object, built-in or defined by a CRD; an unknown kind counts as namespaced', () => {
    const scopes = definedScopes([crd('Widget', 'Cluster'), crd('Gadget', 'Namespaced')]);
    expect(argoKey(object('rbac.authorization.k8s.io/v1', 'ClusterRole', 'observability'), 'observability')).toBe(
      'rbac.authorization.k8s.io/ClusterRole//x',
    );
    expect(argoKey(object('example.com/v1', 'Widget', 'observability'), 'observability', scopes)).toBe('example.com/Widget//x');
    expect(argoKey(object('example.com/v1', 'Gadget'), 'observability', scopes)).toBe('example.com/Gadget/observability/x');
    expect(isNamespaced(object('unknown.example.com/v1', 'Thing'))).toBe(true);
    expect(withArgoNamespace(object('v1', 'Namespace'), 'observability').metadata).toEqual({ name: 'x' });
  });
});
