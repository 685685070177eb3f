import { access, constants, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ParseArgsOptionsConfig } from 'node:util';
import { UsageError, codeOf, messageOf } from '../../cli/command.ts';
import type { RenderCache } from '../../tools/render/cache.ts';
import { toYaml } from '../../tools/yaml.ts';

/** What a reporting command prints: `-o`/`--output` as kubectl spells it, with `--json` and `--format` kept. */
export type OutputFormat = 'text' | 'json' | 'yaml' | 'markdown';

/** The flags every reporting command takes; spread into a command's parseFlags options. */
export const OUTPUT_OPTIONS = {
  json: { type: 'boolean' },
  format: { type: 'string' },
  output: { type: 'string', short: 'o' },
} as const satisfies ParseArgsOptionsConfig;

/**
 * The one output format the flags ask for, `text` when none; a value outside `allowed` or two
 * flags asking for different formats (`--json --format markdown`) is a UsageError.
 */
export function outputFormat<const F extends OutputFormat>(
  values: { json?: boolean; format?: string; output?: string },
  allowed: readonly F[],
): F {
  const asked: [string, string][] = [];
  if (values.json) asked.push(['--json', 'json']);
  if (values.format !== undefined) asked.push([`--format ${values.format}`, values.format]);
  if (values.output !== undefined) asked.push([`-o ${values.output}`, values.output]);
  for (const [flag, format] of asked) {
    if (!allowed.some((known) => known === format)) throw new UsageError(`${flag}: expected one of ${allowed.join(', ')}`);
  }
  if (new Set(asked.map(([, format]) => format)).size > 1)
    throw new UsageError(`conflicting flags: ${asked.map(([flag]) => flag).join(' and ')}; give one output format`);
  const chosen = allowed.find((format) => format === (asked[0]?.[1] ?? 'text'));
  if (chosen === undefined) throw new UsageError(`give an output format: ${allowed.join(', ')}`);
  return chosen;
}

/** Plain data for `json` and `yaml` output, one document ending in a newline. */
export function formatData(data: unknown, format: 'json' | 'yaml'): string {
  return format === 'yaml' ? toYaml(data) : `${JSON.stringify(data, null, 2)}\n`;
}

/**
 * Colour only on a terminal, and never when `NO_COLOR` is set to anything but the empty string
 * (no-color.org) or `TERM=dumb`.
 */
export function useColor(stream: { isTTY?: boolean }): boolean {
  return Boolean(stream.isTTY) && !process.env['NO_COLOR'] && process.env['TERM'] !== 'dumb';
}

function pathProblem(error: unknown): string {
  const code = codeOf(error);
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EISDIR') return 'is a directory, expected a file';
  if (code === 'ENOTDIR') return 'a part of the path is not a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return messageOf(error);
}

/** Reads the file a flag names; an error names the flag and the path: `--snapshot live/: is a directory, expected a file`. */
export async function readFlagFile(flag: string, path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`${flag} ${path}: ${pathProblem(error)}`, { cause: error });
  }
}

/** Fails early, naming flag and path, when the file a flag names could not be written: its folder is missing or read-only. */
export async function checkWritable(flag: string, path: string): Promise<void> {
  try {
    await access(dirname(path), constants.W_OK);
  } catch (error) {
    throw new UsageError(`${flag} ${path}: cannot write: ${pathProblem(error)}`, { cause: error });
  }
}

/** Writes the file a flag names; an error names the flag and the path. */
export async function writeFlagFile(flag: string, path: string, text: string): Promise<void> {
  try {
    await writeFile(path, text);
  } catch (error) {
    throw new UsageError(`${flag} ${path}: cannot write: ${pathProblem(error)}`, { cause: error });
  }
}

export const repoRoot = (): string => process.cwd();

/** Deletes old renders from the cache (at most once a day); a failure is a warning, never the command's failure. */
export async function pruneCache(cache: RenderCache): Promise<void> {
  try {
    await cache.prune();
  } catch (error) {
    process.stderr.write(
      `warning: ${cache.dir}: old renders could not be deleted (${messageOf(error)}); deleting the directory is always safe\n`,
    );
  }
}

/**
 * Work done / total and the time since the first call, on one rewritten line of a terminal's stderr
 * (`rendering overlays: 3/10, 1.2 s`); undefined in CI or when stderr is not a terminal.
 */
export function progressLine(): ((what: string, done: number, total: number) => void) | undefined {
  if (!process.stderr.isTTY || process.env['CI']) return undefined;
  const started = performance.now();
  return (what, done, total) => {
    process.stderr.write(`\r${what}: ${done}/${total}, ${((performance.now() - started) / 1000).toFixed(1)} s`);
    if (done === total) process.stderr.write('\n');
  };
}
