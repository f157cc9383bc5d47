/**
 * Review page: one dialectic peer review. The header says who asked, the reviewer (or the open
 * slot), the phase, whose turn it is and the time left before the deadline fails it (a live
 * countdown); then the outcome once it ended (resolution with its conditions and complexity cap,
 * escalation or failure), the rounds oldest first (thesis, antithesis, synthesis: reasoning, root
 * cause, proposed conditions, agreement, concerns), and, when it is the person's turn, the form to
 * submit their antithesis or synthesis. Updates arrive as the host reports review changes.
 */
import '@vscode/codicons/dist/codicon.css';
import './styles.css';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import { panelChannel } from '../shared/vscode-api';
import { el } from '../shared/theme';
import { REVIEW_LIMITS, type ReviewHostMessage, type ReviewMessage, type ReviewPageMessage, type ReviewPageState, type ReviewSession } from './protocol';
import { drawMessage, drawOutcome, duration, PHASE_LABELS, who } from './parts';

type Field = HTMLElement & { value: string; disabled: boolean };
type Check = HTMLElement & { checked: boolean; disabled: boolean };
type Button = HTMLElement & { disabled: boolean };

const channel = panelChannel<ReviewPageMessage, ReviewHostMessage, ReviewPageState>();
const saved = channel.state();
let review: ReviewSession | undefined;
let skew = 0; // host clock minus page clock, ms
let submitting = false;
/** What the form was last filled with from the latest proposal; a field still holding it was not edited. */
const prefilled = { conditions: '', rootCause: '' };

const app = document.getElementById('app')!;
const title = el('h2', { id: 'title' }, 'Loading review…');
const badge = el('vscode-badge', { id: 'phase' });
const nudgeButton = el('vscode-button', { id: 'nudge', secondary: '', icon: 'bell', title: 'Remind whoever must act (recorded in the audit log)' }, 'Nudge') as Button;
const facts = el('dl', { class: 'facts', id: 'facts' });
const turnLine = el('div', { class: 'turn', id: 'turn', role: 'status' });
const nudgeStatus = el('div', { class: 'muted hidden', id: 'nudge-status', role: 'status' });
const errorBox = el('div', { class: 'error hidden', id: 'error', role: 'alert' });
const outcome = el('section', { class: 'outcome hidden', id: 'outcome' });
const messagesBox = el('section', { class: 'messages', id: 'messages', 'aria-label': 'Rounds' });

const formTitle = el('h3', { id: 'form-title' });
const formHint = el('p', { class: 'muted', id: 'form-hint' });
const rootCause = el('vscode-textfield', { id: 'root-cause', maxlength: String(REVIEW_LIMITS.rootCause), placeholder: 'What caused the problem, as you see it', 'aria-label': 'Root cause' }) as Field;
const conditions = el('vscode-textarea', { id: 'conditions', rows: '3', resize: 'vertical', placeholder: 'One per line, e.g. Reduce complexity to 0.3', 'aria-label': 'Proposed conditions' }) as Field;
const reasoning = el('vscode-textarea', { id: 'reasoning', rows: '4', resize: 'vertical', maxlength: String(REVIEW_LIMITS.reasoning), placeholder: 'What you observed and why (required)', 'aria-label': 'Reasoning' }) as Field;
const concerns = el('vscode-textarea', { id: 'concerns', rows: '2', resize: 'vertical', placeholder: 'One per line (optional)', 'aria-label': 'Concerns' }) as Field;
const agrees = el('vscode-checkbox', { id: 'agrees', label: 'I agree with the current proposal' }) as Check;
const submitButton = el('vscode-button', { id: 'submit', icon: 'send' }, 'Submit') as Button;
const formStatus = el('div', { class: 'muted', id: 'form-status', role: 'status' });
const labelled = (label: string, control: HTMLElement, id: string) => el('div', { class: 'form-row', id: `row-${id}` }, el('label', { for: control.id }, label), control);
const form = el(
  'section',
  { class: 'form hidden', id: 'form' },
  formTitle,
  formHint,
  labelled('Root cause', rootCause, 'root-cause'),
  labelled('Proposed conditions', conditions, 'conditions'),
  labelled('Reasoning', reasoning, 'reasoning'),
  labelled('Concerns', concerns, 'concerns'),
  el('div', { class: 'form-row', id: 'row-agrees' }, agrees),
  el('div', { class: 'form-actions' }, formStatus, submitButton),
);

app.append(
  el('header', { class: 'head' }, el('div', { class: 'title-row' }, title, badge, el('span', { class: 'spacer' }), nudgeButton), facts, turnLine, nudgeStatus),
  errorBox,
  el('div', { class: 'scroll' }, outcome, messagesBox, form),
);
if (saved?.draft) {
  rootCause.value = saved.draft.rootCause;
  conditions.value = saved.draft.conditions;
  reasoning.value = saved.draft.reasoning;
  concerns.value = saved.draft.concerns;
}

function lines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

function saveState(): void {
  if (!review) return;
  const draft = { rootCause: rootCause.value, conditions: conditions.value, reasoning: reasoning.value, concerns: concerns.value };
  channel.saveState({ sessionId: review.sessionId, ...(Object.values(draft).some(Boolean) ? { draft } : {}) });
}

function fact(label: string, value: string, id: string): HTMLElement[] {
  return [el('dt', {}, label), el('dd', { id: `fact-${id}` }, value)];
}

/** The countdown to the sooner deadline, from the host's clock. */
function leftText(r: ReviewSession): string {
  if (!r.deadlines.next) return r.endedAt ? new Date(r.endedAt).toLocaleString() : '';
  const left = Date.parse(r.deadlines.next) - (Date.now() + skew);
  return left <= 0 ? 'deadline passed: the session fails on its next read' : `${duration(left)} left (until ${new Date(r.deadlines.next).toLocaleTimeString()})`;
}

function turnSentence(r: ReviewSession): string {
  const a = r.nextActor;
  if (a === null) return 'The review has ended.';
  if (a === 'any') return r.yourTurn ? 'The reviewer slot is open: any eligible agent may take it by answering, and so may you.' : 'The reviewer slot is open: any eligible agent may take it by answering.';
  if (a === 'either') return r.yourTurn ? 'Your turn: either side may propose a synthesis.' : `Either side may propose a synthesis: ${r.mayAct.map((id) => who(id, r.you)).join(' or ')}.`;
  return a === r.you ? `Your turn: ${r.nextTool ?? ''}.` : `Waiting on ${a} (${r.nextTool ?? ''}).`;
}

function drawHeader(r: ReviewSession): void {
  title.textContent = `Review of ${who(r.requesterId, r.you)}`;
  badge.textContent = r.phase;
  badge.className = `phase-${r.phase}`;
  document.body.dataset.phase = r.phase;
  const st = r.requesterState;
  facts.replaceChildren(
    ...fact('Asked by', who(r.requesterId, r.you), 'requester'),
    ...fact('Reviewer', r.reviewerId === null ? 'open slot' : who(r.reviewerId, r.you), 'reviewer'),
    ...fact('State', `${PHASE_LABELS[r.phase] ?? r.phase}${r.phase === 'synthesis' ? `, round ${r.synthesisRound} of ${r.maxSynthesisRounds}` : ''}`, 'state'),
    ...fact(r.deadlines.next ? 'Time left' : 'Ended', leftText(r), 'left'),
    ...fact('Why', r.reason || '(no reason given)', 'reason'),
    ...(r.complexity !== null ? fact('Complexity of the change', r.complexity.toFixed(2), 'complexity') : []),
    ...fact(
      'When it opened',
      `${st.status ?? 'unknown'}${st.risk !== null ? `, risk ${st.risk.toFixed(2)}` : ''}${st.coherence !== null ? `, coherence ${st.coherence.toFixed(2)}` : ''}${st.voidActive ? ', void active' : ''}`,
      'opened-state',
    ),
  );
  turnLine.textContent = turnSentence(r);
  turnLine.classList.toggle('yours', r.yourTurn !== null);
  nudgeButton.disabled = r.nextActor === null;
}

function drawForm(r: ReviewSession): void {
  const kind = r.yourTurn;
  form.classList.toggle('hidden', kind === null);
  if (kind === null) return;
  formTitle.textContent = kind === 'antithesis' ? 'Your review (antithesis)' : `Your synthesis (round ${r.synthesisRound} of ${r.maxSynthesisRounds})`;
  formHint.textContent =
    kind === 'antithesis'
      ? r.openSlot
        ? `Submitting takes the open reviewer slot: you review ${r.requesterId} as "${r.you}". Say what you observed, what worries you, and the conditions for resuming.`
        : `You are the reviewer. Say what you observed, what worries you, and the conditions for resuming.`
      : 'Propose conditions; when both sides agree on the same conditions the review resolves (a paused agent resumes under them).';
  document.getElementById('row-concerns')!.classList.toggle('hidden', kind !== 'antithesis');
  document.getElementById('row-agrees')!.classList.toggle('hidden', kind !== 'synthesis');
  // Synthesis starts from the latest proposal, so agreeing to it is one click; a newer proposal
  // replaces it unless the person edited the field.
  const latest: ReviewMessage | undefined = [...r.messages].reverse().find((m) => m.proposedConditions.length);
  if (kind === 'synthesis' && latest) {
    if (conditions.value === prefilled.conditions) conditions.value = prefilled.conditions = latest.proposedConditions.join('\n');
    if (latest.rootCause && rootCause.value === prefilled.rootCause) rootCause.value = prefilled.rootCause = latest.rootCause;
  }
  updateForm();
}

function updateForm(): void {
  for (const c of [rootCause, conditions, reasoning, concerns, agrees, submitButton]) c.disabled = submitting;
}

function draw(r: ReviewSession): void {
  review = r;
  hideError();
  drawHeader(r);
  drawOutcome(outcome, r);
  messagesBox.replaceChildren(...(r.messages.length ? r.messages.map((m, i) => drawMessage(m, i, r)) : [el('p', { class: 'muted' }, 'No message yet: the agent has not written its thesis.')]));
  drawForm(r);
  saveState();
  channel.post({ type: 'rendered', sessionId: r.sessionId, phase: r.phase, messages: r.messages.length, yourTurn: r.yourTurn });
}

function showError(message: string): void {
  errorBox.textContent = message;
  errorBox.classList.remove('hidden');
}

function hideError(): void {
  errorBox.classList.add('hidden');
}

function submit(): void {
  const kind = review?.yourTurn;
  if (!kind || submitting) return;
  const text = reasoning.value.trim();
  if (!text) {
    formStatus.textContent = 'Write your reasoning first: what you observed and why.';
    return;
  }
  submitting = true;
  updateForm();
  formStatus.textContent = 'Submitting…';
  const base = { conditions: lines(conditions.value), reasoning: text, ...(rootCause.value.trim() ? { rootCause: rootCause.value.trim() } : {}) };
  channel.post(kind === 'antithesis' ? { type: 'submit', kind, ...base, ...(lines(concerns.value).length ? { concerns: lines(concerns.value) } : {}) } : { type: 'submit', kind, ...base, agrees: agrees.checked });
}

submitButton.addEventListener('click', submit);
for (const f of [rootCause, conditions, reasoning, concerns]) f.addEventListener('input', saveState);
nudgeButton.addEventListener('click', () => {
  if (nudgeButton.disabled) return;
  nudgeButton.disabled = true;
  channel.post({ type: 'nudge' });
});
setInterval(() => {
  const left = document.getElementById('fact-left');
  if (review && left) left.textContent = leftText(review);
}, 1000);

channel.onMessage((m) => {
  switch (m.type) {
    case 'session':
      skew = m.now - Date.now();
      return draw(m.review);
    case 'submitted':
      submitting = false;
      formStatus.textContent = m.message;
      formStatus.classList.toggle('failed', !m.ok);
      if (m.ok) {
        for (const f of [rootCause, conditions, reasoning, concerns]) f.value = '';
        prefilled.conditions = prefilled.rootCause = '';
        agrees.checked = false;
        saveState();
      }
      updateForm();
      return;
    case 'nudged':
      nudgeButton.disabled = review?.nextActor === null;
      nudgeStatus.textContent = m.message;
      nudgeStatus.classList.remove('hidden');
      nudgeStatus.classList.toggle('failed', !m.ok);
      return;
    case 'focus-form':
      form.scrollIntoView({ block: 'start' });
      reasoning.focus();
      return;
    case 'error':
      submitting = false;
      updateForm();
      showError(m.message);
      return;
  }
});

channel.post({ type: 'ready', ...(saved?.sessionId ? { sessionId: saved.sessionId } : {}) });
