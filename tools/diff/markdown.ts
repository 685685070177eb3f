/** Text from objects and messages, made inert in Markdown: no HTML, links, emphasis or table breaks. */
export function escapeMarkdown(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replace(/[\\`*_[\]|~]/g, (character) => `\\${character}`);
}
