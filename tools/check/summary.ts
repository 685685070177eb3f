import type { KubeObject } from '../kube/object.ts';
import { containersOf, podSpecOf } from '../kube/pod.ts';
import type { RenderedApp } from '../render/tree.ts';

export interface AppSummary {
  env: string;
  component: string;
  objects: number;
  kinds: string[];
  images: string[];
}

function imagesOf(objects: readonly KubeObject[]): Set<string> {
  const images = new Set<string>();
  for (const object of objects) {
    const spec = podSpecOf(object);
    for (const { container } of spec ? containersOf(spec.pod) : []) if (typeof container.image === 'string') images.add(container.image);
  }
  return images;
}

export function summarize(app: RenderedApp): AppSummary {
  const images = imagesOf(app.objects);
  return {
    env: app.env,
    component: app.component,
    objects: app.objects.length,
    kinds: [...new Set(app.objects.map((o) => o.kind))].sort(),
    images: [...images].sort(),
  };
}

/** A fixed-width table: environment × component with objects, kinds and images. */
export function formatSummary(rows: readonly AppSummary[]): string {
  const header = ['ENV', 'COMPONENT', 'OBJECTS', 'IMAGES', 'KINDS'];
  const cells = rows.map((r) => [
    r.env,
    r.component,
    String(r.objects),
    r.images.map((i) => i.replace(/^.*\//, '')).join(' ') || '-',
    r.kinds.join(','),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: string[]): string =>
    c
      .map((cell, i) => (i === c.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...cells.map(line)].join('\n');
}
