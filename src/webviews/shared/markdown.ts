/**
 * Model text as HTML for every page that shows it (the Session and Agent run pages): markdown (GitHub flavour, single line breaks kept) by `marked`,
 * with every raw HTML tag or block of the source escaped so it shows as text, then DOMPurify over
 * the result (no scripts, no event handlers, no `javascript:` links) before it reaches the page.
 * {@link markdownHtml} is plain (unit tested in Node); {@link renderMarkdown} needs a DOM.
 */
import DOMPurify from 'dompurify';
import { Marked } from 'marked';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** `text` with the five HTML-special characters escaped. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

const marked = new Marked({
  gfm: true,
  breaks: true,
  async: false,
  renderer: {
    // Raw HTML in model text is shown as the text it is, never interpreted.
    html: ({ text }) => escapeHtml(text),
  },
});

/** Markdown to HTML with raw HTML escaped; not yet sanitized (see {@link renderMarkdown}). */
export function markdownHtml(source: string): string {
  return marked.parse(source, { async: false });
}

/** Markdown to sanitized HTML, safe for `innerHTML` in the page. */
export function renderMarkdown(source: string): string {
  return DOMPurify.sanitize(markdownHtml(source), { USE_PROFILES: { html: true }, FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select'], FORBID_ATTR: ['style'] });
}
