import { access, constants, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import type { RenderCache } from '../../tools/render/cache.ts';
import { toYaml } from '../../tools/yaml.ts';

/** Exit codes shared by every command (DESIGN §4). */
export const EXIT = { ok: 0, findings: 1, cannotRun: 2 } as const;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Node's parseArgs error codes (nodejs.org/api/errors.html, `ERR_PARSE_ARGS_*`) in our one-line words. */
function usageMessage(error: unknown, argv: readonly string[]): string | undefined {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  const quoted = /'([^']*)'/.exec(message)?.[1] ?? '';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${quoted}; see --help`;
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return `unexpected argument ${JSON.stringify(quoted)}: this command takes no arguments (a value belongs after its --flag); see --help`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const flag = /^Option '(-\w, )?(--[\w-]+)/.exec(message)?.[2];
    if (flag && message.includes('argument missing')) return `${flag} needs a value`;
    if (flag) return `${flag} takes no value (${argv.find((a) => a.startsWith(`${flag}=`)) ?? flag})`;
    return message;
  }
  return undefined;
}

/**
 * Parses argv with Node's own `util.parseArgs` (strict): an unknown option, a missing value, a
 * repeated single-valued option or (unless `positionals` is true) any positional argument is a
 * UsageError naming it. `--help`/`-h` is answered by `main` before this runs.
 * Values are typed from `options` (`type: 'string'` → `string | undefined`).
 */
export function parseFlags<const O extends ParseArgsOptionsConfig>(argv: readonly string[], options: O, positionals = false) {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: positionals, tokens: true });
  } catch (error) {
    const message = usageMessage(error, argv);
    if (message) throw new UsageError(message, { cause: error });
    throw error;
  }
  const seen = new Set<string>();
  for (const token of parsed.tokens) {
    if (token.kind !== 'option' || options[token.name]?.multiple) continue;
    if (seen.has(token.name)) throw new UsageError(`--${token.name} given more than once`);
    seen.add(token.name);
  }
  return { values: parsed.values, positionals: [...parsed.positionals] };
}

/** `name` must be set: "--repo OWNER/NAME is required". */
export function required<T>(value: T | undefined, flag: string): T {
  if (value === undefined || value === '') throw new UsageError(`${flag} is required; see --help`);
  return value;
}

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
export function outputFormat<const F extends OutputFormat>(values: { json?: boolean; format?: string; output?: string }, allowed: readonly F[]): F {
  const asked: [string, string][] = [];
  if (values.json) asked.push(['--json', 'json']);
  if (values.format !== undefined) asked.push([`--format ${values.format}`, values.format]);
  if (values.output !== undefined) asked.push([`-o ${values.output}`, values.output]);
  for (const [flag, format] of asked) {
    if (!allowed.some((known) => known === format)) throw new UsageError(`${flag}: expected one of ${allowed.join(', ')}`);
  }
  if (new Set(asked.map(([, format]) => format)).size > 1) throw new UsageError(`conflicting flags: ${asked.map(([flag]) => flag).join(' and ')}; give one output format`);
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
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EISDIR') return 'is a directory, expected a file';
  if (code === 'ENOTDIR') return 'a part of the path is not a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
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

/** Runs a command: its return value is the exit code; any error is one line on stderr and exit 2. */
export async function main(usage: string, command: () => Promise<number>): Promise<void> {
  // A reader that stops early (`| head`) is not an error of ours.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? EXIT.ok);
    throw error;
  });
  const args = process.argv.slice(2);
  const beforeDashes = args.includes('--') ? args.slice(0, args.indexOf('--')) : args;
  if (beforeDashes.some((a) => a === '--help' || a === '-h')) {
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
