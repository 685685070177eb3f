import { describe, expect, it } from 'vitest';
import { dev, prod } from '../../../tools/catalog/environments.ts';
import { grafanaContentSummary } from '../../../tools/components/grafana-content/summary.ts';

describe('grafanaContentSummary', () => {
  it("lists each environment's dashboards with their panels, its rules and its contact point", () => {
    // WHEN dev and prod are summarised
    const devSummary = grafanaContentSummary(dev);
    const prodSummary = grafanaContentSummary(prod);
    // THEN both dashboards and all rules are listed, and only prod has a contact point
    expect(devSummary?.dashboards.map((d) => `${d.folder}/${d.title}`)).toEqual(['Logs/Cluster logs', 'Observability stack/Stack health']);
    expect(devSummary?.dashboards[0]?.panels).toContain('Logs');
    expect(prodSummary?.rules.map((r) => r.uid)).toEqual([
      'alloy-node-silent',
      'namespace-error-rate',
      'loki-storage-errors',
      'loki-compactor-failing',
    ]);
    expect(devSummary?.contactPoint).toBeUndefined();
    expect(prodSummary?.contactPoint).toBe('ops-webhook');
  });

  it('is undefined for an environment without Grafana', () => {
    // GIVEN an environment that does not deploy Grafana
    const headless = { ...dev, components: dev.components.filter((c) => c !== 'grafana') };
    // THEN there is nothing to list
    expect(grafanaContentSummary(headless)).toBeUndefined();
  });
});
