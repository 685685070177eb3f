/** Desired / live pairs on disk: the project's own (test/fixtures/drift-pairs) and Argo CD's, when ../shared has them. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubeObject } from '../../tools/kube/object.ts';
import { parseObjects } from '../../tools/yaml.ts';

export const OWN_PAIRS = fileURLToPath(new URL('../fixtures/drift-pairs/', import.meta.url));
export const ARGO_DIFF = fileURLToPath(new URL('../../../shared/fixtures/argo-diff/', import.meta.url));

/** Why the peer corpus suite is skipped, or undefined when ../shared/fixtures/argo-diff is there (CI). */
export const ARGO_DIFF_ABSENT = existsSync(ARGO_DIFF)
  ? undefined
  : `${ARGO_DIFF} is absent (a clone without ../shared): Argo CD's diff fixtures are not run`;

/** Exit codes of `drift --desired --snapshot` per pair: 0 in sync, 1 drift. */
export const OWN_VERDICTS: Record<string, number> = {
  deployment: 0,
  'statefulset-shared-mount-name': 0,
  'webhook-defaults': 0,
  'serviceaccount-namespace': 0,
  'secret-null-data': 0,
  'clusterrole-null-rules': 0,
  'custom-resource-null-timestamp': 0,
  'endpoints-order': 0,
  'deployment-server-side-apply': 0,
  'service-target-port': 1,
  'aggregated-clusterrole': 1,
};

/** Argo CD's verdicts, from the README of its fixtures (gitops-engine pkg/diff/diff_test.go). */
export const ARGO_VERDICTS: Record<string, number> = {
  deployment: 0,
  elasticsearch: 0,
  mutatingwebhookconfig: 0,
  'spinnaker-sa': 0,
  wordpress: 0,
  'grafana-clusterrole': 0,
  sealedsecret: 0,
  endpoints: 0,
  'smd-deploy': 0,
  'smd-service': 1,
  'aggr-clusterrole': 1,
};

/** The two files of a pair: `NAME.desired.*` / `NAME.live.*` (ours) or `NAME-config.*` / `NAME-live.*` (Argo CD's). */
export function pairFiles(dir: string, name: string): { desired: string; live: string } {
  const files = readdirSync(dir);
  const find = (prefixes: string[]): string => {
    const found = files.find((f) => prefixes.some((p) => f.startsWith(p)));
    if (!found) throw new Error(`${dir}: no file ${prefixes.join(' or ')}*`);
    return join(dir, found);
  };
  return { desired: find([`${name}.desired.`, `${name}-config.`]), live: find([`${name}.live.`, `${name}-live.`]) };
}

function load(file: string): KubeObject {
  const [object, ...rest] = parseObjects(readFileSync(file, 'utf8'), file);
  if (!object || rest.length > 0) throw new Error(`${file}: expected exactly one object`);
  return object;
}

export function loadPair(dir: string, name: string): { desired: KubeObject; live: KubeObject } {
  const files = pairFiles(dir, name);
  return { desired: load(files.desired), live: load(files.live) };
}
