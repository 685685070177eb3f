import type { Environment } from './types.ts';
import { baseline, environments } from './environments.ts';
import { VERSIONS, type VersionFacts } from './versions.ts';

/** Everything the generator reads: the profile bases are made from, and the environments. */
export interface Catalog {
  baseline: Environment;
  environments: readonly Environment[];
  /** This repository, as Argo CD clones it (AppProject sourceRepos, Applications' repoURL). */
  repoURL: string;
  /** Argo CD minimum, the kustomize it bundles, the Kubernetes minor targeted. */
  versions: VersionFacts;
}

export const catalog: Catalog = {
  baseline,
  environments,
  repoURL: 'https://github.com/example-org/observability-gitops.git',
  versions: VERSIONS,
};
