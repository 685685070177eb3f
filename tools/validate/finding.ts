import { byKey } from '../kube/order.ts';

/** One result of a validation gate: what rule, how bad, and exactly where. */
export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  /** Stable rule id, e.g. `security/read-only-root-filesystem`, `network/unintended-flow`. */
  rule: string;
  severity: Severity;
  /** Environment and component (Argo CD app) the object belongs to, when known. */
  env?: string;
  component?: string;
  /** `Kind namespace/name` of the object, or a file path for non-object findings. */
  object?: string;
  /** JSON Pointer inside the object, e.g. `/spec/template/spec/containers/0/securityContext`. */
  path?: string;
  message: string;
}

/** `prod/loki StatefulSet observability/loki-write /spec/replicas: message` — one line, where first. */
export function formatFinding(finding: Finding): string {
  const where = [
    finding.env && finding.component ? `${finding.env}/${finding.component}` : (finding.env ?? finding.component),
    finding.object,
    finding.path,
  ]
    .filter(Boolean)
    .join(' ');
  return `${finding.severity} ${finding.rule}: ${where ? `${where}: ` : ''}${finding.message}`;
}

export function sortFindings(findings: readonly Finding[]): Finding[] {
  const key = (f: Finding): string => [f.env, f.component, f.object, f.path, f.rule, f.message].map((p) => p ?? '').join('\u0000');
  return [...findings].sort(byKey(key));
}
