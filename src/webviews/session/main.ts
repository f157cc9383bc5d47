/**
 * Session page: a Codex session's status header, its transcript (prompts with their author,
 * answers as markdown, commands with folded output, file changes with their diffs, approvals)
 * appended live as the host streams events, the text Codex is still writing drawn as it arrives
 * (./live), approvals Codex waits for as cards with their answers and time left, a reply box
 * (also for an ended session whose thread can be resumed), "Stop turn" beside "End session" (which
 * asks on the page first), and Copy / Export of the transcript as Markdown. A read-only header
 * (a session observed elsewhere) hides every control that acts on it.
 */
import '@vscode/codicons/dist/codicon.css';
import './styles.css';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import { panelChannel } from '../shared/vscode-api';
import { el } from '../shared/theme';
import { LiveRows } from './live';
import type { PendingCard, SessionHeader, SessionHostMessage, SessionPageMessage, SessionPageState, TranscriptEvent } from './protocol';
import { eventRow, pendingCard, timeLeft, type RowActions } from './render';

type TextArea = HTMLElement & { value: string; disabled: boolean; placeholder: string };
type Button = HTMLElement & { disabled: boolean };

const channel = panelChannel<SessionPageMessage, SessionHostMessage, SessionPageState>();
const saved = channel.state();
let header: SessionHeader | undefined;
let events = 0;
let pending: PendingCard[] = [];
let replying = false;
let cancelling = false;
let stopping = false;

const button = (id: string, icon: string, title: string, text: string, secondary = true) =>
  el('vscode-button', { id, icon, title, ...(secondary ? { secondary: '' } : {}) }, text) as Button;

const app = document.getElementById('app')!;
const title = el('h2', { id: 'title' }, 'Loading session…');
const badge = el('vscode-badge', { id: 'status' });
const waiting = el('span', { id: 'waiting', class: 'waiting hidden', role: 'status' }, 'Waiting for your approval');
const stopButton = button('stop', 'debug-pause', 'Stop the running turn; the session stays open for your next prompt', 'Stop turn');
const cancelButton = button('cancel', 'debug-stop', 'End this session and its Codex process', 'End session');
const copyButton = button('copy-md', 'copy', 'Copy the transcript as Markdown', 'Copy');
const exportButton = button('export-md', 'save', 'Save the transcript as a Markdown file', 'Export…');
const confirmBar = el('div', { id: 'confirm-end', class: 'confirm hidden', role: 'alertdialog', 'aria-label': 'End this session?' });
const facts = el('div', { class: 'facts', id: 'facts' });
const errorBox = el('div', { class: 'error hidden', id: 'error', role: 'alert' });
const noteBox = el('div', { class: 'note hidden', id: 'note', role: 'status' });
const transcript = el('div', { class: 'transcript', id: 'transcript', role: 'log', 'aria-live': 'polite' });
const empty = el('div', { class: 'muted empty' }, 'No events yet.');
const pendingBox = el('div', { id: 'pending' });
const replyBox = el('vscode-textarea', { id: 'reply', rows: '3', resize: 'vertical', placeholder: 'Reply to Codex (Ctrl+Enter to send)', 'aria-label': 'Reply' }) as TextArea;
const sendButton = el('vscode-button', { id: 'send', icon: 'send' }, 'Send') as Button;
const replyStatus = el('div', { class: 'muted', id: 'reply-status', role: 'status' });
const footer = el('footer', { class: 'reply' }, replyBox, el('div', { class: 'reply-actions' }, replyStatus, sendButton));

const confirmYes = button('confirm-end-yes', 'debug-stop', 'End the session now', 'End session', false);
const confirmNo = button('confirm-end-no', 'close', 'Keep the session', 'Keep it');
confirmBar.append(el('span', { class: 'confirm-text' }, 'Codex is running a turn. End the session? The turn stops and its Codex process and commands end.'), el('span', { class: 'spacer' }), confirmYes, confirmNo);

app.append(
  el('header', { class: 'head' }, el('div', { class: 'title-row' }, title, badge, waiting, el('span', { class: 'spacer' }), copyButton, exportButton, stopButton, cancelButton), facts),
  confirmBar,
  errorBox,
  noteBox,
  transcript,
  footer,
);
transcript.append(empty, pendingBox);
if (saved?.draft) replyBox.value = saved.draft;

const actions: RowActions = {
  copy: (text) => channel.post({ type: 'copy', text }),
  openDiff: (index, path) => channel.post({ type: 'open-diff', index, path }),
};

/** Follows the newest entry only when the reader is already at the bottom. */
function follow(append: () => void): void {
  const atBottom = transcript.scrollHeight - transcript.scrollTop - transcript.clientHeight < 40;
  append();
  if (atBottom) transcript.scrollTop = transcript.scrollHeight;
}

const live = new LiveRows((row) => pendingBox.before(row), actions, follow, () => undefined);

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
  document.body.classList.toggle('read-only', h.readOnly);
  const t = h.tokens;
  facts.replaceChildren(
    fact('Sandbox', h.sandbox ?? 'Codex default', 'sandbox'),
    fact('Approval', h.approvalPolicy ?? 'Codex default', 'approval'),
    fact('Thread', h.threadId ?? '(not yet known)', 'thread'),
    fact('Tokens', `${t.total} (in ${t.input}, cached ${t.cachedInput}, out ${t.output})`, 'tokens'),
    fact('Turns', String(h.turns), 'turns'),
    fact('Codex', `${h.codexVersion} ${h.backend}${h.model ? `, ${h.model}` : ''}`, 'codex'),
    fact('Folder', h.cwd, 'cwd'),
    ...(h.agentId ? [fact('Started by', h.agentId === 'vscode-user' ? 'you' : h.agentId, 'agent')] : []),
  );
  if (h.lastError && h.status !== 'running') showError(h.status === 'closed' ? `Ended: ${h.lastError}` : h.lastError, h.status === 'closed');
  else hideError();
  if (h.status !== 'running' && h.status !== 'starting') hideConfirm();
  updateControls();
}

function updateControls(): void {
  const status = header?.status;
  const running = status === 'running' || status === 'starting';
  const readOnly = header?.readOnly === true;
  const canReply = header?.canReply === true && !readOnly;
  replyBox.disabled = !canReply || replying;
  sendButton.disabled = !canReply || replying;
  replyBox.placeholder = header?.resumable ? 'Reply to continue this session: Codex reopens its thread (Ctrl+Enter to send)' : 'Reply to Codex (Ctrl+Enter to send)';
  stopButton.disabled = readOnly || stopping || status !== 'running';
  cancelButton.disabled = readOnly || cancelling || !(status === 'idle' || running);
  for (const b of [stopButton, cancelButton]) b.classList.toggle('hidden', readOnly);
  footer.classList.toggle('hidden', readOnly);
  waiting.classList.toggle('hidden', pending.length === 0);
  if (replying) replyStatus.textContent = header?.resumable ? 'Codex is reopening the session and working on your reply…' : 'Codex is working on your reply…';
  else if (pending.length) replyStatus.textContent = 'Codex waits for your answer to the approval above.';
  else if (running) replyStatus.textContent = 'Codex is running a turn; you can reply when it is idle, or stop the turn.';
  else if (header?.resumable) replyStatus.textContent = `The session is ${status}; a reply resumes its thread in a new Codex process.`;
  else if (status && !canReply) replyStatus.textContent = `The session is ${status}; it takes no more replies${header?.backend === 'mcp-server' ? ' (codex mcp-server keeps threads only in the ended process)' : ''}.`;
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

let noteTimer: ReturnType<typeof setTimeout> | undefined;
function showNote(message: string): void {
  noteBox.textContent = message;
  noteBox.classList.remove('hidden');
  clearTimeout(noteTimer);
  noteTimer = setTimeout(() => noteBox.classList.add('hidden'), 8000);
}

function showConfirm(): void {
  confirmBar.classList.remove('hidden');
  (confirmNo as HTMLElement).focus();
}

function hideConfirm(): void {
  confirmBar.classList.add('hidden');
}

/** Rows of a snapshot drawn at once; older ones follow in chunks after the page has painted. */
const FIRST_ROWS = 100;
const CHUNK_ROWS = 200;
const isStart = (e: TranscriptEvent) => e.type === 'item/started' || e.type === 'exec_command_begin';
/** Items whose final event has a row: a start event of theirs drawn later is left out. */
let finished = new Set<string>();
let generation = 0;

/** The rows of `list` (transcript positions from `start`); a final event replaces the live row and the start row of its item. */
function buildRows(list: readonly TranscriptEvent[], start: number, settled = false): DocumentFragment {
  const rows = document.createDocumentFragment();
  const byItem = new Map<string, HTMLElement>();
  list.forEach((e, i) => {
    if (e.itemId && isStart(e) && finished.has(e.itemId)) return;
    if (e.itemId && !isStart(e)) {
      live.finish(e.itemId);
      (byItem.get(e.itemId) ?? transcript.querySelector(`.event[data-item="${CSS.escape(e.itemId)}"]:not(.live)`))?.remove();
      finished.add(e.itemId);
    }
    const row = eventRow(e, start + i, actions);
    if (settled) row.classList.add('settled');
    if (e.itemId) byItem.set(e.itemId, row);
    rows.append(row);
  });
  return rows;
}

/** Appends events after those shown. */
function appendEvents(list: readonly TranscriptEvent[]): void {
  if (list.length === 0) return;
  follow(() => {
    empty.remove();
    pendingBox.before(buildRows(list, events));
    events += list.length;
  });
}

/** Draws a snapshot's events: the newest at once, the older ones in chunks before them. */
function drawAll(list: readonly TranscriptEvent[]): void {
  const gen = ++generation;
  finished = new Set();
  const first = Math.max(0, list.length - FIRST_ROWS);
  events = first;
  appendEvents(list.slice(first));
  let end = first;
  const more = () => {
    if (gen !== generation || end === 0) return;
    const from = Math.max(0, end - CHUNK_ROWS);
    const anchor = transcript.querySelector('.event');
    // Keep the reader's place: rows added above would push the view down.
    const before = transcript.scrollHeight;
    transcript.insertBefore(buildRows(list.slice(from, end), from, true), anchor ?? pendingBox);
    transcript.scrollTop += transcript.scrollHeight - before;
    end = from;
    setTimeout(more, 0);
  };
  if (end > 0) setTimeout(more, 0);
}

function drawPending(list: PendingCard[]): void {
  pending = list;
  const now = Date.now();
  follow(() => pendingBox.replaceChildren(...list.map((p) => pendingCard(p, now, (id, decision) => channel.post({ type: 'approve', id, decision })))));
  updateControls();
}

// Countdowns of the waiting approvals, once a second while there are any.
setInterval(() => {
  if (!pending.length) return;
  const now = Date.now();
  for (const c of Array.from(pendingBox.querySelectorAll<HTMLElement>('.countdown'))) c.textContent = timeLeft(Number(c.dataset.deadline), now);
}, 1000);

function rendered(): void {
  if (!header) return;
  const memory = (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory;
  const stream = live.stats();
  channel.post({
    type: 'rendered',
    sessionId: header.sessionId,
    events,
    status: header.status,
    ...(stream ? { stream } : {}),
    heapBytes: memory?.usedJSHeapSize ?? 0,
    nodes: transcript.getElementsByTagName('*').length,
  });
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
stopButton.addEventListener('click', () => {
  if (stopButton.disabled) return;
  stopping = true;
  updateControls();
  channel.post({ type: 'stop' });
});
cancelButton.addEventListener('click', () => {
  if (cancelButton.disabled) return;
  // A running turn is work in progress: ask on the page, where the question stays until answered.
  if (header?.status === 'running' || header?.status === 'starting') return showConfirm();
  channel.post({ type: 'cancel' });
});
confirmYes.addEventListener('click', () => {
  hideConfirm();
  channel.post({ type: 'cancel' });
});
confirmNo.addEventListener('click', hideConfirm);
copyButton.addEventListener('click', () => channel.post({ type: 'export', to: 'clipboard' }));
exportButton.addEventListener('click', () => channel.post({ type: 'export', to: 'file' }));

// Streamed deltas are drawn once a frame; the report waits a little so a stream does not send one per frame.
let reportTimer: ReturnType<typeof setTimeout> | undefined;
function reportSoon(): void {
  reportTimer ??= setTimeout(() => {
    reportTimer = undefined;
    rendered();
  }, 250);
}

channel.onMessage((m) => {
  switch (m.type) {
    case 'snapshot':
      for (const row of Array.from(transcript.querySelectorAll('.event'))) row.remove();
      transcript.prepend(empty);
      live.clear();
      events = 0;
      drawHeader(m.header);
      drawAll(m.events);
      live.reset(m.live);
      drawPending(m.pending);
      transcript.scrollTop = transcript.scrollHeight;
      saveState();
      return rendered();
    case 'append':
      drawHeader(m.header);
      appendEvents(m.events);
      if (m.live) live.reset(m.live);
      return rendered();
    case 'stream':
      live.push(m.deltas);
      return reportSoon();
    case 'pending':
      return drawPending(m.pending);
    case 'action':
      if (m.action === 'reply') {
        replying = m.busy;
        if (!m.busy && !m.error) {
          replyBox.value = '';
          saveState();
        }
      } else if (m.action === 'cancel') cancelling = m.busy;
      else if (m.action === 'stop') stopping = m.busy;
      if (m.error) showError(m.error);
      if (m.note) showNote(m.note);
      updateControls();
      return;
    case 'error':
      showError(m.message);
      return;
  }
});

channel.post({ type: 'ready', ...(saved?.sessionId ? { sessionId: saved.sessionId } : {}) });
