/**
 * Agent run page: a governed OpenAI agent run as it happens. The header (task, status, model, base
 * URL, API, agent, task id, step, tokens, cost) with Stop; per step the governance check, the
 * model's text (streamed, drawn as sanitized markdown once per animation frame), each tool call
 * with its arguments, the decision and who made it, and its result (folded); approvals this run
 * waits for as cards answered here (the same answers as the Approvals view); the end reason and
 * message. The host replays the whole run on `ready`, so a reloaded page shows everything again.
 */
import '@vscode/codicons/dist/codicon.css';
import './styles.css';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import type { AgentEvent } from '../../agent/events';
import { panelChannel } from '../shared/vscode-api';
import { el } from '../shared/theme';
import type { AgentRunHostMessage, AgentRunPageMessage, AgentRunPageState, ApprovalCard, RunHeader } from './protocol';
import { approvalCard, decisionText, deniedBlock, END_WORDS, endBox, factsOf, governanceText, resultBlock, setText, stepSection, timeLeft, toolCard } from './render';

type Button = HTMLElement & { disabled: boolean };

const channel = panelChannel<AgentRunPageMessage, AgentRunHostMessage, AgentRunPageState>();
const saved = channel.state();

const app = document.getElementById('app')!;
const title = el('h2', { id: 'title' }, 'Loading agent run…');
const badge = el('vscode-badge', { id: 'status' });
const stopButton = el('vscode-button', { id: 'stop', icon: 'debug-stop', secondary: '', title: 'Stop the run; its task, if any, goes back to the queue' }, 'Stop') as Button;
const facts = el('div', { class: 'facts', id: 'facts' });
const errorBox = el('div', { class: 'error hidden', id: 'error', role: 'alert' });
const noteBox = el('div', { class: 'note hidden', id: 'note', role: 'status' });
const log = el('div', { class: 'log', id: 'log', role: 'log', 'aria-live': 'polite' });
const pendingBox = el('div', { id: 'pending' });
const endHolder = el('div', { id: 'end' });
app.append(el('header', { class: 'head' }, el('div', { class: 'title-row' }, title, badge, el('span', { class: 'spacer' }), stopButton), facts), errorBox, noteBox, log);
log.append(pendingBox, endHolder);

interface Step {
  box: HTMLElement;
  governance: HTMLElement;
  text: HTMLElement;
  tools: HTMLElement;
  raw: string;
  dirty: boolean;
}

let header: RunHeader | undefined;
let steps = new Map<number, Step>();
let calls = new Map<string, { decision: HTMLElement; result: HTMLElement }>();
let pending: ApprovalCard[] = [];
let events = 0;
let frame = 0;

stopButton.addEventListener('click', () => {
  stopButton.disabled = true;
  channel.post({ type: 'stop' });
});

function show(box: HTMLElement, text: string | undefined): void {
  box.textContent = text ?? '';
  box.classList.toggle('hidden', !text);
}

/** Follows the newest entry only when the reader is already at the bottom. */
function follow(change: () => void): void {
  const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
  change();
  if (atBottom) log.scrollTop = log.scrollHeight;
}

function step(n: number): Step {
  let s = steps.get(n);
  if (!s) {
    s = { ...stepSection(n), raw: '', dirty: false };
    steps.set(n, s);
    log.insertBefore(s.box, pendingBox);
  }
  return s;
}

function drawHeader(h: RunHeader): void {
  header = h;
  title.textContent = h.title;
  badge.textContent = END_WORDS[h.status] ?? h.status;
  badge.className = `status-${h.status}`;
  facts.replaceChildren(...factsOf(h));
  stopButton.classList.toggle('hidden', h.status !== 'running' && h.status !== 'starting');
  channel.saveState({ runId: h.runId });
}

/** Draws the streamed text of every changed step once per animation frame (markdown is re-parsed whole). */
function scheduleText(): void {
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    follow(() => {
      for (const s of steps.values()) {
        if (!s.dirty) continue;
        s.dirty = false;
        setText(s.text, s.raw);
      }
    });
    report();
  });
}

function apply(e: AgentEvent): void {
  events++;
  switch (e.type) {
    case 'governance':
      return governanceText(step(e.step).governance, e);
    case 'model-text-delta': {
      const s = step(e.step);
      s.raw += e.delta;
      s.dirty = true;
      return scheduleText();
    }
    case 'model-turn': {
      const s = step(e.step);
      s.raw = e.text;
      s.dirty = false;
      return setText(s.text, e.text, e.refusal);
    }
    case 'tool-call': {
      const card = toolCard(e);
      calls.set(e.callId, card);
      step(e.step).tools.append(card.box);
      return;
    }
    case 'tool-decision': {
      const card = calls.get(e.callId);
      if (!card) return;
      decisionText(card.decision, e);
      if (e.decision === 'deny') deniedBlock(card.result, e);
      return;
    }
    case 'tool-result': {
      const card = calls.get(e.callId);
      if (card) resultBlock(card.result, e);
      return;
    }
    case 'run-ended':
      endHolder.replaceChildren(endBox(e));
      return;
    default:
      return;
  }
}

function drawPending(list: ApprovalCard[]): void {
  pending = list;
  follow(() => pendingBox.replaceChildren(...list.map((c) => approvalCard(c, (id, decision) => channel.post({ type: 'approve', id, decision })))));
}

function reset(): void {
  for (const s of steps.values()) s.box.remove();
  steps = new Map();
  calls = new Map();
  events = 0;
  endHolder.replaceChildren();
}

function report(): void {
  if (!header) return;
  let textChars = 0;
  for (const s of steps.values()) textChars += s.raw.length;
  channel.post({ type: 'rendered', runId: header.runId, events, status: header.status, textChars, toolCalls: calls.size, pending: pending.length });
}

channel.onMessage((m) => {
  switch (m.type) {
    case 'snapshot':
      reset();
      drawHeader(m.header);
      follow(() => m.events.forEach(apply));
      drawPending(m.pending);
      show(errorBox, undefined);
      break;
    case 'events':
      drawHeader(m.header);
      follow(() => m.events.forEach(apply));
      break;
    case 'pending':
      drawPending(m.pending);
      break;
    case 'action':
      if (m.action === 'stop' && !m.error) stopButton.disabled = true;
      if (m.action === 'stop' && m.error) stopButton.disabled = false;
      show(errorBox, m.error);
      show(noteBox, m.note);
      break;
    case 'error':
      show(errorBox, m.message);
      break;
  }
  report();
});

// The countdowns of pending approvals tick once a second.
setInterval(() => {
  for (const c of pendingBox.querySelectorAll<HTMLElement>('.countdown')) c.textContent = `denied in ${timeLeft(Number(c.dataset.deadline))}`;
}, 1000);

channel.post({ type: 'ready', ...(saved?.runId ? { runId: saved.runId } : {}) });
