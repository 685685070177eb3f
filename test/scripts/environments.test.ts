import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { catalog } from '../../tools/catalog/index.ts';
import { REPO_ROOT } from '../support/repo.ts';

const names = catalog.environments.map((env) => env.name);

describe('npm run environments', () => {
  it("prints the catalog's environments, one a line, or as one JSON line", () => {
    const run = (args: string[]) =>
      spawnSync(process.execPath, [join(REPO_ROOT, 'scripts/environments.ts'), ...args], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(run([]).stdout).toBe(names.map((name) => `${name}\n`).join(''));
    expect(run(['--json']).stdout).toBe(`${JSON.stringify(names)}\n`);
    expect(run(['--yaml'])).toMatchObject({ status: 2, stderr: expect.stringMatching(/^error: unknown option --yaml; see --help\n/) });
  });

  it("feeds drift.yml's matrix: the workflow step, run as GitHub runs it, outputs exactly the catalog's list", () => {
    // GIVEN drift.yml as committed
    const workflow = parse(readFileSync(join(REPO_ROOT, '.github/workflows/drift.yml'), 'utf8'));
    const step = workflow.jobs.environments.steps.find((s: { id?: string }) => s.id === 'catalog');
    const output = workflow.jobs.environments.outputs.names as string;

    // WHEN its step script runs in bash with a GITHUB_OUTPUT file, as the runner does
    const dir = mkdtempSync(join(tmpdir(), 'obs-env-'));
    const result = spawnSync('bash', ['-eo', 'pipefail', '-c', step.run], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { ...process.env, GITHUB_OUTPUT: join(dir, 'output') },
    });
    const written = readFileSync(join(dir, 'output'), 'utf8');
    rmSync(dir, { recursive: true });

    // THEN the output the matrix reads through fromJSON is the catalog's environments, nothing hand-written
    expect(result.status).toBe(0);
    expect(output).toBe('${{ steps.catalog.outputs.names }}');
    expect(workflow.jobs.drift.strategy.matrix.env).toBe('${{ fromJSON(needs.environments.outputs.names) }}');
    expect(written).toBe(`names=${JSON.stringify(names)}\n`);
  });
});
