/**
 * The Session page's transcript rows: prompts as typed (with their author), answers and reasoning
 * rendered as sanitized markdown with a copy button on each code block, commands with their exit
 * code and time and their output folded away, file changes as diffs with "Open diff", answered
 * approvals in words; and the cards of approvals Codex is waiting for, with their buttons and
 * time left. Elements carry ids and data attributes the host's tests and the page's scripts use.
 */
import { el } from '../shared/theme';
import { commandFacts, labelOf, sourceWords } from './labels';
import { renderMarkdown } from '../shared/markdown';
import type { PendingCard, TranscriptEvent } from './protocol';

/** What rows ask of the page: copy text, open a diff. */
export interface RowActions {
  copy(text: string): void;
  openDiff(index: number, path: string): void;
}

// One formatter for every row: toLocaleTimeString builds a new one per call, which costs
// milliseconds a row in a long transcript.
const TIME = new Intl.DateTimeFormat([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });

export function time(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : TIME.format(d);
}

// Answers are rendered as markdown when they come into view: a transcript of thousands of events
// opens at once, showing the text plain until it is scrolled to.
const unrendered = new WeakMap<Element, () => void>();
const onScreen =
  typeof IntersectionObserver === 'undefined'
    ? undefined
    : new IntersectionObserver(
        (entries) => {
          for (const e of entries) {
            if (!e.isIntersecting) continue;
            onScreen?.unobserve(e.target);
            unrendered.get(e.target)?.();
            unrendered.delete(e.target);
          }
        },
        { rootMargin: '800px 0px' },
      );

function icon(name: string): HTMLElement {
  return el('span', { class: `codicon codicon-${name}`, 'aria-hidden': 'true' });
}

function copyButton(actions: RowActions, text: () => string, title: string): HTMLElement {
  const b = el('button', { class: 'icon-button copy', type: 'button', title, 'aria-label': title }, icon('copy'));
  b.addEventListener('click', (ev) => {
    ev.stopPropagation();
    actions.copy(text());
    b.classList.add('done');
    setTimeout(() => b.classList.remove('done'), 1200);
  });
  return b;
}

/** Fills `box` with the markdown `source`, a copy button on every code block. */
export function fillMarkdown(box: HTMLElement, source: string, actions: RowActions): void {
  box.innerHTML = renderMarkdown(source);
  for (const pre of Array.from(box.querySelectorAll('pre'))) {
    pre.classList.add('code');
    pre.append(copyButton(actions, () => pre.querySelector('code')?.textContent ?? pre.textContent ?? '', 'Copy code'));
  }
}

function markdownBox(source: string, actions: RowActions): HTMLElement {
  if (!onScreen) {
    const box = el('div', { class: 'text markdown' });
    fillMarkdown(box, source, actions);
    return box;
  }
  const box = el('div', { class: 'text markdown unrendered' }, source);
  unrendered.set(box, () => {
    box.classList.remove('unrendered');
    fillMarkdown(box, source, actions);
  });
  onScreen.observe(box);
  return box;
}

function outputBlock(output: string, actions: RowActions): HTMLElement {
  const lines = output.replace(/\n$/, '').split('\n').length;
  return el(
    'details',
    { class: 'output' },
    el('summary', {}, `Output (${lines} line${lines === 1 ? '' : 's'})`),
    el('div', { class: 'pre-wrap' }, el('pre', { class: 'code' }, output), copyButton(actions, () => output, 'Copy output')),
  );
}

/** A unified diff with added and removed lines marked for colour. */
function diffBlock(diff: string): HTMLElement {
  const pre = el('pre', { class: 'code diff' });
  for (const line of diff.replace(/\n$/, '').split('\n')) {
    const cls = line.startsWith('+') && !line.startsWith('+++') ? 'add' : line.startsWith('-') && !line.startsWith('---') ? 'del' : line.startsWith('@@') ? 'hunk' : undefined;
    pre.append(el('span', { class: cls }, `${line}\n`));
  }
  return pre;
}

function body(e: TranscriptEvent, index: number, actions: RowActions): HTMLElement[] {
  if (e.type === 'user_message') return [el('div', { class: 'text plain' }, e.text ?? e.summary)];
  const style = labelOf(e).style;
  if ((style === 'agent' || style === 'reasoning') && (e.text ?? e.summary)) return [markdownBox(e.text ?? e.summary, actions)];
  if (e.command) {
    const out: HTMLElement[] = [el('pre', { class: 'code command-line' }, e.command.command || e.summary)];
    if (e.command.output) out.push(outputBlock(e.command.output, actions));
    return out;
  }
  if (e.changes?.length) {
    return e.changes.map((c) => {
      const open = el('vscode-button', { class: 'open-diff', secondary: '', icon: 'diff', 'data-path': c.path }, 'Open diff');
      open.addEventListener('click', () => actions.openDiff(index, c.path));
      return el(
        'div',
        { class: 'change' },
        el('div', { class: 'change-head' }, el('code', {}, c.path), el('span', { class: 'muted' }, ` ${c.kind}`), el('span', { class: 'spacer' }), open),
        ...(c.diff ? [el('details', { class: 'diff-box' }, el('summary', {}, 'Diff'), diffBlock(c.diff))] : []),
      );
    });
  }
  if (e.approval) {
    return [...(e.approval.command ? [el('pre', { class: 'code command-line' }, e.approval.command)] : []), ...(e.approval.reason ? [el('div', { class: 'text muted' }, e.approval.reason)] : [])];
  }
  return e.summary ? [el('div', { class: 'text' }, e.summary)] : [];
}

/** One transcript row; `index` is the event's position in the session's transcript. */
export function eventRow(e: TranscriptEvent, index: number, actions: RowActions): HTMLElement {
  const k = labelOf(e);
  const facts = commandFacts(e);
  const label = el('span', { class: 'label' }, icon(k.icon), ` ${k.label}`);
  const meta = el('div', { class: 'meta-line' }, label, ...(facts ? [el('span', { class: 'facts-inline' }, facts)] : []), el('span', { class: 'spacer' }), el('time', { datetime: e.at, title: e.at }, time(e.at)));
  return el('div', { class: `event ${k.style}`, 'data-type': e.type, 'data-index': String(index), ...(e.itemId ? { 'data-item': e.itemId } : {}) }, meta, ...body(e, index, actions));
}

/** Seconds or minutes left before `deadline` (ms since epoch). */
export function timeLeft(deadline: number, now: number): string {
  const s = Math.max(0, Math.round((deadline - now) / 1000));
  return s >= 120 ? `${Math.round(s / 60)} min left` : `${s} s left`;
}

/** A waiting approval with its answers; `answer` posts the decision. */
export function pendingCard(p: PendingCard, now: number, answer: (id: string, decision: 'allow_once' | 'allow_session' | 'deny') => void): HTMLElement {
  const button = (decision: 'allow_once' | 'allow_session' | 'deny', text: string, secondary: boolean) => {
    const b = el('vscode-button', { class: `answer ${decision}`, ...(secondary ? { secondary: '' } : {}) }, text);
    b.addEventListener('click', () => answer(p.id, decision));
    return b;
  };
  return el(
    'div',
    { class: `pending risk-${p.risk}`, 'data-id': p.id, role: 'alert' },
    el('div', { class: 'meta-line' }, el('span', { class: 'label' }, icon('shield'), ` Codex waits for you: ${sourceWords(p.source)}`), el('span', { class: 'risk' }, `${p.risk} risk`), el('span', { class: 'spacer' }), el('span', { class: 'countdown', 'data-deadline': String(p.deadline) }, timeLeft(p.deadline, now))),
    ...(p.command ? [el('pre', { class: 'code command-line' }, p.command)] : []),
    ...(p.cwd ? [el('div', { class: 'muted' }, `in ${p.cwd}`)] : []),
    ...(p.reason ? [el('div', { class: 'text' }, p.reason)] : []),
    el('div', { class: 'answers' }, button('allow_once', 'Allow once', false), button('allow_session', 'Allow for this session', true), button('deny', 'Deny', true)),
  );
}
