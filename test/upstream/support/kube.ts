/**
 * A small Kubernetes REST client for the upstream tier: requests go out exactly as written (no typed
 * models that would drop or reshape fields on the way), as server-side apply, update, merge patch,
 * get, list and delete. Paths come from the server's own discovery (`/api`, `/apis/<group>/<version>`).
 * Upstream source of the request forms: Kubernetes API conventions and
 * https://kubernetes.io/docs/reference/using-api/server-side-apply/ (`fieldManager`, `force`,
 * `dryRun=All`, `fieldValidation=Strict`).
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { parse } from 'yaml';
import type { KubeObject } from '../../../tools/kube/object.ts';

export class KubeRequestError extends Error {
  override readonly name = 'KubeRequestError';
  readonly status: number;
  readonly body: unknown;
  constructor(message: string, status: number, body: unknown) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

interface Resource {
  name: string;
  namespaced: boolean;
}

interface Connection {
  server: URL;
  ca: string;
  servername?: string;
  token: string;
}

/** Reads the one-context kubeconfig the kube-apiserver program writes (CA data, server name, bearer token). */
function connection(kubeconfig: string): Connection {
  const doc = parse(readFileSync(kubeconfig, 'utf8')) as {
    clusters: { cluster: Record<string, string> }[];
    users: { user: Record<string, string> }[];
  };
  const cluster = doc.clusters[0]?.cluster ?? {};
  const user = doc.users[0]?.user ?? {};
  return {
    server: new URL(String(cluster['server'])),
    ca: Buffer.from(String(cluster['certificate-authority-data']), 'base64').toString('utf8'),
    ...(cluster['tls-server-name'] ? { servername: cluster['tls-server-name'] } : {}),
    token: String(user['token']),
  };
}

export interface ApplyOptions {
  fieldManager: string;
  force?: boolean;
  dryRun?: boolean;
}

export class KubeClient {
  readonly #connection: Connection;
  readonly #resources = new Map<string, Promise<Map<string, Resource>>>();

  constructor(kubeconfig: string) {
    this.#connection = connection(kubeconfig);
  }

  /** One HTTP request; JSON in and out; a non-2xx answer throws KubeRequestError with the server's message. */
  async request(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<any> {
    const { server, ca, servername, token } = this.#connection;
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: server.hostname,
          port: server.port,
          path,
          method,
          ca,
          ...(servername ? { servername } : {}),
          headers: {
            authorization: `Bearer ${token}`,
            accept: 'application/json',
            ...(payload === undefined ? {} : { 'content-type': contentType }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json: any = text;
            try {
              json = text ? JSON.parse(text) : undefined;
            } catch {
              // not JSON: keep the text for the message
            }
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) resolve(json);
            else
              reject(
                new KubeRequestError(
                  `${method} ${path}: ${status} ${typeof json === 'object' && json?.message ? json.message : text}`,
                  status,
                  json,
                ),
              );
          });
        },
      );
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  /** The resources of one group version, by kind, read from discovery once. */
  async #resourcesOf(apiVersion: string): Promise<Map<string, Resource>> {
    let found = this.#resources.get(apiVersion);
    if (!found) {
      const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      found = this.request('GET', path).then((list: { resources: (Resource & { kind: string })[] }) => {
        const byKind = new Map<string, Resource>();
        for (const r of list.resources) if (!r.name.includes('/')) byKind.set(r.kind, { name: r.name, namespaced: r.namespaced });
        return byKind;
      });
      found.catch(() => this.#resources.delete(apiVersion));
      this.#resources.set(apiVersion, found);
    }
    return found;
  }

  /** Forget discovery (after CRDs are installed). */
  forgetDiscovery(): void {
    this.#resources.clear();
  }

  /** The collection path of an object's kind (in its namespace when namespaced), and its own path. */
  async paths(ref: {
    apiVersion: string;
    kind: string;
    metadata: { name?: string; namespace?: string };
  }): Promise<{ collection: string; object: string }> {
    const resource = (await this.#resourcesOf(ref.apiVersion)).get(ref.kind);
    if (!resource) throw new Error(`${ref.apiVersion} ${ref.kind}: not served by this API server`);
    const base = ref.apiVersion.includes('/') ? `/apis/${ref.apiVersion}` : `/api/${ref.apiVersion}`;
    const ns = resource.namespaced ? `/namespaces/${encodeURIComponent(ref.metadata.namespace ?? 'default')}` : '';
    const collection = `${base}${ns}/${resource.name}`;
    return { collection, object: `${collection}/${encodeURIComponent(ref.metadata.name ?? '')}` };
  }

  /** Server-side apply (`application/apply-patch+yaml`, JSON being YAML), with strict field validation as kubectl applies. */
  async apply(object: KubeObject, options: ApplyOptions): Promise<KubeObject> {
    const { object: path } = await this.paths(object);
    const query = new URLSearchParams({ fieldManager: options.fieldManager, fieldValidation: 'Strict' });
    if (options.force) query.set('force', 'true');
    if (options.dryRun) query.set('dryRun', 'All');
    return this.request('PATCH', `${path}?${query}`, object, 'application/apply-patch+yaml');
  }

  async get(ref: KubeObject): Promise<KubeObject | undefined> {
    try {
      return await this.request('GET', (await this.paths(ref)).object);
    } catch (error) {
      if (error instanceof KubeRequestError && error.status === 404) return undefined;
      throw error;
    }
  }

  /** PUT the whole object (an Update operation, as a controller or `kubectl edit` writes). */
  async update(object: KubeObject, fieldManager: string): Promise<KubeObject> {
    return this.request('PUT', `${(await this.paths(object)).object}?fieldManager=${encodeURIComponent(fieldManager)}`, object);
  }

  /**
   * A patch by `fieldManager`: `merge` (RFC 7386), `strategic` (Kubernetes strategic merge patch, as
   * `kubectl set`/`patch` send) or `json` (RFC 6902); optionally to a subresource (`scale`).
   */
  async patch(
    ref: KubeObject,
    patch: unknown,
    fieldManager: string,
    type: 'merge' | 'strategic' | 'json' = 'merge',
    subresource?: string,
  ): Promise<KubeObject> {
    const contentType = {
      merge: 'application/merge-patch+json',
      strategic: 'application/strategic-merge-patch+json',
      json: 'application/json-patch+json',
    }[type];
    const path = `${(await this.paths(ref)).object}${subresource ? `/${subresource}` : ''}`;
    return this.request('PATCH', `${path}?fieldManager=${encodeURIComponent(fieldManager)}`, patch, contentType);
  }

  async delete(ref: KubeObject): Promise<void> {
    await this.request('DELETE', (await this.paths(ref)).object);
  }

  /** Waits until the server serves `kind` in `apiVersion` (a CRD just created becomes established). */
  async waitForKind(apiVersion: string, kind: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.#resources.delete(apiVersion);
      try {
        if ((await this.#resourcesOf(apiVersion)).has(kind)) return;
      } catch {
        // group version not served yet
      }
      if (Date.now() > deadline) throw new Error(`${apiVersion} ${kind}: not served after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
