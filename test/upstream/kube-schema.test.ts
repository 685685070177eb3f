/**
 * The table of list types, merge keys and pointer fields (tools/kube/api-fields.json) is what its
 * generator (test/upstream/kube-schema, reading k8s.io/api's Go types by reflection and the
 * kube-apiserver's OpenAPI definitions) prints today, at the catalog's Kubernetes minor.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KUBERNETES_TARGET_MINOR } from '../../tools/catalog/versions.ts';
import { REPO_ROOT } from '../support/repo.ts';
import { BIN_DIR } from './support/programs.ts';

const TABLE = join(REPO_ROOT, 'tools/kube/api-fields.json');

describe('tools/kube/api-fields.json', () => {
  const generated = execFileSync(join(BIN_DIR, 'kube-schema'), { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });

  it("equals its generator's output byte for byte (regenerate: see test/upstream/kube-schema/main.go)", () => {
    expect(
      readFileSync(TABLE, 'utf8') === generated,
      'tools/kube/api-fields.json is stale: cd test/upstream/kube-schema && go run . > ../../../tools/kube/api-fields.json',
    ).toBe(true);
  });

  it(`is read from k8s.io/api and k8s.io/kubernetes at the catalog's target minor ${KUBERNETES_TARGET_MINOR}`, () => {
    const { source } = JSON.parse(generated) as { source: string };
    const minor = KUBERNETES_TARGET_MINOR.split('.')[1];
    expect(source).toMatch(new RegExp(`k8s\\.io/api v0\\.${minor}\\.\\d+`));
    expect(source).toMatch(new RegExp(`k8s\\.io/kubernetes v1\\.${minor}\\.\\d+`));
  });
});
