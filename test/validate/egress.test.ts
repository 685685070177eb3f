import { describe, expect, it } from 'vitest';
import { catalog } from '../../tools/catalog/index.ts';
import { dev } from '../../tools/catalog/environments.ts';
import type { Environment } from '../../tools/catalog/types.ts';
import { COMPONENTS } from '../../tools/components/index.ts';
import { allowedFlows, networkFindings } from '../../tools/validate/network.ts';
import { concreteIntendedFlows, networkEndpoints } from '../../tools/validate/network-endpoints.ts';
import { validateTree } from '../../tools/validate/index.ts';
import { renderCommitted } from '../support/repo.ts';

/** Internet egress only where a flow needs it (docs/adr/0016-internet-egress-only-where-needed.md). */
describe('internet egress', async () => {
  const { matrices } = validateTree(await renderCommitted(), catalog);
  const internet = (env: string): Record<string, number[]> => {
    const json = matrices.find((m) => m.env === env)?.json as Record<string, Record<string, { port: number }[]>>;
    return Object.fromEntries(
      Object.entries(json).flatMap(([from, row]) => (row['internet'] ? [[from, row['internet'].map((p) => p.port)]] : [])),
    );
  };

  it('prod: only Grafana reaches the internet, on 443 (its alert webhook); dev has no webhook, so nobody does', () => {
    expect(internet('prod')).toEqual({ grafana: [443] });
    expect(internet('dev')).toEqual({});
  });

  it.each(['dev', 'prod'])('%s: the rendered matrix is the reviewed golden text', async (env) => {
    await expect(matrices.find((m) => m.env === env)?.text).toMatchFileSnapshot(`__golden__/matrix-rendered-${env}.txt`);
  });

  it('an external S3 endpoint opens Loki, and only Loki, to its port', () => {
    // GIVEN dev without MinIO, its chunks on an external S3 endpoint on port 9443
    const env: Environment = {
      ...dev,
      name: 's3',
      components: dev.components.filter((c) => c !== 'minio'),
      objectStore: { kind: 's3', endpoint: 's3.example.com:9443', region: 'eu-west-1', insecure: false },
    };
    const objects = env.components.flatMap((c) => COMPONENTS[c].build(env));
    // WHEN its generated NetworkPolicies are evaluated
    const allowed = allowedFlows(objects, networkEndpoints(env, objects));
    // THEN Loki reaches the internet on 9443 and nothing else does, exactly as the catalog intends
    expect(allowed.filter((f) => f.to === 'internet').map((f) => `${f.from}:${f.port}`)).toEqual(['loki:9443']);
    expect(networkFindings(allowed, concreteIntendedFlows(env), { env: env.name })).toEqual([]);
  });
});
