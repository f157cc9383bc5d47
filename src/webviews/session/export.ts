/**
 * A session's transcript as one Markdown document (the panel's Export / Copy as Markdown): a
 * header with the session's facts, then each event under its readable label and time; answers as
 * written, commands and diffs in fenced blocks. Plain text in, plain text out.
 */
import { commandFacts, labelOf } from './labels';
import type { SessionHeader, TranscriptEvent } from './protocol';

/** A fence longer than any backtick run inside `text`, so a block cannot end early. */
function fence(text: string, lang = ''): string {
  const longest = Math.max(2, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  const f = '`'.repeat(longest + 1);
  return `${f}${lang}\n${text.replace(/\n$/, '')}\n${f}`;
}

/** The body of one event, '' when its label says it all. */
function body(e: TranscriptEvent): string {
  const parts: string[] = [];
  if (e.command) {
    parts.push(fence(e.command.command, 'sh'));
    const facts = commandFacts(e);
    if (facts) parts.push(`_${facts}_`);
    if (e.command.output) parts.push(fence(e.command.output, 'text'));
  } else if (e.changes?.length) {
    for (const c of e.changes) parts.push(`\`${c.path}\` (${c.kind})`, ...(c.diff ? [fence(c.diff, 'diff')] : []));
  } else if (e.approval) {
    if (e.approval.command) parts.push(fence(e.approval.command, 'sh'));
    if (e.approval.reason) parts.push(`> ${e.approval.reason}`);
  } else {
    const text = e.text ?? e.summary;
    if (text) parts.push(text);
  }
  return parts.join('\n\n');
}

/** The whole transcript as Markdown; `now` is the export time (ISO). */
export function transcriptMarkdown(h: SessionHeader, events: readonly TranscriptEvent[], now: string): string {
  const facts = [
    `- Session: \`${h.sessionId}\`${h.threadId ? `, thread \`${h.threadId}\`` : ''}`,
    `- Status: ${h.status}, ${h.turns} turn${h.turns === 1 ? '' : 's'}, ${h.tokens.total} tokens`,
    `- Folder: \`${h.cwd}\``,
    `- Sandbox: ${h.sandbox ?? 'Codex default'}, approval policy: ${h.approvalPolicy ?? 'Codex default'}`,
    `- Codex ${h.codexVersion} (${h.backend})${h.model ? `, model ${h.model}` : ''}`,
    `- Exported ${now}`,
  ];
  const out = [`# Codex session: ${h.title}`, facts.join('\n')];
  for (const e of events) {
    const text = body(e);
    out.push(`## ${labelOf(e).label} · ${e.at}${text ? `\n\n${text}` : ''}`);
  }
  return `${out.join('\n\n')}\n`;
}
