import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { outputFiles } from '../../tools/generate/disk.ts';
import { diffRefs } from '../../tools/diff/run.ts';
import { findKustomize, type Kustomize } from '../../tools/render/kustomize.ts';
import { committedCopy } from '../support/git.ts';

let real: Kustomize;
beforeAll(async () => {
  real = await findKustomize();
});

describe("diff's stale check lists the output folders' files as the generator's check does", () => {
  it('takes no file through a symbolic link, a new one or one to a folder of generated files', async () => {
    // GIVEN a working tree with an untracked link to an environment's overlays, and one to a generated file
    const root = await committedCopy(['base', 'overlays', 'apps'], { '.gitignore': '.cache/\n' });
    symlinkSync('dev', join(root, 'overlays/dev-alias'));
    symlinkSync('kustomization.yaml', join(root, 'overlays/dev/loki/alias.yaml'));
    // WHEN it is diffed against HEAD
    const { report } = await diffRefs(root, real, 'HEAD');
    // THEN no file is stale: links are no files of the output folders (tools/generate/disk.ts), as before
    expect(outputFiles(root).filter((path) => path.includes('alias'))).toEqual([]);
    expect(report.flags.filter((flag) => flag.rule === 'stale-generated')).toEqual([]);
  });
});
