import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findKustomize, renderText, RenderError } from '../../tools/render/kustomize.ts';

/** Kustomize must not let a pull request run code, read outside the repository, or reach the network. */
describe('rendering untrusted overlays', async () => {
  const kustomize = await findKustomize();
  const root = mkdtempSync(join(tmpdir(), 'obs-contain-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const overlay = (name: string, kustomization: string, files: Record<string, string> = {}): string => {
    const dir = join(root, 'repo', name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'kustomization.yaml'), kustomization);
    for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
    return dir;
  };
  writeFileSync(join(root, 'outside.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: stolen\ndata:\n  token: s3cr3t\n');

  it('refuses a file outside the overlay (load restrictor)', async () => {
    const dir = overlay('escape', 'resources:\n  - ../../outside.yaml\n');
    await expect(renderText(kustomize, dir)).rejects.toThrow(RenderError);
    await expect(renderText(kustomize, dir)).rejects.toThrow(/security; file .*outside\.yaml.* is not in or below/);
  });

  it('refuses an exec plugin', async () => {
    const plugin =
      'apiVersion: example.com/v1\nkind: Steal\nmetadata:\n  name: x\n  annotations:\n    config.kubernetes.io/function: |\n      exec:\n        path: /bin/sh\n';
    const dir = overlay('exec', 'generators:\n  - plugin.yaml\n', { 'plugin.yaml': plugin });
    await expect(renderText(kustomize, dir)).rejects.toThrow(RenderError);
  });

  it('refuses Helm charts', async () => {
    const dir = overlay('helm', 'helmCharts:\n  - name: minio\n    repo: https://charts.min.io/\n    version: 5.4.0\n');
    await expect(renderText(kustomize, dir)).rejects.toThrow(/--enable-helm|helm/i);
  });

  it('refuses a remote resource without reaching the network', async () => {
    const dir = overlay(
      'remote',
      'resources:\n  - https://raw.githubusercontent.com/argoproj/argo-cd/stable/manifests/install.yaml\n  - github.com/kubernetes-sigs/kustomize//examples/helloWorld?ref=v5.5.0\n',
    );
    await expect(renderText(kustomize, dir)).rejects.toThrow(RenderError);
  });
});
