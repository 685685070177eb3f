import type { KubeObject } from '../kube/object.ts';
import { parseObjects } from '../yaml.ts';

/** The files of the Argo CD objects the root Application syncs: `apps/*.yaml` (not the bootstrap, applied by hand). */
export const APP_FILE = /^apps\/[^/]+\.yaml$/;

/** The Argo CD objects among a tree's files (repository-relative path -> text). */
export function argoObjects(files: ReadonlyMap<string, string>): KubeObject[] {
  return [...files].filter(([path]) => APP_FILE.test(path)).flatMap(([path, text]) => parseObjects(text, path));
}
