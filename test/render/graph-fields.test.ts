import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { overlayHash, overlayInputs } from '../../tools/render/graph.ts';
import { findKustomize, renderText, type Kustomize } from '../../tools/render/kustomize.ts';
import { workingTreeSource } from '../../tools/git/source.ts';
import { scratch } from '../support/git.ts';

/**
 * One case per way a kustomization names a file (every field of kustomize v5's Kustomization that
 * can, api/types/kustomization.go, and the builtin plugin configs): editing only that file must
 * change the overlay's input hash, or the PR diff would say "no change" for a real one. Where the
 * edit shows in kustomize's own output, the real kustomize proves the file is really read.
 */
interface Case {
  field: string;
  /** Files of the overlay `o/` (and beside it), the kustomization first. */
  files: Record<string, string>;
  /** The one file edited, and its new text. */
  edit: [string, string];
  /** Whether kustomize's output (or its error) changes with the edit. */
  renders: boolean;
}

const cm = (name: string, value: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  x: "${value}"\n`;
const builtin = (kind: string, body: string) => `apiVersion: builtin\nkind: ${kind}\nmetadata:\n  name: p\n${body}`;
const crd = (plural: string) =>
  JSON.stringify({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.example.com` },
    spec: { group: 'example.com', names: { kind: 'Widget', plural }, scope: 'Namespaced', versions: [] },
  });

const CASES: Case[] = [
  {
    field: 'resources (file)',
    files: { 'o/kustomization.yaml': 'resources: [cm.yaml]\n', 'o/cm.yaml': cm('a', '1') },
    edit: ['o/cm.yaml', cm('a', '2')],
    renders: true,
  },
  {
    field: 'resources (directory)',
    files: { 'o/kustomization.yaml': 'resources: [../b]\n', 'b/kustomization.yaml': 'resources: [cm.yaml]\n', 'b/cm.yaml': cm('a', '1') },
    edit: ['b/cm.yaml', cm('a', '2')],
    renders: true,
  },
  {
    field: 'bases',
    files: { 'o/kustomization.yaml': 'bases: [../b]\n', 'b/kustomization.yaml': 'resources: [cm.yaml]\n', 'b/cm.yaml': cm('a', '1') },
    edit: ['b/cm.yaml', cm('a', '2')],
    renders: true,
  },
  {
    field: 'components',
    files: {
      'o/kustomization.yaml': 'resources: [cm.yaml]\ncomponents: [../c]\n',
      'o/cm.yaml': cm('a', '1'),
      'c/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nnamePrefix: x-\n',
    },
    edit: ['c/kustomization.yaml', 'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nnamePrefix: y-\n'],
    renders: true,
  },
  {
    field: 'crds',
    files: { 'o/kustomization.yaml': 'resources: [cm.yaml]\ncrds: [crd.json]\n', 'o/cm.yaml': cm('a', '1'), 'o/crd.json': crd('widgets') },
    edit: ['o/crd.json', crd('gadgets')],
    renders: false,
  },
  {
    field: 'configurations',
    files: {
      'o/kustomization.yaml': 'resources: [cm.yaml]\nnamePrefix: p-\nconfigurations: [conf.yaml]\n',
      'o/cm.yaml': cm('a', '1'),
      'o/conf.yaml': 'namePrefix:\n  - path: metadata/name\n',
    },
    edit: ['o/conf.yaml', 'namePrefix:\n  - path: metadata/name\n    kind: Secret\n'],
    renders: true,
  },
  {
    field: 'openapi',
    files: {
      'o/kustomization.yaml': 'resources: [cm.yaml]\nopenapi:\n  path: schema.json\n',
      'o/cm.yaml': cm('a', '1'),
      'o/schema.json': '{"definitions": {}}\n',
    },
    edit: ['o/schema.json', '{"definitions": {"x": {}}}\n'],
    renders: false,
  },
  {
    field: 'patches',
    files: {
      'o/kustomization.yaml': 'resources: [cm.yaml]\npatches: [{path: p.yaml}]\n',
      'o/cm.yaml': cm('a', '1'),
      'o/p.yaml': cm('a', '2'),
    },
    edit: ['o/p.yaml', cm('a', '3')],
    renders: true,
  },
  {
    field: 'patchesStrategicMerge',
    files: {
      'o/kustomization.yaml': 'resources: [cm.yaml]\npatchesStrategicMerge: [p.yaml]\n',
      'o/cm.yaml': cm('a', '1'),
      'o/p.yaml': cm('a', '2'),
    },
    edit: ['o/p.yaml', cm('a', '3')],
    renders: true,
  },
  {
    field: 'patchesJson6902',
    files: {
      'o/kustomization.yaml': 'resources: [cm.yaml]\npatchesJson6902: [{path: p.yaml, target: {version: v1, kind: ConfigMap, name: a}}]\n',
      'o/cm.yaml': cm('a', '1'),
      'o/p.yaml': '- {op: replace, path: /data/x, value: "2"}\n',
    },
    edit: ['o/p.yaml', '- {op: replace, path: /data/x, value: "3"}\n'],
    renders: true,
  },
  {
    field: 'replacements',
    files: {
      'o/kustomization.yaml': 'resources: [cm.yaml, cm2.yaml]\nreplacements: [{path: r.yaml}]\n',
      'o/cm.yaml': cm('a', '1'),
      'o/cm2.yaml': cm('b', '9'),
      'o/r.yaml':
        'source: {kind: ConfigMap, name: a, fieldPath: data.x}\ntargets: [{select: {kind: ConfigMap, name: b}, fieldPaths: [data.x]}]\n',
    },
    edit: [
      'o/r.yaml',
      'source: {kind: ConfigMap, name: a, fieldPath: metadata.name}\ntargets: [{select: {kind: ConfigMap, name: b}, fieldPaths: [data.x]}]\n',
    ],
    renders: true,
  },
  {
    field: 'configMapGenerator files',
    files: { 'o/kustomization.yaml': 'configMapGenerator: [{name: g, files: [k=data/a.txt]}]\n', 'o/data/a.txt': 'one\n' },
    edit: ['o/data/a.txt', 'two\n'],
    renders: true,
  },
  {
    field: 'configMapGenerator files (a directory)',
    files: { 'o/kustomization.yaml': 'configMapGenerator: [{name: g, files: [data]}]\n', 'o/data/a.txt': 'one\n' },
    edit: ['o/data/a.txt', 'two\n'],
    renders: false,
  },
  {
    field: 'configMapGenerator envs',
    files: { 'o/kustomization.yaml': 'configMapGenerator: [{name: g, envs: [a.env]}]\n', 'o/a.env': 'A=1\n' },
    edit: ['o/a.env', 'A=2\n'],
    renders: true,
  },
  {
    field: 'secretGenerator env',
    files: { 'o/kustomization.yaml': 'secretGenerator: [{name: s, env: s.env}]\n', 'o/s.env': 'A=1\n' },
    edit: ['o/s.env', 'A=2\n'],
    renders: true,
  },
  {
    field: 'helmCharts valuesFile',
    files: { 'o/kustomization.yaml': 'helmCharts: [{name: c, valuesFile: values.yaml}]\n', 'o/values.yaml': 'a: 1\n' },
    edit: ['o/values.yaml', 'a: 2\n'],
    renders: false,
  },
  {
    field: 'helmGlobals chartHome',
    files: { 'o/kustomization.yaml': 'helmGlobals: {chartHome: charts}\nhelmCharts: [{name: c}]\n', 'o/charts/c/Chart.yaml': 'name: c\n' },
    edit: ['o/charts/c/Chart.yaml', 'name: c\nversion: 2\n'],
    renders: false,
  },
  {
    field: 'helmChartInflationGenerator',
    files: { 'o/kustomization.yaml': 'helmChartInflationGenerator: [{chartName: c, values: v.yaml}]\n', 'o/v.yaml': 'a: 1\n' },
    edit: ['o/v.yaml', 'a: 2\n'],
    renders: false,
  },
  {
    field: 'transformers: builtin PatchTransformer path',
    files: {
      'o/kustomization.yaml': 'resources: [cm.yaml]\ntransformers: [limits.yaml]\n',
      'o/cm.yaml': cm('a', '1'),
      'o/limits.yaml': builtin('PatchTransformer', 'path: patch-limits.yaml\n'),
      'o/patch-limits.yaml': cm('a', '2'),
    },
    edit: ['o/patch-limits.yaml', cm('a', '3')],
    renders: true,
  },
  {
    field: 'transformers: builtin PatchStrategicMergeTransformer paths (config in a subdirectory)',
    files: {
      'o/kustomization.yaml': 'resources: [cm.yaml]\ntransformers: [t/psm.yaml]\n',
      'o/cm.yaml': cm('a', '1'),
      'o/t/psm.yaml': builtin('PatchStrategicMergeTransformer', 'paths: [p.yaml]\n'),
      'o/p.yaml': cm('a', '2'),
    },
    edit: ['o/p.yaml', cm('a', '3')],
    renders: true,
  },
  {
    field: 'transformers: builtin ReplacementTransformer replacements path',
    files: {
      'o/kustomization.yaml': 'resources: [cm.yaml, cm2.yaml]\ntransformers: [rt.yaml]\n',
      'o/cm.yaml': cm('a', '1'),
      'o/cm2.yaml': cm('b', '9'),
      'o/rt.yaml': builtin('ReplacementTransformer', 'replacements: [{path: r.yaml}]\n'),
      'o/r.yaml':
        'source: {kind: ConfigMap, name: a, fieldPath: data.x}\ntargets: [{select: {kind: ConfigMap, name: b}, fieldPaths: [data.x]}]\n',
    },
    edit: [
      'o/r.yaml',
      'source: {kind: ConfigMap, name: a, fieldPath: metadata.name}\ntargets: [{select: {kind: ConfigMap, name: b}, fieldPaths: [data.x]}]\n',
    ],
    renders: true,
  },
  {
    field: 'transformers: an inline builtin config',
    files: {
      'o/kustomization.yaml':
        'resources: [cm.yaml]\ntransformers:\n  - |\n    apiVersion: builtin\n    kind: PatchTransformer\n    metadata: {name: p}\n    path: p.yaml\n',
      'o/cm.yaml': cm('a', '1'),
      'o/p.yaml': cm('a', '2'),
    },
    edit: ['o/p.yaml', cm('a', '3')],
    renders: true,
  },
  {
    field: 'transformers: a kustomization directory of configs',
    files: {
      'o/kustomization.yaml': 'resources: [cm.yaml]\ntransformers: [t]\n',
      'o/cm.yaml': cm('a', '1'),
      'o/t/kustomization.yaml': 'resources: [pt.yaml]\n',
      'o/t/pt.yaml': builtin('PatchTransformer', 'path: p.yaml\n'),
      'o/p.yaml': cm('a', '2'),
    },
    edit: ['o/p.yaml', cm('a', '3')],
    renders: true,
  },
  {
    field: 'generators: builtin ConfigMapGenerator files',
    files: {
      'o/kustomization.yaml': 'generators: [extra.yaml]\n',
      'o/extra.yaml': builtin('ConfigMapGenerator', 'files: [extra.alloy]\n'),
      'o/extra.alloy': 'one\n',
    },
    edit: ['o/extra.alloy', 'two\n'],
    renders: true,
  },
  {
    field: 'generators: builtin SecretGenerator envs',
    files: {
      'o/kustomization.yaml': 'generators: [s.yaml]\n',
      'o/s.yaml': builtin('SecretGenerator', 'envs: [s.env]\n'),
      'o/s.env': 'A=1\n',
    },
    edit: ['o/s.env', 'A=2\n'],
    renders: true,
  },
  {
    field: 'validators',
    files: {
      'o/kustomization.yaml': 'resources: [cm.yaml]\nvalidators: [v.yaml]\n',
      'o/cm.yaml': cm('a', '1'),
      'o/v.yaml': builtin('PatchTransformer', 'path: p.yaml\n'),
      'o/p.yaml': cm('a', '1'),
    },
    edit: ['o/p.yaml', cm('a', '2')],
    renders: true,
  },
  {
    field: 'generators: a plugin that is not builtin (whole directory)',
    files: {
      'o/kustomization.yaml': 'generators: [g.yaml]\n',
      'o/g.yaml': 'apiVersion: example.com/v1\nkind: Mine\nmetadata: {name: m}\nsource: data.txt\n',
      'o/data.txt': 'one\n',
    },
    edit: ['o/data.txt', 'two\n'],
    renders: false,
  },
  {
    field: 'a field the walk does not know (whole directory)',
    files: {
      'o/kustomization.yaml': 'resources: [cm.yaml]\nfutureField: {from: future.yaml}\n',
      'o/cm.yaml': cm('a', '1'),
      'o/future.yaml': 'a: 1\n',
    },
    edit: ['o/future.yaml', 'a: 2\n'],
    renders: false,
  },
];

let kustomize: Kustomize;
beforeAll(async () => {
  kustomize = await findKustomize();
});

function write(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

const output = (root: string): Promise<string> => renderText(kustomize, join(root, 'o')).catch((error: Error) => `error: ${error.message}`);

describe('every file a kustomization can name is an input of the overlay', () => {
  it.each(CASES)('$field', async ({ files, edit, renders }) => {
    // GIVEN an overlay using the field, hashed and rendered
    const root = scratch('obs-field-');
    write(root, files);
    const inputs = await overlayInputs(workingTreeSource(root), 'o');
    expect(inputs.refused).toEqual([]);
    expect(inputs.files).toContain(edit[0]);
    const [hash, before] = [await overlayHash(root, 'o'), renders ? await output(root) : ''];
    // WHEN only the file it names changes
    write(root, { [edit[0]]: edit[1] });
    // THEN the overlay's input hash changes: it is rendered, never "no change"
    expect(await overlayHash(root, 'o')).not.toBe(hash);
    // AND kustomize really reads that file: its output changes too
    if (renders) expect(await output(root)).not.toBe(before);
  });

  it('an unrelated file beside a fully understood kustomization changes nothing', async () => {
    const root = scratch('obs-field-');
    write(root, {
      'o/kustomization.yaml': 'resources: [cm.yaml]\ntransformers: [limits.yaml]\n',
      'o/cm.yaml': cm('a', '1'),
      'o/limits.yaml': builtin('PatchTransformer', 'path: p.yaml\n'),
      'o/p.yaml': cm('a', '2'),
    });
    const hash = await overlayHash(root, 'o');
    write(root, { 'o/notes.md': 'not read\n' });
    expect(await overlayHash(root, 'o')).toBe(hash);
  });
});

describe('references that leave the repository are refused before kustomize runs', () => {
  const refused = async (files: Record<string, string>, link?: [string, string]): Promise<string[]> => {
    const root = scratch('obs-refuse-');
    write(root, files);
    if (link) symlinkSync(link[1], join(root, link[0]));
    return (await overlayInputs(workingTreeSource(root), 'o')).refused;
  };

  it.each([
    ['an http URL in resources', 'resources: [http://127.0.0.1:9/extra.yaml]\n', 'http://127.0.0.1:9/extra.yaml is a remote reference'],
    [
      'a git URL in components',
      'components: ["git::https://example.com/repo.git//c?ref=v1"]\n',
      'git::https://example.com/repo.git//c?ref=v1 is a remote reference',
    ],
    ['an ssh address', 'resources: ["git@github.com:org/repo//base"]\n', 'git@github.com:org/repo//base is a remote reference'],
    [
      'a github.com/… base',
      'resources: [github.com/kubernetes-sigs/kustomize//examples/helloWorld?ref=v5.5.0]\n',
      'github.com/kubernetes-sigs/kustomize//examples/helloWorld?ref=v5.5.0 is a remote reference',
    ],
    [
      'a host-like resource',
      'resources: [127.0.0.1:8080/extra.yaml]\n',
      '127.0.0.1:8080/extra.yaml names no file of this repository and reads as a remote address',
    ],
    [
      'a URL inside an inline transformer config',
      'transformers:\n  - |\n    apiVersion: builtin\n    kind: PatchTransformer\n    metadata: {name: p}\n    path: https://example.com/p.yaml\n',
      'https://example.com/p.yaml is a remote reference',
    ],
    ['a path climbing out', 'resources: [../../../../somewhere]\n', '../../../../somewhere leaves the repository'],
    ['an absolute path', 'resources: [/etc/kubernetes]\n', '/etc/kubernetes leaves the repository'],
    ['a patch file outside', 'patches: [{path: ../../outside.yaml}]\n', '../../outside.yaml leaves the repository'],
    [
      'a generator source outside',
      'configMapGenerator: [{name: g, files: [../../../etc/passwd]}]\n',
      '../../../etc/passwd leaves the repository',
    ],
  ])('%s', async (_name, kustomization, reason) => {
    const found = await refused({ 'o/kustomization.yaml': kustomization });
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(`o/kustomization.yaml: ${reason}`);
  });

  it('a path named inside a builtin plugin config that leaves the repository', async () => {
    const found = await refused({
      'o/kustomization.yaml': 'transformers: [t.yaml]\n',
      'o/t.yaml': builtin('PatchTransformer', 'path: ../../x.yaml\n'),
    });
    expect(found).toEqual(['o/t.yaml: ../../x.yaml leaves the repository: the renderer reads only files of this repository']);
  });

  it('a symbolic link leading out of the repository', async () => {
    const outside = scratch('obs-outside-');
    write(outside, { 'kustomization.yaml': 'resources: []\n' });
    const found = await refused({ 'o/kustomization.yaml': 'resources: [linked]\n' }, ['o/linked', outside]);
    expect(found).toEqual(['o/kustomization.yaml: linked leaves the repository: the renderer reads only files of this repository']);
  });
});
