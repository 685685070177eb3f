/**
 * The frame every command-line entry point (scripts/, bench/) runs in: flags parsed by Node's own
 * `util.parseArgs`, the exit codes of DESIGN §4, `--help`, and any error as one line on stderr.
 * Here, below both, so neither imports the other.
 */
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';

/** An error's message, or the thrown value as text. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A Node error's `code` (`ENOENT`, `ERR_PARSE_ARGS_UNKNOWN_OPTION`, …), if it has one. */
export function codeOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
}

/** Exit codes shared by every command (DESIGN §4). */
export const EXIT = { ok: 0, findings: 1, cannotRun: 2 } as const;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Node's parseArgs error codes (nodejs.org/api/errors.html, `ERR_PARSE_ARGS_*`) in our one-line words. */
function usageMessage(error: unknown, argv: readonly string[]): string | undefined {
  const code = codeOf(error);
  const message = messageOf(error);
  const quoted = /'([^']*)'/.exec(message)?.[1] ?? '';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown option ${quoted}; see --help`;
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL')
    return `unexpected argument ${JSON.stringify(quoted)}: this command takes no arguments (a value belongs after its --flag); see --help`;
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
    process.stderr.write(`error: ${messageOf(error)}\n`);
    if (error instanceof UsageError) process.stderr.write(`\n${usage.trim()}\n`);
    process.exitCode = EXIT.cannotRun;
  }
}
