import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { afterAll, describe, expect, it } from 'vitest';
import { ARTIFACT_COMMENT_MAX_CHARS, forgedLine } from '../../tools/github/pr-artifact.ts';
import { REPO_ROOT } from '../support/repo.ts';

/** A git repository holding a copy of the committed generated tree, to diff real renders between refs. */
async function repository(): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'obs-diff-'));
  for (const dir of ['base', 'overlays', 'apps']) cpSync(join(REPO_ROOT, dir), join(root, dir), { recursive: true });
  const git = simpleGit(root);
  await git.init().addConfig('user.email', 'test@example.invalid').addConfig('user.name', 'test').add('.').commit('committed tree');
  return root;
}

function edit(root: string, path: string, from: string, to: string): void {
  const file = join(root, path);
  const text = readFileSync(file, 'utf8');
  if (!text.includes(from)) throw new Error(`${path} does not contain ${from}`);
  writeFileSync(file, text.replace(from, to));
}

function diff(
  root: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): { status: number | null; stdout: string; stderr: string } {
  const out = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts/diff.ts'), ...args], { cwd: root, encoding: 'utf8', env });
  return { status: out.status, stdout: out.stdout, stderr: out.stderr };
}

describe('npm run diff on real renders in a git repository', async () => {
  const root = await repository();
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('exits 0 with "no rendered changes" when nothing changes', () => {
    const result = diff(root, ['--base', 'HEAD', '--format', 'markdown']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('No rendered changes');
  });

  it('flags an image bump, a replicas change, stale generated files, and a Secret change without its value', async () => {
    // GIVEN a working tree with a bumped Loki image, more Grafana replicas and a changed dev Secret
    edit(root, 'base/loki/statefulset-loki.yaml', 'grafana/loki:3.7.6', 'grafana/loki:3.7.7');
    edit(root, 'overlays/prod/loki/statefulset-loki-write.yaml', 'grafana/loki:3.7.6', 'grafana/loki:3.7.7');
    edit(root, 'overlays/prod/loki/statefulset-loki-write.yaml', 'replicas: 3', 'replicas: 4');
    edit(root, 'overlays/dev/grafana/secret-grafana-admin.yaml', 'dev-only-grafana-password', 'rotated-grafana-password');
    // WHEN diffed against the committed tree
    const result = diff(root, ['--base', 'HEAD', '--json']);
    // THEN exit 1 and the flags a reviewer must not miss
    expect(result.status).toBe(1);
    const report = JSON.parse(result.stdout) as {
      flags: { rule: string; env?: string; component?: string; message: string }[];
      summary: { env: string; component: string; changed: number }[];
    };
    const rules = report.flags.map((f) => `${f.rule} ${f.env ?? ''}/${f.component ?? ''}`);
    expect(rules).toContain('image-change dev/loki');
    expect(rules).toContain('image-change prod/loki');
    expect(rules).toContain('secret-change dev/grafana');
    expect(rules.filter((r) => r.startsWith('stale-generated'))).not.toHaveLength(0);
    expect(report.flags.find((f) => f.rule === 'image-change' && f.env === 'prod')?.message).toMatch(/3\.7\.6.*3\.7\.7/);
    expect(report.summary.find((s) => s.env === 'prod' && s.component === 'loki')?.changed).toBe(1);
    // AND --json carries the sync plan (prod-loki in its wave, loki-write rolling and scaling) and the flows (none compared)
    const json = JSON.parse(result.stdout) as {
      syncPlan: {
        env: string;
        applications: { application: string; wave?: number; steps: { objects: { action: string; object: string; detail?: string }[] }[] }[];
      }[];
      flows: unknown[];
    };
    const prodLoki = json.syncPlan.find((env) => env.env === 'prod')?.applications.find((app) => app.application === 'prod-loki');
    expect(prodLoki?.wave).toBe(2);
    expect(prodLoki?.steps.flatMap((step) => step.objects)).toContainEqual({
      action: 'restart',
      object: 'StatefulSet loki-write',
      detail: 'pod template: image of loki; replicas 3 → 4',
    });
    expect(json.flows).toEqual([]);
    for (const value of ['rotated-grafana-password', 'dev-only-grafana-password']) {
      expect(result.stdout).not.toContain(value);
      expect(diff(root, ['--base', 'HEAD', '--format', 'markdown']).stdout).not.toContain(value);
    }
  });

  it('compares two refs read from git objects, leaving no worktree or temporary files behind', async () => {
    const git = simpleGit(root);
    await git.add('.').commit('bump');
    rmSync(join(root, '.cache'), { recursive: true, force: true }); // nothing cached: both refs are rendered
    const temporary = mkdtempSync(join(tmpdir(), 'obs-diff-tmp-'));
    const result = diff(root, ['--base', 'HEAD~1', '--head', 'HEAD', '--format', 'markdown', '--comment-file', join(root, 'comment.md')], {
      ...process.env,
      TMPDIR: temporary,
    });
    expect(result.status).toBe(1);
    // The changed overlays of both refs were written out to render them, and removed afterwards.
    expect(readdirSync(temporary)).toEqual([]);
    rmSync(temporary, { recursive: true });
    const comment = readFileSync(join(root, 'comment.md'), 'utf8');
    // The artifact's report: no marker or title (the posting side writes them), and it passes the posting side's checks.
    expect(comment.startsWith('Base ')).toBe(true);
    expect(comment.length).toBeLessThanOrEqual(ARTIFACT_COMMENT_MAX_CHARS);
    expect(forgedLine(comment)).toBeUndefined();
    expect((await git.raw(['worktree', 'list'])).trim().split('\n')).toHaveLength(1);
  });

  it('exits 2 with a one-line reason for an unknown ref', () => {
    const result = diff(root, ['--base', 'no-such-ref']);
    expect(result.status).toBe(2);
    expect(result.stderr.split('\n')[0]).toMatch(/^error: .*no-such-ref/);
  });
});
