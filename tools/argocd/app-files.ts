import type { KubeObject } from '../kube/object.ts';
import { parseObjects } from '../yaml.ts';

/** The files of the Argo CD objects the root Application syncs: `apps/*.yaml` (not the bootstrap, applied by hand). */
export const APP_FILE = /^apps\/[^/]+\.yaml$/;

/** The Argo CD objects among a tree's files (repository-relative path -> text), read by `parse` (parseObjects unless given). */
export function argoObjects(
  files: ReadonlyMap<string, string>,
  parse: (text: string, path: string) => KubeObject[] = parseObjects,
): KubeObject[] {
  return [...files].filter(([path]) => APP_FILE.test(path)).flatMap(([path, text]) => parse(text, path));
}
