/**
 * The upstream loaders' own logic, without their programs (those run in `npm run test:upstream`):
 * how Argo CD's Applications are compared with the plan, and the one line `check` prints for a
 * program that is not built.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { comparable, differences, pruneEmpty } from '../../tools/upstream/argocd.ts';
import { argoFiles, upstreamFindings } from '../../tools/upstream/index.ts';
import { renderCommitted } from '../support/repo.ts';

const tree = await renderCommitted();

describe("Argo CD's Applications against the plan's", () => {
  it('empty values and false are what omitempty leaves out; anything else differs, by JSON Pointer', () => {
    expect(pruneEmpty({ a: '', b: null, c: [], d: {}, e: { f: 0, g: false, h: true } })).toEqual({ e: { f: 0, h: true } });
    const app = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'dev-loki', namespace: 'argocd', creationTimestamp: null },
      spec: { project: 'p', source: { path: 'overlays/dev/loki' } },
      status: { health: {} },
    };
    const plan = {
      ...app,
      metadata: { name: 'dev-loki', namespace: 'argocd' },
      spec: { project: 'p', source: { path: 'overlays/dev/loki/' } },
    };
    expect(differences(comparable(app), comparable({ ...plan, spec: app.spec }))).toEqual([]);
    expect(differences(comparable(app), comparable(plan))).toEqual([
      '/spec/source/path: Argo CD "overlays/dev/loki", plan "overlays/dev/loki/"',
    ]);
  });

  it("Argo CD's files are every YAML under apps/ but kustomization.yaml", () => {
    const files = new Map([
      ['apps/dev.applicationset.yaml', ''],
      ['apps/bootstrap/root-application.yaml', ''],
      ['apps/bootstrap/kustomization.yaml', ''],
      ['overlays/dev/loki/kustomization.yaml', ''],
    ]);
    expect([...argoFiles(files).keys()]).toEqual(['apps/dev.applicationset.yaml', 'apps/bootstrap/root-application.yaml']);
  });
});

describe('check without the programs', () => {
  it('skips each loader with one line naming the program and how to build it, and finds nothing', async () => {
    const root = mkdtempSync(join(tmpdir(), 'no-programs-'));
    try {
      const result = await upstreamFindings(root, tree, new Map());
      expect(result.findings).toEqual([]);
      expect(result.skipped).toEqual(
        ['alloy', 'argocd', 'grafana'].map(
          (p) => `upstream ${p} loader skipped: test/upstream/.bin/${p} is not built (npm run test:upstream builds it)`,
        ),
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
