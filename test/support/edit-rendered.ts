import type { RenderedTree } from '../../tools/render/tree.ts';

/**
 * A copy of a rendered tree with one file of one ConfigMap edited (`env`/`component` app, ConfigMap
 * `configMap`, data key `file`). Throws when the file is missing or the edit changes nothing, so a
 * test cannot pass on an edit that missed.
 */
export function editConfigMapFile(
  tree: RenderedTree,
  at: { env: string; component: string; configMap: string; file: string },
  edit: (text: string) => string,
): RenderedTree {
  const copy = structuredClone(tree);
  const found = copy.apps
    .find((a) => a.env === at.env && a.component === at.component)
    ?.objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === at.configMap);
  const data = found?.['data'] as Record<string, string> | undefined;
  const text = data?.[at.file];
  if (!data || text === undefined) throw new Error(`no ${at.file} in ${at.env}/${at.component} ConfigMap ${at.configMap}`);
  const edited = edit(text);
  if (edited === text) throw new Error(`the edit changed nothing in ${at.file}`);
  data[at.file] = edited;
  return copy;
}
