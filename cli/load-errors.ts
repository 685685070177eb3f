/**
 * Preloaded by every command (`node --import ./cli/load-errors.ts`, package.json): a module
 * that does not parse — a TypeScript syntax error in the catalog, say — fails while Node links the
 * command's imports, before any of its code runs. Such an error becomes one first line naming the
 * file and line, the source excerpt Node gives, and exit 2 (could not run) instead of a stack trace.
 * Node puts `FILE:LINE` on the first line of a SyntaxError's stack when it comes from loading a
 * module (`ERR_INVALID_TYPESCRIPT_SYNTAX` for TypeScript, nodejs.org/api/errors.html).
 */
import { enableCompileCache } from 'node:module';
import { relative } from 'node:path';
import { inspect } from 'node:util';

// Every module the command loads after this one is compiled from Node's on-disk compile cache, which
// keeps the type-stripped TypeScript too (nodejs/node#56629): about 0.35 s less CPU per `npm start`.
// NODE_COMPILE_CACHE chooses the folder (default: the temporary directory); a cache that cannot be
// used is skipped silently (nodejs.org/api/module.html#moduleenablecompilecachecachedir).
enableCompileCache();

process.on('uncaughtException', (error: Error) => {
  const [where, ...excerpt] = (error.stack ?? '').split('\n');
  if (error instanceof SyntaxError && where && /:\d+$/.test(where)) {
    const file = where.replace(/^file:\/\//, '');
    const end = excerpt.findIndex((line) => line.trim() === '' || line.startsWith('SyntaxError'));
    const context = (end < 0 ? excerpt : excerpt.slice(0, end)).map((line) => `  ${line}`);
    process.stderr.write(
      `error: ${relative(process.cwd(), file)}: ${error.message}: this TypeScript does not parse; fix it and run again\n${context.join('\n')}\n`,
    );
    process.exit(2);
  }
  // Anything else is a bug of ours: Node's own report (stack and all) and exit code 1.
  process.stderr.write(`${inspect(error)}\n`);
  process.exit(1);
});
