import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync, appendFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { catalog } from '../../tools/catalog/index.ts';
import { generate } from '../../tools/generate/index.ts';
import { REPO_ROOT } from '../support/repo.ts';
import { overlayDirs } from '../support/catalog.ts';
import { committedCopy } from '../support/git.ts';

const roots: string[] = [];
afterEach(() => roots.splice(0).forEach((r) => rmSync(r, { recursive: true, force: true })));

/** A copy of the committed generated tree to run the real command against. */
function checkout(): string {
  const root = mkdtempSync(join(tmpdir(), 'obs-check-'));
  roots.push(root);
  for (const dir of ['base', 'overlays', 'apps']) cpSync(join(REPO_ROOT, dir), join(root, dir), { recursive: true });
  return root;
}

function run(
  script: string,
  cwd: string,
  args: string[] = [],
  env: NodeJS.ProcessEnv = process.env,
): { status: number | null; stdout: string; stderr: string } {
  const out = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', script), ...args], { cwd, env, encoding: 'utf8' });
  return { status: out.status, stdout: out.stdout, stderr: out.stderr };
}

describe('npm run check', () => {
  it('passes on the committed tree and prints the summary per environment and component', () => {
    const result = run('check.ts', checkout());
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^prod\s+loki\s+16\s+loki:3\.7\.6/m);
    expect(result.stdout).toContain(`check passed: ${overlayDirs().length} overlays rendered and match the catalog`);
  });

  it('fails on a stale file with a unified diff and the fix command', () => {
    // GIVEN a generated file edited by hand
    const root = checkout();
    const file = join(root, 'overlays/prod/loki/patch-configmap-loki-config.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('retention_period: 720h', 'retention_period: 1440h'));
    // WHEN checked THEN exit 1, the file named, the diff shown, the fix given
    const result = run('check.ts', root);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('changed  overlays/prod/loki/patch-configmap-loki-config.yaml');
    expect(result.stdout).toContain('-      retention_period: 1440h');
    expect(result.stdout).toContain('+      retention_period: 720h');
    expect(result.stdout).toContain('Fix: run `npm run generate` and commit the result.');
  });

  it('rejects a hand-written file in a generated directory', () => {
    const root = checkout();
    writeFileSync(join(root, 'base/loki/extra.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: extra}\n');
    const result = run('check.ts', root, ['--json']);
    expect(result.status).toBe(1);
    expect(JSON.parse(result.stdout).findings).toContainEqual(
      expect.objectContaining({ rule: 'generate/foreign-file', object: 'base/loki/extra.yaml' }),
    );
  });

  it("exits 2 naming the overlay and kustomize's own message when an overlay does not build", () => {
    const root = checkout();
    appendFileSync(join(root, 'overlays/dev/alloy/kustomization.yaml'), '  - no-such-file.yaml\n');
    const result = run('check.ts', root);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^error: overlays\/dev\/alloy: kustomize build failed: .*no-such-file\.yaml/m);
  });

  it('exits 2 saying how to get kustomize when there is none', () => {
    const result = run('check.ts', checkout(), [], { ...process.env, PATH: '/nonexistent' });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^error: kustomize not found: install kubectl .* or a kustomize binary/);
  });

  it('in a git repository, replays the last report when nothing changed, says when it was made, and checks again with --fresh', async () => {
    // GIVEN the generated tree committed in a git repository, checked once
    const root = await committedCopy(['base', 'overlays', 'apps'], { '.gitignore': '.cache/\n' });
    const first = run('check.ts', root);
    expect(first.status).toBe(0);
    expect(first.stderr).not.toContain('nothing changed');
    // WHEN checked again THEN the same output, and one line on stderr saying it is the earlier check's
    const second = run('check.ts', root);
    expect(second.status).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    expect(second.stderr).toMatch(
      /^nothing changed since the check at \d{4}-\d\d-\d\dT[\d:.]+Z: its report follows \(--fresh checks again\)$/m,
    );
    expect(run('check.ts', root, ['-o', 'json']).stdout).toBe(run('check.ts', root, ['-o', 'json', '--fresh']).stdout);
    const fresh = run('check.ts', root, ['--fresh']);
    expect(fresh.stdout).toBe(first.stdout);
    expect(fresh.stderr).not.toContain('nothing changed');
  });

  it('exits 2 on an unknown flag, with the usage', () => {
    const result = run('check.ts', checkout(), ['--frobnicate']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('error: unknown option --frobnicate; see --help');
  });

  it('after an interrupted generate says so and how to finish it', () => {
    // GIVEN an older tree, and a generate of the catalog's tree killed right after its commit point (journal written, no file moved)
    const root = checkout();
    const path = 'overlays/dev/loki/patch-statefulset-loki.yaml';
    appendFileSync(join(root, path), '# from an older catalog\n');
    const treeFile = join(root, '.tree.json');
    writeFileSync(treeFile, JSON.stringify(Object.fromEntries(generate(catalog))));
    const killed = spawnSync(process.execPath, [join(REPO_ROOT, 'test/fixtures/write-and-die.ts'), root, treeFile, '1'], {
      encoding: 'utf8',
    });
    expect(killed.signal).toBe('SIGKILL');
    // WHEN checked
    const result = run('check.ts', root);
    // THEN it names the interruption and the fix before anything else, and the tree is reported stale
    expect(result.status).toBe(1);
    expect(result.stderr.split('\n')[0]).toBe(
      'warning: an interrupted `npm run generate` left .generate/ (base/, overlays/ and apps/ are half written): run `npm run generate` to finish it, then check again',
    );
    expect(result.stdout).toContain(`changed  ${path}`);
    // AND the fix it names works: generate completes the interrupted write, and check passes
    expect(run('generate.ts', root).stdout).toContain('completed an interrupted earlier generate');
    const again = run('check.ts', root);
    expect(again.stderr).not.toContain('interrupted');
    expect(again.status).toBe(0);
  }, 300_000);
});
