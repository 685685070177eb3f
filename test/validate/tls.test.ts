import { describe, expect, it } from 'vitest';
import { dev, prod } from '../../tools/catalog/environments.ts';
import type { Environment } from '../../tools/catalog/types.ts';
import { grafana } from '../../tools/components/grafana.ts';
import { minio } from '../../tools/components/minio.ts';
import { tlsFindings } from '../../tools/validate/tls.ts';

const withTls = (env: Environment, tls: Environment['ingress']['tls']): Environment => ({ ...env, ingress: { ...env.ingress, tls } });
const apps = (env: Environment) => [
  { env: env.name, component: 'grafana', dir: `overlays/${env.name}/grafana`, objects: grafana(env) },
  { env: env.name, component: 'minio', dir: `overlays/${env.name}/minio`, objects: minio(env) },
];
const ini = (env: Environment): string =>
  String((grafana(env).find((o) => o.metadata.name === 'grafana-config')?.['data'] as Record<string, string>)['grafana.ini']);

describe('Ingress TLS per environment', () => {
  it("cert-manager: the issuer annotation and one tls entry per host, Grafana's root_url is https", () => {
    const ingress = grafana(prod).find((o) => o.kind === 'Ingress');
    expect(ingress?.metadata.annotations).toEqual({ 'cert-manager.io/cluster-issuer': 'observability-ca' });
    expect((ingress?.['spec'] as { tls: unknown }).tls).toEqual([{ hosts: ['grafana.local'], secretName: 'grafana-tls' }]);
    expect(ini(prod)).toContain('root_url = https://grafana.local/');
    expect(tlsFindings(apps(prod), prod)).toEqual([]);
  });

  it('an existing Secret: no annotation, the Secret named for every host; a different Secret is refused', () => {
    const env = withTls(prod, { mode: 'secret', secretName: 'wildcard-local' });
    const rendered = apps(env);
    const ingresses = rendered.flatMap((a) => a.objects).filter((o) => o.kind === 'Ingress');
    expect(ingresses.map((i) => [i.metadata.annotations, (i['spec'] as { tls: { secretName: string }[] }).tls[0]?.secretName])).toEqual([
      [undefined, 'wildcard-local'],
      [undefined, 'wildcard-local'],
    ]);
    expect(tlsFindings(rendered, env)).toEqual([]);
    expect(tlsFindings(rendered, withTls(prod, { mode: 'secret', secretName: 'another' })).map((f) => f.rule)).toEqual([
      'tls/no-certificate-source',
      'tls/no-certificate-source',
    ]);
  });

  it("plain HTTP only under the environment's named exception", () => {
    expect(ini(dev)).toContain('root_url = http://grafana.local/');
    expect(tlsFindings(apps(dev), dev)).toEqual([]);
    // the same plain-HTTP objects judged for an environment that declares TLS fail on every host
    expect(tlsFindings(apps(dev), prod).map((f) => `${f.rule} ${f.object}`)).toEqual([
      'tls/host-without-tls Ingress observability/grafana',
      'tls/host-without-tls Ingress observability/minio-console',
    ]);
  });
});
