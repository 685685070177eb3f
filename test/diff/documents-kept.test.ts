import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { diffRefs } from '../../tools/diff/run.ts';
import { keepDocuments, readKeptDocuments } from '../../tools/diff/documents-kept.ts';
import { openRenderCache } from '../../tools/render/cache.ts';
import { findKustomize, type Kustomize } from '../../tools/render/kustomize.ts';
import type { KubeObject } from '../../tools/kube/object.ts';
import { committedCopy } from '../support/git.ts';

let kustomize: Kustomize;
beforeAll(async () => {
  kustomize = await findKustomize();
});

describe("the early renders' documents kept for the next diff", () => {
  it('are taken for the documents that render the same, and not when the table was edited', async () => {
    // GIVEN a change to dev/loki, diffed once with a render cache, which keeps its rendered documents
    const root = await committedCopy(['base', 'overlays', 'apps'], { '.gitignore': '.cache/\n' });
    const loki = join(root, 'overlays/dev/loki/kustomization.yaml');
    appendFileSync(loki, '# changed\n');
    const diff = async () => (await diffRefs(root, kustomize, 'HEAD', undefined, { cache: openRenderCache(root) })).report;
    expect((await diff()).changes).toEqual([]);
    const dir = openRenderCache(root).dir;
    const kept = readKeptDocuments(dir);
    expect(kept.size).toBeGreaterThan(1);
    // AND the table kept again with every object it holds labelled (as the code keeps it: sealed, keyed by the code)
    const labelled = new Map(
      [...kept].map(([digest, objects]): [string, KubeObject[]] => [
        digest,
        objects.map((object) => ({ ...object, metadata: { ...object.metadata, labels: { ...object.metadata.labels, kept: 'yes' } } })),
      ]),
    );
    await keepDocuments(dir, labelled, new Map());
    // WHEN dev/loki is changed again in a way that renders the same, and diffed
    appendFileSync(loki, '# changed again\n');
    const taken = await diff();
    // THEN every object of dev/loki is reported with the label: its documents came from the table, not from kustomize's text
    expect(taken.changes.length).toBeGreaterThan(0);
    expect(taken.changes.every((change) => change.env === 'dev' && change.component === 'loki')).toBe(true);
    expect(taken.changes.every((change) => JSON.stringify(change).includes('kept'))).toBe(true);
    // WHEN the table is edited by hand (its checksum no longer holds), and diffed after another change
    const file = join(dir, 'early-documents.json');
    writeFileSync(file, readFileSync(file, 'utf8').replaceAll('"kept":"yes"', '"kept":"yep"'));
    appendFileSync(loki, '# and again\n');
    // THEN it is not read: kustomize's text is parsed, and nothing changes
    expect((await diff()).changes).toEqual([]);
  }, 60_000);
});
