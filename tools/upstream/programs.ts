/**
 * The upstream tier's Go programs (test/upstream/<name>/, built by `npm run test:upstream` into
 * test/upstream/.bin/): where they are and how one is run. A program is a small module of ours that
 * calls the component's own loader at the pinned version; see each folder's main.go.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export type ProgramName = 'alloy' | 'argocd' | 'grafana';

/** Where `npm run test:upstream` puts the binaries, relative to the repository root. */
export const PROGRAMS_BIN_DIR = 'test/upstream/.bin';

/** The binary of a program under `root`, or undefined when it has not been built. */
export function programPath(root: string, name: ProgramName): string | undefined {
  const path = join(root, PROGRAMS_BIN_DIR, name);
  return existsSync(path) ? path : undefined;
}

export interface ProgramRun {
  /** Exit status (0: accepted). */
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a program to its end. `env` replaces the environment entirely (plus PATH), so the loaders
 * see exactly the variables a workload sets. Rejects only when the program cannot be started.
 */
export function runProgram(
  binary: string,
  args: readonly string[],
  options: { env?: Record<string, string>; stdin?: string } = {},
): Promise<ProgramRun> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      binary,
      [...args],
      {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
        ...(options.env ? { env: { PATH: process.env['PATH'] ?? '', ...options.env } } : {}),
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') return reject(error);
        resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
      },
    );
    if (options.stdin !== undefined) child.stdin?.end(options.stdin);
  });
}
