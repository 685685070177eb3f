import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { beforeAll, describe, expect, it } from 'vitest';
import { diffRefs } from '../../tools/diff/run.ts';
import { openRenderCache } from '../../tools/render/cache.ts';
import { findKustomize, type Kustomize } from '../../tools/render/kustomize.ts';
import { listOverlays, renderOverlays } from '../../tools/render/overlays.ts';
import { logging } from '../support/kustomize.ts';
import { committedCopy } from '../support/git.ts';
import { environmentsWith, overlayDirs } from '../support/catalog.ts';

let real: Kustomize;
beforeAll(async () => {
  real = await findKustomize();
});

const repository = (): Promise<string> =>
  committedCopy(['base', 'overlays', 'apps'], { '.gitignore': '.cache/\nkustomize-logging.sh\nrendered.log\n' });

function replace(root: string, path: string, from: string, to: string): void {
  const text = readFileSync(join(root, path), 'utf8');
  if (!text.includes(from)) throw new Error(`${path} does not contain ${from}`);
  writeFileSync(join(root, path), text.replace(from, to));
}

describe('diffRefs renders only the overlays whose inputs differ', () => {
  it("an overlay emptied of its files but its folder left is gone, as in a commit of the working tree (not the head's render failure)", async () => {
    // GIVEN a working tree where every file of the dev Grafana overlay is deleted and its empty folder left
    const root = await repository();
    const base = (await simpleGit(root).revparse(['HEAD'])).trim();
    rmSync(join(root, 'overlays/dev/grafana'), { recursive: true });
    mkdirSync(join(root, 'overlays/dev/grafana'));
    // WHEN it is diffed against HEAD
    const { report } = await diffRefs(root, real, base);
    // THEN the changes are those of a commit of the working tree: the overlay's objects removed
    await simpleGit(root).add('.').commit('grafana removed');
    const committed = (await diffRefs(root, real, base, 'HEAD')).report;
    expect(report.changes).toEqual(committed.changes);
    expect(report.changes.filter((change) => change.env === 'dev' && change.component === 'grafana').length).toBeGreaterThan(0);
  });

  it('an overlay-only change renders that overlay on each side, lists every other app as unchanged', async () => {
    // GIVEN a working tree where only the dev Loki overlay changes, and no cache
    const root = await repository();
    const { kustomize, rendered } = logging(root, real);
    replace(root, 'overlays/dev/loki/patch-statefulset-loki.yaml', 'checksum/config: ', 'checksum/config: x');
    // WHEN diffed against HEAD
    const { report } = await diffRefs(root, kustomize, 'HEAD');
    // THEN kustomize ran for dev/loki only, once per side, and the report has all ten apps, one changed
    expect(rendered()).toEqual(['overlays/dev/loki', 'overlays/dev/loki']);
    expect(report.summary).toHaveLength((await listOverlays(root)).length);
    expect(report.summary.filter((row) => row.changed > 0).map((row) => `${row.env}/${row.component}`)).toEqual(['dev/loki']);
    expect(report.changes.map((c) => `${c.env}/${c.component} ${c.kind}/${c.name}`)).toEqual(['dev/loki StatefulSet/loki']);
  });

  it('a change to a base renders exactly the overlays using it; with a warm cache only the head side runs kustomize', async () => {
    const root = await repository();
    const { kustomize, rendered } = logging(root, real);
    const cache = openRenderCache(root);
    // GIVEN every committed overlay in the cache
    await renderOverlays(root, kustomize, await listOverlays(root), { cache });
    rendered();
    // WHEN a file of the Grafana base changes in the working tree and it is diffed with the cache
    appendFileSync(join(root, 'base/grafana/service-grafana.yaml'), '  # a comment changes no object\n');
    replace(root, 'base/grafana/service-grafana.yaml', 'port: 3000', 'port: 3001');
    const { report } = await diffRefs(root, kustomize, 'HEAD', undefined, { cache });
    // THEN only the Grafana overlays of the head were rendered; the base side came from the cache
    expect(rendered()).toEqual(overlayDirs('grafana'));
    expect([...new Set(report.changes.map((c) => `${c.env}/${c.component} ${c.kind}/${c.name}`))]).toEqual(
      environmentsWith('grafana').map((env) => `${env}/grafana Service/grafana`),
    );
    // AND between two commits nothing is checked out: the changed overlays are rendered from git's objects
    await simpleGit(root).add('.').commit('grafana port');
    const between = await diffRefs(root, kustomize, 'HEAD~1', 'HEAD', { cache });
    expect(rendered()).toEqual([]);
    expect(between.report.changes).toEqual(report.changes);
    expect((await simpleGit(root).raw(['worktree', 'list'])).trim().split('\n')).toHaveLength(1);
  });
});
