/** Pieces of the Review page (./main.ts): the rounds, the outcome, durations. DOM only, no state. */
import { el } from '../shared/theme';
import type { ReviewMessage, ReviewSession } from './protocol';

export const PHASE_LABELS: Readonly<Record<string, string>> = {
  thesis: 'Thesis: the agent explains',
  antithesis: 'Antithesis: the reviewer answers',
  synthesis: 'Synthesis: both negotiate',
  resolved: 'Resolved',
  escalated: 'Escalated',
  failed: 'Failed',
};

/** `you` for the person's own agent id (`you`, from the host). */
export function who(agentId: string, you: string): string {
  return agentId === you ? 'you' : agentId;
}

/** `1 h 5 min`, `12 min 3 s`, `40 s`. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

function list(items: string[], cls: string): HTMLElement {
  return el('ul', { class: cls }, ...items.map((i) => el('li', {}, i)));
}

function row(label: string, body: HTMLElement | string): HTMLElement[] {
  return [el('dt', {}, label), typeof body === 'string' ? el('dd', {}, body) : el('dd', {}, body)];
}

/** One round: who wrote it and when, then its root cause, conditions, reasoning, agreement, concerns. */
export function drawMessage(m: ReviewMessage, index: number, r: ReviewSession): HTMLElement {
  const synthesisNumber = r.messages.slice(0, index + 1).filter((x) => x.phase === 'synthesis').length;
  const heading = m.phase === 'thesis' ? 'Thesis' : m.phase === 'antithesis' ? 'Antithesis' : `Synthesis ${synthesisNumber}`;
  const role = m.agentId === r.requesterId ? 'asked for review' : 'reviewer';
  const body = el('dl', { class: 'message-body' });
  if (m.rootCause) body.append(...row('Root cause', m.rootCause));
  if (m.proposedConditions.length) body.append(...row('Proposed conditions', list(m.proposedConditions, 'conditions')));
  if (m.reasoning) body.append(...row('Reasoning', m.reasoning));
  if (m.concerns.length) body.append(...row('Concerns', list(m.concerns, 'concerns')));
  if (m.phase === 'synthesis') body.append(...row('Agrees', m.agrees ? 'yes' : 'no'));
  const time = new Date(m.at);
  return el(
    'article',
    { class: `message ${m.phase}${m.agentId === r.you ? ' mine' : ''}`, 'data-phase': m.phase },
    el(
      'div',
      { class: 'message-head' },
      el('span', { class: 'label' }, heading),
      el('span', { class: 'by' }, ` by ${who(m.agentId, r.you)} (${role})`),
      ...(m.phase === 'synthesis' ? [el('span', { class: `agree ${m.agrees ? 'yes' : 'no'}` }, m.agrees ? 'agrees' : 'does not agree')] : []),
      el('time', { datetime: m.at, title: m.at }, Number.isNaN(time.getTime()) ? m.at : time.toLocaleString()),
    ),
    body.childElementCount ? body : el('p', { class: 'muted' }, '(nothing written)'),
  );
}

/** The outcome once the review ended: the resolution (conditions, complexity cap), the escalation or the failure. */
export function drawOutcome(box: HTMLElement, r: ReviewSession): void {
  box.className = `outcome ${r.phase}`;
  if (r.phase !== 'resolved' && r.phase !== 'escalated' && r.phase !== 'failed') {
    box.replaceChildren();
    box.classList.add('hidden');
    return;
  }
  const parts: HTMLElement[] = [];
  if (r.phase === 'resolved' && r.resolution) {
    parts.push(el('h3', {}, 'Resolved'));
    const dl = el('dl', { class: 'message-body' });
    dl.append(...row('Conditions', r.resolution.conditions.length ? list(r.resolution.conditions, 'conditions') : '(none)'));
    const cap = r.complexityCap === null ? 'none' : r.capApplied ? `${r.complexityCap.toFixed(2)}: ${r.requesterId}'s later updates above it are capped` : `${r.complexityCap.toFixed(2)} (not enforced: ${r.requesterId} was not paused)`;
    dl.append(...row('Complexity cap', cap));
    dl.append(...row('Root cause', r.resolution.rootCause || '(none)'));
    dl.append(...row('Agent', r.agentResumed ? `${r.requesterId} resumed under these conditions` : `${r.requesterId} was not paused; nothing to resume`));
    parts.push(dl);
  } else if (r.phase === 'escalated') {
    parts.push(el('h3', {}, 'Escalated'), el('p', {}, r.outcomeReason ?? 'No agreement was reached.'));
    if (r.cooldownUntil) parts.push(el('p', { class: 'muted' }, `${r.requesterId} may ask for another review after ${new Date(r.cooldownUntil).toLocaleString()}.`));
  } else {
    parts.push(el('h3', {}, 'Failed'), el('p', {}, r.resolution?.violation ? `Refused by the safety limits: ${r.resolution.violation}` : (r.outcomeReason ?? 'The review failed.')));
  }
  box.replaceChildren(...parts);
}
