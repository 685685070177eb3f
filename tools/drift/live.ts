import { STATUS_CODES } from 'node:http';
import {
  ApiException,
  createConfiguration,
  KubernetesObjectApi,
  ServerConfiguration,
  setHeaderMiddleware,
  type Configuration,
  type KubeConfig,
  type KubernetesObject,
  type Middleware,
  type ResponseContext,
  type V1APIResource,
} from '@kubernetes/client-node';
import type { KubeObject, ObjectMeta } from '../kube/object.ts';
import { mapLimited } from '../concurrency.ts';
import { KubeConfigError } from './kubeconfig.ts';
import { byKey } from '../kube/order.ts';

/** One LIST the drift job makes: a kind in one namespace, or a cluster-scoped kind (namespace undefined). */
export interface ListTarget {
  apiVersion: string;
  kind: string;
  namespace?: string;
}

/** A target that could not be read: the HTTP status when the server answered, and a one-line reason. */
export interface ListFailure {
  target: ListTarget;
  status?: number;
  reason: string;
}

export interface LiveRead {
  objects: KubeObject[];
  failures: ListFailure[];
}

export interface ReadLiveOptions {
  /** Only objects with these labels, in the API server's selector syntax. */
  labelSelector?: string;
  /** Objects per LIST page (default 500). */
  pageSize?: number;
  /** Limit for each HTTP request, discovery included (default 15000). */
  timeoutMs?: number;
  /** Targets read at once (default 4). */
  concurrency?: number;
}

const USER_AGENT = 'observability-gitops-drift';

class RequestTimeoutError extends Error {
  override readonly name = 'RequestTimeoutError';
  readonly timeoutMs: number;
  /** The failure's one-line reason, kept apart from `message`, which client-node rewrites during discovery. */
  readonly reason: string;

  constructor(timeoutMs: number, during?: string) {
    const reason = `timeout after ${formatDuration(timeoutMs)}${during ? ` (${during})` : ''}`;
    super(reason);
    this.timeoutMs = timeoutMs;
    this.reason = reason;
  }
}

class KindNotServedError extends Error {
  override readonly name = 'KindNotServedError';
}

/**
 * client-node's KubernetesObjectApi (discovery maps a kind to its resource and is cached) with two changes:
 * list responses are the wire JSON, and reads of one group version share one discovery request.
 */
class LiveObjectApi extends KubernetesObjectApi {
  private readonly discoveries = new Map<string, Promise<V1APIResource | undefined>>();

  protected override async resource(apiVersion: string, kind: string, options?: Configuration): Promise<V1APIResource | undefined> {
    const earlier = this.discoveries.get(apiVersion);
    // after the first discovery of a group version, client-node's cache answers; its failure is every caller's
    const discovery = earlier ? earlier.then(() => super.resource(apiVersion, kind, options)) : super.resource(apiVersion, kind, options);
    if (!earlier) this.discoveries.set(apiVersion, discovery);
    let resource: V1APIResource | undefined;
    try {
      resource = await discovery;
    } catch (error) {
      if (error instanceof RequestTimeoutError) throw new RequestTimeoutError(error.timeoutMs, `discovery of ${apiVersion}`);
      throw error;
    }
    if (!resource) throw new KindNotServedError(`discovery of ${apiVersion} lists no kind ${kind}`);
    return resource;
  }

  // the typed models drop fields they do not know, turn timestamps into Dates and rename `continue`
  protected override async processResponse<T extends KubernetesObject>(response: ResponseContext, type?: string): Promise<T> {
    if (type !== undefined || response.httpStatusCode < 200 || response.httpStatusCode > 299)
      return super.processResponse<T>(response, type);
    return JSON.parse(await response.body.text()) as T;
  }
}

/** A LIST response as the API server sends it: items carry neither apiVersion nor kind. */
interface WireList {
  metadata?: { continue?: string };
  items?: Array<{ metadata: ObjectMeta; [field: string]: unknown }>;
}

/** Aborts each request after `timeoutMs` with an error of our own, which client-node's discovery passes through intact. */
function requestTimeout(timeoutMs: number): Middleware {
  return {
    pre: async (context) => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(new RequestTimeoutError(timeoutMs)), timeoutMs).unref();
      context.setSignal(controller.signal);
      return context;
    },
    post: async (response) => response,
  };
}

function formatDuration(ms: number): string {
  return ms >= 1000 ? `${ms / 1000}s` : `${ms}ms`;
}

/**
 * Reads the live objects of `targets`: one LIST chain per target (label-selected, paged with `continue`), never a
 * GET per object. A target that fails becomes a failure; every other target is still read.
 */
export async function readLive(kubeConfig: KubeConfig, targets: readonly ListTarget[], options: ReadLiveOptions = {}): Promise<LiveRead> {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new KubeConfigError(`kubeconfig: context "${kubeConfig.getCurrentContext()}" has no cluster to read from`);
  const timeoutMs = options.timeoutMs ?? 15_000;
  const api = new LiveObjectApi(
    createConfiguration({
      baseServer: new ServerConfiguration(cluster.server, {}),
      authMethods: { default: kubeConfig },
      middleware: [setHeaderMiddleware('User-Agent', USER_AGENT)],
      promiseMiddleware: [requestTimeout(timeoutMs)],
    }),
  );
  const server = serverName(cluster.server);

  const results = await mapLimited(
    targets,
    async (target): Promise<KubeObject[] | ListFailure> => {
      try {
        return await listAll(api, target, options.labelSelector, options.pageSize ?? 500);
      } catch (error) {
        return { target, ...describeFailure(error, target, server) };
      }
    },
    options.concurrency ?? 4,
  );

  const objects: KubeObject[] = [];
  const failures: ListFailure[] = [];
  for (const result of results) {
    if (Array.isArray(result)) objects.push(...result);
    else failures.push(result);
  }
  return { objects: objects.sort(byKey((o) => sortKey(o.kind, o.metadata.namespace ?? '', o.metadata.name, o.apiVersion))), failures };
}

async function listAll(api: LiveObjectApi, target: ListTarget, labelSelector: string | undefined, pageSize: number): Promise<KubeObject[]> {
  const objects: KubeObject[] = [];
  let token: string | undefined;
  do {
    const page = (await api.list(
      target.apiVersion,
      target.kind,
      target.namespace,
      undefined,
      undefined,
      undefined,
      undefined,
      labelSelector,
      pageSize,
      token,
    )) as unknown as WireList;
    for (const item of page.items ?? []) objects.push({ apiVersion: target.apiVersion, kind: target.kind, ...item });
    token = page.metadata?.continue || undefined;
  } while (token);
  return objects;
}

/** Joins fields so that comparing the joined strings compares the fields in order. */
function sortKey(...fields: string[]): string {
  return fields.join('\u0000');
}

/** The distinct (apiVersion, kind, namespace) of the desired objects, sorted by kind, apiVersion and namespace. */
export function listTargetsFor(objects: readonly KubeObject[]): ListTarget[] {
  const targets = new Map<string, ListTarget>();
  for (const { apiVersion, kind, metadata } of objects) {
    const target: ListTarget = metadata.namespace ? { apiVersion, kind, namespace: metadata.namespace } : { apiVersion, kind };
    targets.set(sortKey(kind, apiVersion, metadata.namespace ?? ''), target);
  }
  return [...targets.entries()].sort(byKey(([key]) => key)).map(([, target]) => target);
}

function serverName(server: string): string {
  try {
    return new URL(server).host;
  } catch {
    return server;
  }
}

function describeTarget(target: ListTarget): string {
  return `${target.kind} (${target.apiVersion})`;
}

/** The status and one-line reason for an error from one target's read. Never quotes request headers or bodies. */
function describeFailure(error: unknown, target: ListTarget, server: string): { status?: number; reason: string } {
  if (error instanceof RequestTimeoutError) return { reason: error.reason };
  if (error instanceof KindNotServedError)
    return { status: 404, reason: `404: ${describeTarget(target)} is not served by this cluster (${error.message})` };
  if (error instanceof ApiException) return { status: error.code, reason: httpReason(error.code, error.body, target, server) };
  const code = networkCode(error);
  if (code) return { reason: networkReason(code, server) };
  const message = error instanceof Error ? (error.name === 'Error' ? error.message : `${error.name}: ${error.message}`) : String(error);
  // client-node rethrows discovery failures without their cause: name the server at least.
  if (/fetch failed/.test(message)) return { reason: `cannot reach ${server}: ${error instanceof Error ? error.message : message}` };
  return { reason: message.split('\n')[0] as string };
}

function httpReason(code: number, body: unknown, target: ListTarget, server: string): string {
  const scope = target.namespace ? `namespace ${target.namespace}` : 'the cluster scope';
  switch (code) {
    case 401:
      return `401 Unauthorized: check the kubeconfig's credentials for ${server}`;
    case 403:
      return `403 Forbidden: the drift reader may not list ${describeTarget(target)} in ${scope}; grant get and list on it in its ${target.namespace ? 'Role' : 'ClusterRole'}`;
    case 404:
      return `404: ${describeTarget(target)} is not served by this cluster`;
    case 410:
      return '410 Gone: the list changed too much while it was paged; run again or raise the page size';
    case 429:
      return '429 Too Many Requests: the API server is throttling this client; run again later';
    default: {
      const message = statusMessage(body);
      return `${code} ${STATUS_CODES[code] ?? 'Error'}${message ? `: ${message}` : ''}`;
    }
  }
}

/** The `message` of a Status body, first line only. */
function statusMessage(body: unknown): string | undefined {
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  const message = (parsed as { message?: unknown } | null)?.message;
  return typeof message === 'string' && message !== '' ? message.split('\n')[0] : undefined;
}

/** The errno-style code of a network failure, wherever fetch nested it (cause chains, AggregateError). */
function networkCode(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const current = queue.shift();
    if (typeof current !== 'object' || current === null || seen.has(current)) continue;
    seen.add(current);
    const { code, cause, errors } = current as { code?: unknown; cause?: unknown; errors?: unknown };
    if (typeof code === 'string') return code;
    queue.push(cause, ...(Array.isArray(errors) ? errors : []));
  }
  return undefined;
}

function networkReason(code: string, server: string): string {
  switch (code) {
    case 'ECONNREFUSED':
      return `connection refused by ${server}: is the API server address in the kubeconfig right and reachable?`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve the host of ${server}`;
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return `connection to ${server} was reset`;
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `connection to ${server} timed out`;
    default:
      if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|TLS|SSL/.test(code))
        return `TLS handshake with ${server} failed (${code}): check the kubeconfig's certificate-authority`;
      return `network error reaching ${server}: ${code}`;
  }
}
