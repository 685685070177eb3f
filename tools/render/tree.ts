import type { KubeObject } from '../kube/object.ts';

/** One Argo CD Application's worth of rendered objects: `overlays/<env>/<component>` after kustomize. */
export interface RenderedApp {
  env: string;
  component: string;
  /** The overlay directory, relative to the repository root, e.g. `overlays/prod/loki`. */
  dir: string;
  objects: KubeObject[];
}

/** Every overlay of a checkout, rendered; apps sorted by env, then component. */
export interface RenderedTree {
  apps: RenderedApp[];
}
