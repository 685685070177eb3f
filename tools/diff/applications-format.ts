/**
 * The `apps/` part of a diff report as text and Markdown: one entry per Application or other Argo CD
 * object that changes, each with its fields, one line each. Text from objects is made inert by the
 * caller's escape function (format.ts).
 */
import { fieldLine, type ApplicationChange, type ApplicationsDiff, type ArgoObjectChange } from './applications.ts';

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** `5 Applications (1 added, 2 removed, 2 changed) and 1 other Argo CD object`, or '' when nothing changes. */
export function applicationsHeadline(diff: ApplicationsDiff | undefined): string {
  if (!diff || diff.applications.length + diff.objects.length === 0) return '';
  const by = (change: string) => diff.applications.filter((a) => a.change === change).length;
  const parts = [
    diff.applications.length > 0
      ? `${count(diff.applications.length, 'Application')} (${by('added')} added, ${by('removed')} removed, ${by('changed')} changed)`
      : '',
    diff.objects.length > 0 ? `${count(diff.objects.length, 'other Argo CD object')}` : '',
  ].filter(Boolean);
  return `under apps/: ${parts.join(' and ')}`;
}

function applicationTitle(app: ApplicationChange): string {
  const where = app.env && app.component ? `${app.env}/${app.component}, ` : '';
  return `${app.change} Application ${app.name} (${where}${app.madeBy})`;
}

function objectTitle(object: ArgoObjectChange): string {
  return `${object.change} ${object.kind} ${object.namespace ? `${object.namespace}/` : ''}${object.name} (${object.file})`;
}

/** Each changed Application, then each other Argo CD object: a title and its field lines. */
function applicationEntries(diff: ApplicationsDiff | undefined): { title: string; lines: string[] }[] {
  if (!diff) return [];
  return [
    ...diff.applications.map((app) => ({
      title: applicationTitle(app),
      lines: app.fields.map((field) =>
        app.change === 'changed' ? fieldLine(field) : `${field.path}: ${field.after ?? field.before ?? ''}`,
      ),
    })),
    ...diff.objects.map((object) => ({
      title: objectTitle(object),
      lines: object.fields.map((field) =>
        object.change === 'changed' ? fieldLine(field) : `${field.path}: ${field.after ?? field.before ?? ''}`,
      ),
    })),
  ];
}

/** The entries as Markdown list items, one string per entry (so a cut comment drops whole entries). */
export function applicationItems(diff: ApplicationsDiff | undefined, escape: (text: string) => string): string[] {
  return applicationEntries(diff).map(({ title, lines }) => {
    const [change, ...rest] = title.split(' ');
    return `- **${change}** ${escape(rest.join(' '))}\n${lines.map((line) => `  - ${escape(line)}\n`).join('')}`;
  });
}

/** The entries as terminal text, indented under their titles. */
export function applicationTextLines(diff: ApplicationsDiff | undefined): string[] {
  return applicationEntries(diff).flatMap(({ title, lines }) => [`  ${title}`, ...lines.map((line) => `      ${line}`)]);
}
