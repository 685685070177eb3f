import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { catalog } from '../../tools/catalog/index.ts';
import { validateRepository } from '../../tools/check/validate.ts';
import { findKustomize } from '../../tools/render/kustomize.ts';
import { overlayDirs } from '../support/catalog.ts';
import { REPO_ROOT } from '../support/repo.ts';

/** The committed generated tree, plus a workflow without top-level permissions. */
function repository(): string {
  const root = mkdtempSync(join(tmpdir(), 'obs-validate-'));
  for (const dir of ['base', 'overlays', 'apps']) cpSync(join(REPO_ROOT, dir), join(root, dir), { recursive: true });
  mkdirSync(join(root, '.github/workflows'), { recursive: true });
  writeFileSync(
    join(root, '.github/workflows/open.yml'),
    'on: push\njobs:\n  noop:\n    runs-on: ubuntu-latest\n    steps:\n      - run: "true"\n',
  );
  return root;
}

describe('validateRepository', () => {
  const root = repository();
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('with no overlay named, validates every overlay and the whole repository: apps/ and the workflows', async () => {
    const result = await validateRepository(root, catalog, await findKustomize(), []);
    expect([...result.overlays].sort()).toEqual(overlayDirs());
    expect(result.findings.filter((f) => f.severity === 'error').map((f) => `${f.object} ${f.rule}`)).toEqual([
      '.github/workflows/open.yml workflow/permissions',
    ]);
  });

  it('with overlays named, reports theirs only, rendered within their whole environment, without the repository-wide gates', async () => {
    const result = await validateRepository(root, catalog, await findKustomize(), ['overlays/dev/loki']);
    expect(result.overlays).toEqual(['overlays/dev/loki']);
    expect(result.tree.apps.map((a) => a.dir).sort()).toEqual(overlayDirs().filter((dir) => dir.startsWith('overlays/dev/')));
    expect(result.findings.filter((f) => f.env !== undefined && `${f.env}/${f.component}` !== 'dev/loki')).toEqual([]);
    expect(result.findings.filter((f) => f.object === '.github/workflows/open.yml')).toEqual([]);
  });
});
