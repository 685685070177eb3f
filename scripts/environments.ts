#!/usr/bin/env node
import { catalog } from '../tools/catalog/index.ts';
import { validateCatalog } from '../tools/catalog/validate.ts';
import { EXIT, main, parseFlags } from '../cli/command.ts';

const USAGE = `
Usage: npm run environments [-- --json]

Lists the catalog's environments, one name a line; --json prints them as one JSON array on one line,
which drift.yml feeds to its matrix (adding an environment to the catalog adds its drift job).

Exit: 0 printed, 2 bad flags or an invalid catalog.
`;

await main(USAGE, async () => {
  const { json } = parseFlags(process.argv.slice(2), { json: { type: 'boolean' } }).values;
  // drift.yml's matrix is only as good as the catalog: refuse one that generate would refuse.
  validateCatalog([catalog.baseline, ...catalog.environments]);
  const names = catalog.environments.map((env) => env.name);
  process.stdout.write(json ? `${JSON.stringify(names)}\n` : names.map((name) => `${name}\n`).join(''));
  return EXIT.ok;
});
