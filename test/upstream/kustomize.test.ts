/**
 * The render is the one Argo CD runs: the kustomize the declared Argo CD bundles, installed by the
 * tier with `go install`, renders every overlay to the same objects as the kustomize `npm test`
 * uses, and the workflows install that version.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KUSTOMIZE_BUNDLED_BY_ARGO_CD } from '../../tools/catalog/versions.ts';
import { kustomizeVersionWarning, type Kustomize } from '../../tools/render/kustomize.ts';
import { listOverlays, renderOverlays } from '../../tools/render/overlays.ts';
import { REPO_ROOT, renderCommitted } from '../support/repo.ts';
import { BIN_DIR } from './support/programs.ts';

const binary = join(BIN_DIR, 'kustomize');

describe(`kustomize ${KUSTOMIZE_BUNDLED_BY_ARGO_CD}, as Argo CD bundles it`, () => {
  const bundled: Kustomize = { command: [binary, 'build'], version: execFileSync(binary, ['version'], { encoding: 'utf8' }).trim() };

  it('is the version the catalog declares', () => {
    expect(bundled.version).toBe(KUSTOMIZE_BUNDLED_BY_ARGO_CD);
    expect(kustomizeVersionWarning(bundled)).toBeUndefined();
  });

  it('renders every overlay to the same objects as the kustomize npm test renders with', async () => {
    const reference = await renderCommitted();
    const tree = await renderOverlays(REPO_ROOT, bundled, await listOverlays(REPO_ROOT));
    expect(tree.apps.map((a) => a.dir)).toEqual(reference.apps.map((a) => a.dir));
    for (const [i, app] of tree.apps.entries()) expect(app.objects, app.dir).toEqual(reference.apps[i]?.objects);
  });

  it('is what the workflows that render install', () => {
    for (const workflow of ['ci.yml', 'pr-diff.yml', 'drift.yml']) {
      const text = readFileSync(join(REPO_ROOT, '.github/workflows', workflow), 'utf8');
      expect(text, workflow).toContain(`go install sigs.k8s.io/kustomize/kustomize/v5@${KUSTOMIZE_BUNDLED_BY_ARGO_CD}`);
    }
  });
});
