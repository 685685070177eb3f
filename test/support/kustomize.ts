import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kustomize } from '../../tools/render/kustomize.ts';

/**
 * The real kustomize behind a wrapper that logs which overlay directories it was asked to render; for
 * a batch (tools/render/batch.ts), the overlays its kustomization lists.
 */
export function logging(root: string, real: Kustomize, version = real.version): { kustomize: Kustomize; rendered: () => string[] } {
  const log = join(root, 'rendered.log');
  const script = join(root, 'kustomize-logging.sh');
  writeFileSync(
    script,
    `#!/bin/sh\nfor last; do :; done\nif grep -qs '^buildMetadata: \\[originAnnotations\\]' "$last/kustomization.yaml"; then sed -n 's/^  - "\\(.*\\)"$/\\1/p' "$last/kustomization.yaml" >> "${log}"; else echo "$last" >> "${log}"; fi\nexec "$@"\n`,
  );
  chmodSync(script, 0o755);
  return {
    kustomize: { command: [script, ...real.command], version },
    rendered: () => {
      if (!existsSync(log)) return [];
      // The overlay's own path, wherever it was rendered (in place, or written out from a git commit).
      const lines = readFileSync(log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((dir) => dir.slice(dir.lastIndexOf('/overlays/') + 1))
        .sort();
      rmSync(log);
      return lines;
    },
  };
}
