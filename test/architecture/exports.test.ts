import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, sources } from './sources.ts';

describe('exported code', () => {
  it('is used outside its module: no exported function or constant of tools/, cli/ or scripts/lib/ that nothing else names', () => {
    // GIVEN every module, and the exported functions and constants of the library rooms
    const all = ['tools', 'cli', 'scripts', 'bench', 'test'].flatMap(sources);
    const text = new Map(all.map((file) => [file, readFileSync(join(ROOT, file), 'utf8')]));
    const library = all.filter((file) => /^(tools|cli|scripts\/lib)\//.test(file));
    // THEN each is named by some other module (types and error classes belong to the signatures that carry them)
    const unused = library.flatMap((file) =>
      [...(text.get(file) ?? '').matchAll(/^export (?:async )?(?:function|const) (\w+)/gm)]
        .map((m) => m[1] ?? '')
        .filter((name) => ![...text].some(([other, source]) => other !== file && new RegExp(`\\b${name}\\b`).test(source)))
        .map((name) => `${file}: ${name}`),
    );
    expect(unused).toEqual([]);
  });
});
