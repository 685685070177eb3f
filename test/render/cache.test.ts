import { appendFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cacheKey, KeptRefs, openRenderCache, RenderCache } from '../../tools/render/cache.ts';
import { findKustomize, renderObjects, type Kustomize } from '../../tools/render/kustomize.ts';
import { listOverlays, renderOverlays } from '../../tools/render/overlays.ts';
import { toYaml } from '../../tools/yaml.ts';
import { logging } from '../support/kustomize.ts';
import { REPO_ROOT } from '../support/repo.ts';
import { baseNames, overlayDirs } from '../support/catalog.ts';

const roots: string[] = [];
afterEach(() => roots.splice(0).forEach((r) => rmSync(r, { recursive: true, force: true })));

let real: Kustomize;
beforeAll(async () => {
  real = await findKustomize();
});

function checkout(): string {
  const root = mkdtempSync(join(tmpdir(), 'obs-cache-'));
  roots.push(root);
  for (const dir of ['base', 'overlays']) cpSync(join(REPO_ROOT, dir), join(root, dir), { recursive: true });
  return root;
}

describe('render cache', () => {
  it('renders once, then serves every overlay from the cache', async () => {
    // GIVEN a copy of the committed tree and an empty cache
    const root = checkout();
    const { kustomize, rendered } = logging(root, real);
    const cache = openRenderCache(root);
    const overlays = await listOverlays(root);
    // WHEN rendered twice
    const cold = await renderOverlays(root, kustomize, overlays, { cache });
    const coldRendered = rendered();
    const warm = await renderOverlays(root, kustomize, overlays, { cache });
    // THEN the first run rendered every overlay, the second none, with the same objects
    expect(coldRendered).toEqual(overlays.map((o) => o.dir).sort());
    expect(rendered()).toEqual([]);
    expect(warm.apps.map((a) => toYaml(a.objects))).toEqual(cold.apps.map((a) => toYaml(a.objects)));
  });

  it('a change to a base re-renders every overlay that uses it and no other', async () => {
    const root = checkout();
    const { kustomize, rendered } = logging(root, real);
    const cache = openRenderCache(root);
    await renderOverlays(root, kustomize, await listOverlays(root), { cache });
    rendered();
    // WHEN the Grafana base changes
    appendFileSync(join(root, 'base/grafana/service-grafana.yaml'), '# changed\n');
    const tree = await renderOverlays(root, kustomize, await listOverlays(root), { cache });
    // THEN only the Grafana overlays ran kustomize, and the new render carries the change
    expect(rendered()).toEqual(overlayDirs('grafana'));
    expect(tree.apps).toHaveLength(overlayDirs().length);
  });

  it('another kustomize version invalidates every entry', async () => {
    const root = checkout();
    const first = logging(root, real);
    const cache = openRenderCache(root);
    const overlays = (await listOverlays(root)).filter((o) => o.env === 'dev');
    await renderOverlays(root, first.kustomize, overlays, { cache });
    first.rendered();
    // WHEN the same tree is rendered by a kustomize reporting another version
    const other = logging(root, real, `${real.version}-other`);
    await renderOverlays(root, other.kustomize, overlays, { cache });
    // THEN every overlay was rendered again
    expect(other.rendered()).toEqual(overlays.map((o) => o.dir).sort());
  });

  it('an unreadable entry is a miss and is written again; entries are whole files, no temporaries left', async () => {
    const root = checkout();
    const cache = new RenderCache(join(root, 'cache'));
    const key = cacheKey(real.version, 'abc');
    await cache.put(key, [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }]);
    const file = join(root, 'cache', key.slice(0, 2), `${key}.json`);
    expect(readdirSync(join(root, 'cache', key.slice(0, 2)))).toEqual([`${key}.json`]);
    writeFileSync(file, '[{"apiVersion": "v1", "kin');
    expect(await cache.get(key)).toBeUndefined();
    expect(await cache.get(cacheKey(`${real.version}x`, 'abc'))).toBeUndefined();
  });

  it('keeps each kustomization file parsed once, by content; a lost or damaged table is rebuilt', async () => {
    // GIVEN a cold render through the cache
    const root = checkout();
    const { kustomize, rendered } = logging(root, real);
    const cache = openRenderCache(root);
    const overlays = await listOverlays(root);
    const cold = await renderOverlays(root, kustomize, overlays, { cache });
    rendered();
    // THEN the table holds one entry per distinct kustomization file (by content: two equal overlays share one)
    const table = join(root, '.cache/render/kustomizations.json');
    const files = new Set(
      [...baseNames().map((b) => `base/${b}`), ...overlayDirs()].map((dir) => readFileSync(join(root, dir, 'kustomization.yaml'), 'utf8')),
    ).size;
    expect(Object.keys(JSON.parse(readFileSync(table, 'utf8')) as object)).toHaveLength(files);
    // WHEN the table is damaged and an overlay's kustomization gains a resource
    writeFileSync(table, '{"not json');
    writeFileSync(
      join(root, 'overlays/dev/minio/extra.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n  namespace: observability\n',
    );
    const kustomization = join(root, 'overlays/dev/minio/kustomization.yaml');
    writeFileSync(kustomization, readFileSync(kustomization, 'utf8').replace('resources:\n', 'resources:\n  - extra.yaml\n'));
    const warm = await renderOverlays(root, kustomize, overlays, { cache });
    // THEN only that overlay is rendered again, with the new resource, and the table is whole again
    expect(rendered()).toEqual(['overlays/dev/minio']);
    expect(warm.apps.find((a) => a.dir === 'overlays/dev/minio')?.objects.map((o) => o.metadata.name)).toContain('extra');
    expect(warm.apps.filter((a) => a.dir !== 'overlays/dev/minio').map((a) => toYaml(a.objects))).toEqual(
      cold.apps.filter((a) => a.dir !== 'overlays/dev/minio').map((a) => toYaml(a.objects)),
    );
    expect(Object.keys(JSON.parse(readFileSync(table, 'utf8')) as object)).toHaveLength(files);
    // AND an entry of the wrong shape is not trusted: that file is parsed again
    const entries = JSON.parse(readFileSync(table, 'utf8')) as Record<string, unknown>;
    const [minioId] = Object.entries(entries).find(([, refs]) => JSON.stringify(refs).includes('extra.yaml')) ?? [];
    writeFileSync(table, JSON.stringify({ ...entries, [minioId ?? '']: { resources: 'extra.yaml' } }));
    expect(cache.readRefs().has(minioId ?? '')).toBe(false);
    expect(cache.readRefs().size).toBe(files - 1);
  });

  it('parallel rendering (with and without the cache) gives the same bytes as serial rendering', async () => {
    // GIVEN the committed overlays
    const root = checkout();
    const overlays = (await listOverlays(root)).filter((o) => o.env === 'prod');
    // WHEN rendered one at a time, in parallel, in parallel into a cache, and from that cache
    const serial: string[] = [];
    for (const overlay of overlays) serial.push(toYaml(await renderObjects(real, join(root, overlay.dir))));
    const parallel = await renderOverlays(root, real, overlays);
    const cache = openRenderCache(root);
    const cold = await renderOverlays(root, real, overlays, { cache });
    const warm = await renderOverlays(root, real, overlays, { cache });
    // THEN every way gives the same YAML, overlay by overlay, in the same order
    for (const tree of [parallel, cold, warm]) {
      expect(tree.apps.map((a) => a.dir)).toEqual(overlays.map((o) => o.dir));
      expect(tree.apps.map((a) => toYaml(a.objects))).toEqual(serial);
    }
  });
});

describe('render cache pruning', () => {
  it('deletes renders older than the limit and stale temporaries, keeps the rest, and looks at most once a day', async () => {
    // GIVEN a cache with a fresh entry, one written 40 days ago and a temporary left 2 days ago
    const root = mkdtempSync(join(tmpdir(), 'obs-prune-'));
    roots.push(root);
    const cache = new RenderCache(join(root, 'cache'));
    const object = [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }];
    const [fresh, old] = [cacheKey('v5', 'fresh'), cacheKey('v5', 'old')];
    await cache.put(fresh, object);
    await cache.put(old, object);
    const now = new Date();
    const daysAgo = (days: number): Date => new Date(now.getTime() - days * 24 * 3600 * 1000);
    utimesSync(join(root, 'cache', old.slice(0, 2), `${old}.json`), daysAgo(40), daysAgo(40));
    const temporary = join(root, 'cache', fresh.slice(0, 2), `${fresh}.json.123.abcd.tmp`);
    writeFileSync(temporary, '[');
    utimesSync(temporary, daysAgo(2), daysAgo(2));
    // WHEN pruned with the 30-day limit
    await cache.writeRefs(new Map([['0'.repeat(40), null]]));
    expect(await cache.prune(now)).toBe(2);
    expect(cache.readRefs().size).toBe(0);
    // THEN the fresh entry is still served, the old one and the temporary are gone
    expect(await cache.get(fresh)).toEqual(object);
    expect(await cache.get(old)).toBeUndefined();
    expect(existsSync(temporary)).toBe(false);
    // AND within a day it does not look again, even at an expired entry; a day later it does
    await cache.put(old, object);
    utimesSync(join(root, 'cache', old.slice(0, 2), `${old}.json`), daysAgo(40), daysAgo(40));
    expect(await cache.prune(new Date(now.getTime() + 3600 * 1000))).toBe(0);
    expect(await cache.prune(new Date(now.getTime() + 25 * 3600 * 1000))).toBe(1);
    // AND a cache that was never written is left alone
    expect(await new RenderCache(join(root, 'none')).prune(now)).toBe(0);
    expect(existsSync(join(root, 'none'))).toBe(false);
  });
});

describe('the parsed kustomizations a diff keeps (KeptRefs)', () => {
  const refs = (name: string) => ({ resources: [name], files: [], configs: [], trees: [], remote: [] });

  it('reads the kept table only once a run has missed more than a few, and writes it again only after reading it', async () => {
    // GIVEN a table of 100 parsed files kept by an earlier run
    const dir = mkdtempSync(join(tmpdir(), 'obs-kept-refs-'));
    const cache = new RenderCache(dir);
    await cache.writeRefs(new Map(Array.from({ length: 100 }, (_, i) => [`id-${i}`, refs(`r${i}`)])));
    // WHEN a run asks about a few files it parses itself
    const few = new KeptRefs(cache);
    for (let i = 0; i < 8; i++) {
      expect(few.has(`new-${i}`)).toBe(false);
      few.set(`new-${i}`, refs(`n${i}`));
    }
    // THEN the table is neither read nor written: it still holds the earlier run's entries only
    expect(few.size).toBe(8);
    await few.keep();
    expect(cache.readRefs().size).toBe(100);
    // WHEN a run misses more than a few
    const many = new KeptRefs(cache);
    for (let i = 0; i < 8; i++) expect(many.has(`new-${i}`)).toBe(false);
    // THEN the next miss reads the table, and what it holds is known from then on
    expect(many.has('id-42')).toBe(true);
    expect(many.get('id-42')).toEqual(refs('r42'));
    expect(many.size).toBe(100);
    // AND the table is written again once the run learnt enough (one in fifty of its entries), not before
    many.set('learnt-0', refs('l0'));
    await many.keep();
    expect(cache.readRefs().size).toBe(100);
    for (let i = 1; i < 3; i++) many.set(`learnt-${i}`, refs(`l${i}`));
    await many.keep();
    expect(cache.readRefs().size).toBe(103);
  });
});
