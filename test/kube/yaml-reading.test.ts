/**
 * How manifests are read, tried against the real kustomize: each YAML construct that the `yaml`
 * package's defaults (YAML 1.2 core schema) read differently from kubectl's sigs.k8s.io/yaml
 * (go-yaml v2, YAML 1.1), with what kustomize writes for the same input.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { KubeObject } from '../../tools/kube/object.ts';
import { findKustomize, renderText } from '../../tools/render/kustomize.ts';
import { parseObjects, toYaml } from '../../tools/yaml.ts';

/**
 * field, YAML text, how kubectl reads it (our reader), how the `yaml` package reads it by default,
 * and how kubectl reads what kustomize writes for it. Where kustomize and kubectl part, kustomize
 * (which reads YAML 1.2-ish through go-yaml v3) writes its own reading out quoted, so what an
 * overlay renders is read the same by kubectl, Argo CD and us.
 */
const CONSTRUCTS: [field: string, text: string, kubectl: unknown, yamlDefault: unknown, kustomize: unknown][] = [
  ['octal', '0755', 493, 755, 493],
  ['octalPrefixed', '0o17', 15, 15, 15],
  ['hexUpperCase', '0X1F', 31, '0X1F', 31],
  ['binary', '0b101', 5, '0b101', 5],
  ['underscores', '1_000', 1000, '1_000', 1000],
  ['yesWord', 'yes', true, 'yes', 'yes'],
  ['onWord', 'On', true, 'On', 'On'],
  ['nWord', 'n', false, 'n', 'n'],
  ['date', '2001-12-14', '2001-12-14', '2001-12-14', '2001-12-14T00:00:00Z'],
  ['sexagesimal', '1:20', '1:20', '1:20', '1:20'],
  ['leadingZeroNine', '09', 9, 9, 9],
  ['exponent', '1e3', 1000, 1000, 1000],
  ['merged', '{<<: *base, b: 3}', { a: 1, b: 3 }, { '<<': { a: 1, b: 2 }, b: 3 }, { a: 1, b: 3 }],
  ['mergedList', '{<<: [{a: 1}, {a: 2, c: 3}]}', { a: 1, c: 3 }, { '<<': [{ a: 1 }, { a: 2, c: 3 }] }, { a: 1, c: 3 }],
  ['keyOn', '{on: push}', { true: 'push' }, { on: 'push' }, { on: 'push' }],
];

function manifest(): string {
  return [
    'apiVersion: example.com/v1',
    'kind: Probe',
    'metadata:',
    '  name: probe',
    'base: &base {a: 1, b: 2}',
    'spec:',
    ...CONSTRUCTS.map(([field, text]) => `  ${field}: ${text}`),
    '',
  ].join('\n');
}

describe('manifests are read as kubectl reads them, tried against kustomize', () => {
  let dir: string;
  let kustomized: KubeObject;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'obs-yaml-'));
    writeFileSync(join(dir, 'probe.yaml'), manifest());
    writeFileSync(join(dir, 'kustomization.yaml'), 'resources: [probe.yaml]\n');
    [kustomized] = parseObjects(await renderText(await findKustomize(), dir), 'kustomize output') as [KubeObject];
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(CONSTRUCTS)('%s: %s', (field, _text, kubectl, yamlDefault, kustomize) => {
    // GIVEN the construct in a manifest
    const text = manifest();
    // WHEN read by us, by the yaml package's defaults, and by us from kustomize's output
    const ours = (parseObjects(text, 'probe.yaml')[0]?.['spec'] as Record<string, unknown>)[field];
    const defaults = (parse(text) as { spec: Record<string, unknown> }).spec[field];
    const fromKustomize = (kustomized['spec'] as Record<string, unknown>)[field];
    // THEN we read it as kubectl does, which the yaml package's default does not always, and kustomize's output reads as kustomize says
    expect(ours).toEqual(kubectl);
    expect(defaults).toEqual(yamlDefault);
    expect(fromKustomize).toEqual(kustomize);
  });

  it('the merge-key anchor itself is read as a field, as kubectl does, and no "<<" field is left', () => {
    const object = parseObjects(manifest(), 'probe.yaml')[0] as KubeObject;
    expect(object['base']).toEqual({ a: 1, b: 2 });
    expect(JSON.stringify(object)).not.toContain('<<');
    expect(JSON.stringify(kustomized)).not.toContain('<<');
  });

  it('a merge key written after a field overrides it, as go-yaml v2 merges in document order', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: m}\nbase: &base {a: "1"}\ndata: {a: "0", <<: *base}\n';
    expect(parseObjects(text, 'm.yaml')[0]?.['data']).toEqual({ a: '1' });
  });

  it('an alias that refers to its own anchor is refused with the field, not a stack overflow', () => {
    expect(() => parseObjects('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: m}\nspec: &loop {self: *loop}\n', 'm.yaml')).toThrow(
      /^m\.yaml: document 1: \/spec\/self: alias \*loop refers to itself/,
    );
  });

  it('.inf and .nan are refused with the file, document and field, as kubectl cannot send them; kustomize refuses them too', async () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: m}\nspec:\n  limit: .inf\n';
    expect(() => parseObjects(text, 'm.yaml')).toThrow(/^m\.yaml: document 1: \/spec\/limit: \.inf is not a JSON number/);
    const bad = mkdtempSync(join(tmpdir(), 'obs-yaml-'));
    try {
      writeFileSync(join(bad, 'm.yaml'), text);
      writeFileSync(join(bad, 'kustomization.yaml'), 'resources: [m.yaml]\n');
      await expect(renderText(await findKustomize(), bad)).rejects.toThrow(/kustomize build failed/);
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  });

  it('the YAML writer quotes every string that reader would take for something else, and kustomize keeps it a string', async () => {
    // GIVEN strings that look like YAML 1.1 numbers or booleans
    const values = ['yes', 'On', 'n', '0755', '0o17', '0X1F', '0b101', '1_000', '1e3', '2001-12-14', '1:20', '~'];
    const object = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'strings' },
      data: Object.fromEntries(values.map((v, i) => [`k${i}`, v])),
    };
    const written = toYaml(object);
    // WHEN read back by us, and rendered by kustomize and read
    const back = parseObjects(written, 'strings.yaml')[0];
    const out = mkdtempSync(join(tmpdir(), 'obs-yaml-'));
    try {
      writeFileSync(join(out, 'cm.yaml'), written);
      writeFileSync(join(out, 'kustomization.yaml'), 'resources: [cm.yaml]\n');
      const rendered = parseObjects(await renderText(await findKustomize(), out), 'kustomize output')[0];
      // THEN every value is still its string
      expect(back?.['data']).toEqual(object.data);
      expect(rendered?.['data']).toEqual(object.data);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
