import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { beforeAll, describe, expect, it } from 'vitest';
import { diffRefs } from '../../tools/diff/run.ts';
import { findKustomize, type Kustomize } from '../../tools/render/kustomize.ts';
import { cacheKey, openRenderCache } from '../../tools/render/cache.ts';
import { hashOverlays } from '../../tools/render/overlays.ts';
import { workingTree, type Checkout } from '../../tools/git/checkout.ts';
import { withCheckout } from '../../tools/diff/trees.ts';
import { resolveRef } from '../../tools/git/worktree.ts';
import { commit, committedCopy, scratch } from '../support/git.ts';

/** The overlay the cache tests change. */
const LOKI = { env: 'dev', component: 'loki', dir: 'overlays/dev/loki' };

let real: Kustomize;
beforeAll(async () => {
  real = await findKustomize();
});

/** The real kustomize behind a wrapper that notes in `log` when each run starts and ends, and waits a while before it runs. */
function slow(root: string): { kustomize: Kustomize; runs: () => string[] } {
  const log = join(root, 'runs.log');
  const script = join(root, 'kustomize-slow.sh');
  writeFileSync(script, `#!/bin/sh\necho start >> "${log}"\nsleep 3\n"$@"\ncode=$?\necho end >> "${log}"\nexit $code\n`);
  chmodSync(script, 0o755);
  return {
    kustomize: { command: [script, ...real.command], version: real.version },
    runs: () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : []),
  };
}

describe('diffRefs when it fails: nothing left running, the base named first', () => {
  it('waits for the early renders when the base commit cannot be checked out', async () => {
    // GIVEN a base commit holding a symbolic link (it is checked out in a worktree), and a post-checkout hook that fails that checkout
    const root = await committedCopy(['base', 'overlays', 'apps'], { '.gitignore': '.cache/\nkustomize-slow.sh\nruns.log\n' });
    symlinkSync('base/loki/kustomization.yaml', join(root, 'linked.yaml'));
    await commit(root, 'a link');
    const hook = join(root, '.git/hooks/post-checkout');
    writeFileSync(hook, '#!/bin/sh\nsleep 1\nexit 1\n');
    chmodSync(hook, 0o755);
    // AND a change to one overlay in the working tree, which is rendered early with a slow kustomize
    appendFileSync(join(root, 'overlays/dev/loki/kustomization.yaml'), '# changed\n');
    const { kustomize, runs } = slow(root);
    // WHEN it is diffed against HEAD
    const failure = await diffRefs(root, kustomize, 'HEAD').then(
      () => undefined,
      (error: unknown) => error,
    );
    // THEN it fails naming the worktree, after every kustomize it started has ended
    expect(String(failure)).toContain('git worktree add');
    expect(runs()).toContain('start');
    expect(runs().filter((line) => line === 'end')).toHaveLength(runs().filter((line) => line === 'start').length);
  }, 30_000);

  it('fails naming the render cache when a render started early cannot be written to it', async () => {
    // GIVEN a change to dev/loki diffed once, so that the base's render of dev/loki is cached
    const root = await committedCopy(['base', 'overlays', 'apps'], { '.gitignore': '.cache/\n' });
    const cache = openRenderCache(root);
    const loki = join(root, 'overlays/dev/loki/kustomization.yaml');
    appendFileSync(loki, '# changed\n');
    await diffRefs(root, real, 'HEAD', undefined, { cache });
    const keyOf = async (checkout: Checkout) => cacheKey(real.version, (await hashOverlays(checkout, [LOKI])).get(LOKI.dir)?.hash ?? '');
    const base = await withCheckout(root, await resolveRef(root, 'HEAD'), 'sha1', keyOf);
    // AND another change, whose render is to be written in another shard folder of the cache than the base's
    let round = 0;
    do appendFileSync(loki, `# changed again ${round++}\n`);
    while ((await keyOf(workingTree(root))).slice(0, 2) === base.slice(0, 2));
    // AND every shard folder but the base's taken by a file
    for (let shard = 0; shard < 256; shard++) {
      const name = shard.toString(16).padStart(2, '0');
      if (name === base.slice(0, 2)) continue;
      rmSync(join(cache.dir, name), { recursive: true, force: true });
      writeFileSync(join(cache.dir, name), '');
    }
    // WHEN the working tree is diffed again (the head's render is started early; the base's is read from the cache)
    const failure = await diffRefs(root, real, 'HEAD', undefined, { cache }).then(() => '', String);
    // THEN it fails, naming the cache and how to mend it
    expect(failure).toContain('RenderCacheError');
    expect(failure).toContain('could not be written');
  }, 30_000);

  it("reports the base's bad ref when both refs are bad, and the head's when only it is", async () => {
    // GIVEN a repository
    const root = await committedCopy(['base', 'overlays', 'apps'], { '.gitignore': '.cache/\n' });
    // WHEN it is diffed between refs that do not exist
    const reason = (run: Promise<unknown>) => run.then(() => '', String);
    const [both, head] = [
      await reason(diffRefs(root, real, 'no-such-base', 'no-such-head')),
      await reason(diffRefs(root, real, 'HEAD', 'no-such-head')),
    ];
    // THEN the first error names the base, the second the head
    expect(both).toContain('no-such-base');
    expect(both).not.toContain('no-such-head');
    expect(head).toContain('no-such-head');
  });

  it('waits for git status when the base ref is bad', async () => {
    // GIVEN git behind a wrapper that notes when each `git status` starts and ends, and waits a while before it runs
    const root = await committedCopy(['base', 'overlays', 'apps'], { '.gitignore': '.cache/\n' });
    // WHEN the working tree is diffed against a ref that does not exist
    const { failure, lines } = await withSlowGit('*" status "*', () => diffRefs(root, real, 'no-such-base'));
    // THEN it fails naming the ref, after the status it started has ended
    expect(failure).toContain('no-such-base');
    expect(lines).toEqual(['start', 'end']);
  }, 30_000);

  it("waits for the head ref's git when the base ref is bad", async () => {
    // GIVEN git behind a wrapper that notes when resolving the head ref starts and ends, and waits a while before it runs
    const root = await committedCopy(['base', 'overlays', 'apps'], { '.gitignore': '.cache/\n' });
    await simpleGit(root).raw(['branch', 'slow-head']);
    // WHEN a good head ref is diffed against a base ref that does not exist
    const { failure, lines } = await withSlowGit('*" rev-parse "*slow-head*', () => diffRefs(root, real, 'no-such-base', 'slow-head'));
    // THEN it fails naming the base, after the head's rev-parse has ended
    expect(failure).toContain('no-such-base');
    expect(lines).toEqual(['start', 'end']);
  }, 30_000);
});

describe('diffRefs of the working tree: kustomize started before the walk', () => {
  it('kills the early kustomize of a changed overlay whose render the cache holds, reports from the cache, and returns once it has ended', async () => {
    // GIVEN a change to one overlay in the working tree, diffed once with a render cache
    const root = await committedCopy(['base', 'overlays', 'apps'], { '.gitignore': '.cache/\nkustomize-*.sh\nruns.log\n' });
    appendFileSync(join(root, 'overlays/dev/loki/kustomization.yaml'), '# changed\n');
    const first = await diffRefs(root, real, 'HEAD', undefined, { cache: openRenderCache(root) });
    // AND a kustomize that notes when it starts, waits before it renders, and told to stop takes a second to end and note it
    const log = join(root, 'runs.log');
    const script = join(root, 'kustomize-stoppable.sh');
    writeFileSync(
      script,
      `#!/bin/sh\ntrap 'sleep 1; echo stopped >> "${log}"; exit 143' TERM\necho start >> "${log}"\nsleep 5 &\nwait $!\nexec "$@"\n`,
    );
    chmodSync(script, 0o755);
    const stoppable: Kustomize = { command: [script, ...real.command], version: real.version };
    // WHEN it is diffed again with that kustomize and the same cache
    const again = await diffRefs(root, stoppable, 'HEAD', undefined, { cache: openRenderCache(root) });
    // THEN the report is the first one, and the kustomize started for the changed overlay was stopped, not awaited, and had
    // ended by the time diffRefs returned (execFile answers an abort at once, before the process is gone)
    expect(again.report).toEqual(first.report);
    expect(readFileSync(log, 'utf8').split('\n').filter(Boolean)).toEqual(['start', 'stopped']);
  }, 30_000);

  it('starts kustomize on the overlay the last diff rendered early before git status answers, and stops it when the change is elsewhere', async () => {
    // GIVEN a change to dev/loki, diffed once with a render cache
    const root = await committedCopy(['base', 'overlays', 'apps'], { '.gitignore': '.cache/\nkustomize-*.sh\nruns.log\n' });
    const loki = join(root, 'overlays/dev/loki/kustomization.yaml');
    const committed = readFileSync(loki, 'utf8');
    appendFileSync(loki, '# changed\n');
    const cache = () => ({ cache: openRenderCache(root) });
    await diffRefs(root, real, 'HEAD', undefined, cache());
    // AND a kustomize that notes the overlay it starts on, and when it is stopped
    const { kustomize: noted, log, lines } = notedKustomize(root);
    // WHEN dev/loki is changed again and diffed with git status slowed down
    appendFileSync(loki, '# changed again\n');
    const again = await withSlowGit('*" status "*', () => diffRefs(root, noted, 'HEAD', undefined, cache()), log);
    // THEN kustomize started on dev/loki before git status ended, and its render was taken (none stopped)
    expect(again.failure).toBe('');
    expect(lines()).toEqual(['start', `kustomize ${join(root, 'overlays/dev/loki')}`, 'end']);
    // WHEN dev/loki is put back and dev/grafana changed instead, and diffed again
    writeFileSync(loki, committed);
    appendFileSync(join(root, 'overlays/dev/grafana/kustomization.yaml'), '# changed\n');
    writeFileSync(log, '');
    const elsewhere = await diffRefs(root, noted, 'HEAD', undefined, cache());
    // THEN the kustomize started on dev/loki is stopped, and dev/grafana is rendered
    expect(elsewhere.headSha).toBe('working tree');
    await expect.poll(lines, { timeout: 10_000 }).toContain(`stopped ${join(root, 'overlays/dev/loki')}`);
    expect(lines()).toContain(`kustomize ${join(root, 'overlays/dev/grafana')}`);
  }, 60_000);

  it('starts no kustomize before git status on a kept overlay reached through a linked environment folder', async () => {
    // GIVEN dev/loki rendered early by the last diff, and then overlays/dev replaced by a link to a copy outside the repository
    const { top, root } = await repositoryInFolder();
    const cache = openRenderCache(root);
    mkdirSync(cache.dir, { recursive: true });
    writeFileSync(join(cache.dir, 'early.json'), JSON.stringify(['overlays/dev/loki']));
    cpSync(join(root, 'overlays/dev'), join(top, 'outside-dev'), { recursive: true });
    rmSync(join(root, 'overlays/dev'), { recursive: true });
    symlinkSync(join(top, 'outside-dev'), join(root, 'overlays/dev'));
    // WHEN the working tree is diffed with a kustomize that notes where it starts
    const { kustomize, lines } = notedKustomize(root);
    await diffRefs(root, kustomize, 'HEAD', undefined, { cache }).catch(() => undefined);
    // THEN no kustomize started on the working tree's dev/loki, which now lies outside it
    expect(lines()).not.toContain(`kustomize ${join(root, 'overlays/dev/loki')}`);
  }, 30_000);

  it('starts kustomize on no folder a foreign list of early overlays names that is not an overlay of the repository', async () => {
    // GIVEN a repository beside a folder outside it that holds a kustomization, and a change to dev/loki
    const { top, root } = await repositoryInFolder();
    mkdirSync(join(top, 'outside'));
    writeFileSync(join(top, 'outside/kustomization.yaml'), 'configMapGenerator:\n  - name: outside\n    literals: [a=b]\n');
    appendFileSync(join(root, 'overlays/dev/loki/kustomization.yaml'), '# changed\n');
    // AND a list of the overlays rendered early, kept in the render cache, that names folders outside the overlays
    const cache = openRenderCache(root);
    mkdirSync(cache.dir, { recursive: true });
    const foreign = [
      '../outside',
      'overlays/../../outside',
      'overlays/dev/../../../outside',
      'overlays/../..',
      '',
      'overlays',
      'overlays/dev',
      'base/loki',
    ];
    writeFileSync(join(cache.dir, 'early.json'), JSON.stringify(foreign));
    const { kustomize, lines } = notedKustomize(root);
    // WHEN the working tree is diffed with that cache, git status slowed down (the guesses start before it answers)
    const run = await withSlowGit('*" status "*', () => diffRefs(root, kustomize, 'HEAD', undefined, { cache }));
    // THEN kustomize started on the changed overlay (the working tree's, and the base's where it is written out), on nothing else
    expect(run.failure).toBe('');
    expect(lines()).toContain(`kustomize ${join(root, 'overlays/dev/loki')}`);
    expect(lines().filter((line) => !line.endsWith('/overlays/dev/loki'))).toEqual([]);
  }, 30_000);
});

/** A committed copy of the repository as `repo` in a folder of its own (`top`), for folders beside it outside the repository. */
async function repositoryInFolder(): Promise<{ top: string; root: string }> {
  const top = scratch('obs-early-');
  const root = join(top, 'repo');
  cpSync(await committedCopy(['base', 'overlays', 'apps'], { '.gitignore': '.cache/\nkustomize-*.sh\nruns.log\n' }), root, {
    recursive: true,
  });
  return { top, root };
}

/**
 * The real kustomize behind a wrapper that notes in `log` the folder each run starts on, and when one is
 * stopped (SIGTERM, trapped before anything else).
 */
function notedKustomize(root: string): { kustomize: Kustomize; log: string; lines: () => string[] } {
  const log = join(root, 'runs.log');
  const script = join(root, 'kustomize-noted.sh');
  writeFileSync(
    script,
    `#!/bin/sh\nfor last; do :; done\ntrap 'kill $child 2>/dev/null; echo "stopped $last" >> "${log}"; exit 143' TERM\necho "kustomize $last" >> "${log}"\n"$@" &\nchild=$!\nwait $child\n`,
  );
  chmodSync(script, 0o755);
  return {
    kustomize: { command: [script, ...real.command], version: real.version },
    log,
    lines: () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : []),
  };
}

/**
 * Runs `run` with git behind a wrapper that, for a command line matching the shell `case` pattern
 * `pattern`, notes when it starts and ends (in `log`, a file of its own unless given) and waits two
 * seconds before it runs: the failure `run` ends with ('' when none), and the lines noted once it has.
 */
async function withSlowGit(pattern: string, run: () => Promise<unknown>, shared?: string): Promise<{ failure: string; lines: string[] }> {
  const bin = scratch('obs-git-');
  const log = shared ?? join(bin, 'slow.log');
  const git = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  writeFileSync(
    join(bin, 'git'),
    `#!/bin/sh\ncase " $* " in ${pattern}) echo start >> "${log}"; sleep 2; "${git}" "$@"; code=$?; echo end >> "${log}"; exit $code;; esac\nexec "${git}" "$@"\n`,
  );
  chmodSync(join(bin, 'git'), 0o755);
  const path = process.env['PATH'];
  process.env['PATH'] = `${bin}:${path}`;
  let failure: string;
  try {
    failure = await run().then(() => '', String);
  } finally {
    process.env['PATH'] = path;
  }
  return { failure, lines: existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [] };
}
