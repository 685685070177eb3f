/**
 * TLS gate: every host of every rendered Ingress terminates TLS — listed in a `tls` entry with a
 * `secretName` that cert-manager fills (its issuer annotation on the Ingress) or that the environment
 * declares — unless the environment declares plain HTTP as a named exception (tools/catalog/tls.ts).
 *
 * Rule ids (error): tls/host-without-tls, tls/no-certificate-source.
 */
import type { V1IngressTLS } from '@kubernetes/client-node';
import type { Environment } from '../catalog/types.ts';
import { CERT_MANAGER_ISSUER_ANNOTATION } from '../catalog/tls.ts';
import { describeObject } from '../kube/object.ts';
import type { RenderedApp } from '../render/tree.ts';
import type { Finding } from './finding.ts';

export function tlsFindings(apps: readonly RenderedApp[], env: Environment): Finding[] {
  const findings: Finding[] = [];
  const declared = env.ingress.tls;
  for (const app of apps) {
    for (const object of app.objects.filter((o) => o.kind === 'Ingress')) {
      const spec = (object['spec'] ?? {}) as { tls?: V1IngressTLS[]; rules?: { host?: string }[] };
      const at = { env: app.env, component: app.component, object: describeObject(object) };
      const issued = Object.values(CERT_MANAGER_ISSUER_ANNOTATION).some((key) => object.metadata.annotations?.[key]);
      (spec.rules ?? []).forEach((rule, i) => {
        const host = rule.host ?? '*';
        const entry = (spec.tls ?? []).find((t) => (t.hosts ?? []).includes(host) && t.secretName);
        if (!entry) {
          if (declared.mode !== 'none')
            findings.push({
              rule: 'tls/host-without-tls',
              severity: 'error',
              ...at,
              path: `/spec/rules/${i}/host`,
              message: `host ${host} is served over plain HTTP: add it to a tls entry with a secretName, or declare a named exception in the environment's ingress.tls`,
            });
          return;
        }
        const own = declared.mode === 'secret' && entry.secretName === declared.secretName;
        if (!issued && !own)
          findings.push({
            rule: 'tls/no-certificate-source',
            severity: 'error',
            ...at,
            path: '/spec/tls',
            message: `Secret ${entry.secretName ?? ''} for host ${host} is neither issued by cert-manager (no ${Object.values(CERT_MANAGER_ISSUER_ANNOTATION).join(' or ')} annotation) nor the environment's declared ingress.tls.secretName`,
          });
      });
    }
  }
  return findings;
}
