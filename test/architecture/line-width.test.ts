import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '@babel/parser';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/repo.ts';

/** The width Prettier wraps at (.prettierrc.json `printWidth`). */
const WIDTH: number = JSON.parse(readFileSync(join(REPO_ROOT, '.prettierrc.json'), 'utf8')).printWidth;

/** Token kinds Prettier never breaks: a line they make long is the literal's length, not the code's. */
const LITERALS = new Set(['string', 'template', 'regexp', 'templateNonTail', 'templateTail']);

/**
 * Lines (1-based) of `source` longer than `width` code points that no string, template or regular
 * expression literal crosses: code Prettier would have wrapped, or a comment nobody wrapped.
 */
function overWidth(source: string, width: number, file: string): number[] {
  const ast = parse(source, { sourceType: 'module', plugins: ['typescript'], tokens: true, errorRecovery: false, sourceFilename: file });
  const literalLines = new Set<number>();
  for (const token of ast.tokens ?? []) {
    const type = (token as { type: string | { label: string } }).type;
    const label = typeof type === 'string' ? type : type.label;
    if (!LITERALS.has(label)) continue;
    for (let line = token.loc.start.line; line <= token.loc.end.line; line++) literalLines.add(line);
  }
  return source.split('\n').flatMap((line, i) => ([...line].length > width && !literalLines.has(i + 1) ? [i + 1] : []));
}

describe('line width', () => {
  const files = execFileSync('git', ['ls-files', '-z', '*.ts'], { cwd: REPO_ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);

  it(`no line of a tracked .ts file is over ${WIDTH} characters, except where a literal Prettier cannot break makes it so`, () => {
    const over = files.flatMap((file) =>
      overWidth(readFileSync(join(REPO_ROOT, file), 'utf8'), WIDTH, file).map((line) => `${file}:${line}`),
    );
    expect(over).toEqual([]);
  });

  it('finds a long comment and long code, and lets a long string pass', () => {
    const long = 'x'.repeat(WIDTH);
    const source = `// ${long}\nconst a = '${long}';\nconst b = [${'1, '.repeat(WIDTH / 2)}1];\n`;
    expect(overWidth(source, WIDTH, 'example.ts')).toEqual([1, 3]);
  });
});
