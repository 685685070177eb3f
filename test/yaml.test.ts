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
    const stream =
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Secret\n  metadata: {name: b}\n';
    expect(parseObjects(stream, 'x.yaml').map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['ConfigMap/a', 'Secret/b']);
  });

  it('reads `kubectl get -o json` output to the same objects as its YAML, and YAML flow style that looks like JSON', () => {
    // GIVEN one List written as JSON and as YAML, with the values YAML and JSON could read differently
    const list = {
      apiVersion: 'v1',
      kind: 'List',
      items: [
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'a', labels: { on: 'yes' } },
          data: { version: '1.10', empty: '', n: '010' },
        },
      ],
    };
    // WHEN both are parsed
    const fromJson = parseObjects(`  ${JSON.stringify(list, null, 2)}\n`, 'live.json');
    // THEN they give the same objects; and `{…}` that is YAML, not JSON, is still read as YAML
    expect(fromJson).toEqual(parseObjects(toYaml(list), 'live.yaml'));
    expect(fromJson[0]?.['data']).toEqual({ version: '1.10', empty: '', n: '010' });
    expect(parseObjects('{apiVersion: v1, kind: ConfigMap, metadata: {name: flow}}\n', 'flow.yaml').map((o) => o.metadata.name)).toEqual([
      'flow',
    ]);
    expect(() => parseObjects('{"kind": "List", "items": [{"foo": 1}]}', 'live.json')).toThrow(
      /^live\.json: document 1 item 0: not a Kubernetes object/,
    );
    expect(() => parseObjects('{"kind": "List", "items": [\n', 'cut.json')).toThrow(/^cut\.json: document 1: invalid JSON: /);
  });

  it('names the source and the document of something that is not an object', () => {
    expect(() => parseObjects('---\nfoo: bar\n', 'live.yaml')).toThrow(/^live\.yaml: document 1: not a Kubernetes object/);
  });
});
