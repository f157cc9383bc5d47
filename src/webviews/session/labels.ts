/**
 * How transcript events read, in words a person uses: who wrote a prompt (you, or the agent by
 * name), "Codex", "Ran a command", "Allowed once: a command"... instead of the backends' event
 * types and the broker's ids. Plain functions: the page and the Markdown export both use them.
 */
import { APPROVAL_LABELS } from '../../approvals/vocabulary';
import type { TranscriptEvent } from './protocol';

/** The agent id of the person in VS Code (src/client/types.ts VSCODE_USER_AGENT). */
export const PERSON_AGENT = 'vscode-user';

export interface EventLabel {
  label: string;
  /** A codicon name. */
  icon: string;
  /** user | agent | reasoning | command | approval | tool | failure | warn | meta */
  style: string;
}

/** What an approval was about, by broker source. */
const SOURCE_WORDS: Record<string, string> = {
  'codex-exec': 'a command',
  'codex-patch': 'a file change',
  'codex-permissions': 'more permissions',
  'codex-mcp-tool': 'an MCP tool call',
  'codex-session': 'the session settings',
};

/** What was decided, in the words of every other approval surface (src/approvals/vocabulary.ts). */
const DECIDED: Readonly<Record<string, string>> = APPROVAL_LABELS.done;

/** What an approval source asks for, e.g. `a command`. */
export function sourceWords(source: string): string {
  return SOURCE_WORDS[source] ?? source.replace(/^codex-/, '').replace(/[-_]/g, ' ');
}

/** Who wrote a prompt: `You` for the person in VS Code (or an old event without a sender), else the agent's id. */
export function authorOf(e: TranscriptEvent): string {
  return !e.by || e.by === PERSON_AGENT ? 'You' : e.by;
}

const FIXED: Array<[RegExp, EventLabel]> = [
  [/^(agent_message|item\/completed:agentMessage)$/, { label: 'Codex', icon: 'sparkle', style: 'agent' }],
  [/^agent_message_partial$/, { label: 'Codex (stopped before the end)', icon: 'sparkle', style: 'agent' }],
  [/^(item\/completed:reasoning|reasoning_partial)$/, { label: 'Codex is thinking', icon: 'lightbulb', style: 'reasoning' }],
  [/^(exec_command_begin|item\/started)$/, { label: 'Running a command', icon: 'terminal', style: 'command' }],
  [/^(exec_command_end|item\/completed:commandExecution)$/, { label: 'Ran a command', icon: 'terminal', style: 'command' }],
  [/^exec_approval_request$/, { label: 'Codex asks to run a command', icon: 'shield', style: 'approval' }],
  [/^apply_patch_approval_request$/, { label: 'Codex asks to change files', icon: 'shield', style: 'approval' }],
  [/^(patch_apply_begin|item\/completed:fileChange)$/, { label: 'Changed files', icon: 'diff', style: 'tool' }],
  [/^patch_apply_end$/, { label: 'File changes applied', icon: 'diff', style: 'tool' }],
  [/^(mcp_tool_call_begin|mcp_tool_call_end|item\/completed:mcpToolCall)$/, { label: 'Called an MCP tool', icon: 'plug', style: 'tool' }],
  [/^(error|stream_error)$/, { label: 'Error', icon: 'error', style: 'failure' }],
  [/^warning$/, { label: 'Warning', icon: 'warning', style: 'warn' }],
  [/^(task_started|turn\/started)$/, { label: 'Turn started', icon: 'play', style: 'meta' }],
  [/^turn_aborted$/, { label: 'Turn stopped', icon: 'debug-stop', style: 'failure' }],
  [/^session_configured$/, { label: 'Session ready', icon: 'settings-gear', style: 'meta' }],
];

/** The label of one event; unknown types read as their words (`foo_bar/baz` -> `Foo bar baz`). */
export function labelOf(e: TranscriptEvent): EventLabel {
  if (e.type === 'user_message') return { label: authorOf(e), icon: authorOf(e) === 'You' ? 'account' : 'robot', style: 'user' };
  if (e.type === 'approval') {
    const a = e.approval;
    if (a) return { label: `${DECIDED[a.decision] ?? a.decision}: ${sourceWords(a.source)}`, icon: a.decision === 'deny' ? 'shield' : 'pass', style: 'approval' };
    return { label: 'Approval answered', icon: 'shield', style: 'approval' };
  }
  if (/^(task_complete|turn\/completed)$/.test(e.type)) {
    // A turn that ended otherwise than `completed` (interrupted, failed) is not a success.
    if (!e.summary || e.summary.startsWith('completed')) return { label: 'Turn finished', icon: 'check', style: 'meta' };
    return { label: e.summary.startsWith('interrupted') ? 'Turn stopped' : 'Turn failed', icon: 'debug-stop', style: 'failure' };
  }
  for (const [re, label] of FIXED) if (re.test(e.type)) return label;
  const words = e.type.replace(/^item\/completed:/, '').replace(/([a-z])([A-Z])/g, '$1 $2').replace(/[_/:.-]+/g, ' ').trim().toLowerCase();
  return { label: words ? words[0]!.toUpperCase() + words.slice(1) : 'Event', icon: 'circle-small', style: 'meta' };
}

/** `exit 0 · 1.2 s` for a finished command; '' when Codex reported neither. */
export function commandFacts(e: TranscriptEvent): string {
  const c = e.command;
  if (!c) return '';
  const parts: string[] = [];
  if (c.exitCode !== undefined && c.exitCode !== null) parts.push(`exit ${c.exitCode}`);
  if (typeof c.durationMs === 'number') parts.push(c.durationMs < 1000 ? `${c.durationMs} ms` : `${(c.durationMs / 1000).toFixed(1)} s`);
  return parts.join(' · ');
}
