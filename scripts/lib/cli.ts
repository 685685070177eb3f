import { minimist } from 'zx';
import type { RenderCache } from '../../tools/render/cache.ts';

/** Exit codes shared by every command (DESIGN §4). */
export const EXIT = { ok: 0, findings: 1, cannotRun: 2 } as const;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface FlagSpec {
  string?: string[];
  boolean?: string[];
  default?: Record<string, unknown>;
}

export type Flags = ReturnType<typeof minimist>;

/** Parses argv strictly: an unknown flag is a usage error, not silently ignored. */
export function parseFlags(argv: readonly string[], spec: FlagSpec): Flags {
  const known = new Set([...(spec.string ?? []), ...(spec.boolean ?? []), 'help', 'h']);
  const flags = minimist([...argv], {
    string: spec.string ?? [],
    boolean: [...(spec.boolean ?? []), 'help'],
    alias: { h: 'help' },
    default: spec.default ?? {},
    unknown: (arg: string) => {
      if (arg.startsWith('-') && !known.has(arg.replace(/^-+/, '').split('=')[0] ?? '')) throw new UsageError(`unknown option ${arg}; see --help`);
      return true;
    },
  });
  for (const name of spec.string ?? []) {
    if (Array.isArray(flags[name])) throw new UsageError(`--${name} given more than once`);
  }
  return flags;
}

/** Runs a command: its return value is the exit code; any error is one line on stderr and exit 2. */
export async function main(usage: string, command: () => Promise<number>): Promise<void> {
  // A reader that stops early (`| head`) is not an error of ours.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? EXIT.ok);
    throw error;
  });
  if (process.argv.slice(2).some((a) => a === '--help' || a === '-h')) {
    process.stdout.write(`${usage.trim()}\n`);
    process.exit(EXIT.ok);
  }
  try {
    process.exitCode = await command();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`error: ${message}\n`);
    if (error instanceof UsageError) process.stderr.write(`\n${usage.trim()}\n`);
    process.exitCode = EXIT.cannotRun;
  }
}

export const repoRoot = (): string => process.cwd();

/** Deletes old renders from the cache (at most once a day); a failure is a warning, never the command's failure. */
export async function pruneCache(cache: RenderCache): Promise<void> {
  try {
    await cache.prune();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    process.stderr.write(`warning: ${cache.dir}: old renders could not be deleted (${reason}); deleting the directory is always safe\n`);
  }
}
