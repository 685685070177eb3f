import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { outputFiles } from '../../tools/generate/disk.ts';
import { scratch } from '../support/git.ts';

describe('the files under the output directories', () => {
  it('are the regular files the walk finds, none through a link; a missing output directory is empty', async () => {
    // GIVEN output directories with files, a directory that is now a link to another, and one nobody expected
    const root = scratch('obs-output-');
    for (const path of ['base/loki/a.yaml', 'base/loki/sub/b.yaml', 'overlays/dev/loki/c.yaml', 'apps/d.yaml', 'elsewhere/e.yaml']) {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), path);
    }
    symlinkSync(join(root, 'elsewhere'), join(root, 'overlays/prod'));
    symlinkSync(join(root, 'base/loki/a.yaml'), join(root, 'apps/link.yaml'));
    // WHEN listed
    const files = outputFiles(root);
    // THEN no file through a link, none left out
    expect(files).toEqual(['apps/d.yaml', 'base/loki/a.yaml', 'base/loki/sub/b.yaml', 'overlays/dev/loki/c.yaml']);
    // AND an output directory that is missing is empty, as it is to the walk
    rmSync(join(root, 'apps'), { recursive: true });
    expect(outputFiles(root)).toEqual(['base/loki/a.yaml', 'base/loki/sub/b.yaml', 'overlays/dev/loki/c.yaml']);
  });
});
