import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const sources = (dir: string): string[] =>
  readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));

describe('the order of strings', () => {
  it('is the one code-unit comparator of tools/kube/order.ts everywhere: no locale-dependent or hand-written string comparator', () => {
    // GIVEN every module of tools/, scripts/, bench/ and test/
    const files = ['tools', 'scripts', 'bench', 'test'].flatMap(sources).filter((file) => file !== 'tools/kube/order.ts' && file !== 'test/architecture/order.test.ts');
    // THEN none orders strings by locale, or by `<` written out in a comparator
    const wrong = files.flatMap((file) =>
      readFileSync(join(ROOT, file), 'utf8')
        .split('\n')
        .flatMap((line, i) => (/\blocaleCompare\(|\bIntl\.Collator\b|\?\s*-1\s*:\s*1\b|<\s*[A-Za-z_]\w*(\([^)]*\))?\s*\?\s*-1\s*:/.test(line) ? [`${file}:${i + 1}`] : [])),
    );
    expect(wrong).toEqual([]);
  });
});
