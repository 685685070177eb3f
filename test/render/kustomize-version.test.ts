import { describe, expect, it } from 'vitest';
import { KUSTOMIZE_BUNDLED_BY_ARGO_CD } from '../../tools/catalog/versions.ts';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findKustomize, KUSTOMIZE_VERSIONS_FILE, kustomizeVersionWarning } from '../../tools/render/kustomize.ts';
import { scratch } from '../support/git.ts';

describe('kustomizeVersionWarning', () => {
  it('is silent when the kustomize found is the one Argo CD bundles, with or without the leading v', () => {
    expect(kustomizeVersionWarning({ command: ['kustomize', 'build'], version: KUSTOMIZE_BUNDLED_BY_ARGO_CD })).toBeUndefined();
    expect(kustomizeVersionWarning({ command: ['kustomize', 'build'], version: 'v5.7.0' }, '5.7.0')).toBeUndefined();
  });

  it('names the version found, how it runs, the bundled version and how to install it when they differ', () => {
    const warning = kustomizeVersionWarning({ command: ['/usr/bin/kubectl', 'kustomize'], version: 'v5.5.0' }, 'v5.7.0');
    expect(warning).toMatch(
      /^kustomize v5\.5\.0 \(\/usr\/bin\/kubectl kustomize\) is not v5\.7\.0, the one Argo CD v\d+\.\d+\.\d+ renders with/,
    );
    expect(warning).toContain('go install sigs.k8s.io/kustomize/kustomize/v5@v5.7.0');
  });
});

describe('findKustomize', () => {
  it('remembers each binary version by its identity, and asks a replaced binary again', async () => {
    // GIVEN a kustomize on PATH that counts how often it is asked
    const bin = scratch('obs-bin-');
    const root = scratch('obs-root-');
    const asked = join(bin, 'asked');
    const install = (version: string): void => {
      rmSync(join(bin, 'kustomize'), { force: true });
      writeFileSync(join(bin, 'kustomize'), `#!/bin/sh\necho x >> ${asked}\necho ${version}\n`, { mode: 0o755 });
    };
    const times = (): number => (existsSync(asked) ? readFileSync(asked, 'utf8').split('\n').length - 1 : 0);
    install('v5.7.0');
    const path = process.env['PATH'];
    process.env['PATH'] = `${bin}:${path}`;
    try {
      // WHEN it is found twice with a repository root THEN it is asked once, and the version is the same
      expect(await findKustomize(root)).toEqual({ command: [join(bin, 'kustomize'), 'build'], version: 'v5.7.0' });
      expect((await findKustomize(root)).version).toBe('v5.7.0');
      expect(times()).toBe(1);
      expect(JSON.parse(readFileSync(join(root, KUSTOMIZE_VERSIONS_FILE), 'utf8'))).toHaveProperty(
        [join(bin, 'kustomize'), 'version'],
        'v5.7.0',
      );
      // WHEN the binary is replaced THEN it is asked again
      install('v5.10.0'); // (another size: two writes within a clock tick may share inode and mtime)
      expect((await findKustomize(root)).version).toBe('v5.10.0');
      expect(times()).toBe(2);
      // WHEN no root is given THEN nothing is remembered: it is asked every time
      await findKustomize();
      expect(times()).toBe(3);
    } finally {
      process.env['PATH'] = path;
    }
  });
});
