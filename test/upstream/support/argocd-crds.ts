/**
 * Argo CD's CRDs (Application, ApplicationSet, AppProject) of one release, read from the
 * `github.com/argoproj/argo-cd/v3` module in Go's module cache (`manifests/crds/`, fetched through
 * the module proxy by `go mod download`); never committed here.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeObject } from '../../../tools/kube/object.ts';
import { parseObjects } from '../../../tools/yaml.ts';
import { ARGO_CD_TARGET_VERSION } from '../../../tools/catalog/versions.ts';

/** The Argo CD release whose CRDs the tier installs: the catalog's target. */
export const ARGO_CD_CRDS_VERSION = ARGO_CD_TARGET_VERSION;

/** The CRD objects of `version` (downloads the module into Go's cache on first use). */
export function argoCdCrds(version = ARGO_CD_CRDS_VERSION): KubeObject[] {
  const out = execFileSync('go', ['mod', 'download', '-json', `github.com/argoproj/argo-cd/v3@${version}`], {
    encoding: 'utf8',
    maxBuffer: 4 * 1024 * 1024,
  });
  const dir = join((JSON.parse(out) as { Dir: string }).Dir, 'manifests', 'crds');
  return readdirSync(dir)
    .filter((file) => file.endsWith('-crd.yaml'))
    .sort()
    .flatMap((file) => parseObjects(readFileSync(join(dir, file), 'utf8'), `argo-cd ${version} manifests/crds/${file}`));
}
