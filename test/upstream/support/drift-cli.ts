/** Runs `npm run drift` (scripts/drift.ts) the way a user does, and reads its JSON report as one finding per line. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../support/repo.ts';

const run = promisify(execFile);

export interface DriftRun {
  code: number;
  /** `missing Kind name`, `unexpected Kind name`, `modified Kind name /json/pointer` (sorted as reported). */
  findings: string[];
  stdout: string;
  stderr: string;
}

export async function driftEnv(env: string, kubeconfig: string): Promise<DriftRun> {
  let code = 0;
  let stdout: string;
  let stderr: string;
  try {
    ({ stdout, stderr } = await run(
      process.execPath,
      [join(REPO_ROOT, 'scripts/drift.ts'), '--env', env, '--kubeconfig', kubeconfig, '--json'],
      { cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024 },
    ));
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    ({ code, stdout, stderr } = failed);
  }
  const json = JSON.parse(stdout || '{}') as {
    missing?: { kind: string; name: string }[];
    unexpected?: { kind: string; name: string }[];
    modified?: { object: { kind: string; name: string }; fields: { path: string }[] }[];
  };
  const findings = [
    ...(json.missing ?? []).map((o) => `missing ${o.kind} ${o.name}`),
    ...(json.unexpected ?? []).map((o) => `unexpected ${o.kind} ${o.name}`),
    ...(json.modified ?? []).flatMap((m) => m.fields.map((f) => `modified ${m.object.kind} ${m.object.name} ${f.path}`)),
  ];
  return { code, findings, stdout, stderr };
}
