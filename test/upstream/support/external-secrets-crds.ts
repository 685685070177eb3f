/**
 * The External Secrets Operator's CRDs for the kinds a sync applies (ExternalSecret, SecretStore, …),
 * read from the `github.com/external-secrets/external-secrets` module in Go's module cache
 * (`config/crds/bases/`, fetched through the module proxy by `go mod download`); never committed here.
 * A cluster runs the operator before the stack's prod sync (README, credentials: external-secrets).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VERSIONS } from '../../../tools/catalog/versions.ts';
import type { KubeObject } from '../../../tools/kube/object.ts';
import { parseObjects } from '../../../tools/yaml.ts';

export const EXTERNAL_SECRETS_GROUP = 'external-secrets.io';

/** The CRDs of the `external-secrets.io` group at the catalog's operator release (downloads the module on first use). */
export function externalSecretsCrds(version = `v${VERSIONS.externalSecretsOperator}`): KubeObject[] {
  const out = execFileSync('go', ['mod', 'download', '-json', `github.com/external-secrets/external-secrets@${version}`], {
    encoding: 'utf8',
    maxBuffer: 4 * 1024 * 1024,
  });
  const dir = join((JSON.parse(out) as { Dir: string }).Dir, 'config', 'crds', 'bases');
  return readdirSync(dir)
    .filter((file) => file.startsWith(`${EXTERNAL_SECRETS_GROUP}_`) && file.endsWith('.yaml'))
    .sort()
    .flatMap((file) => parseObjects(readFileSync(join(dir, file), 'utf8'), `external-secrets ${version} config/crds/bases/${file}`));
}
