import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { diffTrees } from '../../tools/diff/engine.ts';
import { formatMarkdown } from '../../tools/diff/format.ts';
import { ARTIFACT_COMMENT_MAX_BYTES, ARTIFACT_COMMENT_MAX_CHARS, forgedLine, readPrDiffArtifact } from '../../tools/github/pr-artifact.ts';
import { stackTree, tree } from '../diff/stack.ts';

const root = mkdtempSync(join(tmpdir(), 'obs-artifact-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let count = 0;

/** An artifact directory holding `files` (a Buffer for raw bytes). */
function artifact(files: Record<string, string | Buffer>): string {
  const dir = join(root, String(count++));
  mkdirSync(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

const REPORT = 'Base abc → head def\n\n**2 objects change** in 1 app.\n';

describe('readPrDiffArtifact', () => {
  test('reads the claimed number and the report of a well-formed artifact', async () => {
    expect(await readPrDiffArtifact(artifact({ 'pr-number': '17\n', 'comment.md': REPORT }))).toEqual({ prNumber: 17, comment: REPORT });
  });

  test.each([
    [
      'an extra file',
      { 'pr-number': '1\n', 'comment.md': REPORT, 'full.md': 'x' },
      /^pr-diff artifact \S+: holds "full\.md" besides comment\.md and pr-number; posting nothing/,
    ],
    ['no comment', { 'pr-number': '1\n' }, /^pr-diff artifact comment\.md: is missing; posting nothing/],
    [
      'a number that is not one',
      { 'pr-number': '1; rm -rf /\n', 'comment.md': REPORT },
      /^pr-diff artifact pr-number: is "1; rm -rf \/\\n", not a pull request number/,
    ],
    [
      'a number with leading zeros',
      { 'pr-number': '007', 'comment.md': REPORT },
      /^pr-diff artifact pr-number: is "007", not a pull request number/,
    ],
    [
      'an oversized comment',
      { 'pr-number': '1\n', 'comment.md': 'x'.repeat(ARTIFACT_COMMENT_MAX_BYTES + 1) },
      new RegExp(
        `^pr-diff artifact comment\\.md: is ${ARTIFACT_COMMENT_MAX_BYTES + 1} bytes, over the cap of ${ARTIFACT_COMMENT_MAX_BYTES}`,
      ),
    ],
    [
      'a comment over the character cap',
      { 'pr-number': '1\n', 'comment.md': 'x'.repeat(ARTIFACT_COMMENT_MAX_CHARS + 1) },
      new RegExp(
        `^pr-diff artifact comment\\.md: is ${ARTIFACT_COMMENT_MAX_CHARS + 1} characters, over the cap of ${ARTIFACT_COMMENT_MAX_CHARS}`,
      ),
    ],
    [
      'a comment that is not UTF-8',
      { 'pr-number': '1\n', 'comment.md': Buffer.from([0x6f, 0x6b, 0xc3, 0x28]) },
      /^pr-diff artifact comment\.md: is not UTF-8 text/,
    ],
    [
      'a control character',
      { 'pr-number': '1\n', 'comment.md': `${REPORT}bell\u0007\n` },
      /^pr-diff artifact comment\.md: line 4 holds control character U\+0007/,
    ],
    ['an empty comment', { 'pr-number': '1\n', 'comment.md': '\n\n' }, /^pr-diff artifact comment\.md: is empty/],
    [
      "the bot's marker",
      { 'pr-number': '1\n', 'comment.md': `<!-- observability-gitops:pr-diff -->\n${REPORT}` },
      /^pr-diff artifact comment\.md: line 1 carries the bot's marker/,
    ],
    [
      "the bot's title",
      { 'pr-number': '1\n', 'comment.md': `${REPORT}\n## Rendered diff\n\nNo rendered changes.\n` },
      /^pr-diff artifact comment\.md: line 5 is a level-1 or level-2 heading outside a code block/,
    ],
  ])('refuses %s', async (_, files, message) => {
    await expect(readPrDiffArtifact(artifact(files))).rejects.toThrow(message);
  });

  test("refuses a symbolic link in place of a file (it could point at the runner's files)", async () => {
    const dir = artifact({ 'pr-number': '1\n' });
    symlinkSync('/etc/hostname', join(dir, 'comment.md'));
    await expect(readPrDiffArtifact(dir)).rejects.toThrow(/^pr-diff artifact comment\.md: is not a regular file/);
  });

  test('refuses a directory that is not there, naming it', async () => {
    await expect(readPrDiffArtifact(join(root, 'absent'))).rejects.toThrow(/^pr-diff artifact \S+absent: cannot be read \(ENOENT\)/);
  });
});

describe('forgedLine', () => {
  test('passes the report the diff formatter writes for the artifact, flags, summary and diffs included', () => {
    // GIVEN a real report with every section: prod's stack rendered against an empty base
    const report = diffTrees({ base: tree(), head: tree(...stackTree('prod')) });
    const comment = formatMarkdown(report, { baseSha: 'a'.repeat(40), headSha: 'b'.repeat(40), title: false });
    expect(comment).toContain('### Summary');
    expect(comment).toContain('### Object diffs');
    // THEN nothing in it is what only the posting side writes; with the title it would be
    expect(forgedLine(comment)).toBeUndefined();
    expect(forgedLine(formatMarkdown(report, { baseSha: 'a', headSha: 'b' }))?.line).toBe(1);
  });

  test.each([
    ['an HTML comment', 'text\n<!-- hidden -->\n', 2, /HTML comment/],
    ['a level-1 heading', '# Rendered diff\n', 1, /level-1 or level-2 heading/],
    ['a setext heading', 'Rendered diff\n===\n', 2, /underlines the line above/],
    ['a marker inside a code block', '```\n<!-- observability-gitops:pr-diff -->\n```\n', 2, /bot's marker/],
  ])('flags %s', (_, text, line, why) => {
    expect(forgedLine(text)).toEqual({ line, why: expect.stringMatching(why) });
  });

  test.each([
    ['headings and comments inside a fenced diff', '````diff\n+## Rendered diff\n+<!-- x -->\n```\n+still code\n````\n'],
    ['a level-3 section heading', '### Review first\n'],
    ['a table and a thematic break after a list', '| a | b |\n|---|---|\n\n- item\n---\n'],
  ])('allows %s', (_, text) => {
    expect(forgedLine(text)).toBeUndefined();
  });
});
