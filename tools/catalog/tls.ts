import type { Environment } from './types.ts';

/**
 * The annotation cert-manager's ingress-shim reads to issue a Certificate into each `tls[].secretName`
 * of an Ingress (cert-manager docs, "Securing Ingress Resources": `cert-manager.io/issuer` for a
 * namespaced Issuer, `cert-manager.io/cluster-issuer` for a ClusterIssuer).
 */
export const CERT_MANAGER_ISSUER_ANNOTATION = {
  Issuer: 'cert-manager.io/issuer',
  ClusterIssuer: 'cert-manager.io/cluster-issuer',
} as const;

/** `https://host` unless the environment declares plain HTTP as a named exception. */
export function externalUrl(env: Environment, host: string): string {
  return `${env.ingress.tls.mode === 'none' ? 'http' : 'https'}://${host}`;
}

/** The Secret holding an Ingress's certificate: cert-manager's per Ingress, or the environment's own. */
export function tlsSecretName(env: Environment, ingressName: string): string | undefined {
  const tls = env.ingress.tls;
  if (tls.mode === 'cert-manager') return `${ingressName}-tls`;
  return tls.mode === 'secret' ? tls.secretName : undefined;
}
