import type { KubeObject } from '../kube/object.ts';
import type { ComponentName, Environment } from '../catalog/types.ts';
import { WAVES } from '../catalog/waves.ts';
import { alloy } from './alloy.ts';
import { grafana } from './grafana.ts';
import { loki } from './loki.ts';
import { minio } from './minio.ts';
import { platform } from './platform.ts';
import { driftReader } from './drift-reader.ts';

/** A deployable part of the stack: one Kustomize base, one overlay per environment, one Argo CD Application each. */
export interface Component {
  name: ComponentName;
  wave: number;
  /** The module that builds it, named in every generated file's header. */
  source: string;
  build: (env: Environment) => KubeObject[];
}

const component = (name: ComponentName, build: Component['build']): Component => ({
  name,
  wave: WAVES[name],
  source: `tools/components/${name}.ts`,
  build,
});

/** The platform, plus the drift reader's RBAC over everything the environment's other components deploy. */
function platformWithDriftReader(env: Environment): KubeObject[] {
  const own = platform(env);
  const others = env.components.filter((c) => c !== 'platform').flatMap((c) => COMPONENTS[c].build(env));
  return [...own, ...driftReader([...own, ...others])];
}

export const COMPONENTS: Readonly<Record<ComponentName, Component>> = {
  platform: { ...component('platform', platformWithDriftReader), source: 'tools/components/platform.ts' },
  minio: component('minio', minio),
  loki: component('loki', loki),
  alloy: component('alloy', alloy),
  grafana: component('grafana', grafana),
};
