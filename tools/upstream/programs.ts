/**
 * The upstream tier's Go programs (test/upstream/<name>/, built by `npm run test:upstream` into
 * test/upstream/.bin/): where they are and how one is run. A program is a small module of ours that
 * calls the component's own loader at the pinned version; see each folder's main.go.
 */
import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every program of the tier. */
const PROGRAMS = ['alloy', 'argocd', 'grafana'] as const;
export type ProgramName = (typeof PROGRAMS)[number];

/** Where `npm run test:upstream` puts the binaries, relative to the repository root. */
export const PROGRAMS_BIN_DIR = 'test/upstream/.bin';

/** The binary of a program under `root`, or undefined when it has not been built. */
export function programPath(root: string, name: ProgramName): string | undefined {
  const path = join(root, PROGRAMS_BIN_DIR, name);
  return existsSync(path) ? path : undefined;
}

/**
 * Which programs are built under `root`, each by size and modification time (ms): a rebuilt program
 * reads as another. One line per program, `alloy absent` when not built.
 */
export function programsState(root: string): string {
  return PROGRAMS.map((name) => {
    const stats = statSync(join(root, PROGRAMS_BIN_DIR, name), { throwIfNoEntry: false });
    return stats ? `${name} ${stats.size} ${stats.mtimeMs}` : `${name} absent`;
  }).join('\n');
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
