import { describe, expect, it } from 'vitest';
import { KUSTOMIZE_BUNDLED_BY_ARGO_CD } from '../../tools/catalog/versions.ts';
import { copyFileSync, existsSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
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
  /** Runs `fn` with `bin` first on PATH. */
  async function onPath<T>(bin: string, fn: () => Promise<T>): Promise<T> {
    const path = process.env['PATH'];
    process.env['PATH'] = `${bin}:${path}`;
    try {
      return await fn();
    } finally {
      process.env['PATH'] = path;
    }
  }
  const table = (root: string): Record<string, { identity: string; version: string }> =>
    existsSync(join(root, KUSTOMIZE_VERSIONS_FILE)) ? JSON.parse(readFileSync(join(root, KUSTOMIZE_VERSIONS_FILE), 'utf8')) : {};

  it('remembers a binary version by its identity, and asks a replaced binary again', async () => {
    // GIVEN a kustomize binary on PATH (echo's, which answers `kustomize version` with "version")
    const bin = scratch('obs-bin-');
    const root = scratch('obs-root-');
    const kustomize = join(bin, 'kustomize');
    copyFileSync('/bin/echo', kustomize);
    await onPath(bin, async () => {
      // WHEN found with a repository root THEN it is asked, and its answer kept under its path
      expect(await findKustomize(root)).toEqual({ command: [kustomize, 'build'], version: 'version' });
      const kept = table(root);
      expect(kept[kustomize]?.version).toBe('version');
      // WHEN found again THEN the kept answer is used, not the binary (the table is altered to tell them apart)
      writeFileSync(join(root, KUSTOMIZE_VERSIONS_FILE), JSON.stringify({ [kustomize]: { ...kept[kustomize], version: 'v-kept' } }));
      expect((await findKustomize(root)).version).toBe('v-kept');
      // WHEN the binary is replaced by another (printf's: another size) THEN it is asked again
      rmSync(kustomize);
      copyFileSync('/usr/bin/printf', kustomize);
      expect((await findKustomize(root)).version).toBe('version');
      // WHEN no root is given THEN nothing kept is used
      const replaced = table(root);
      writeFileSync(join(root, KUSTOMIZE_VERSIONS_FILE), JSON.stringify({ [kustomize]: { ...replaced[kustomize], version: 'v-kept' } }));
      expect((await findKustomize()).version).toBe('version');
      expect((await findKustomize(root)).version).toBe('v-kept');
    });
  });

  it("asks a version manager's shim every time: a script, or a link to a binary of another name", async () => {
    // GIVEN a shim script on PATH that counts how often it is asked
    const bin = scratch('obs-bin-');
    const root = scratch('obs-root-');
    const asked = join(bin, 'asked');
    writeFileSync(join(bin, 'kustomize'), `#!/bin/sh\necho x >> ${asked}\necho v5.7.0\n`, { mode: 0o755 });
    const times = (): number => readFileSync(asked, 'utf8').split('\n').length - 1;
    await onPath(bin, async () => {
      // THEN each run asks it, and nothing is kept
      expect((await findKustomize(root)).version).toBe('v5.7.0');
      expect((await findKustomize(root)).version).toBe('v5.7.0');
      expect(times()).toBe(2);
      expect(table(root)).toEqual({});
    });
    // GIVEN kustomize on PATH as a link to a dispatcher binary (as mise's shims are) THEN nothing is kept either
    const linked = scratch('obs-bin-');
    copyFileSync('/bin/echo', join(linked, 'dispatcher'));
    symlinkSync(join(linked, 'dispatcher'), join(linked, 'kustomize'));
    await onPath(linked, async () => expect((await findKustomize(root)).version).toBe('version'));
    expect(table(root)).toEqual({});
  });
});
