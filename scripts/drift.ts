#!/usr/bin/env node
import { hasDrift } from '../tools/drift/compare.ts';
import { driftJson, formatDriftMarkdown, formatDriftText } from '../tools/drift/report.ts';
import { DRIFT_SELECTOR, runDrift, snapshotCommand, type DesiredSource } from '../tools/drift/run.ts';
import { parseRepo } from '../tools/github/repo.ts';
import type { KubeObject } from '../tools/kube/object.ts';
import { parseObjects } from '../tools/yaml.ts';
import { EXIT, UsageError, main, parseFlags, required } from '../cli/command.ts';
import { OUTPUT_OPTIONS, formatData, outputFormat, readFlagFile, repoRoot } from './lib/cli.ts';

const USAGE = `
Usage:
  npm run drift -- --env ENV [--kubeconfig FILE] [--context NAME]    the live cluster
  npm run drift -- --env ENV --snapshot FILE                         a saved live state
  npm run drift -- --env ENV --print-kubectl                         the kubectl get that saves one
  npm run drift -- --desired FILE --snapshot FILE                    any manifests against any snapshot
Options: -o text|markdown|json|yaml (--format markdown, --json kept), --report-issue OWNER/NAME
(with --env; needs GITHUB_TOKEN)

Compares what runs with what git says. --env renders overlays/ENV/* and reads, from the cluster, the
objects labelled ${DRIFT_SELECTOR}: one LIST per kind and namespace, get/list
only (the drift-reader ServiceAccount). A snapshot is a \`kubectl get -o json\` (fastest) or
\`-o yaml\` List, or a multi-document YAML: --print-kubectl prints the command that saves exactly
the kinds ENV deploys. Server defaults, managedFields, status, quantities written differently and
Argo CD's tracking metadata are not drift; Secret values are never shown.

Exit: 0 no drift, 1 drift, 2 could not run (an empty snapshot, an unreachable cluster, or some kinds
could not be listed: the report still shows the rest and says which kinds and why).
`;

/** The objects of a manifest or snapshot file; a file without any is bad input, not "everything missing". */
async function readManifests(flag: string, file: string): Promise<KubeObject[]> {
  const objects = parseObjects(await readFlagFile(flag, file), file);
  if (objects.length === 0) {
    const fix =
      flag === '--desired'
        ? 'give the rendered objects, e.g. the output of `kubectl kustomize overlays/ENV/APP`'
        : 'save it with the command `npm run drift -- --env ENV --print-kubectl` prints';
    throw new UsageError(`${flag} ${file} holds no objects: ${fix}`);
  }
  return objects;
}

await main(USAGE, async () => {
  const { values } = parseFlags(process.argv.slice(2), {
    ...OUTPUT_OPTIONS,
    env: { type: 'string' },
    kubeconfig: { type: 'string' },
    context: { type: 'string' },
    snapshot: { type: 'string' },
    desired: { type: 'string' },
    'report-issue': { type: 'string' },
    'print-kubectl': { type: 'boolean' },
  });
  const { env, snapshot, kubeconfig, context } = values;
  const desiredFile = values.desired;
  const reportIssue = values['report-issue'];
  const format = outputFormat(values, ['text', 'markdown', 'json', 'yaml']);
  if ((env === undefined) === (desiredFile === undefined)) throw new UsageError('give --env ENV, or --desired FILE with --snapshot FILE');
  if (desiredFile !== undefined && snapshot === undefined)
    throw new UsageError('--desired needs --snapshot FILE: the live side to compare with');
  if (snapshot !== undefined && (kubeconfig !== undefined || context !== undefined))
    throw new UsageError('--snapshot replaces the cluster: drop --kubeconfig and --context');
  if (reportIssue !== undefined && env === undefined) throw new UsageError('--report-issue keeps one issue per environment: give --env');
  if (
    values['print-kubectl'] &&
    (env === undefined ||
      snapshot !== undefined ||
      reportIssue !== undefined ||
      kubeconfig !== undefined ||
      context !== undefined ||
      format !== 'text')
  ) {
    throw new UsageError('--print-kubectl only prints a command: give it with --env ENV alone');
  }
  const issueRepo = reportIssue !== undefined ? parseRepo(reportIssue) : undefined;
  const token = process.env['GITHUB_TOKEN'];
  if (issueRepo && !token) throw new UsageError('GITHUB_TOKEN is not set: --report-issue needs a token that may write issues');
  const root = repoRoot();
  if (values['print-kubectl'] && env !== undefined) {
    process.stdout.write(`${await snapshotCommand(root, env)}\n`);
    return EXIT.ok;
  }
  const live =
    snapshot !== undefined
      ? { snapshot: await readManifests('--snapshot', snapshot) }
      : { ...(kubeconfig !== undefined ? { kubeconfig } : {}), ...(context !== undefined ? { context } : {}) };
  const desired: DesiredSource =
    env !== undefined ? { env } : { objects: await readManifests('--desired', required(desiredFile, '--desired FILE')) };
  const { report, cluster } = await runDrift(root, desired, live);
  if (cluster && cluster.unlisted > 0)
    process.stderr.write(
      `error: ${cluster.server}: ${cluster.unlisted} of ${cluster.kinds} kinds could not be listed; their objects are reported unchecked\n`,
    );
  const title = env ?? `${desiredFile} against ${snapshot}`;
  if (format === 'json' || format === 'yaml') process.stdout.write(formatData(driftJson(report), format));
  else process.stdout.write(format === 'markdown' ? formatDriftMarkdown(report, title) : formatDriftText(report, title));

  const drift = hasDrift(report);
  if (issueRepo && env !== undefined && token) {
    const { createGitHubClient, syncDriftIssue } = await import('../tools/github/index.ts');
    const octokit = createGitHubClient({ token, baseUrl: process.env['GITHUB_API_URL'] ?? '' });
    const result = await syncDriftIssue(octokit, issueRepo, { env, drift, body: formatDriftMarkdown(report, title) });
    process.stderr.write(`drift issue: ${result.action}${result.url ? ` ${result.url}` : ''}\n`);
  }
  if (report.unreadable.length > 0) return EXIT.cannotRun;
  return drift ? EXIT.findings : EXIT.ok;
});
