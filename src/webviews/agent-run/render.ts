/**
 * The Agent run page's pieces: a step (the governance check, the model's text, its tool calls), a
 * tool call card (arguments, decision and who decided, result folded), an approval card with the
 * answers, the end box, and the header facts. DOM only; ./main keeps the state.
 */
import { APPROVAL_LABELS } from '../../approvals/vocabulary';
import { el } from '../shared/theme';
import { renderMarkdown } from '../shared/markdown';
import type { ApprovalCard, RunHeader } from './protocol';
import type { AgentEvent } from '../../agent/events';

type ToolCall = Extract<AgentEvent, { type: 'tool-call' }>;
type ToolDecision = Extract<AgentEvent, { type: 'tool-decision' }>;
type ToolResult = Extract<AgentEvent, { type: 'tool-result' }>;
type Governance = Extract<AgentEvent, { type: 'governance' }>;
type Ended = Extract<AgentEvent, { type: 'run-ended' }>;

/** Words for who let a call through or stopped it (src/agent/events.ts ToolDecidedBy). */
const DECIDERS: Record<string, string> = {
  'read-only': 'read-only tool, not asked',
  governance: 'governance tool, not asked',
  'run-grant': 'allowed earlier for this run',
  person: 'by you',
  policy: 'by the approval policy',
  'session-grant': 'allowed earlier for this run',
  timeout: 'no answer in time',
  cancelled: 'request cancelled',
  error: 'approval failed',
  unreachable: 'governance server unreachable',
};

const DECISIONS: Record<string, string> = { allow_once: 'Allowed once', allow_run: 'Allowed for this run', deny: 'Denied' };

export const END_WORDS: Record<string, string> = {
  done: 'Done',
  paused: 'Paused by governance',
  refused: 'Refused by the model',
  max_steps: 'Stopped at the step limit',
  deadline: 'Stopped at the deadline',
  aborted: 'Stopped',
  error: 'Failed',
};

/** A new step section; its text box is filled by ./main. */
export function stepSection(step: number): { box: HTMLElement; governance: HTMLElement; text: HTMLElement; tools: HTMLElement } {
  const governance = el('div', { class: 'governance muted' });
  const text = el('div', { class: 'model-text markdown', id: `text-${step}` });
  const tools = el('div', { class: 'tools' });
  const box = el('section', { class: 'step', 'data-step': String(step) }, el('div', { class: 'step-head' }, el('span', { class: 'label' }, `Step ${step}`), governance), text, tools);
  return { box, governance, text, tools };
}

export function governanceText(target: HTMLElement, e: Governance): void {
  target.textContent = `Governance: ${e.action}${e.reason ? ` — ${e.reason}` : ''}${e.reviewSessionId ? ` (peer review ${e.reviewSessionId})` : ''}`;
  target.classList.toggle('paused', e.action === 'PAUSE');
}

/** Sets the step's text as sanitized markdown. */
export function setText(target: HTMLElement, text: string, refusal?: string): void {
  target.innerHTML = renderMarkdown(text);
  if (refusal) target.append(el('div', { class: 'refusal' }, `Refused: ${refusal}`));
  target.classList.toggle('empty-text', !text && !refusal);
}

/** A tool call card; ./main fills in the decision and the result as they come. */
export function toolCard(e: ToolCall): { box: HTMLElement; decision: HTMLElement; result: HTMLElement } {
  const args = typeof e.arguments === 'string' ? e.arguments : JSON.stringify(e.arguments, null, 2);
  const decision = el('span', { class: 'decision muted' }, e.server === null ? 'no such tool' : 'deciding…');
  const result = el('div', { class: 'result' });
  const box = el(
    'div',
    { class: `tool${e.server === null ? ' failure' : ''}`, 'data-call': e.callId, 'data-name': e.name },
    el('div', { class: 'tool-head' }, el('span', { class: 'codicon codicon-tools' }), el('code', { class: 'tool-name' }, e.name), el('span', { class: 'muted' }, e.server ? ` ${e.server}` : ''), el('span', { class: 'spacer' }), decision),
    el('details', { class: 'args' }, el('summary', {}, 'Arguments'), el('pre', { class: 'code' }, args)),
    result,
  );
  return { box, decision, result };
}

export function decisionText(target: HTMLElement, e: ToolDecision): void {
  const who = DECIDERS[e.decidedBy] ?? e.decidedBy;
  target.textContent = `${DECISIONS[e.decision] ?? e.decision} (${who}${e.risk ? `, risk ${e.risk}` : ''})`;
  target.title = e.reason ?? '';
  target.className = `decision ${e.decision === 'deny' ? 'denied' : 'allowed'}`;
  target.setAttribute('data-decided-by', e.decidedBy);
}

/** The result, folded: the summary says ok/failed, its size and time. */
export function resultBlock(target: HTMLElement, e: ToolResult): void {
  const lines = e.output.replace(/\n$/, '').split('\n').length;
  target.replaceChildren(
    el(
      'details',
      { class: `output ${e.ok ? 'ok' : 'failed'}` },
      el('summary', {}, `${e.ok ? 'Result' : 'Error'} (${lines} line${lines === 1 ? '' : 's'}, ${e.durationMs} ms)`),
      el('pre', { class: 'code' }, e.output),
    ),
  );
  target.closest('.tool')?.classList.toggle('failure', !e.ok);
}

/** A denied call never runs: the card says so. */
export function deniedBlock(target: HTMLElement, e: ToolDecision): void {
  target.replaceChildren(el('div', { class: 'text failure-text' }, `Did not run: ${e.reason ?? 'denied'}`));
}

export function endBox(e: Ended): HTMLElement {
  const task = e.task ? el('div', { class: 'task-outcome' }, `Task ${e.task.taskId}: ${e.task.outcome === 'completed' ? 'completed' : e.task.outcome === 'released' ? 'released back to the queue' : `not released${e.task.message ? ` — ${e.task.message}` : ''}`}`) : undefined;
  const message = e.reason === 'done' ? el('div', { class: 'muted' }, `${e.steps} step${e.steps === 1 ? '' : 's'}.`) : el('div', { class: 'end-message' }, e.message);
  return el('div', { class: `end end-${e.reason}`, id: 'end-box', role: 'status' }, el('div', { class: 'label' }, END_WORDS[e.reason] ?? e.reason), message, ...(task ? [task] : []));
}

/** "in 4 min 40 s" until `deadline` (ms since epoch). */
export function timeLeft(deadline: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((deadline - now) / 1000));
  const m = Math.floor(s / 60);
  return m ? `${m} min ${s % 60} s` : `${s} s`;
}

/** A pending approval with its answers; `answer` posts the decision. */
export function approvalCard(c: ApprovalCard, answer: (id: string, decision: 'allow_once' | 'allow_session' | 'deny') => void): HTMLElement {
  const button = (decision: 'allow_once' | 'allow_session' | 'deny', secondary: boolean, label: string) => {
    const b = el('vscode-button', { 'data-decision': decision, ...(secondary ? { secondary: '' } : {}) }, label);
    b.addEventListener('click', () => {
      for (const x of b.parentElement?.querySelectorAll('vscode-button') ?? []) x.setAttribute('disabled', '');
      answer(c.id, decision);
    });
    return b;
  };
  return el(
    'div',
    { class: `pending risk-${c.risk}`, 'data-id': c.id, role: 'group', 'aria-label': `Approval for ${c.tool}` },
    el('div', { class: 'meta-line' }, el('span', { class: 'label' }, `Approve ${c.tool}?`), el('span', { class: 'risk' }, `risk ${c.risk}`), el('span', { class: 'spacer' }), el('span', { class: 'countdown', 'data-deadline': String(c.deadline) }, `denied in ${timeLeft(c.deadline)}`)),
    ...(c.reason ? [el('div', { class: 'text muted' }, c.reason)] : []),
    ...(c.arguments ? [el('pre', { class: 'code' }, c.arguments)] : []),
    el(
      'div',
      { class: 'answers' },
      button('allow_once', false, APPROVAL_LABELS.action.allow_once),
      // "Session" is the run here: the grant lasts for the rest of this run only.
      button('allow_session', true, `${APPROVAL_LABELS.action.allow_session} (this run)`),
      button('deny', true, APPROVAL_LABELS.action.deny),
    ),
  );
}

/** The header facts, one span each. */
export function factsOf(h: RunHeader): HTMLElement[] {
  const fact = (label: string, value: string, id: string) => el('span', { class: 'fact', id }, el('span', { class: 'muted' }, `${label} `), value);
  const cost = h.costUsd === null ? 'no price for this model' : `$${h.costUsd.toFixed(4)}`;
  return [
    fact('Model', h.model, 'fact-model'),
    fact('Base URL', h.baseUrl, 'fact-base-url'),
    fact('API', h.api, 'fact-api'),
    fact('Agent', h.agentId, 'fact-agent'),
    ...(h.taskId ? [fact('Task', h.taskId, 'fact-task')] : []),
    fact('Step', `${h.step}/${h.maxSteps}`, 'fact-step'),
    fact('Tokens', `${h.inputTokens} in · ${h.outputTokens} out`, 'fact-tokens'),
    fact('Cost', cost, 'fact-cost'),
  ];
}
