/**
 * Approvals page: the requests waiting for a person, each with its full context, a live
 * countdown and Allow Once / Allow for This Session / Deny (with a reason: the words of
 * ../../approvals/vocabulary, as in the modal, the notification and the view); below, the answered
 * requests from the audit log, newest first, filtered and paged by the host, with new answers
 * added on top as they are written.
 */
import '@vscode/codicons/dist/codicon.css';
import './styles.css';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import { panelChannel } from '../shared/vscode-api';
import { el, field } from '../shared/theme';
import { APPROVAL_LABELS } from '../../approvals/vocabulary';
import { OUTCOMES, RISKS, SOURCES, type ApprovalsHostMessage, type ApprovalsPageMessage, type ApprovalsPageState, type HistoryFilters, type HistoryRow, type PendingItem } from './protocol';

type Control = HTMLElement & { value: string };

const channel = panelChannel<ApprovalsPageMessage, ApprovalsHostMessage, ApprovalsPageState>();
let filters: HistoryFilters = channel.state()?.filters ?? {};
let pending: PendingItem[] = [];
let clockSkew = 0; // host clock minus page clock, ms
let rows: HistoryRow[] = [];
let cursor = '';
let historyLoaded = false;
/** Reasons being typed, by request id: a redraw (another request arrived) must not wipe them. */
const typedReasons = new Map<string, string>();

const OUTCOME_LABELS: Record<string, string> = { allowed: 'Allowed', denied: 'Denied', timeout: 'Timed out' };
const DECISION_LABELS: Record<string, string> = APPROVAL_LABELS.done;
const DECIDED_BY_LABELS: Record<string, string> = { person: 'person', policy: 'policy', 'session-grant': 'session grant', timeout: 'timeout', cancelled: 'turn ended', error: 'error (fail closed)' };

const app = document.getElementById('app')!;
const pendingTitle = el('h2', { id: 'pending-title' }, 'Pending');
const pendingNote = el('div', { class: 'muted hidden', id: 'pending-note' });
const pendingList = el('div', { id: 'pending' });
const answerStatus = el('div', { class: 'status', id: 'answer-status', role: 'status' });

function select(id: string, label: string, options: readonly string[], labels: Record<string, string>, value: string | undefined): Control {
  const control = el('vscode-single-select', { id, 'aria-label': label }) as Control;
  // `selected` on the option: a `value` set before the element has read its options is lost.
  const option = (v: string, text: string) => el('vscode-option', { value: v, ...(v === (value ?? '') ? { selected: '' } : {}) }, text);
  control.append(option('', 'All'), ...options.map((o) => option(o, labels[o] ?? o)));
  return control;
}
const outcomeSelect = select('filter-outcome', 'Decision', OUTCOMES, OUTCOME_LABELS, filters.outcome);
const riskSelect = select('filter-risk', 'Risk', RISKS, {}, filters.risk);
const sourceSelect = select('filter-source', 'Source', SOURCES, {}, filters.source);
const agentField = el('vscode-textfield', { id: 'filter-agent', placeholder: 'agent id', 'aria-label': 'Agent' }) as Control;
const textField = el('vscode-textfield', { id: 'filter-text', placeholder: 'Search command, folder, reason…', 'aria-label': 'Search history' }) as Control;
textField.append(el('vscode-icon', { slot: 'content-before', name: 'search', title: 'search' }));
agentField.value = filters.agent ?? '';
textField.value = filters.text ?? '';
const historyStatus = el('div', { class: 'status', id: 'history-status' }, 'Loading…');
const errorBox = el('div', { class: 'error hidden', id: 'error', role: 'alert' });
const historyBody = el('tbody', { id: 'history-rows' });
const moreButton = el('vscode-button', { id: 'more', secondary: '', class: 'hidden' }, 'Load older');

app.append(
  el(
    'div',
    { class: 'scroll' },
    el('section', { id: 'pending-section' }, pendingTitle, pendingNote, answerStatus, pendingList),
    el(
      'section',
      { id: 'history-section' },
      el('h2', {}, 'History'),
      el('div', { class: 'toolbar' }, field('Decision', outcomeSelect), field('Risk', riskSelect), field('Source', sourceSelect), field('Agent', agentField), textField),
      historyStatus,
      errorBox,
      el(
        'div',
        { class: 'table-box' },
        el('table', { id: 'history' }, el('thead', {}, el('tr', {}, ...['Time', 'Agent', 'Request', 'Risk', 'Decision', 'Reason'].map((h) => el('th', {}, h)))), historyBody),
      ),
      el('div', { class: 'more' }, moreButton),
    ),
  ),
);

/** `65_000` -> `1 min 5 s`. */
function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

function riskBadge(risk: string): HTMLElement {
  return el('span', { class: `risk risk-${risk}` }, risk.toUpperCase());
}

function meta(pairs: [string, string | undefined][]): HTMLElement {
  const dl = el('dl', { class: 'meta' });
  for (const [k, v] of pairs) if (v) dl.append(el('dt', {}, k), el('dd', {}, v));
  return dl;
}

function drawPending(): void {
  pendingTitle.textContent = pending.length ? `Pending (${pending.length})` : 'Pending';
  for (const id of typedReasons.keys()) if (!pending.some((p) => p.id === id)) typedReasons.delete(id);
  if (pending.length === 0) {
    pendingList.replaceChildren(el('p', { class: 'muted empty' }, 'No approval requests are waiting.'));
    return;
  }
  pendingList.replaceChildren(
    ...pending.map((p) => {
      const reasonField = el('vscode-textfield', { class: 'deny-reason', placeholder: 'Reason for denying (the agent sees it)', 'aria-label': 'Reason for denying' }) as Control;
      reasonField.value = typedReasons.get(p.id) ?? '';
      reasonField.addEventListener('input', () => typedReasons.set(p.id, reasonField.value));
      const answer = (decision: 'allow_once' | 'allow_session' | 'deny') => {
        for (const b of card.querySelectorAll('vscode-button')) b.setAttribute('disabled', '');
        const reason = reasonField.value.trim();
        channel.post({ type: 'answer', id: p.id, decision, ...(decision === 'deny' && reason ? { reason } : {}) });
      };
      const button = (cls: string, label: string, icon: string, decision: 'allow_once' | 'allow_session' | 'deny', secondary: boolean) => {
        const b = el('vscode-button', { class: cls, icon, ...(secondary ? { secondary: '' } : {}) }, label);
        b.addEventListener('click', () => answer(decision));
        return b;
      };
      reasonField.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') answer('deny');
      });
      const card = el(
        'article',
        { class: `pending-item risk-border-${p.risk}`, 'data-id': p.id },
        el('h3', {}, el('span', { class: `codicon codicon-${p.risk === 'high' || p.risk === 'critical' ? 'warning' : 'question'}` }), ' ', riskBadge(p.risk), ' ', p.title.replace(/^[A-Z]+ risk: /, '')),
        meta([
          ['Source', p.source],
          ['Agent', p.agentId ?? 'unknown'],
          ['Session', p.sessionId],
          ...(p.why ?? []).map((w): [string, string] => ['Why', w]),
          [p.source === 'codex-session' || p.source === 'codex-full-access' ? 'Would run' : 'Command', p.command],
          ['Folder (cwd)', p.cwd],
          ['Sandbox', p.sandbox ?? 'default'],
          ['Approval policy', p.approvalPolicy],
          ['Mode', p.mode],
          ['Justification', p.reason],
        ]),
        el('div', { class: 'times' }, el('span', { class: 'waiting' }), el('span', { class: 'left' })),
        el(
          'div',
          { class: 'actions' },
          button('approve-once', APPROVAL_LABELS.action.allow_once, 'check', 'allow_once', false),
          button('approve-session', APPROVAL_LABELS.action.allow_session, 'check-all', 'allow_session', true),
          reasonField,
          button('deny', APPROVAL_LABELS.action.deny, 'circle-slash', 'deny', true),
        ),
      );
      return card;
    }),
  );
  tick();
}

/** Updates the waiting and time-left figures every second. */
function tick(): void {
  const now = Date.now() + clockSkew;
  for (const card of pendingList.querySelectorAll<HTMLElement>('.pending-item')) {
    const p = pending.find((x) => x.id === card.dataset.id);
    if (!p) continue;
    card.querySelector('.waiting')!.textContent = `Waiting ${duration(now - Date.parse(p.requestedAt))}`;
    const left = p.deadline - now;
    const leftEl = card.querySelector<HTMLElement>('.left')!;
    leftEl.textContent = left > 0 ? `${duration(left)} left before the timeout denies it` : 'Timing out…';
    leftEl.classList.toggle('urgent', left < 30_000);
  }
}
setInterval(tick, 1000);

function cell(text: string, cls = '', title = text): HTMLElement {
  return el('td', { ...(cls ? { class: cls } : {}), ...(title ? { title } : {}) }, text);
}

function historyRow(r: HistoryRow): HTMLElement {
  const when = new Date(r.ts);
  const what = r.command ? r.command : `sandbox: ${r.sandbox ?? 'default'}`;
  const denied = r.decision === 'deny';
  const by = DECIDED_BY_LABELS[r.decidedBy] ?? r.decidedBy;
  return el(
    'tr',
    { class: `history-row ${denied ? 'denied' : 'allowed'}`, 'data-decision': r.decision, 'data-id': r.id },
    cell(when.toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }), 'time nowrap', when.toISOString()),
    cell(r.agent ?? '—', 'agent'),
    el(
      'td',
      { class: 'what', title: [r.source, what, r.cwd ? `cwd: ${r.cwd}` : '', r.session ? `session: ${r.session}` : ''].filter(Boolean).join('\n') },
      el('div', { class: 'sub' }, r.source),
      el('div', { class: 'code' }, what),
    ),
    el('td', { class: 'nowrap' }, riskBadge(r.risk)),
    el(
      'td',
      { class: 'nowrap', title: `${r.decidedBy}${r.waitMs !== null ? `, after ${duration(r.waitMs)}` : ''}${r.server ? `\nanswered on ${r.server}` : ''}` },
      el('div', { class: `decision ${denied ? 'deny' : 'allow'}` }, DECISION_LABELS[r.decision] ?? r.decision),
      el('div', { class: 'sub' }, `by ${by}`),
      ...(r.server ? [el('div', { class: 'sub server' }, `answered on ${r.server}`)] : []),
    ),
    cell(r.reason ?? '—', 'reason'),
  );
}

function drawHistory(hasMore: boolean): void {
  historyBody.replaceChildren(...rows.map(historyRow));
  if (rows.length === 0) historyBody.append(el('tr', {}, el('td', { colspan: '6', class: 'muted empty' }, Object.keys(filters).length ? 'No answered requests match these filters.' : 'No requests answered yet.')));
  moreButton.classList.toggle('hidden', !hasMore);
  const active = Object.entries(filters).map(([k, v]) => `${k} = ${v}`);
  // Team mode: the rows come from the shared audit table, each naming the server that answered it.
  const team = rows.some((r) => r.server) ? " Every team server's answers; each request was answered on the server that asked (its pending requests wait there)." : '';
  historyStatus.textContent = `${rows.length} answered request${rows.length === 1 ? '' : 's'}${hasMore ? ' (more below)' : ''}, newest first${active.length ? `; filtered by ${active.join(', ')}` : ''}.${team}`;
}

function sameFilters(a: HistoryFilters, b: HistoryFilters): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)] as (keyof HistoryFilters)[]);
  return [...keys].every((k) => a[k] === b[k]);
}

function rendered(): void {
  channel.post({ type: 'rendered', pending: pending.length, history: rows.length, filters });
}

function currentFilters(): HistoryFilters {
  const f: HistoryFilters = {};
  if (outcomeSelect.value) f.outcome = outcomeSelect.value as HistoryFilters['outcome'];
  if (riskSelect.value) f.risk = riskSelect.value as HistoryFilters['risk'];
  if (sourceSelect.value) f.source = sourceSelect.value;
  const agent = agentField.value.trim();
  if (agent) f.agent = agent.slice(0, 200);
  const text = textField.value.trim();
  if (text) f.text = text.slice(0, 200);
  return f;
}

function requestFilter(next: HistoryFilters): void {
  filters = next;
  channel.saveState({ filters });
  historyStatus.textContent = 'Loading…';
  channel.post({ type: 'filter', filters });
}

function setControls(f: HistoryFilters): void {
  outcomeSelect.value = f.outcome ?? '';
  riskSelect.value = f.risk ?? '';
  sourceSelect.value = f.source ?? '';
  agentField.value = f.agent ?? '';
  textField.value = f.text ?? '';
}

for (const s of [outcomeSelect, riskSelect, sourceSelect]) s.addEventListener('change', () => requestFilter(currentFilters()));
let typing: ReturnType<typeof setTimeout> | undefined;
let statusTimer: ReturnType<typeof setTimeout> | undefined;
for (const f of [agentField, textField]) {
  f.addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => requestFilter(currentFilters()), 350);
  });
}
moreButton.addEventListener('click', () => {
  moreButton.setAttribute('disabled', '');
  channel.post({ type: 'more', cursor });
});

channel.onMessage((m) => {
  switch (m.type) {
    case 'pending':
      clockSkew = m.now - Date.now();
      pending = m.items;
      pendingNote.textContent = m.note ?? '';
      pendingNote.classList.toggle('hidden', !m.note);
      drawPending();
      if (historyLoaded) rendered();
      return;
    case 'answered':
      answerStatus.textContent = m.message;
      answerStatus.classList.toggle('error', !m.ok);
      clearTimeout(statusTimer);
      statusTimer = setTimeout(() => (answerStatus.textContent = ''), 10_000);
      return;
    case 'history':
      errorBox.classList.add('hidden');
      moreButton.removeAttribute('disabled');
      // A reply to filters the person has since changed is not what they asked for.
      if (!m.append && !sameFilters(m.filters, filters)) return;
      rows = m.append ? [...rows, ...m.rows] : m.rows;
      cursor = m.cursor;
      historyLoaded = true;
      drawHistory(m.hasMore);
      rendered();
      return;
    case 'history-new': {
      const known = new Set(rows.map((r) => r.id));
      rows = [...m.rows.filter((r) => !known.has(r.id)), ...rows];
      drawHistory(!moreButton.classList.contains('hidden'));
      rendered();
      return;
    }
    case 'apply':
      setControls(m.filters);
      return requestFilter(m.filters);
    case 'error':
      moreButton.removeAttribute('disabled');
      errorBox.classList.remove('hidden');
      errorBox.textContent = m.message;
      historyStatus.textContent = '';
      return;
  }
});

drawPending();
channel.post({ type: 'ready', ...(Object.keys(filters).length ? { filters } : {}) });
