/**
 * `grafana/provisioning-schema`: every file Grafana provisions from (the ConfigMaps mounted under its
 * provisioning path) against the documented format of its kind (tools/validate/grafana-provisioning-schema.ts):
 * an unknown key, a wrong type, a value outside the documented ones and a missing required key are
 * errors, named by file and field (`datasources[0].isDefault`).
 */
import { parse as parseYaml } from 'yaml';
import type { V1Deployment } from '@kubernetes/client-node';
import { describeObject, type KubeObject } from '../kube/object.ts';
import type { RenderedApp } from '../render/tree.ts';
import type { Finding } from './finding.ts';
import { schemaProblems, type SchemaProblem } from './documented-schema.ts';
import { JSON_DATA_BY_TYPE, PROVISIONING_FILES, SETTINGS_BY_RECEIVER_TYPE } from './grafana-provisioning-schema.ts';

export type ProvisioningKind = keyof typeof PROVISIONING_FILES;
const KINDS = Object.keys(PROVISIONING_FILES) as ProvisioningKind[];

/** Where Grafana's Docker image reads provisioning from unless grafana.ini's `[paths] provisioning` says otherwise. */
const DEFAULT_PROVISIONING = '/etc/grafana/provisioning';

/** `[paths] provisioning` of a grafana.ini, when set. */
export function provisioningPath(ini: string): string | undefined {
  let section = '';
  for (const line of ini.split('\n')) {
    const header = /^\s*\[([^\]]+)\]/.exec(line);
    if (header) section = header[1] ?? '';
    const setting = /^\s*provisioning\s*=\s*(\S+)/.exec(line);
    if (section === 'paths' && setting) return setting[1]?.replace(/\/$/, '');
  }
  return undefined;
}

type ListEntry = Record<string, unknown>;
const entries = (content: unknown, key: string): ListEntry[] => {
  const list = (content as Record<string, unknown> | null)?.[key];
  return Array.isArray(list) ? list.filter((e): e is ListEntry => typeof e === 'object' && e !== null) : [];
};

/** The problems of one provisioning file's parsed content: its format, then jsonData and settings by their type. */
function provisioningProblems(kind: ProvisioningKind, content: unknown): SchemaProblem[] {
  const problems = schemaProblems(content, PROVISIONING_FILES[kind]);
  if (kind === 'datasources') {
    for (const [i, source] of entries(content, 'datasources').entries()) {
      const schema = JSON_DATA_BY_TYPE[String(source['type'])];
      if (schema && source['jsonData'] !== undefined)
        problems.push(...schemaProblems(source['jsonData'], schema, `datasources[${i}].jsonData`));
    }
  }
  if (kind === 'alerting') {
    for (const [i, point] of entries(content, 'contactPoints').entries()) {
      for (const [j, receiver] of entries(point, 'receivers').entries()) {
        const schema = SETTINGS_BY_RECEIVER_TYPE[String(receiver['type'])];
        if (schema && receiver['settings'] !== undefined)
          problems.push(...schemaProblems(receiver['settings'], schema, `contactPoints[${i}].receivers[${j}].settings`));
      }
    }
  }
  return problems;
}

/** The ConfigMaps a Grafana Deployment mounts as provisioning directories, by kind. */
export function provisionedConfigMaps(app: RenderedApp): { kind: ProvisioningKind; configMap: KubeObject }[] {
  const ini = app.objects
    .filter((o) => o.kind === 'ConfigMap')
    .map((o) => ((o['data'] ?? {}) as Record<string, string>)['grafana.ini'])
    .find((text) => text !== undefined);
  const root = (ini && provisioningPath(ini)) ?? DEFAULT_PROVISIONING;
  return app.objects
    .filter((o): o is KubeObject & V1Deployment => o.kind === 'Deployment')
    .flatMap((deployment) => {
      const pod = deployment.spec?.template.spec;
      return (pod?.containers ?? []).flatMap((container) =>
        (container.volumeMounts ?? []).flatMap((mount) => {
          const kind = KINDS.find((k) => mount.mountPath.replace(/\/$/, '') === `${root}/${k}`);
          const name = pod?.volumes?.find((v) => v.name === mount.name)?.configMap?.name;
          const configMap = app.objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === name);
          return kind && configMap && !mount.subPath ? [{ kind, configMap }] : [];
        }),
      );
    });
}

/** The gate over one rendered app. A file that is no YAML is grafana/unreadable-file's (tools/validate/logql.ts). */
export function grafanaProvisioningFindings(app: RenderedApp): Finding[] {
  return provisionedConfigMaps(app).flatMap(({ kind, configMap }) =>
    Object.entries((configMap['data'] ?? {}) as Record<string, string>)
      .filter(([file]) => /\.(ya?ml|json)$/.test(file))
      .flatMap(([file, text]) => {
        let content: unknown;
        try {
          content = parseYaml(text);
        } catch {
          return [];
        }
        return provisioningProblems(kind, content).map((p): Finding => ({
          rule: 'grafana/provisioning-schema',
          severity: 'error',
          env: app.env,
          component: app.component,
          object: describeObject(configMap),
          path: `/data/${file}`,
          message: `${kind} file, ${p.path || '(top level)'}: ${p.message}`,
        }));
      }),
  );
}
