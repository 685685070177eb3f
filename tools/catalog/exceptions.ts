import type { ComponentName } from './types.ts';

export type SecurityControl =
  | 'run-as-non-root'
  | 'read-only-root-filesystem'
  | 'drop-all-capabilities'
  | 'no-privilege-escalation'
  | 'seccomp-runtime-default'
  | 'not-privileged'
  | 'no-host-namespaces'
  | 'no-host-path'
  | 'resources'
  | 'image-pinned';

/** A named, justified departure from the seed's security controls; `check` lists every one it honours. */
export interface SecurityException {
  component: ComponentName;
  workload: string;
  container?: string;
  control: SecurityControl;
  reason: string;
}

export const SECURITY_EXCEPTIONS: readonly SecurityException[] = [
  {
    component: 'alloy',
    workload: 'alloy',
    container: 'alloy',
    control: 'run-as-non-root',
    reason: 'pod log files under /var/log/pods are root:root 0640; reading them needs UID 0 (docs/adr/0003-alloy-runs-as-root.md)',
  },
  {
    component: 'alloy',
    workload: 'alloy',
    control: 'no-host-path',
    reason:
      "Alloy tails the node's /var/log, mounted read-only (docs/adr/0003-alloy-runs-as-root.md), and keeps its tail positions in /var/lib/alloy/observability so a new pod resumes (docs/adr/0015-alloy-positions-on-the-node.md)",
  },
];
