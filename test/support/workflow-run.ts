// A `workflow_run` event as GitHub delivers it to a job ($GITHUB_EVENT_PATH), trimmed to the fields GitHub always
// sends; field names and nesting as in octokit/webhooks payload-examples/api.github.com/workflow_run/completed.payload.json.

export interface RunFields {
  /** The repository the run belongs to (the pull request's base). */
  repo?: string;
  /** The head repository: a fork, or the base repository. */
  headRepo?: string;
  headBranch: string;
  headSha: string;
  id?: number;
  event?: string;
  conclusion?: string | null;
  /** GitHub fills this for same-repository branches only; empty for forks. */
  pullRequests?: number[];
}

export function workflowRunEvent(fields: RunFields): Record<string, unknown> {
  const repo = fields.repo ?? 'acme/obs';
  const headRepo = fields.headRepo ?? repo;
  const id = fields.id ?? 289782451;
  const repository = (fullName: string) => {
    const [owner = '', name = ''] = fullName.split('/');
    return {
      id: 300029405,
      name,
      full_name: fullName,
      owner: { login: owner, type: 'Organization' },
      fork: fullName !== repo,
      html_url: `https://github.com/${fullName}`,
    };
  };
  return {
    action: 'completed',
    repository: repository(repo),
    sender: { login: 'octocat', type: 'User' },
    workflow: { id: 2823525, name: 'pr-diff', path: '.github/workflows/pr-diff.yml' },
    workflow_run: {
      id,
      name: 'pr-diff',
      event: fields.event ?? 'pull_request',
      status: 'completed',
      conclusion: fields.conclusion === undefined ? 'success' : fields.conclusion,
      head_branch: fields.headBranch,
      head_sha: fields.headSha,
      html_url: `https://github.com/${repo}/actions/runs/${id}`,
      head_repository: repository(headRepo),
      repository: repository(repo),
      pull_requests: (fields.pullRequests ?? []).map((number) => ({ number, head: { ref: fields.headBranch, sha: fields.headSha } })),
    },
  };
}
