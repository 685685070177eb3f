import { KubeConfig } from '@kubernetes/client-node';

export class KubeConfigError extends Error {
  override readonly name = 'KubeConfigError';
}

export interface KubeConfigOptions {
  /** A kubeconfig file; without it, kubectl's loading rules apply. */
  kubeconfig?: string;
  /** A context of that kubeconfig; without it, its current context. */
  context?: string;
}

/**
 * Loads a kubeconfig the way kubectl does: the given file, else `KUBECONFIG` (files merged), `~/.kube/config`, or
 * the in-cluster service account; then selects `context` and checks that it names a cluster and a user.
 */
export function loadKubeConfig(options: KubeConfigOptions = {}): KubeConfig {
  const kubeConfig = new KubeConfig();
  const source =
    options.kubeconfig ?? (process.env.KUBECONFIG ? `from KUBECONFIG=${process.env.KUBECONFIG}` : 'from the default loading rules');
  try {
    if (options.kubeconfig !== undefined) kubeConfig.loadFromFile(options.kubeconfig);
    else kubeConfig.loadFromDefault();
  } catch (error) {
    throw loadError(source, error);
  }
  // with nothing to load, client-node silently falls back to an unauthenticated http://localhost:8080
  if (
    options.kubeconfig === undefined &&
    kubeConfig.getCurrentContext() === 'loaded-context' &&
    kubeConfig.getCurrentCluster()?.server === 'http://localhost:8080'
  ) {
    throw new KubeConfigError(
      'kubeconfig: none found: set KUBECONFIG, create ~/.kube/config, pass a kubeconfig file, or run in a pod with a service account token',
    );
  }

  const available = kubeConfig.getContexts().map((context) => context.name);
  const listed = available.length > 0 ? available.map((name) => `"${name}"`).join(', ') : 'none';
  if (options.context !== undefined) {
    if (!available.includes(options.context)) {
      throw new KubeConfigError(`kubeconfig ${source}: context "${options.context}" not found; available contexts: ${listed}`);
    }
    kubeConfig.setCurrentContext(options.context);
  }
  const name = kubeConfig.getCurrentContext();
  const context = name ? kubeConfig.getContextObject(name) : null;
  if (!context) {
    const current = name ? `current-context "${name}" is not defined` : 'no current-context';
    throw new KubeConfigError(`kubeconfig ${source}: ${current}; choose one of the available contexts: ${listed}`);
  }
  if (!kubeConfig.getCurrentCluster()) {
    throw new KubeConfigError(
      `kubeconfig ${source}: context "${name}" names cluster "${context.cluster}", which is not defined in clusters`,
    );
  }
  if (context.user && !kubeConfig.getCurrentUser()) {
    throw new KubeConfigError(`kubeconfig ${source}: context "${name}" names user "${context.user}", which is not defined in users`);
  }
  return kubeConfig;
}

function loadError(source: string, error: unknown): KubeConfigError {
  const failure = error as { name?: unknown; code?: unknown; reason?: unknown; mark?: { line?: unknown }; message?: unknown };
  if (failure.name === 'YAMLException') {
    // no cause and no message: the parser quotes the offending lines, and a kubeconfig holds credentials
    const line = typeof failure.mark?.line === 'number' ? ` at line ${failure.mark.line + 1}` : '';
    return new KubeConfigError(`kubeconfig ${source}: invalid YAML${line}: ${String(failure.reason ?? 'cannot be parsed')}`);
  }
  const problems: Record<string, string> = { ENOENT: 'file not found', EACCES: 'permission denied', EISDIR: 'is a directory' };
  const problem =
    typeof failure.code === 'string'
      ? (problems[failure.code] ?? failure.code)
      : error instanceof TypeError
        ? 'not a kubeconfig (expected a mapping with clusters, users and contexts)'
        : String(failure.message ?? error).split('\n')[0];
  return new KubeConfigError(`kubeconfig ${source}: cannot be loaded: ${problem}`, { cause: error });
}
