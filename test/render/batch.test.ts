import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildTree } from '../../bench/tree.ts';
import { kustomizationBatchable, renderBatchText, traceDocument } from '../../tools/render/batch.ts';
import { workingTree } from '../../tools/git/checkout.ts';
import { overlayInputs, type OverlayInputs } from '../../tools/render/graph.ts';
import { findKustomize, renderText, RenderError, type Kustomize } from '../../tools/render/kustomize.ts';
import { listOverlays, planRender, renderOverlays, type OverlayRef } from '../../tools/render/overlays.ts';
import { parseObjects, toYaml } from '../../tools/yaml.ts';
import { logging } from '../support/kustomize.ts';
import { REPO_ROOT } from '../support/repo.ts';

const roots: string[] = [];
afterEach(() => roots.splice(0).forEach((r) => rmSync(r, { recursive: true, force: true })));

let kustomize: Kustomize;
beforeAll(async () => {
  kustomize = await findKustomize();
});

function scratch(): string {
  const root = mkdtempSync(join(tmpdir(), 'obs-batch-'));
  roots.push(root);
  return root;
}

function write(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

async function inputsOf(root: string, overlays: readonly OverlayRef[]): Promise<Map<string, OverlayInputs>> {
  const source = workingTree(root).source;
  return new Map(await Promise.all(overlays.map(async (o) => [o.dir, await overlayInputs(source, o.dir)] as const)));
}

/** Plans the tree's overlays as the renderer does and renders every batch in one process. */
async function batchedAndSingle(
  root: string,
): Promise<{ batches: OverlayRef[][]; batched: Map<string, string>; single: Map<string, string> }> {
  const overlays = await listOverlays(root);
  const inputs = await inputsOf(root, overlays);
  const batches = await planRender(workingTree(root).source, overlays, inputs);
  const batched = new Map<string, string>();
  for (const batch of batches.filter((b) => b.length > 1)) {
    const texts = await renderBatchText(
      kustomize,
      root,
      batch.map((o) => ({ dir: o.dir, inputs: inputs.get(o.dir) as OverlayInputs })),
    );
    for (const [dir, text] of texts) batched.set(dir, text);
  }
  const single = new Map<string, string>();
  for (const dir of batched.keys()) single.set(dir, await renderText(kustomize, join(root, dir)));
  return { batches, batched, single };
}

const configMap = (name: string, data: string): string =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: observability\ndata:\n  key: ${data}\n`;

describe('batched rendering', () => {
  it('gives each committed overlay the bytes of its own kustomize build', async () => {
    // GIVEN the repository's overlays, planned into batches as check plans them
    // WHEN each batch is rendered by one kustomize process
    const { batches, batched, single } = await batchedAndSingle(REPO_ROOT);
    // THEN overlays did share processes, every overlay came out of a batch, and each got its own build's bytes
    expect(batches.some((b) => b.length > 1)).toBe(true);
    expect([...batched.keys()].sort()).toEqual((await listOverlays(REPO_ROOT)).map((o) => o.dir));
    for (const [dir, text] of batched) expect(text, dir).toBe(single.get(dir));
  });

  it("gives each overlay of the benchmark's synthetic tree the bytes of its own build", async () => {
    // GIVEN a synthetic tree of 10 components x 2 environments (two copies of each real component, each in its own namespace)
    const root = scratch();
    buildTree(REPO_ROOT, root, 10, 2);
    // WHEN batched
    const { batches, batched, single } = await batchedAndSingle(root);
    // THEN copies of one component share processes, the two overlays of one base never do, and the bytes match
    expect(batches.some((b) => new Set(b.map((o) => o.component.replace(/-\d+$/, ''))).size < b.length)).toBe(true);
    for (const batch of batches) {
      const components = batch.map((o) => o.component);
      expect(new Set(components).size, batch.map((o) => o.dir).join(' ')).toBe(components.length);
    }
    expect([...batched.keys()].sort()).toEqual((await listOverlays(root)).map((o) => o.dir));
    for (const [dir, text] of batched) expect(text, dir).toBe(single.get(dir));
  });

  it('keeps overlays that share a base in different batches, and renders them as their own builds', async () => {
    // GIVEN one base used by three overlays, and a fourth overlay of its own
    const root = scratch();
    write(root, {
      'base/app/kustomization.yaml': 'resources:\n  - configmap.yaml\n',
      'base/app/configmap.yaml': configMap('app', 'base'),
      ...Object.fromEntries(
        ['dev', 'prod', 'qa'].map((env) => [
          `overlays/${env}/app/kustomization.yaml`,
          `resources:\n  - ../../../base/app\npatches:\n  - path: patch.yaml\n`,
        ]),
      ),
      ...Object.fromEntries(['dev', 'prod', 'qa'].map((env) => [`overlays/${env}/app/patch.yaml`, configMap('app', env)])),
      'overlays/dev/other/kustomization.yaml': 'resources:\n  - configmap.yaml\n',
      'overlays/dev/other/configmap.yaml': configMap('other', 'dev'),
    });
    const overlays = await listOverlays(root);
    // WHEN planned, and rendered by the renderer
    const batches = await planRender(workingTree(root).source, overlays, await inputsOf(root, overlays));
    const tree = await renderOverlays(root, kustomize, overlays);
    // THEN no batch holds two users of the base, and each overlay's objects are those of its own build
    for (const batch of batches) expect(batch.filter((o) => o.component === 'app').length).toBeLessThanOrEqual(1);
    for (const app of tree.apps)
      expect(toYaml(app.objects), app.dir).toBe(toYaml(parseObjects(await renderText(kustomize, join(root, app.dir)), app.dir)));
    // AND forced into one process, kustomize refuses the shared base's object twice
    const shared = overlays.filter((o) => o.component === 'app').slice(0, 2);
    const inputs = await inputsOf(root, shared);
    await expect(
      renderBatchText(
        kustomize,
        root,
        shared.map((o) => ({ dir: o.dir, inputs: inputs.get(o.dir) as OverlayInputs })),
      ),
    ).rejects.toThrow(/already registered id/);
  });

  it('renders a failing batch again one overlay per process, so the error names the failing overlay', async () => {
    // GIVEN enough overlays to batch (three per core), one with a patch that matches no object
    const root = scratch();
    const count = 3 * availableParallelism();
    const names = Array.from({ length: count }, (_, i) => `app-${String(i).padStart(3, '0')}`);
    write(
      root,
      Object.fromEntries(
        names.flatMap((name) => [
          [`overlays/dev/${name}/kustomization.yaml`, 'resources:\n  - configmap.yaml\n'],
          [`overlays/dev/${name}/configmap.yaml`, configMap(name, name)],
        ]),
      ),
    );
    write(root, {
      'overlays/dev/app-001/kustomization.yaml': 'resources:\n  - configmap.yaml\npatches:\n  - path: patch.yaml\n',
      'overlays/dev/app-001/patch.yaml': configMap('missing', 'x'),
    });
    const overlays = await listOverlays(root);
    const batches = await planRender(workingTree(root).source, overlays, await inputsOf(root, overlays));
    expect(batches.find((b) => b.some((o) => o.component === 'app-001'))?.length).toBeGreaterThan(1);
    const { kustomize: logged, rendered } = logging(root, kustomize);
    // WHEN rendered
    const failure = await renderOverlays(root, logged, overlays).then(
      () => undefined,
      (error: unknown) => error,
    );
    // THEN the error is the failing overlay's own, and its batch was rendered again one overlay at a time
    expect(failure).toBeInstanceOf(RenderError);
    expect((failure as Error).message).toMatch(/^overlays\/dev\/app-001: kustomize build failed: .*no matches for/);
    const log = rendered();
    expect(log.filter((dir) => dir === 'overlays/dev/app-001')).toHaveLength(2);
    // AND the other overlays were all rendered before the error came back (no process left running)
    expect(new Set(log)).toEqual(new Set(overlays.map((o) => o.dir)));
  });

  it('renders colliding overlays (the same object from two) one per process, each as its own build', async () => {
    // GIVEN two overlays declaring the same ConfigMap with different data, and two more
    const root = scratch();
    write(
      root,
      Object.fromEntries(
        ['a', 'b', 'c', 'd'].flatMap((name) => [
          [`overlays/dev/${name}/kustomization.yaml`, 'resources:\n  - configmap.yaml\n'],
          [`overlays/dev/${name}/configmap.yaml`, configMap(name === 'b' ? 'a' : name, name)],
        ]),
      ),
    );
    const overlays = await listOverlays(root);
    // WHEN rendered
    const tree = await renderOverlays(root, kustomize, overlays);
    // THEN each overlay has the objects of its own build
    for (const app of tree.apps)
      expect(toYaml(app.objects), app.dir).toBe(toYaml(parseObjects(await renderText(kustomize, join(root, app.dir)), app.dir)));
  });

  it('renders alone an overlay whose generated names could capture another overlay’s references', async () => {
    // GIVEN an overlay generating ConfigMap `settings` (kustomize appends a content hash to its name) and
    // another whose Deployment refers to a ConfigMap `settings` it does not declare
    const root = scratch();
    write(root, {
      'overlays/dev/gen/kustomization.yaml': 'configMapGenerator:\n  - name: settings\n    namespace: observability\n    literals: [a=b]\n',
      'overlays/dev/use/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
      'overlays/dev/use/deployment.yaml':
        'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: use\n  namespace: observability\nspec:\n  selector:\n    matchLabels: {app: use}\n  template:\n    metadata:\n      labels: {app: use}\n    spec:\n      containers:\n        - name: use\n          image: busybox:1.37\n          envFrom:\n            - configMapRef:\n                name: settings\n',
    });
    const overlays = await listOverlays(root);
    const inputs = await inputsOf(root, overlays);
    // WHEN forced into one process, kustomize resolves the reference across overlays (kusttarget.go: back references at the top)
    const forced = await renderBatchText(
      kustomize,
      root,
      overlays.map((o) => ({ dir: o.dir, inputs: inputs.get(o.dir) as OverlayInputs })),
    );
    const own = await renderText(kustomize, join(root, 'overlays/dev/use'));
    expect(forced.get('overlays/dev/use')).not.toBe(own);
    // THEN the renderer does not batch the generating overlay, and `use` keeps its own build's reference
    expect(kustomizationBatchable('configMapGenerator:\n  - name: settings\n')).toBe(false);
    const tree = await renderOverlays(root, kustomize, overlays);
    expect(toYaml(tree.apps.find((a) => a.component === 'use')?.objects)).toBe(toYaml(parseObjects(own, 'use')));
  });
});

describe('kustomizationBatchable', () => {
  it('accepts resources, patches, images, replicas and labels; refuses renaming, generating and top-level fields', () => {
    expect(
      kustomizationBatchable(
        'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [a.yaml]\npatches: [{path: p.yaml}]\nimages: [{name: x, newTag: "1"}]\nlabels: [{pairs: {a: b}}]\n',
      ),
    ).toBe(true);
    for (const field of [
      'namePrefix: x-',
      'nameSuffix: -x',
      'namespace: x',
      'secretGenerator: []',
      'vars: []',
      'replacements: []',
      'buildMetadata: [originAnnotations]',
      'sortOptions: {order: fifo}',
      'transformers: [t.yaml]',
      'configurations: [c.yaml]',
      'helmCharts: []',
    ]) {
      expect(kustomizationBatchable(`resources: [a.yaml]\n${field}\n`), field).toBe(false);
    }
    expect(kustomizationBatchable('patches:\n  - path: p.yaml\n    options: {allowNameChange: true}\n')).toBe(false);
    expect(kustomizationBatchable('resources: [\n')).toBe(false);
  });
});

describe('traceDocument', () => {
  it('cuts the origin annotation, and an annotations mapping it leaves empty', () => {
    const doc =
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  annotations:\n    config.kubernetes.io/origin: |\n      path: ../overlays/dev/a/cm.yaml\n  name: a\n';
    expect(traceDocument(doc)).toEqual({
      text: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n',
      origin: '../overlays/dev/a/cm.yaml',
    });
    const kept =
      'metadata:\n  annotations:\n    a: "1"\n    config.kubernetes.io/origin: |\n      configuredIn: ../k/kustomization.yaml\n      configuredBy:\n        kind: ConfigMapGenerator\n    z: "2"\n  name: a\n';
    expect(traceDocument(kept)).toEqual({
      text: 'metadata:\n  annotations:\n    a: "1"\n    z: "2"\n  name: a\n',
      origin: '../k/kustomization.yaml',
    });
    expect(traceDocument('metadata:\n  name: a\n')).toBeUndefined();
    // Quoted, spaced or remote origins are read as YAML: the same text and file as the plain path gives
    const origin = (value: string): string | undefined =>
      traceDocument(`metadata:\n  annotations:\n    config.kubernetes.io/origin: |\n      ${value}\n  name: a\n`)?.origin;
    expect(origin("path: '../overlays/dev/a b/cm.yaml'")).toBe('../overlays/dev/a b/cm.yaml');
    expect(origin('path: ../overlays/dev/a b/cm.yaml')).toBe('../overlays/dev/a b/cm.yaml');
    expect(origin('path: "../overlays/dev/a:b/cm.yaml"')).toBe('../overlays/dev/a:b/cm.yaml');
    expect(origin('path: cm.yaml\n      repo: https://example.com/r.git')).toBeUndefined();
  });
});

// The temporary batch kustomization lives outside the tree; nothing is written into it.
it('leaves no file behind in the rendered tree', async () => {
  const root = scratch();
  for (const dir of ['base', 'overlays']) cpSync(join(REPO_ROOT, dir), join(root, dir), { recursive: true });
  await renderOverlays(root, kustomize, await listOverlays(root));
  expect(readdirSync(root).sort()).toEqual(['base', 'overlays']);
});
