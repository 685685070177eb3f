import type { ComponentName } from './types.ts';
import { compareStrings } from '../kube/order.ts';

/**
 * Sync order across Applications (DESIGN §3): each wave becomes one RollingSync step, and a
 * step starts only when the previous one is healthy. Components of one wave sync together.
 */
export const WAVES: Readonly<Record<ComponentName, number>> = {
  platform: 0,
  minio: 1,
  loki: 2,
  alloy: 3,
  grafana: 3,
};

/** Every component the catalog knows, in wave order, then by name. */
export const COMPONENT_NAMES: readonly ComponentName[] = (Object.keys(WAVES) as ComponentName[]).sort(
  (a, b) => WAVES[a] - WAVES[b] || compareStrings(a, b),
);
