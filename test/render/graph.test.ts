import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hashInputs, overlayHash, overlayInputs } from '../../tools/render/graph.ts';
import { listOverlays } from '../../tools/render/overlays.ts';
import { workingTreeSource } from '../../tools/git/source.ts';
import { findKustomize, renderObjects } from '../../tools/render/kustomize.ts';
import { REPO_ROOT } from '../support/repo.ts';
import { overlayDirs } from '../support/catalog.ts';

const roots: string[] = [];
afterEach(() => roots.splice(0).forEach((r) => rmSync(r, { recursive: true, force: true })));

function temp(): string {
  const root = mkdtempSync(join(tmpdir(), 'obs-graph-'));
  roots.push(root);
  return root;
}

function checkout(): string {
  const root = temp();
  for (const dir of ['base', 'overlays']) cpSync(join(REPO_ROOT, dir), join(root, dir), { recursive: true });
  return root;
}

function write(root: string, path: string, text: string): void {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), text);
}

async function hashes(root: string): Promise<Map<string, string>> {
  const result = new Map<string, string>();
  for (const overlay of await listOverlays(root)) result.set(overlay.dir, await overlayHash(root, overlay.dir));
  return result;
}

describe('overlayInputs', () => {
  it('follows a real overlay into its base and names only the files kustomize reads', async () => {
    // GIVEN the committed prod/loki overlay WHEN its inputs are walked
    const inputs = await overlayInputs(workingTreeSource(REPO_ROOT), 'overlays/prod/loki');
    // THEN its kustomization, patches and resources and its base's files are there, nothing of other bases
    expect(inputs.unresolved).toEqual([]);
    expect(inputs.files).toContain('overlays/prod/loki/kustomization.yaml');
    expect(inputs.files).toContain('overlays/prod/loki/patch-configmap-loki-config.yaml');
    expect(inputs.files).toContain('base/loki/kustomization.yaml');
    expect(inputs.files).toContain('base/loki/statefulset-loki.yaml');
    expect(inputs.files.filter((f) => !f.startsWith('overlays/prod/loki/') && !f.startsWith('base/loki/'))).toEqual([]);
    expect(inputs.files).not.toContain('base/README.md');
  });

  it('reads components, strategic-merge patches, generator files and envs; names what it cannot resolve', async () => {
    // GIVEN an overlay using every kind of reference, one missing file and one remote base
    const root = temp();
    write(
      root,
      'o/kustomization.yaml',
      [
        'resources: [../b, extra.yaml, https://github.com/example/repo//base, missing.yaml]',
        'components: [../c]',
        'patchesStrategicMerge: [psm.yaml, "apiVersion: v1\\nkind: ConfigMap\\nmetadata: {name: inline}\\n"]',
        'patches: [{path: p.yaml}, {patch: "[]", target: {kind: ConfigMap}}]',
        'configMapGenerator: [{name: cm, files: [key=data/a.txt, data/b.txt], envs: [cm.env]}]',
        'secretGenerator: [{name: s, env: s.env}]',
        '',
      ].join('\n'),
    );
    for (const f of [
      'o/extra.yaml',
      'o/psm.yaml',
      'o/p.yaml',
      'o/data/a.txt',
      'o/data/b.txt',
      'o/cm.env',
      'o/s.env',
      'b/r.yaml',
      'c/x.yaml',
    ])
      write(root, f, 'x: 1\n');
    write(root, 'b/kustomization.yaml', 'resources: [r.yaml]\n');
    write(root, 'c/Kustomization', 'kind: Component\nresources: [x.yaml]\n');
    write(root, 'o/unused.yaml', 'x: 1\n');
    // WHEN walked
    const inputs = await overlayInputs(workingTreeSource(root), 'o');
    // THEN
    expect(inputs.files).toEqual([
      'b/kustomization.yaml',
      'b/r.yaml',
      'c/Kustomization',
      'c/x.yaml',
      'o/cm.env',
      'o/data/a.txt',
      'o/data/b.txt',
      'o/extra.yaml',
      'o/kustomization.yaml',
      'o/p.yaml',
      'o/psm.yaml',
      'o/s.env',
    ]);
    expect(inputs.unresolved).toEqual(['o/kustomization.yaml: missing.yaml']);
    expect(inputs.refused).toEqual([
      'o/kustomization.yaml: https://github.com/example/repo//base is a remote reference: the renderer reads only files of this repository (vendor the files into it)',
    ]);
  });
});

describe('changed overlays on the real kustomization graph', () => {
  it('a change to a base changes the hash of exactly the overlays that use it', async () => {
    // GIVEN a copy of the committed tree, hashed
    const root = checkout();
    const before = await hashes(root);
    // WHEN a file of the Loki base changes
    appendFileSync(join(root, 'base/loki/service-loki.yaml'), '# changed\n');
    const after = await hashes(root);
    // THEN the Loki overlays changed, and only they
    const changed = [...after].filter(([dir, hash]) => before.get(dir) !== hash).map(([dir]) => dir);
    expect(changed).toEqual(overlayDirs('loki'));
  });

  it('a file no kustomization references changes nothing; an overlay-only change touches one overlay', async () => {
    const root = checkout();
    const before = await hashes(root);
    // WHEN an unreferenced file is added and one prod patch edited
    writeFileSync(join(root, 'base/loki/notes.yaml'), 'x: 1\n');
    appendFileSync(join(root, 'overlays/prod/loki/patch-configmap-loki-config.yaml'), '# changed\n');
    const after = await hashes(root);
    // THEN
    expect([...after].filter(([dir, hash]) => before.get(dir) !== hash).map(([dir]) => dir)).toEqual(['overlays/prod/loki']);
  });

  it('a second kustomization file beside the first changes the hash of that overlay: kustomize refuses the folder, and no render is reused', async () => {
    const root = checkout();
    const before = await hashes(root);
    // WHEN dev/loki gets a kustomization.yml beside its kustomization.yaml
    cpSync(join(root, 'overlays/dev/loki/kustomization.yaml'), join(root, 'overlays/dev/loki/kustomization.yml'));
    const after = await hashes(root);
    // THEN its hash alone changes, as kustomize's answer does: it refuses a folder with two
    expect([...after].filter(([dir, hash]) => before.get(dir) !== hash).map(([dir]) => dir)).toEqual(['overlays/dev/loki']);
    await expect(renderObjects(await findKustomize(), join(root, 'overlays/dev/loki'))).rejects.toThrow(/multiple kustomization files/i);
  });

  it('equal inputs hash equal in two checkouts at different places (base and head of a diff)', async () => {
    const [a, b] = [checkout(), checkout()];
    expect(await hashes(a)).toEqual(await hashes(b));
    const inputs = await overlayInputs(workingTreeSource(a), 'overlays/dev/minio');
    expect(await hashInputs(workingTreeSource(a), inputs)).toBe(await overlayHash(b, 'overlays/dev/minio'));
  });
});
