import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { V1PodSpec } from '@kubernetes/client-node';
import type { KubeObject } from '../../tools/kube/object.ts';
import { podSpecOf } from '../../tools/kube/pod.ts';
import type { RenderedApp } from '../../tools/render/tree.ts';
import { app, renderCommitted } from '../support/repo.ts';

/** Smaller review findings against upstream, each on the rendered overlays of every environment. */
const data = (a: RenderedApp, configMap: string, key: string): string =>
  String(
    ((a.objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === configMap) as KubeObject)['data'] as Record<string, string>)[key],
  );

function pod(a: RenderedApp, kind: string, name: string): V1PodSpec {
  const spec = a.objects
    .filter((o) => o.kind === kind && o.metadata.name === name)
    .map(podSpecOf)
    .find(Boolean);
  if (!spec) throw new Error(`${a.env}/${a.component}: no ${kind} ${name}`);
  return spec.pod;
}

describe('upstream review findings, as rendered', async () => {
  const tree = await renderCommitted();
  const envs = [...new Set(tree.apps.map((a) => a.env))];

  it.each(envs)('%s: Alloy keeps tail positions on the node under /var/lib/alloy, so a new pod resumes', (env) => {
    const spec = pod(app(tree, env, 'alloy'), 'DaemonSet', 'alloy');
    const container = spec.containers[0];
    const storagePath = container?.args?.find((a) => a.startsWith('--storage.path='))?.split('=')[1];
    const mount = container?.volumeMounts?.find((m) => m.mountPath === storagePath);
    expect(mount, `a volume is mounted at --storage.path ${storagePath}`).toBeDefined();
    expect(mount?.readOnly).not.toBe(true);
    const volume = spec.volumes?.find((v) => v.name === mount?.name);
    expect(volume?.emptyDir).toBeUndefined();
    expect(volume?.hostPath?.type).toBe('DirectoryOrCreate');
    expect(volume?.hostPath?.path).toMatch(/^\/var\/lib\/alloy\/[^/]+$/);
  });

  it.each(envs)('%s: Alloy reports no usage, like Loki and Grafana', (env) => {
    expect(pod(app(tree, env, 'alloy'), 'DaemonSet', 'alloy').containers[0]?.args).toContain('--disable-reporting');
    expect(parse(data(app(tree, env, 'loki'), 'loki-config', 'config.yaml')).analytics).toEqual({ reporting_enabled: false });
    expect(data(app(tree, env, 'grafana'), 'grafana-config', 'grafana.ini')).toContain('[analytics]\nreporting_enabled = false');
  });

  it('prod read pods use the backend index gateways; monolithic dev has no gateway client', () => {
    const prod = parse(data(app(tree, 'prod', 'loki'), 'loki-config', 'config.yaml'));
    const address = String(prod.storage_config?.tsdb_shipper?.index_gateway_client?.server_address);
    const match = /^dns\+([^.]+)\.observability\.svc\.cluster\.local:(\d+)$/.exec(address);
    expect(match, address).not.toBeNull();
    const service = app(tree, 'prod', 'loki').objects.find((o) => o.kind === 'Service' && o.metadata.name === match?.[1]);
    const spec = service?.['spec'] as { clusterIP?: string; selector: Record<string, string>; ports: { port: number }[] };
    expect(spec.clusterIP, 'headless: dns+ resolves every backend pod').toBe('None');
    expect(spec.selector['app.kubernetes.io/component']).toBe('backend');
    expect(spec.ports.map((p) => p.port)).toContain(Number(match?.[2]));
    expect(parse(data(app(tree, 'dev', 'loki'), 'loki-config', 'config.yaml')).storage_config).toBeUndefined();
  });

  it.each(envs)('%s: the bucket Job runs only mc and shell builtins, with current mc commands', (env) => {
    const script = data(app(tree, env, 'minio'), 'minio-bucket-setup', 'setup.sh');
    // Every simple command of the script (split at ; && || | and shell keywords), by its first word.
    const commands = script
      .split('\n')
      .filter((line) => !line.trimStart().startsWith('#'))
      .flatMap((line) => line.split(/;|&&|\|\||\|/))
      .map((part) =>
        part
          .trim()
          .replace(/^(until|while|do|then|if|!)(\s+|$)/, '')
          .split(/\s+/),
      )
      .filter((words) => words[0] && !['done', 'fi', 'else'].includes(words[0]));
    const programs = new Set(commands.map((words) => words[0]));
    // The mc image is mc on ubi-micro: no grep, sed or awk (minio/mc Dockerfile.release).
    expect([...programs].sort()).toEqual(['echo', 'mc', 'set', 'sleep']);
    const mc = commands
      .filter((w) => w[0] === 'mc')
      .map((w) =>
        w
          .slice(1)
          .filter((x) => /^[a-z]+$/.test(x))
          .slice(0, 3)
          .join(' '),
      );
    expect(mc.some((c) => c.startsWith('ilm import'))).toBe(false);
    expect(mc.some((c) => c.startsWith('ilm rule import'))).toBe(true);
    expect(script).toMatch(/^mc admin policy attach stack loki-chunks-readwrite --user "\$LOKI_ACCESS_KEY_ID"$/m);
  });

  it.each(envs)("%s: Grafana offers no ruler management against Loki's read path", (env) => {
    const sources = parse(data(app(tree, env, 'grafana'), 'grafana-datasources', 'datasources.yaml')) as {
      datasources: { type: string; jsonData: Record<string, unknown> }[];
    };
    const loki = sources.datasources.filter((d) => d.type === 'loki');
    expect(loki).not.toHaveLength(0);
    for (const d of loki) expect(d.jsonData['manageAlerts']).toBe(false);
  });
});
