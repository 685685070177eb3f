/**
 * The `pr-diff` artifact as the posting side reads it: data a pull request's run produced, so checked before any use.
 * It must hold exactly `comment.md` (the report, Markdown, without the bot's marker or title) and `pr-number`, as
 * regular files, within size caps, in UTF-8. The comment may not carry what the posting side writes itself: the
 * bot's marker, an HTML comment, or a level-1/2 heading outside code fences (the bot's title is `## Rendered diff`).
 *
 * Fences and headings as CommonMark 0.31 defines them (spec.commonmark.org, "Fenced code blocks", "ATX headings",
 * "Setext headings"); HTML comments start with `<!--` ("HTML blocks", condition 2).
 */
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MAX_BODY_LENGTH } from './body.ts';

const ARTIFACT_COMMENT_FILE = 'comment.md';
const ARTIFACT_PR_FILE = 'pr-number';
/** Room the posting side keeps for its marker and header: `npm run diff -- --comment-file` cuts to this. */
export const ARTIFACT_COMMENT_MAX_CHARS = MAX_BODY_LENGTH - 1024;
/** UTF-8 takes at most 4 bytes a character: a larger file cannot be within the character cap. */
export const ARTIFACT_COMMENT_MAX_BYTES = ARTIFACT_COMMENT_MAX_CHARS * 4;
const PR_NUMBER_MAX_BYTES = 16;
/** Every hidden marker of this project starts so (tools/diff/marker.ts, drift-issue.ts). */
const MARKER_PREFIX = '<!-- observability-gitops:';

export class ArtifactError extends Error {
  override readonly name = 'ArtifactError';
}

export interface PrDiffArtifact {
  /** The number the artifact claims; compare it with GitHub's, never use it. */
  prNumber: number;
  /** The report to post below the posting side's marker and header. */
  comment: string;
}

/**
 * Reads and checks the artifact downloaded into `dir`. Throws an ArtifactError whose message names the file and the
 * rule broken; nothing in the artifact is run, interpreted or passed to a shell.
 */
export async function readPrDiffArtifact(dir: string): Promise<PrDiffArtifact> {
  const refuse = (file: string, why: string): ArtifactError =>
    new ArtifactError(`pr-diff artifact ${file}: ${why}; posting nothing (the artifact is written by the pull request's own run)`);
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    throw new ArtifactError(
      `pr-diff artifact ${dir}: cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}): download the run's pr-diff artifact there`,
    );
  }
  const expected = new Set([ARTIFACT_COMMENT_FILE, ARTIFACT_PR_FILE]);
  const unexpected = entries.filter((entry) => !expected.has(entry.name)).map((entry) => JSON.stringify(entry.name));
  if (unexpected.length > 0) throw refuse(dir, `holds ${unexpected.join(', ')} besides ${ARTIFACT_COMMENT_FILE} and ${ARTIFACT_PR_FILE}`);

  const read = async (name: string, maxBytes: number): Promise<string> => {
    const path = join(dir, name);
    const stat = await lstat(path).catch(() => undefined);
    if (stat === undefined) throw refuse(name, 'is missing');
    if (!stat.isFile()) throw refuse(name, 'is not a regular file');
    if (stat.size > maxBytes) throw refuse(name, `is ${stat.size} bytes, over the cap of ${maxBytes}`);
    const bytes = await readFile(path);
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw refuse(name, 'is not UTF-8 text');
    }
    const control = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.exec(text);
    if (control)
      throw refuse(
        name,
        `line ${lineOf(text, control.index)} holds control character U+${control[0].charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}`,
      );
    return text;
  };

  const numberText = await read(ARTIFACT_PR_FILE, PR_NUMBER_MAX_BYTES);
  if (!/^[1-9][0-9]{0,9}\r?\n?$/.test(numberText))
    throw refuse(ARTIFACT_PR_FILE, `is ${JSON.stringify(numberText)}, not a pull request number`);
  const comment = await read(ARTIFACT_COMMENT_FILE, ARTIFACT_COMMENT_MAX_BYTES);
  if (comment.trim() === '') throw refuse(ARTIFACT_COMMENT_FILE, 'is empty');
  if (comment.length > ARTIFACT_COMMENT_MAX_CHARS)
    throw refuse(ARTIFACT_COMMENT_FILE, `is ${comment.length} characters, over the cap of ${ARTIFACT_COMMENT_MAX_CHARS}`);
  const forged = forgedLine(comment);
  if (forged !== undefined) throw refuse(ARTIFACT_COMMENT_FILE, `line ${forged.line} ${forged.why}`);
  return { prNumber: Number(numberText.trim()), comment };
}

/** The first line of a comment that would write what only the posting side writes, and why. */
export function forgedLine(comment: string): { line: number; why: string } | undefined {
  const lines = comment.split(/\r?\n/);
  let fence: { char: string; length: number } | undefined;
  for (const [index, line] of lines.entries()) {
    const at = { line: index + 1 };
    if (line.includes(MARKER_PREFIX))
      return { ...at, why: `carries the bot's marker (${MARKER_PREFIX}…), which only the posting side writes` };
    const fenceMatch = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line);
    if (fence !== undefined) {
      if (fenceMatch?.[1]?.[0] === fence.char && fenceMatch[1].length >= fence.length && fenceMatch[2]?.trim() === '') fence = undefined;
      continue;
    }
    if (fenceMatch?.[1] !== undefined && !(fenceMatch[1][0] === '`' && fenceMatch[2]?.includes('`'))) {
      fence = { char: fenceMatch[1][0] as string, length: fenceMatch[1].length };
      continue;
    }
    if (line.includes('<!--')) return { ...at, why: 'opens an HTML comment outside a code block (it could hide text or pose as a marker)' };
    if (/^ {0,3}#{1,2}(?:[ \t]|$)/.test(line))
      return { ...at, why: "is a level-1 or level-2 heading outside a code block: the bot's title is written by the posting side" };
    const previous = lines[index - 1];
    if (/^ {0,3}(?:=+|-+)[ \t]*$/.test(line) && previous !== undefined && isParagraphText(previous)) {
      return {
        ...at,
        why: "underlines the line above into a level-1 or level-2 heading outside a code block: the bot's title is written by the posting side",
      };
    }
  }
  return undefined;
}

/** A line a setext underline would turn into a heading: paragraph text, not blank, a list item, quote or HTML. */
function isParagraphText(line: string): boolean {
  return line.trim() !== '' && !/^ {0,3}(?:[-*+>#<|]|\d+[.)]\s|`{3,}|~{3,})/.test(line) && !/^ {4}/.test(line);
}

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}
