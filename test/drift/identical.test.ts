/**
 * The comparison's shortcuts (#19) give the verdict the full alignment gives: bodies and list items
 * identical as they are skip aligning (tools/drift/json.ts `identicalJson`), and an atomic list's
 * items are aligned once, while pairing. Key order counts only inside lists, where a set list
 * compares its items as JSON text.
 */
import { describe, expect, it } from 'vitest';
import { compareObject } from '../../tools/drift/compare.ts';
import { identicalJson } from '../../tools/drift/json.ts';
import type { KubeObject } from '../../tools/kube/object.ts';
import { clone, customResourceDefinition } from './support.ts';

type Body = Record<string, any>;

/** Widgets (`example.com/v1`) whose spec.targets is an x-kubernetes-list-type: set list of objects. */
const WIDGETS = customResourceDefinition('example.com', 'Widget', {
  targets: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'object', 'x-kubernetes-map-type': 'atomic' } },
});

function widget(targets: Body[]): KubeObject {
  return { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'observability' }, spec: { targets } };
}

describe('identicalJson', () => {
  it('ignores the key order of maps, except maps inside lists', () => {
    expect(identicalJson({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toBe(true);
    expect(identicalJson({ list: [{ a: 1, b: 2 }] }, { list: [{ b: 2, a: 1 }] })).toBe(false);
    expect(identicalJson({ list: [{ a: { x: 1, y: 2 } }] }, { list: [{ a: { y: 2, x: 1 } }] })).toBe(false);
    expect(identicalJson({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(identicalJson({ a: null }, {})).toBe(false);
  });
});

describe('shortcuts keep the verdict of the full alignment', () => {
  it('an identical live object is in sync, and so is one whose top-level maps list their fields in another order', () => {
    // GIVEN a Widget live as in git, and one whose spec fields come in another order
    const desired = widget([{ host: 'a', port: 1 }]);
    const reordered = {
      spec: { targets: [{ host: 'a', port: 1 }] },
      metadata: { namespace: 'observability', name: 'w' },
      kind: 'Widget',
      apiVersion: 'example.com/v1',
    } as KubeObject;
    // WHEN compared THEN neither drifts
    expect(compareObject(desired, clone(desired), { customResourceDefinitions: [WIDGETS] })).toEqual([]);
    expect(compareObject(desired, reordered, { customResourceDefinitions: [WIDGETS] })).toEqual([]);
  });

  it('a set item whose keys come in another order live is still the drift it always was', () => {
    // GIVEN a set list of objects, the live item listing the same fields in another order
    const desired = widget([{ host: 'a', port: 1 }]);
    const live = widget([{ port: 1, host: 'a' }]);
    // WHEN compared THEN the item is missing from the set, as JSON text compares it: one drift per field
    expect(compareObject(desired, live, { customResourceDefinitions: [WIDGETS] })).toEqual([
      { path: '/spec/targets/0/host', op: 'remove', desired: 'a' },
      { path: '/spec/targets/0/port', op: 'remove', desired: 1 },
    ]);
  });

  it('atomic list items equal only once aligned (a port as a string) pair as equal, in another order', () => {
    // GIVEN NetworkPolicy egress rules reversed live, one port written as a string
    const egress = [
      { ports: [{ port: 3100, protocol: 'TCP' }], to: [{ podSelector: { matchLabels: { app: 'loki' } } }] },
      { ports: [{ port: 53, protocol: 'UDP' }], to: [{ namespaceSelector: {} }] },
    ];
    const desired: KubeObject = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'p', namespace: 'observability' },
      spec: { podSelector: {}, policyTypes: ['Egress'], egress },
    };
    const live = clone(desired) as Body;
    live['spec'].egress.reverse();
    live['spec'].egress[1].ports[0].port = '3100';
    // WHEN compared THEN only the order is drift
    expect(compareObject(desired, live as KubeObject)).toEqual([{ path: '/spec/egress', op: 'replace', desired: [0, 1], live: [1, 0] }]);
  });
});
