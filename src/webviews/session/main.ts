/**
 * Session page: a Codex session's status header, its transcript (prompts, answers, commands,
 * approvals, errors) appended live as the host streams events, a reply box enabled while the
 * session is idle, and a Cancel button while it holds a process.
 */
import '@vscode/codicons/dist/codicon.css';
import './styles.css';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import { panelChannel } from '../shared/vscode-api';
import { el } from '../shared/theme';
import type { SessionHeader, SessionHostMessage, SessionPageMessage, SessionPageState, TranscriptEvent } from './protocol';

type TextArea = HTMLElement & { value: string; disabled: boolean };
type Button = HTMLElement & { disabled: boolean };

const channel = panelChannel<SessionPageMessage, SessionHostMessage, SessionPageState>();
const saved = channel.state();
let header: SessionHeader | undefined;
let events = 0;
let replying = false;
let cancelling = false;

const app = document.getElementById('app')!;
const title = el('h2', { id: 'title' }, 'Loading session…');
const badge = el('vscode-badge', { id: 'status' });
const facts = el('div', { class: 'facts', id: 'facts' });
const cancelButton = el('vscode-button', { id: 'cancel', secondary: '', icon: 'debug-stop', title: 'End this session and its processes' }, 'Cancel Session') as Button;
const errorBox = el('div', { class: 'error hidden', id: 'error', role: 'alert' });
const transcript = el('div', { class: 'transcript', id: 'transcript', role: 'log', 'aria-live': 'polite' });
const empty = el('div', { class: 'muted empty' }, 'No events yet.');
const replyBox = el('vscode-textarea', { id: 'reply', rows: '3', resize: 'vertical', placeholder: 'Reply to Codex (Ctrl+Enter to send)', 'aria-label': 'Reply' }) as TextArea;
const sendButton = el('vscode-button', { id: 'send', icon: 'send' }, 'Send') as Button;
const replyStatus = el('div', { class: 'muted', id: 'reply-status', role: 'status' });

app.append(
  el('header', { class: 'head' }, el('div', { class: 'title-row' }, title, badge, el('span', { class: 'spacer' }), cancelButton), facts),
  errorBox,
  transcript,
  el('footer', { class: 'reply' }, replyBox, el('div', { class: 'reply-actions' }, replyStatus, sendButton)),
);
transcript.append(empty);
if (saved?.draft) replyBox.value = saved.draft;

/** How each event type reads: a label, a codicon and a style; unknown types show their raw name. */
const KINDS: Array<[RegExp, string, string, string]> = [
  [/^user_message$/, 'You', 'account', 'user'],
  [/^(agent_message|item\/completed:agentMessage)$/, 'Codex', 'sparkle', 'agent'],
  [/^(exec_command_begin|item\/started)$/, 'Command started', 'terminal', 'command'],
  [/^exec_command_end$/, 'Command finished', 'terminal', 'command'],
  [/^item\/completed:commandExecution$/, 'Command', 'terminal', 'command'],
  [/^approval$/, 'Approval answered', 'shield', 'approval'],
  [/^(exec_approval_request|apply_patch_approval_request)$/, 'Approval asked', 'shield', 'approval'],
  [/^(patch_apply_begin|patch_apply_end|item\/completed:fileChange)$/, 'File change', 'diff', 'tool'],
  [/^(mcp_tool_call_begin|mcp_tool_call_end|item\/completed:mcpToolCall)$/, 'MCP tool call', 'plug', 'tool'],
  [/^(error|stream_error)$/, 'Error', 'error', 'failure'],
  [/^warning$/, 'Warning', 'warning', 'warn'],
  [/^(task_started|turn\/started)$/, 'Turn started', 'play', 'meta'],
  [/^(task_complete|turn\/completed)$/, 'Turn finished', 'check', 'meta'],
  [/^turn_aborted$/, 'Turn aborted', 'debug-stop', 'failure'],
  [/^session_configured$/, 'Session configured', 'settings-gear', 'meta'],
];

function kindOf(type: string): { label: string; icon: string; style: string } {
  for (const [re, label, icon, style] of KINDS) if (re.test(type)) return { label, icon, style };
  return { label: type, icon: 'circle-small', style: 'meta' };
}

function time(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

function eventRow(e: TranscriptEvent): HTMLElement {
  let k = kindOf(e.type);
  // A turn that ended otherwise than `completed` (interrupted, failed) is not a success.
  if (/^(task_complete|turn\/completed)$/.test(e.type) && e.summary && !e.summary.startsWith('completed')) k = { label: 'Turn ended', icon: 'debug-stop', style: 'failure' };
  const text = k.style === 'command' ? el('pre', { class: 'text' }, e.summary) : el('div', { class: 'text' }, e.summary);
  const label = el('span', { class: 'label' }, el('span', { class: `codicon codicon-${k.icon}`, 'aria-hidden': 'true' }), ` ${k.label}`);
  return el('div', { class: `event ${k.style}`, 'data-type': e.type }, el('div', { class: 'meta-line' }, label, el('time', { datetime: e.at, title: e.at }, time(e.at))), ...(e.summary ? [text] : []));
}

function fact(label: string, value: string, id: string): HTMLElement {
  return el('span', { class: 'fact', id: `fact-${id}` }, el('span', { class: 'muted' }, `${label} `), value);
}

function drawHeader(h: SessionHeader): void {
  header = h;
  title.textContent = h.title;
  title.title = h.title;
  badge.textContent = h.status;
  badge.className = `status-${h.status}`;
  document.body.dataset.status = h.status;
  const t = h.tokens;
  facts.replaceChildren(
    fact('Sandbox', h.sandbox ?? 'Codex default', 'sandbox'),
    fact('Approval', h.approvalPolicy ?? 'Codex default', 'approval'),
    fact('Thread', h.threadId ?? '(not yet known)', 'thread'),
    fact('Tokens', `${t.total} (in ${t.input}, cached ${t.cachedInput}, out ${t.output})`, 'tokens'),
    fact('Turns', String(h.turns), 'turns'),
    fact('Codex', `${h.codexVersion} ${h.backend}${h.model ? `, ${h.model}` : ''}`, 'codex'),
    fact('Folder', h.cwd, 'cwd'),
  );
  if (h.lastError && h.status !== 'running') showError(h.status === 'closed' ? `Ended: ${h.lastError}` : h.lastError, h.status === 'closed');
  else hideError();
  updateControls();
}

function updateControls(): void {
  const status = header?.status;
  const idle = status === 'idle';
  replyBox.disabled = !idle || replying;
  sendButton.disabled = !idle || replying;
  cancelButton.disabled = cancelling || !(status === 'idle' || status === 'running' || status === 'starting');
  if (replying) replyStatus.textContent = 'Codex is working on your reply…';
  else if (status === 'running' || status === 'starting') replyStatus.textContent = 'Codex is running a turn; you can reply when it is idle.';
  else if (status && !idle) replyStatus.textContent = `The session is ${status}; it takes no more replies.`;
  else replyStatus.textContent = '';
}

function showError(message: string, ended = false): void {
  errorBox.textContent = message;
  errorBox.classList.toggle('ended', ended);
  errorBox.classList.remove('hidden');
}

function hideError(): void {
  errorBox.classList.add('hidden');
}

function appendEvents(list: TranscriptEvent[]): void {
  if (list.length === 0) return;
  // Follow the newest event only when the reader is already at the bottom.
  const atBottom = transcript.scrollHeight - transcript.scrollTop - transcript.clientHeight < 40;
  empty.remove();
  transcript.append(...list.map(eventRow));
  events += list.length;
  if (atBottom) transcript.scrollTop = transcript.scrollHeight;
}

function rendered(): void {
  if (header) channel.post({ type: 'rendered', sessionId: header.sessionId, events, status: header.status });
}

function saveState(): void {
  if (header) channel.saveState({ sessionId: header.sessionId, ...(replyBox.value ? { draft: replyBox.value } : {}) });
}

function send(): void {
  const prompt = replyBox.value.trim();
  if (!prompt || replyBox.disabled) return;
  replying = true;
  updateControls();
  channel.post({ type: 'reply', prompt });
}

sendButton.addEventListener('click', send);
replyBox.addEventListener('keydown', (e: KeyboardEvent) => {
  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
    e.preventDefault();
    send();
  }
});
replyBox.addEventListener('input', saveState);
cancelButton.addEventListener('click', () => {
  if (cancelButton.disabled) return;
  channel.post({ type: 'cancel' });
});

channel.onMessage((m) => {
  switch (m.type) {
    case 'snapshot':
      transcript.replaceChildren(empty);
      events = 0;
      drawHeader(m.header);
      appendEvents(m.events);
      transcript.scrollTop = transcript.scrollHeight;
      saveState();
      return rendered();
    case 'append':
      drawHeader(m.header);
      appendEvents(m.events);
      return rendered();
    case 'action':
      if (m.action === 'reply') {
        replying = m.busy;
        if (!m.busy && !m.error) {
          replyBox.value = '';
          saveState();
        }
      } else {
        cancelling = m.busy;
      }
      if (m.error) showError(m.error);
      updateControls();
      return;
    case 'error':
      showError(m.message);
      return;
  }
});

channel.post({ type: 'ready', ...(saved?.sessionId ? { sessionId: saved.sessionId } : {}) });
