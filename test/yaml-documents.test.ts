import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { listOverlays } from '../tools/git/checkout.ts';
import { findKustomize, renderText, type Kustomize } from '../tools/render/kustomize.ts';
import { documentTexts, parseObjects, parseObjectsKnown } from '../tools/yaml.ts';
import type { KubeObject } from '../tools/kube/object.ts';

const REPO = join(import.meta.dirname, '..');
const digest = (text: string): string => createHash('sha256').update(text).digest('hex');

let kustomize: Kustomize;
beforeAll(async () => {
  kustomize = await findKustomize();
});

describe('a YAML stream read document by document', () => {
  it("reads every overlay's kustomize output as the whole stream reads, and takes known documents unparsed", async () => {
    for (const overlay of await listOverlays(REPO)) {
      // GIVEN the real kustomize output of each overlay of the repository
      const text = await renderText(kustomize, join(REPO, overlay.dir));
      const documents = documentTexts(text);
      // WHEN it is split at its document-start lines and each document is parsed alone
      expect(documents, overlay.dir).toBeDefined();
      expect(documents?.length, overlay.dir).toBeGreaterThan(1);
      const learnt = new Map<string, readonly KubeObject[]>();
      // THEN the objects are those of the whole stream, in order, and each document is learnt by its digest
      expect(parseObjectsKnown(text, overlay.dir, new Map(), learnt), overlay.dir).toEqual(parseObjects(text, overlay.dir));
      expect([...learnt.keys()].sort()).toEqual([...new Set(documents?.map(digest))].sort());
      // AND a document known by its digest is taken as known, not parsed again
      const first = documents?.[0] ?? '';
      const marked = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'known-not-parsed' } };
      const again = parseObjectsKnown(text, overlay.dir, new Map([[digest(first), [marked]]]), new Map());
      expect(again[0]).toEqual(marked);
      expect(again.slice(1)).toEqual(parseObjects(text, overlay.dir).slice(parseObjects(first, overlay.dir).length));
    }
  });

  it('does not split what a document-start line does not start, and leaves whole what it cannot promise to split alike', () => {
    // GIVEN a block scalar holding an indented `---`, and a line that only begins with dashes
    const held =
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: |\n    ---\n    x\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n';
    expect(documentTexts(held)).toEqual([held.slice(0, held.indexOf('\n---\n') + 1), held.slice(held.indexOf('\n---\n') + 5)]);
    expect(documentTexts('a: 1\n----\nb: 2\n')).toEqual(['a: 1\n----\nb: 2\n']);
    // AND a leading marker and empty documents give no empty text
    expect(documentTexts('---\na: 1\n---\n---\nb: 2\n')).toEqual(['a: 1\n', 'b: 2\n']);
    // THEN directives, document-end markers and content on a marker line leave the stream whole
    for (const stream of ['%YAML 1.1\n---\na: 1\n', 'a: 1\n...\n---\nb: 2\n', '--- |\n  text\n', '--- # comment\na: 1\n'])
      expect(documentTexts(stream), stream).toBeUndefined();
  });

  it('reports a document that does not parse as the whole stream does', () => {
    // GIVEN a stream whose second document is not a Kubernetes object
    const stream = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\njust: a map\n';
    const whole = (() => {
      try {
        parseObjects(stream, 'render');
        return '';
      } catch (error) {
        return String(error);
      }
    })();
    // WHEN it is read document by document, THEN the error is the one the whole stream gives (naming document 2)
    expect(whole).toContain('document 2');
    expect(() => parseObjectsKnown(stream, 'render', new Map(), new Map())).toThrow(whole.replace(/^YamlParseError: /, ''));
  });
});
