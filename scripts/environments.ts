#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { catalog } from '../tools/catalog/index.ts';
import { EXIT, UsageError, main, messageOf } from '../cli/command.ts';

const USAGE = `
Usage: npm run environments [-- --json]

Lists the catalog's environments, one name a line; --json prints them as one JSON array on one line,
which drift.yml feeds to its matrix (adding an environment to the catalog adds its drift job).

Exit: 0 printed, 2 bad flags.
`;

await main(USAGE, async () => {
  let json: boolean | undefined;
  try {
    ({ json } = parseArgs({ args: process.argv.slice(2), strict: true, allowPositionals: false, options: { json: { type: 'boolean' } } }).values);
  } catch (error) {
    throw new UsageError(`${messageOf(error).split('. ')[0]}; see --help`);
  }
  const names = catalog.environments.map((env) => env.name);
  process.stdout.write(json ? `${JSON.stringify(names)}\n` : names.map((name) => `${name}\n`).join(''));
  return EXIT.ok;
});
