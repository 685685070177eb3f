#!/usr/bin/env node
import { catalog } from '../tools/catalog/index.ts';
import { generate } from '../tools/generate/index.ts';
import { writeTree } from '../tools/generate/write.ts';
import { EXIT, main, parseFlags } from '../cli/command.ts';
import { OUTPUT_OPTIONS, formatData, outputFormat, repoRoot } from './lib/cli.ts';

const USAGE = `
Usage: npm run generate [-- -o json|yaml]     (--json = -o json)

Writes base/, overlays/ and apps/ from the catalog (tools/catalog/), atomically: an interrupted run
leaves the old tree, or one the next run completes. Deletes generated files the catalog no longer
produces; never touches a file it did not generate.

Exit: 0 written (or already up to date), 2 invalid catalog or could not write.
`;

await main(USAGE, async () => {
  const { values } = parseFlags(process.argv.slice(2), OUTPUT_OPTIONS);
  const format = outputFormat(values, ['text', 'json', 'yaml']);
  const files = generate(catalog);
  const result = await writeTree(repoRoot(), files);
  if (format !== 'text') {
    process.stdout.write(formatData({ ...result, files: files.size }, format));
    return EXIT.ok;
  }
  if (result.recovered) process.stdout.write('completed an interrupted earlier generate\n');
  for (const path of result.written) process.stdout.write(`wrote   ${path}\n`);
  for (const path of result.deleted) process.stdout.write(`deleted ${path}\n`);
  process.stdout.write(
    `${files.size} generated files: ${result.written.length} written, ${result.deleted.length} deleted, ${result.unchanged} unchanged\n`,
  );
  return EXIT.ok;
});
