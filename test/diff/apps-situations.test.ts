import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffRefs } from '../../tools/diff/run.ts';
import { formatMarkdown } from '../../tools/diff/format.ts';
import { findKustomize, type Kustomize } from '../../tools/render/kustomize.ts';
import { commit, committedCopy, edit } from '../support/git.ts';
import { REPO_ROOT } from '../support/repo.ts';
import { copyRepository, npmRun } from '../support/workspace.ts';
import { catalog } from '../../tools/catalog/index.ts';

/**
 * Pull requests that change only apps/ or only generated files, each rebuilt as a commit on a copy of
 * the repository and diffed as pr-diff.yml runs it (`--base SHA --head SHA`): they reach the
 * cluster, so the diff must say so, exit 1, and name what is dangerous.
 */
let kustomize: Kustomize;
beforeAll(async () => {
  kustomize = await findKustomize();
});

const BASE_SHA = '3f2a9c0d7b1e4f6a8c2d5e7f9a1b3c4d5e6f7a8b';
const HEAD_SHA = 'c81e728d9d4c2f636f067f89cc14862c4a5b6d7e';

function diffScript(root: string, args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const childEnv = { ...process.env, ...env };
  for (const name of ['GITHUB_REPOSITORY', 'GITHUB_SERVER_URL']) if (!(name in env)) delete childEnv[name];
  const out = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts/diff.ts'), ...args], { cwd: root, encoding: 'utf8', env: childEnv });
  return { status: out.status, stdout: out.stdout, stderr: out.stderr };
}

interface JsonReport {
  hasChanges: boolean;
  flags: { severity: string; rule: string; env?: string; component?: string; message: string }[];
  applications: { change: string; name: string; fields: { path: string; before?: string; after?: string }[] }[];
  argoObjects: { change: string; kind: string; name: string; file: string }[];
}

const components = (env: string) => (catalog.environments.find((e) => e.name === env)?.components ?? []).map((c) => `${env}-${c}`).sort();

describe('1. a change under apps/ is a cluster change', () => {
  it('dev\'s ApplicationSet on release-1: every dev Application changes, exit 1, never "No rendered changes" (golden)', async () => {
    // GIVEN main, and a commit that moves dev's ApplicationSet to release-1
    const root = await committedCopy(['base', 'overlays', 'apps'], { '.gitignore': '.cache/\n' });
    edit(root, 'apps/dev.applicationset.yaml', 'targetRevision: main', 'targetRevision: release-1');
    await commit(root, 'dev follows release-1');
    // WHEN diffed as pr-diff.yml does
    const json = diffScript(root, ['--base', 'HEAD~1', '--head', 'HEAD', '--json']);
    const markdown = diffScript(root, ['--base', 'HEAD~1', '--head', 'HEAD', '-o', 'markdown']);
    // THEN exit 1, each dev Application changed in that one field, and a source-change flag naming them
    expect(json.stderr).toBe('');
    expect(json.status).toBe(1);
    const report = JSON.parse(json.stdout) as JsonReport;
    expect(report.hasChanges).toBe(true);
    expect(
      report.applications.map((a) => `${a.change} ${a.name} ${a.fields.map((f) => `${f.path}: ${f.before} → ${f.after}`).join()}`),
    ).toEqual(components('dev').map((name) => `changed ${name} spec.source.targetRevision: main → release-1`));
    expect(report.flags.map((f) => `${f.severity} ${f.rule} ${f.env}`)).toEqual(['warning source-change dev']);
    // AND the Markdown says Argo CD's objects change, with the Applications section
    expect(markdown.status).toBe(1);
    expect(markdown.stdout).not.toContain('No rendered changes');
    expect(markdown.stdout).toContain(
      "No rendered object changes, but Argo CD's objects change: under apps/: 5 Applications (0 added, 0 removed, 5 changed).",
    );
    expect(markdown.stdout).toContain(
      '- **changed** Application dev-loki (dev/loki, ApplicationSet observability-dev)\n  - spec.source.targetRevision: main → release-1\n',
    );
    const { report: inProcess } = await diffRefs(root, kustomize, 'HEAD~1', 'HEAD');
    await expect(
      formatMarkdown(inProcess, { baseSha: BASE_SHA, headSha: HEAD_SHA, repositoryUrl: 'https://github.com/acme/observability-gitops' }),
    ).toMatchFileSnapshot('__golden__/apps-target-revision.md');
  });

  it("prod's ApplicationSet deleted: each prod Application removed, a danger each (the generated Applications carry the resources finalizer) (golden)", async () => {
    // GIVEN main, and a commit that deletes apps/prod.applicationset.yaml
    const root = await committedCopy(['base', 'overlays', 'apps'], { '.gitignore': '.cache/\n' });
    expect(readFileSync(join(root, 'apps/prod.applicationset.yaml'), 'utf8')).toContain('- resources-finalizer.argocd.argoproj.io');
    rmSync(join(root, 'apps/prod.applicationset.yaml'));
    await commit(root, 'drop prod');
    // WHEN diffed
    const json = diffScript(root, ['--base', 'HEAD~1', '--head', 'HEAD', '--json']);
    // THEN exit 1; every prod Application removed, flagged danger with its overlay and destination
    expect(json.status).toBe(1);
    const report = JSON.parse(json.stdout) as JsonReport;
    expect(report.applications.map((a) => `${a.change} ${a.name}`)).toEqual(components('prod').map((name) => `removed ${name}`));
    expect(report.argoObjects.map((o) => `${o.change} ${o.kind} ${o.name} ${o.file}`)).toEqual([
      'removed ApplicationSet observability-prod apps/prod.applicationset.yaml',
    ]);
    const removed = report.flags.filter((f) => f.rule === 'application-removed');
    expect(removed.map((f) => `${f.severity} ${f.env}/${f.component}`)).toEqual(
      components('prod').map((name) => `danger prod/${name.slice('prod-'.length)}`),
    );
    expect(removed.find((f) => f.component === 'loki')?.message).toContain(
      'its resources-finalizer.argocd.argoproj.io finalizer makes Argo CD delete every resource it deployed (overlays/prod/loki → prod/observability) first',
    );
    expect(report.flags.filter((f) => f.rule === 'wave-order')).toEqual([]);
    const { report: inProcess } = await diffRefs(root, kustomize, 'HEAD~1', 'HEAD');
    await expect(formatMarkdown(inProcess, { baseSha: BASE_SHA, headSha: HEAD_SHA })).toMatchFileSnapshot(
      '__golden__/apps-environment-removed.md',
    );
  });

  it('links short SHAs to their commits for the repository of GITHUB_REPOSITORY or --repo, full SHAs without one', async () => {
    const root = await committedCopy(['apps'], { '.gitignore': '.cache/\n' });
    edit(root, 'apps/project.yaml', '  orphanedResources:\n    warn: true\n', '');
    await commit(root, 'no orphaned resources warning');
    const [base, head] = (await simpleGit(root).raw(['rev-parse', 'HEAD~1', 'HEAD'])).trim().split('\n') as [string, string];
    const fromEnv = diffScript(root, ['--base', 'HEAD~1', '--head', 'HEAD', '-o', 'markdown'], {
      GITHUB_REPOSITORY: 'acme/obs',
      GITHUB_SERVER_URL: 'https://github.example.com',
    });
    expect(fromEnv.stdout).toContain(
      `Base [\`${base.slice(0, 7)}\`](https://github.example.com/acme/obs/commit/${base}) → head [\`${head.slice(0, 7)}\`](https://github.example.com/acme/obs/commit/${head})`,
    );
    expect(fromEnv.stdout).toContain(
      '- **changed** AppProject argocd/observability (apps/project.yaml)\n  - spec.orphanedResources.warn: true → (unset)\n',
    );
    const fromFlag = diffScript(root, ['--base', 'HEAD~1', '--head', 'HEAD', '-o', 'markdown', '--repo', 'acme/obs']);
    expect(fromFlag.stdout).toContain(`(https://github.com/acme/obs/commit/${base})`);
    const unknown = diffScript(root, ['--base', 'HEAD~1', '--head', 'HEAD', '-o', 'markdown']);
    expect(unknown.stdout).toContain(`Base ${base} → head ${head}`);
  });
});

describe('1b. an ApplicationSet that cannot be expanded', () => {
  it("in the base is a flag and the head's Applications are shown as added; in the head it is exit 2 naming the head", async () => {
    // GIVEN main whose dev ApplicationSet names a key its elements lack
    const root = await committedCopy(['apps'], { '.gitignore': '.cache/\n' });
    edit(root, 'apps/dev.applicationset.yaml', 'name: dev-{{.component}}', 'name: dev-{{.app}}');
    await commit(root, 'broken dev ApplicationSet');
    // WHEN a commit repairs it
    edit(root, 'apps/dev.applicationset.yaml', 'name: dev-{{.app}}', 'name: dev-{{.component}}');
    await commit(root, 'repaired');
    const repaired = diffScript(root, ['--base', 'HEAD~1', '--head', 'HEAD', '--json']);
    // THEN exit 1: the base failure is named, every Application of head is added
    expect(repaired.status).toBe(1);
    const report = JSON.parse(repaired.stdout) as JsonReport;
    expect(report.flags.filter((f) => f.rule === 'render-failed').map((f) => f.message)).toEqual([
      expect.stringMatching(
        /^the base side's apps\/ could not be read or expanded, so its Applications are unknown: every head Application is shown as added\. ApplicationSet observability-dev .*references \.app/,
      ),
    ]);
    expect(report.applications.filter((a) => a.change !== 'added')).toEqual([]);
    expect(report.applications.map((a) => a.name).sort()).toEqual(
      [...components('dev'), ...components('prod'), 'observability-apps'].sort(),
    );
    // AND the other way round, exit 2 naming the head and the ApplicationSet
    const broken = diffScript(root, ['--base', 'HEAD', '--head', 'HEAD~1']);
    expect(broken.status).toBe(2);
    expect(broken.stderr.split('\n')[0]).toMatch(
      /^error: head: apps\/: ApplicationSet observability-dev generators\[0\]\.list\.elements\[0\]: template references \.app/,
    );
  });
});

describe('2. stale generated files of a head ref', () => {
  let root: string;
  beforeAll(async () => {
    // GIVEN a copy of the whole repository (catalog and generator included) as one commit
    root = copyRepository('obs-stale-');
    writeFileSync(join(root, '.gitignore'), `${readFileSync(join(root, '.gitignore'), 'utf8')}node_modules\n`);
    await simpleGit(root).init().addConfig('user.email', 'test@example.invalid').addConfig('user.name', 'test').add('.').commit('tree');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const staleFlags = (result: { stdout: string }) =>
    (JSON.parse(result.stdout) as JsonReport).flags.filter((f) => f.rule === 'stale-generated');

  it('a hand edit of a generated file, committed, is flagged with --head REF; the same file regenerated is not', async () => {
    // WHEN a commit edits apps/dev.applicationset.yaml by hand
    edit(root, 'apps/dev.applicationset.yaml', 'targetRevision: main', 'targetRevision: release-1');
    await commit(root, 'hand edit');
    const edited = diffScript(root, ['--base', 'HEAD~1', '--head', 'HEAD', '--json']);
    // THEN the warning names the file
    expect(edited.stderr).toBe('');
    expect(staleFlags(edited).map((f) => `${f.severity} ${f.message}`)).toEqual([
      "warning 1 generated file(s) in head differ from what head's catalog generates, so Argo CD would deploy something the catalog does not say: run npm run generate and commit (apps/dev.applicationset.yaml)",
    ]);
    // AND a commit that regenerates puts it right: no warning for that head
    expect(npmRun(root, 'generate').status).toBe(0);
    await commit(root, 'regenerated');
    expect(staleFlags(diffScript(root, ['--base', 'HEAD~2', '--head', 'HEAD', '--json']))).toEqual([]);
  });

  it("a catalog change committed without regenerating is flagged by the head's own catalog, not the one running the diff", async () => {
    // WHEN a commit shortens dev's Loki retention in the catalog only
    edit(root, 'tools/catalog/environments.ts', 'retentionHours: 72,', 'retentionHours: 48,');
    await commit(root, 'dev retention 2 days, not regenerated');
    const result = diffScript(root, ['--base', 'HEAD~1', '--head', 'HEAD', '--json']);
    // THEN the flag names dev's Loki files, which head's catalog generates differently
    const [flag] = staleFlags(result);
    expect(flag?.message).toMatch(/generated file\(s\) in head differ .*\(overlays\/dev\/loki\//);
    // AND a head whose catalog cannot be generated is said so, not passed over
    edit(root, 'tools/catalog/environments.ts', 'retentionHours: 48,', 'retentionHours: -1,');
    await commit(root, 'broken catalog');
    const broken = staleFlags(diffScript(root, ['--base', 'HEAD~1', '--head', 'HEAD', '--json']));
    expect(broken.map((f) => f.message)).toEqual([
      expect.stringMatching(/^head's catalog could not be generated, so its generated files were not checked against it: \S/),
    ]);
    // AND the worktrees are gone
    expect((await simpleGit(root).raw(['worktree', 'list'])).trim().split('\n')).toHaveLength(1);
  });
});
