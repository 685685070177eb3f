import { objectKey, describeObject, type KubeObject } from '../kube/object.ts';
import type { Catalog } from '../catalog/index.ts';
import type { ComponentName, Environment } from '../catalog/types.ts';
import { validateCatalog } from '../catalog/validate.ts';
import { COMPONENTS, type Component } from '../components/index.ts';
import { toYaml } from '../yaml.ts';
import { baseDir, markdownHeader, objectFile, overlayDir, yamlHeader } from './layout.ts';
import { planOverlay } from './overlay.ts';
import { applicationSet, appProject, progressiveSyncsParams, rootApplication } from './apps.ts';
import { compareStrings } from '../kube/order.ts';
import { podSpecOf } from '../kube/pod.ts';

/** Repository-relative path -> file content, sorted by path. */
export type GeneratedFiles = Map<string, string>;

export class GenerateError extends Error {
  override readonly name = 'GenerateError';
}

const KUSTOMIZATION = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization' };
const SOURCE = 'tools/generate/index.ts';

function emit(files: GeneratedFiles, path: string, header: string, body: string): void {
  if (files.has(path)) throw new GenerateError(`${path}: generated twice (two objects with the same kind and name?)`);
  files.set(path, header + body);
}

/** Objects a component built must be valid on their own: unique identities and container ports. */
function checkObjects(env: Environment, component: ComponentName, objects: readonly KubeObject[]): void {
  const where = `${env.name}/${component}`;
  const keys = new Set<string>();
  for (const object of objects) {
    if (keys.has(objectKey(object))) throw new GenerateError(`${where} ${describeObject(object)}: metadata.name: declared twice`);
    keys.add(objectKey(object));
    const spec = podSpecOf(object);
    if (!spec) continue;
    for (const container of spec.pod.containers ?? []) {
      const numbers = new Set<number>();
      const names = new Set<string>();
      for (const port of container.ports ?? []) {
        const field = `${spec.path.join('.')}.containers[${container.name}].ports`;
        if (numbers.has(port.containerPort))
          throw new GenerateError(`${where} ${describeObject(object)}: ${field}: port ${port.containerPort} declared twice`);
        if (port.name && names.has(port.name))
          throw new GenerateError(`${where} ${describeObject(object)}: ${field}: port name "${port.name}" declared twice`);
        numbers.add(port.containerPort);
        if (port.name) names.add(port.name);
      }
    }
  }
}

function build(env: Environment, component: Component): KubeObject[] {
  const objects = component.build(env);
  checkObjects(env, component.name, objects);
  return objects;
}

function writeBase(files: GeneratedFiles, component: Component, objects: readonly KubeObject[]): void {
  const dir = baseDir(component.name);
  const header = yamlHeader(component.source);
  for (const object of objects) emit(files, `${dir}/${objectFile(object)}`, header, toYaml(object));
  emit(files, `${dir}/kustomization.yaml`, yamlHeader(SOURCE), toYaml({ ...KUSTOMIZATION, resources: objects.map((o) => objectFile(o)) }));
}

function writeOverlay(
  files: GeneratedFiles,
  env: Environment,
  component: Component,
  base: readonly KubeObject[] | undefined,
  objects: readonly KubeObject[],
): void {
  const dir = overlayDir(env.name, component.name);
  const header = yamlHeader(`${component.source} (environment ${env.name})`);
  const plan = planOverlay(base ?? [], objects);
  const resources = base ? [`../../../${baseDir(component.name)}`] : [];
  for (const object of plan.resources) {
    resources.push(objectFile(object));
    emit(files, `${dir}/${objectFile(object)}`, header, toYaml(object));
  }
  const patches: { path: string }[] = [];
  for (const patch of plan.patches) {
    const path = objectFile(patch, patch['$patch'] === 'delete' ? 'delete-' : 'patch-');
    patches.push({ path });
    emit(files, `${dir}/${path}`, header, toYaml(patch));
  }
  const kustomization = {
    ...KUSTOMIZATION,
    resources,
    ...(patches.length > 0 ? { patches } : {}),
    ...(plan.replicas.length > 0 ? { replicas: plan.replicas } : {}),
    ...(plan.images.length > 0 ? { images: plan.images } : {}),
  };
  emit(files, `${dir}/kustomization.yaml`, yamlHeader(SOURCE), toYaml(kustomization));
}

const APPS_SOURCE = 'tools/generate/apps.ts';

function writeApps(files: GeneratedFiles, catalog: Catalog): void {
  const header = yamlHeader(APPS_SOURCE);
  emit(files, 'apps/project.yaml', header, toYaml(appProject(catalog)));
  for (const env of catalog.environments) emit(files, `apps/${env.name}.applicationset.yaml`, header, toYaml(applicationSet(catalog, env)));
  const bootstrap = [
    ['root-application.yaml', rootApplication(catalog)],
    ['argocd-cmd-params-cm.yaml', progressiveSyncsParams()],
  ] as const;
  for (const [name, object] of bootstrap) emit(files, `apps/bootstrap/${name}`, header, toYaml(object));
  emit(files, 'apps/bootstrap/kustomization.yaml', header, toYaml({ ...KUSTOMIZATION, resources: bootstrap.map(([name]) => name) }));
  emit(
    files,
    'apps/README.md',
    markdownHeader(APPS_SOURCE),
    `# apps/\n\nThe Argo CD objects, generated from the catalog:\n\n- \`project.yaml\`: the AppProject \`observability\` (this repository only; exactly the environments' clusters and\n  the kinds the overlays render).\n${catalog.environments.map((e) => `- \`${e.name}.applicationset.yaml\`: Applications \`${e.name}-<component>\` synced wave by wave (RollingSync).`).join('\n')}\n- \`bootstrap/\`: applied once by an operator (\`kubectl apply -k apps/bootstrap\`): the root Application that keeps\n  this folder in sync, and the \`argocd-cmd-params-cm\` setting that turns Progressive Syncs on.\n`,
  );
}

function readmes(files: GeneratedFiles, catalog: Catalog): void {
  const components = catalog.baseline.components.map(
    (c) => `- \`${c}/\`: wave ${COMPONENTS[c].wave}, built by \`${COMPONENTS[c].source}\``,
  );
  emit(
    files,
    'base/README.md',
    markdownHeader(SOURCE),
    `# base/\n\nKustomize bases, one per component (one Argo CD Application each), generated from the catalog's\nbaseline profile (\`tools/catalog/environments.ts\`). Change the catalog and run \`npm run generate\`;\nnever edit these files by hand.\n\n${components.join('\n')}\n`,
  );
  const envs = catalog.environments.map(
    (e) => `- \`${e.name}/\`: ${e.components.join(', ')} → cluster \`${e.cluster.name}\` at \`${e.targetRevision}\``,
  );
  emit(
    files,
    'overlays/README.md',
    markdownHeader(SOURCE),
    `# overlays/\n\nOne overlay per environment and component, each holding only its difference from \`base/\`\n(patches, replicas, images, and objects the base does not have). Argo CD syncs\n\`overlays/<env>/<component>\`. Generated by \`npm run generate\`; never edit by hand.\n\n${envs.join('\n')}\n`,
  );
}

/** The whole generated tree for a catalog: pure, deterministic, nothing written. */
export function generate(catalog: Catalog): GeneratedFiles {
  validateCatalog([catalog.baseline, ...catalog.environments]);
  const files: GeneratedFiles = new Map();
  const bases = new Map<ComponentName, KubeObject[]>();
  for (const name of catalog.baseline.components) {
    const objects = build(catalog.baseline, COMPONENTS[name]);
    bases.set(name, objects);
    writeBase(files, COMPONENTS[name], objects);
  }
  for (const env of catalog.environments) {
    for (const name of env.components) writeOverlay(files, env, COMPONENTS[name], bases.get(name), build(env, COMPONENTS[name]));
  }
  writeApps(files, catalog);
  readmes(files, catalog);
  return new Map([...files].sort(([a], [b]) => compareStrings(a, b)));
}
