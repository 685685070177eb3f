import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, sources } from './sources.ts';

describe('the order of strings', () => {
  it('is the one code-unit comparator of tools/kube/order.ts everywhere: no locale-dependent or hand-written string comparator', () => {
    // GIVEN every module of tools/, scripts/, bench/ and test/
    const files = ['tools', 'scripts', 'bench', 'test']
      .flatMap(sources)
      .filter((file) => file !== 'tools/kube/order.ts' && file !== 'test/architecture/order.test.ts');
    // THEN none orders strings by locale, or by `<` written out in a comparator
    const wrong = files.flatMap((file) =>
      readFileSync(join(ROOT, file), 'utf8')
        .split('\n')
        .flatMap((line, i) =>
          /\blocaleCompare\(|\bIntl\.Collator\b|\?\s*-1\s*:\s*1\b|<\s*[A-Za-z_]\w*(\([^)]*\))?\s*\?\s*-1\s*:/.test(line)
            ? [`${file}:${i + 1}`]
            : [],
        ),
    );
    expect(wrong).toEqual([]);
  });
});
