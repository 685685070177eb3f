import { describe, expect, it } from 'vitest';
import { parseObjects, toYaml } from '../tools/yaml.ts';

describe('toYaml', () => {
  it('puts apiVersion, kind and metadata first and sorts the rest, whatever the build order', () => {
    // GIVEN two objects equal but for key order
    const a = { spec: { b: 1, a: 2 }, metadata: { labels: { z: '1' }, name: 'x' }, kind: 'ConfigMap', apiVersion: 'v1' };
    const b = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', labels: { z: '1' } }, spec: { a: 2, b: 1 } };
    // WHEN serialized
    const text = toYaml(a);
    // THEN the bytes are equal and canonical
    expect(text).toBe(toYaml(b));
    expect(text.split('\n').slice(0, 3)).toEqual(['apiVersion: v1', 'kind: ConfigMap', 'metadata:']);
  });

  it('never wraps long lines and writes multi-line text as a literal block', () => {
    const long = 'x'.repeat(300);
    const text = toYaml({ data: { long, multi: 'a\nb\n' } });
    expect(text).toContain(`long: ${long}\n`);
    expect(text).toContain('multi: |\n    a\n    b\n');
  });
});

describe('parseObjects', () => {
  it('reads a multi-document stream and a kubectl List alike', () => {
    const stream = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Secret\n  metadata: {name: b}\n';
    expect(parseObjects(stream, 'x.yaml').map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['ConfigMap/a', 'Secret/b']);
  });

  it('names the source and the document of something that is not an object', () => {
    expect(() => parseObjects('---\nfoo: bar\n', 'live.yaml')).toThrow(/^live\.yaml: document 1: not a Kubernetes object/);
  });
});
