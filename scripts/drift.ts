#!/usr/bin/env node
import { readFile } from 'node:fs/promises';
import { PART_OF } from '../tools/catalog/names.ts';
import { detectDrift, hasDrift, type DriftOptions } from '../tools/drift/compare.ts';
import { desiredState } from '../tools/drift/desired.ts';
import { driftJson, formatDriftMarkdown, formatDriftText } from '../tools/drift/report.ts';
import { parseRepo } from '../tools/github/repo.ts';
import type { KubeObject } from '../tools/kube/object.ts';
import { openRenderCache } from '../tools/render/cache.ts';
import { findKustomize } from '../tools/render/kustomize.ts';
import { parseObjects } from '../tools/yaml.ts';
import { EXIT, UsageError, main, parseFlags, repoRoot } from './lib/cli.ts';

const USAGE = `
Usage:
  npm run drift -- --env ENV [--kubeconfig FILE] [--context NAME]    the live cluster
  npm run drift -- --env ENV --snapshot FILE                         a saved live state
  npm run drift -- --desired FILE --snapshot FILE                    any manifests against any snapshot
Options: --format text|markdown, --json, --report-issue OWNER/NAME (with --env; needs GITHUB_TOKEN)

Compares what runs with what git says. --env renders overlays/ENV/* and reads, from the cluster, the
objects labelled app.kubernetes.io/part-of=${PART_OF}: one LIST per kind and namespace, get/list
only (the drift-reader ServiceAccount). A snapshot is a \`kubectl get -o json\` (fastest) or
\`-o yaml\` List, or a multi-document YAML. Server defaults, managedFields, status, quantities written differently and
Argo CD's tracking metadata are not drift; Secret values are never shown.

Exit: 0 no drift, 1 drift, 2 could not run (also when some kinds could not be listed: the report
still shows the rest and says which kinds and why).
`;

async function readManifests(file: string): Promise<KubeObject[]> {
  return parseObjects(await readFile(file, 'utf8'), file);
}

await main(USAGE, async () => {
  const flags = parseFlags(process.argv.slice(2), {
    string: ['env', 'kubeconfig', 'context', 'snapshot', 'desired', 'format', 'report-issue'],
    boolean: ['json'],
    default: { format: 'text' },
  });
  const env = flags['env'] as string | undefined;
  const desiredFile = flags['desired'] as string | undefined;
  const snapshot = flags['snapshot'] as string | undefined;
  const format = String(flags['format']);
  if (!['text', 'markdown'].includes(format)) throw new UsageError(`--format ${format}: expected text or markdown`);
  if (Boolean(env) === Boolean(desiredFile)) throw new UsageError('give --env ENV, or --desired FILE with --snapshot FILE');
  if (desiredFile && !snapshot) throw new UsageError('--desired needs --snapshot FILE: the live side to compare with');
  if (snapshot && (flags['kubeconfig'] || flags['context'])) throw new UsageError('--snapshot replaces the cluster: drop --kubeconfig and --context');
  if (flags['report-issue'] && !env) throw new UsageError('--report-issue keeps one issue per environment: give --env');
  const issueRepo = flags['report-issue'] ? parseRepo(String(flags['report-issue'])) : undefined;
  const token = process.env['GITHUB_TOKEN'];
  if (issueRepo && !token) throw new UsageError('GITHUB_TOKEN is not set: --report-issue needs a token that may write issues');

  const options: DriftOptions = {};
  let desired: KubeObject[];
  if (env) {
    const root = repoRoot();
    const state = await desiredState(root, await findKustomize(), env, openRenderCache(root));
    desired = state.objects;
    Object.assign(options, { appNames: state.appNames, ignoreDifferences: state.ignoreDifferences, ...(state.namespace ? { namespace: state.namespace } : {}) });
  } else desired = await readManifests(desiredFile as string);

  let live: KubeObject[];
  if (snapshot) live = await readManifests(snapshot);
  else {
    // The Kubernetes client is loaded only to read a cluster: a snapshot comparison starts without it.
    const [{ loadKubeConfig }, { listTargetsFor, readLive }] = await Promise.all([import('../tools/drift/kubeconfig.ts'), import('../tools/drift/live.ts')]);
    const kubeConfig = loadKubeConfig({ ...(flags['kubeconfig'] ? { kubeconfig: String(flags['kubeconfig']) } : {}), ...(flags['context'] ? { context: String(flags['context']) } : {}) });
    // Rendered objects carry their namespace; cluster-scoped kinds (Namespace, ClusterRole, …) have none and are listed cluster-wide.
    const read = await readLive(kubeConfig, listTargetsFor(desired), { labelSelector: `app.kubernetes.io/part-of=${PART_OF}` });
    live = read.objects;
    options.unreadable = read.failures.map((f) => ({ ...f.target, reason: f.reason }));
  }

  const report = detectDrift(desired, live, options);
  const title = env ?? `${desiredFile} against ${snapshot}`;
  if (flags['json']) process.stdout.write(`${JSON.stringify(driftJson(report), null, 2)}\n`);
  else process.stdout.write(format === 'markdown' ? formatDriftMarkdown(report, title) : formatDriftText(report, title));

  const drift = hasDrift(report);
  if (issueRepo && env && token) {
    const { createGitHubClient, syncDriftIssue } = await import('../tools/github/index.ts');
    const octokit = createGitHubClient({ token, baseUrl: process.env['GITHUB_API_URL'] ?? '' });
    const result = await syncDriftIssue(octokit, issueRepo, { env, drift, body: formatDriftMarkdown(report, title) });
    process.stderr.write(`drift issue: ${result.action}${result.url ? ` ${result.url}` : ''}\n`);
  }
  if (report.unreadable.length > 0) return EXIT.cannotRun;
  return drift ? EXIT.findings : EXIT.ok;
});
