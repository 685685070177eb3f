import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { beforeAll, describe, expect, it } from 'vitest';
import { diffRefs } from '../../tools/diff/run.ts';
import { openRenderCache } from '../../tools/render/cache.ts';
import { findKustomize, type Kustomize } from '../../tools/render/kustomize.ts';
import { committedCopy } from '../support/git.ts';

let real: Kustomize;
beforeAll(async () => {
  real = await findKustomize();
});

const SERVICE = 'base/grafana/service-grafana.yaml';

describe('diffRefs renders each side from its own files, even those git is told not to look at', () => {
  it.each(['--skip-worktree', '--assume-unchanged'])(
    "%s: a changed file is the disk's on the head, the commit's on the base, and no render is kept under the wrong hash",
    async (flag) => {
      // GIVEN a file of the Grafana base changed on disk but marked for git not to look at, and a comment added to dev/grafana
      const root = await committedCopy(['base', 'overlays', 'apps'], { '.gitignore': '.cache/\n' });
      const cache = openRenderCache(root);
      const git = simpleGit(root);
      await git.raw(['update-index', flag, SERVICE]);
      const text = readFileSync(join(root, SERVICE), 'utf8');
      if (!text.includes('port: 3000')) throw new Error(`${SERVICE} has no port 3000`);
      writeFileSync(join(root, SERVICE), text.replace('port: 3000', 'port: 3001'));
      appendFileSync(join(root, 'overlays/dev/grafana/kustomization.yaml'), '# one\n');
      // WHEN it is diffed against HEAD with a render cache
      const first = await diffRefs(root, real, 'HEAD', undefined, { cache });
      // THEN the port change on disk is reported, as kustomize renders it
      expect(first.report.changes.some((change) => change.env === 'dev' && change.component === 'grafana')).toBe(true);
      // WHEN the file is back as committed and dev/grafana has another comment only, and it is diffed again with the cache
      await git.raw(['update-index', flag.replace('--', '--no-'), SERVICE]);
      await git.raw(['checkout', '--', SERVICE, 'overlays/dev/grafana/kustomization.yaml']);
      appendFileSync(join(root, 'overlays/dev/grafana/kustomization.yaml'), '# two\n');
      const { report } = await diffRefs(root, real, 'HEAD', undefined, { cache });
      // THEN no object changed: no render was kept under a hash of files it was not made from
      expect(report.changes).toEqual([]);
    },
  );
});
