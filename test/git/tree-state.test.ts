import { appendFileSync, chmodSync, mkdirSync, renameSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { describe, expect, it } from 'vitest';
import { workingTreeState } from '../../tools/git/tree-state.ts';
import { commit, committedCopy, scratch } from '../support/git.ts';

const repository = (): Promise<string> => committedCopy(['base'], { '.gitignore': 'ignored/\n*.log\n', 'notes.txt': 'one\n' });

describe('the state of a working tree', () => {
  it('is the same while nothing git tracks or would track changes, ignored files included', async () => {
    // GIVEN a committed repository
    const root = await repository();
    const before = await workingTreeState(root);
    expect(before).toMatch(/^[0-9a-f]{64}$/);
    // WHEN only ignored files appear, and the state is asked again
    mkdirSync(join(root, 'ignored'));
    writeFileSync(join(root, 'ignored/cache.json'), '{}');
    writeFileSync(join(root, 'run.log'), 'log line\n');
    // THEN it is the same
    expect(await workingTreeState(root)).toBe(before);
    expect(await workingTreeState(root)).toBe(before);
  });

  it('changes with every kind of change, and each change of an untracked or changed file is seen again', async () => {
    const root = await repository();
    const states = new Set([await workingTreeState(root)]);
    const changes: [string, () => void | Promise<unknown>][] = [
      ['a tracked file edited', () => appendFileSync(join(root, 'base/loki/service-loki.yaml'), '# edited\n')],
      ['the same file edited again', () => appendFileSync(join(root, 'base/loki/service-loki.yaml'), '# again\n')],
      ['the edit staged', () => simpleGit(root).add('base/loki/service-loki.yaml')],
      ['an untracked file', () => writeFileSync(join(root, 'extra.yaml'), 'a: 1\n')],
      ['the untracked file edited', () => writeFileSync(join(root, 'extra.yaml'), 'a: 2\n')],
      [
        'a file in an untracked directory',
        () => (mkdirSync(join(root, 'new/deep'), { recursive: true }), writeFileSync(join(root, 'new/deep/x.yaml'), 'b: 1\n')),
      ],
      ['the file in the untracked directory edited', () => writeFileSync(join(root, 'new/deep/x.yaml'), 'b: 2\n')],
      ['a tracked file made executable', () => chmodSync(join(root, 'notes.txt'), 0o755)],
      ['a tracked file replaced by a link', () => (unlinkSync(join(root, 'notes.txt')), symlinkSync('base', join(root, 'notes.txt')))],
      ['a tracked file deleted', () => unlinkSync(join(root, 'base/loki/kustomization.yaml'))],
      ['a file renamed', () => renameSync(join(root, 'base/grafana/kustomization.yaml'), join(root, 'base/grafana/kustomization.yml'))],
      ['everything committed', () => commit(root, 'changes')],
    ];
    for (const [what, change] of changes) {
      await change();
      const state = await workingTreeState(root);
      expect(states.has(state), what).toBe(false);
      states.add(state);
    }
  });

  it('below the top of the working tree, changes with each edit there (git names paths from the top)', async () => {
    // GIVEN a repository whose tools live in a folder below its top, as in a monorepo
    const top = scratch('obs-monorepo-');
    const root = join(top, 'gitops');
    mkdirSync(join(root, 'base'), { recursive: true });
    writeFileSync(join(root, 'base/kustomization.yaml'), 'resources: []\n');
    writeFileSync(join(top, '.gitignore'), '*.log\n');
    await simpleGit(top).init().addConfig('user.email', 'test@example.invalid').addConfig('user.name', 'test');
    await commit(top, 'tree');
    const state = (): Promise<string | undefined> => workingTreeState(root);
    const states = new Set([await state()]);
    const changes: [string, () => void][] = [
      ['a tracked file edited', () => appendFileSync(join(root, 'base/kustomization.yaml'), '# one\n')],
      ['the same file edited again', () => appendFileSync(join(root, 'base/kustomization.yaml'), '# two\n')],
      ['a file in an untracked directory', () => (mkdirSync(join(root, 'new')), writeFileSync(join(root, 'new/x.yaml'), 'a: 1\n'))],
      ['the file in the untracked directory edited', () => writeFileSync(join(root, 'new/x.yaml'), 'a: 2\n')],
    ];
    for (const [what, change] of changes) {
      change();
      const now = await state();
      expect(states.has(now), what).toBe(false);
      states.add(now);
    }
    // An ignored file elsewhere is not part of it
    const before = await state();
    writeFileSync(join(root, 'other.log'), '1\n');
    expect(await state()).toBe(before);
  });

  it('is the same for two clones of one commit, and nothing outside a working tree', async () => {
    // GIVEN a repository and a clone of it elsewhere
    const root = await repository();
    const clone = join(scratch('obs-clone-'), 'clone');
    await simpleGit().clone(root, clone);
    // THEN both have one state; a directory outside git has none
    expect(await workingTreeState(clone)).toBe(await workingTreeState(root));
    expect(await workingTreeState(scratch('obs-no-git-'))).toBeUndefined();
  });
});
