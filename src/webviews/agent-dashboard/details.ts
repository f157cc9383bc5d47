/**
 * The Agent dashboard's pieces beside the charts (DOM only, no state): the legend explaining each
 * number, the notice of a PAUSE under peer review, the anomalies found, and the similar agents of
 * `compare_me_to_similar`.
 */
import { el } from '../shared/theme';
import { METRIC_HELP, METRICS, type AgentDetails, type Comparison, type MetricName, type SeriesAnomaly } from './protocol';

export const METRIC_LABELS: Record<MetricName, string> = { E: 'E (energy)', I: 'I (information integrity)', S: 'S (entropy)', V: 'V (void)', risk_score: 'Risk', coherence: 'Coherence' };
const ANOMALY_WORDS: Readonly<Record<string, string>> = { risk_spike: 'Risk spike', coherence_drop: 'Coherence drop', void_event: 'Void event' };

/** The metric an anomaly is about (its marker sits on that line). */
export function anomalyMetric(a: SeriesAnomaly): MetricName {
  return a.type === 'coherence_drop' ? 'coherence' : a.type === 'void_event' ? 'V' : 'risk_score';
}

export function anomalyTitle(a: SeriesAnomaly): string {
  return `${a.severity.toUpperCase()} ${ANOMALY_WORDS[a.type] ?? a.type}`;
}

/** What E, I, S, V, coherence and risk mean, in plain words. */
export function legend(): HTMLElement {
  const dl = el('dl', { class: 'legend', id: 'legend' });
  for (const m of METRICS) dl.append(el('dt', {}, METRIC_LABELS[m]), el('dd', {}, METRIC_HELP[m]));
  return dl;
}

/** `1 h 5 min left`, `overdue`, from a deadline and the page clock corrected by `skew` (ms). */
function left(deadline: string | null, skew: number): string {
  if (!deadline) return '';
  const ms = Date.parse(deadline) - (Date.now() + skew);
  if (ms <= 0) return 'overdue';
  const s = Math.floor(ms / 1000);
  return s < 3600 ? `${Math.floor(s / 60)} min left` : `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min left`;
}

/**
 * The notice for the first agent: paused and under review (with Open Review), paused with no
 * review, or under review while active. Empty when none applies.
 */
export function reviewNotice(box: HTMLElement, d: AgentDetails | undefined, paused: boolean, openReview: (sessionId: string) => void, skew = 0): void {
  const r = d?.review ?? null;
  box.replaceChildren();
  box.classList.toggle('hidden', !r && !paused);
  if (!r) {
    if (paused) box.append(el('span', {}, `${d?.agentId ?? 'This agent'} is paused (PAUSE) and no peer review is open for it.`));
    return;
  }
  const button = el('vscode-button', { id: 'open-review', secondary: '', icon: 'comment-discussion' }, 'Open Review');
  button.addEventListener('click', () => openReview(r.sessionId));
  const deadline = left(r.deadline, skew);
  box.append(
    el(
      'span',
      { id: 'review-text' },
      `${paused ? 'PAUSE under peer review' : 'Under peer review'}: ${r.phase}, reviewer ${r.reviewer}, ${r.turn}${deadline ? `, ${deadline}` : ''} (session ${r.sessionId}).`,
    ),
    button,
  );
}

/** The first agent's anomalies, newest concern first (the host sorts high severity first). */
export function anomalyList(box: HTMLElement, d: AgentDetails | undefined): void {
  const list = d?.anomalies ?? [];
  box.classList.toggle('hidden', list.length === 0);
  box.replaceChildren(
    el('h3', {}, 'Anomalies ', el('span', { class: 'sub' }, '— detect_anomalies, marked ▲ on the charts')),
    el(
      'ul',
      {},
      ...list.map((a) =>
        el('li', { class: `anomaly ${a.severity}` }, el('strong', {}, anomalyTitle(a)), a.at ? ` at ${new Date(a.at).toLocaleString()}` : '', `: ${a.description}`),
      ),
    ),
  );
}

const signed = (n: number) => `${n >= 0 ? '+' : ''}${n.toFixed(2)}`;

/** The similar agents card: each with its similarity and differences, what they do better, and "Compare". */
export function similarCard(box: HTMLElement, c: Comparison | null, onCompare: (agentIds: string[]) => void): void {
  box.replaceChildren(el('h3', {}, 'Similar agents ', el('span', { class: 'sub' }, c ? `— compare_me_to_similar for ${c.agentId}` : '')));
  if (!c) return;
  box.append(el('p', { class: 'muted', id: 'similar-message' }, c.message));
  if (c.similar.length === 0) return;
  const rows = c.similar.map((s) => {
    const better = c.insights.find((i) => i.agentId === s.agentId)?.insights ?? [];
    const diff = s.differences;
    return el(
      'tr',
      {},
      el('td', {}, s.agentId),
      el('td', {}, `${(s.similarity * 100).toFixed(0)}%`),
      el('td', { title: 'The similar agent minus this one' }, `E ${signed(diff.E)} · I ${signed(diff.I)} · S ${signed(diff.S)} · coherence ${signed(diff.coherence)}`),
      el('td', {}, better.length ? better.join('; ') : '—'),
    );
  });
  const compare = el('vscode-button', { id: 'compare-similar', secondary: '', icon: 'graph-line' }, 'Compare on the chart');
  compare.addEventListener('click', () => onCompare([c.agentId, ...c.similar.map((s) => s.agentId)]));
  box.append(
    el('table', { class: 'similar', id: 'similar' }, el('thead', {}, el('tr', {}, ...['Agent', 'Similarity', 'Differences', 'Does better'].map((h) => el('th', {}, h)))), el('tbody', {}, ...rows)),
    compare,
  );
}
