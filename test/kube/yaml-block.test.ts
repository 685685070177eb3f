/**
 * kustomize's block YAML read without a parser gives the objects the YAML parser gives, on real
 * kustomize output and on every construct the reader accepts; what it does not accept goes to the parser.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTree } from '../../bench/tree.ts';
import { readBlockYaml } from '../../tools/kube/yaml-block.ts';
import { findKustomize, renderText } from '../../tools/render/kustomize.ts';
import { listOverlays } from '../../tools/render/overlays.ts';
import { parseObjects, parseRendered } from '../../tools/yaml.ts';
import { REPO_ROOT } from '../support/repo.ts';

const roots: string[] = [];
afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

/** Both readers' objects as JSON text, so key order counts too; and whether the block reader took the text. */
function bothWays(text: string): { block: string; parser: string; accepted: boolean } {
  return { block: JSON.stringify(parseRendered(text, 'text')), parser: JSON.stringify(parseObjects(text, 'text')), accepted: readBlockYaml(text) !== undefined };
}

const object = (spec: string): string => `apiVersion: example.com/v1\nkind: Probe\nmetadata:\n  name: probe\nspec:\n${spec}`;

describe('kustomize output read without a YAML parser', () => {
  it('gives the objects of every committed overlay and of a batch of synthetic copies as the parser does', async () => {
    // GIVEN kustomize's own output for the repository's overlays and for one batch kustomization of a synthetic tree
    const kustomize = await findKustomize();
    const texts = await Promise.all((await listOverlays(REPO_ROOT)).map((o) => renderText(kustomize, join(REPO_ROOT, o.dir))));
    const root = mkdtempSync(join(tmpdir(), 'obs-block-'));
    roots.push(root);
    buildTree(REPO_ROOT, root, 10, 1);
    writeFileSync(join(root, 'kustomization.yaml'), `resources:\n${(await listOverlays(root)).map((o) => `  - ${o.dir}\n`).join('')}`);
    texts.push(await renderText(kustomize, root));
    // WHEN each is read both ways
    for (const text of texts) {
      const { block, parser, accepted } = bothWays(text);
      // THEN the block reader took it, and gave the same objects, keys in the same order
      expect(accepted).toBe(true);
      expect(block).toBe(parser);
    }
  });

  it.each([
    ['YAML 1.1 scalars as kubectl reads them', '  a: yes\n  b: "yes"\n  c: 0755\n  d: 0o17\n  e: 0X1F\n  f: 1_000\n  g: 1e3\n  h: .5\n  i: 09\n  j: ~\n  k: null\n  l: 2001-12-14\n  m: 1:20\n  n: "12"\n  o: -3\n  p: true\n  q: Off\n'],
    ['keys that are not strings in YAML', '  on: push\n  0755: octal\n  1.5: float\n  "quoted key": 1\n  \'single\': 2\n'],
    ['quoted scalars', '  a: "tab\\tnew\\nline \\u00e9 \\"q\\" \\\\ /"\n  b: \'it\'\'s\'\n  c: ""\n  d: \'\'\n'],
    ['literal blocks and their chomping', '  clip: |\n    one\n\n    two\n\n\n  strip: |-\n    x\n\n  keep: |+\n    y\n\n\n  lead: |\n\n    after a blank line\n  empty: |\n  deeper: |\n    four\n      six\n    four\n'],
    ['a long plain scalar folded onto the next lines', '  description: Log ingestion and storage of the stack (Loki write path,\n    MinIO) and more\n    words.\n  next: 1\n'],
    ['sequences under keys at the key column, nested collections, empty ones', '  args:\n  - server\n  - :9000\n  - -config.file=/etc/x.yaml\n  items:\n  - name: a\n    ports:\n    - 80\n    - 443\n    env: {}\n  - name: b\n    tags: []\n  - |\n    block in a list\n  none:\n  nested:\n    deep:\n      deeper: x\n'],
  ])('%s', (_name, spec) => {
    const { block, parser, accepted } = bothWays(object(spec));
    expect(accepted).toBe(true);
    expect(block).toBe(parser);
  });

  it.each([
    ['an anchor and an alias', '  a: &x 1\n  b: *x\n'],
    ['a merge key', '  <<: {a: 1}\n'],
    ['a flow mapping', '  a: {b: 1}\n'],
    ['a folded block', '  a: >\n    folded\n    text\n'],
    ['an indentation indicator', '  a: |2\n     one\n'],
    ['a comment', '  a: 1 # note\n'],
    ['a tag', '  a: !!str 1\n'],
    ['a YAML-only escape', '  a: "\\x41"\n'],
    ['a tab', '  a:\t1\n'],
    ['a quoted scalar over two lines', '  a: "one\n    two"\n'],
    ['an infinite number', '  a: .inf\n'],
  ])('leaves %s to the parser, with its reading or its error', (_name, spec) => {
    const text = object(spec);
    expect(readBlockYaml(text)).toBeUndefined();
    const parsed = (read: typeof parseObjects): string => {
      try {
        return JSON.stringify(read(text, 'text'));
      } catch (error) {
        return `error: ${(error as Error).message}`;
      }
    };
    expect(parsed(parseRendered)).toBe(parsed(parseObjects));
  });
});
