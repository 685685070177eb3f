import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { prod } from '../../tools/catalog/environments.ts';
import { intendedFlows } from '../../tools/catalog/flows.ts';
import type { Environment } from '../../tools/catalog/types.ts';
import { COMPONENTS } from '../../tools/components/index.ts';
import type { KubeObject } from '../../tools/kube/object.ts';
import { parseAlloyConfig } from '../../tools/validate/alloy-config.ts';
import { app, renderCommitted } from '../support/repo.ts';

const configOf = (objects: readonly KubeObject[], name: string, key: string): string =>
  String((objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === name)?.['data'] as Record<string, string>)[key]);

describe("the stack's own metrics, written to the environment's Prometheus-compatible store", async () => {
  const tree = await renderCommitted();

  it("prod: Alloy scrapes, then remote-writes to the catalog's URL; Grafana gets that store as a Prometheus data source", () => {
    const blocks = parseAlloyConfig(configOf(app(tree, 'prod', 'alloy').objects, 'alloy-config', 'config.alloy'));
    const scrape = blocks.find((b) => b.name === 'prometheus.scrape');
    const write = blocks.find((b) => b.name === 'prometheus.remote_write');
    expect(scrape?.attributes.get('forward_to')).toBe(`[prometheus.remote_write.${write?.label}.receiver]`);
    expect(write?.blocks.find((b) => b.name === 'endpoint')?.attributes.get('url')).toBe(`"${prod.metrics?.remoteWriteUrl}"`);
    const sources = parse(configOf(app(tree, 'prod', 'grafana').objects, 'grafana-datasources', 'datasources.yaml')) as {
      datasources: { type: string; url: string }[];
    };
    expect(sources.datasources.map((d) => [d.type, d.url])).toEqual([
      ['loki', 'http://loki-read.observability.svc.cluster.local:3100'],
      ['prometheus', prod.metrics?.queryUrl],
    ]);
  });

  it('prod: the scrape keeps exactly the container ports the flows let Alloy reach, all serving /metrics', () => {
    const config = configOf(app(tree, 'prod', 'alloy').objects, 'alloy-config', 'config.alloy');
    const relabel = parseAlloyConfig(config).find((b) => b.name === 'discovery.relabel' && b.label === 'stack_metrics');
    const keep = relabel?.blocks.find((b) => b.attributes.get('action') === '"keep"');
    const regex = new RegExp(`^(?:${JSON.parse(keep?.attributes.get('regex') ?? '""') as string})$`);
    const kept = tree.apps
      .filter((a) => a.env === 'prod')
      .flatMap((a) => a.objects)
      .flatMap((o) => {
        const pod = (
          o['spec'] as { template?: { spec: { containers: { ports?: { name?: string; containerPort: number }[] }[] } } } | undefined
        )?.template;
        return (pod?.spec.containers ?? []).flatMap((c) =>
          (c.ports ?? [])
            .filter((p) => regex.test(`${o.metadata.namespace}/${p.name}`))
            .map((p) => `${o.metadata.name}:${p.containerPort}`),
        );
      });
    const scrapeFlows = intendedFlows(prod)
      .filter((f) => f.from === 'alloy' && ![53, 443, 6443].includes(f.port))
      .map((f) => `${f.to}:${f.port}`);
    expect(kept.sort()).toEqual(scrapeFlows.sort());
    expect(kept.sort()).toEqual(['alloy:12345', 'grafana:3000', 'loki-backend:3100', 'loki-read:3100', 'loki-write:3100']);
  });

  it('without a metrics store nothing of it is generated: no scrape, no data source, no flows', () => {
    const without: Environment = { ...prod };
    delete without.metrics;
    const objects = without.components.flatMap((c) => COMPONENTS[c].build(without));
    const text = JSON.stringify(objects);
    expect(text).not.toMatch(/prometheus\.|"type":"prometheus"|metrics\.example/);
    expect(intendedFlows(without).filter((f) => f.to === 'metrics-store' || f.reason.includes('/metrics'))).toEqual([]);
    expect(objects.filter((o) => o.kind === 'NetworkPolicy' && JSON.stringify(o).includes(prod.metrics?.cidr ?? '?'))).toEqual([]);
  });
});
