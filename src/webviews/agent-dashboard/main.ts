/**
 * Agent dashboard page: chart.js line charts of an agent's E, I, S, V, risk and coherence over its
 * update history with its anomalies marked (▲, from detect_anomalies), its PROCEED/PAUSE timeline
 * (reason in the tooltip), one metric overlaid for several agents, the agents most similar to it
 * (compare_me_to_similar), a notice when its PAUSE is under peer review, and a legend saying what
 * each number means. The x axis is wall-clock time so agents line up when compared.
 */
import '@vscode/codicons/dist/codicon.css';
import './styles.css';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-multi-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import { Chart, Filler, Legend, LinearScale, LineController, LineElement, PointElement, ScatterController, Tooltip, type ChartDataset, type TooltipItem } from 'chart.js';
import { panelChannel } from '../shared/vscode-api';
import { el, field, onThemeChange, themeColors, timeLabel } from '../shared/theme';
import { anomalyList, anomalyMetric, anomalyTitle, legend, METRIC_LABELS, reviewNotice, similarCard } from './details';
import {
  MAX_COMPARED,
  METRIC_HELP,
  METRICS,
  type AgentDetails,
  type AgentItem,
  type AgentSeries,
  type Comparison,
  type DashboardHostMessage,
  type DashboardPageMessage,
  type DashboardPageState,
  type MetricName,
  type SeriesAnomaly,
  type SeriesPoint,
} from './protocol';

Chart.register(LineController, ScatterController, LineElement, PointElement, LinearScale, Legend, Tooltip, Filler);

type Select = HTMLElement & { value: string };
type MultiSelect = HTMLElement & { value: string[] };
/** A chart point: an update, or an anomaly marker placed on the line it is about. */
type XY = { x: number; y: number; point?: SeriesPoint; anomaly?: SeriesAnomaly };

const channel = panelChannel<DashboardPageMessage, DashboardHostMessage, DashboardPageState>();
const saved = channel.state();
let agentIds: string[] = saved?.agentIds ?? [];
let metric: MetricName = saved?.metric ?? 'risk_score';
let agents: AgentItem[] = [];
/** Set when the data comes from another VS Code window's server (see the `agents` message). */
let note = '';
const series = new Map<string, AgentSeries>();
const details = new Map<string, AgentDetails>();
let comparison: Comparison | null = null;
/** Dataset labels of the EISV chart -> the metric whose meaning its tooltip adds. */
const LABEL_METRIC: Record<string, MetricName> = { E: 'E', I: 'I', S: 'S', V: 'V', Risk: 'risk_score', Coherence: 'coherence' };

const app = document.getElementById('app')!;
const agentSelect = el('vscode-single-select', { 'aria-label': 'Agent', id: 'agent' }) as Select;
const compareSelect = el('vscode-multi-select', { 'aria-label': 'Compare with', id: 'compare' }) as MultiSelect;
const metricSelect = el('vscode-single-select', { 'aria-label': 'Compared metric', id: 'metric' }) as Select;
metricSelect.append(...METRICS.map((m) => el('vscode-option', { value: m, description: METRIC_HELP[m] }, METRIC_LABELS[m])));
metricSelect.value = metric;
const status = el('div', { class: 'status', id: 'status' }, 'Loading…');
const errorBox = el('div', { class: 'error hidden', id: 'error' });
const notice = el('div', { class: 'notice hidden', id: 'review-notice', role: 'status' });
const anomaliesBox = el('div', { class: 'card wide hidden', id: 'anomalies' });
const similarBox = el('div', { class: 'card', id: 'similar-card' });
const canvases = { eisv: el('canvas', { id: 'eisv-chart' }) as HTMLCanvasElement, decisions: el('canvas', { id: 'decision-chart' }) as HTMLCanvasElement, compare: el('canvas', { id: 'compare-chart' }) as HTMLCanvasElement };
const titles = { eisv: el('span', { class: 'sub' }), decisions: el('span', { class: 'sub' }), compare: el('span', { class: 'sub' }) };

app.append(
  el('div', { class: 'toolbar' }, field('Agent', agentSelect), field('Compare with', compareSelect), field('Metric', metricSelect)),
  status,
  notice,
  errorBox,
  el(
    'div',
    { class: 'charts' },
    el('div', { class: 'card wide' }, el('h3', {}, 'EISV, risk and coherence ', titles.eisv), el('div', { class: 'chart' }, canvases.eisv)),
    anomaliesBox,
    el('div', { class: 'card' }, el('h3', {}, 'Decisions ', titles.decisions), el('div', { class: 'chart small' }, canvases.decisions)),
    el('div', { class: 'card' }, el('h3', {}, 'Compare ', titles.compare), el('div', { class: 'chart' }, canvases.compare)),
    similarBox,
    el('div', { class: 'card' }, el('h3', {}, 'What the numbers mean'), legend()),
  ),
);
const openReview = (sessionId: string) => channel.post({ type: 'openReview', sessionId });

let colors = themeColors();
let spanMs = 0;
const timeTick = (value: number | string) => timeLabel(Number(value), spanMs);
const pointLabel = (item: TooltipItem<'line' | 'scatter'>) => {
  const { point: p, anomaly: a } = item.raw as XY;
  if (a) return `${anomalyTitle(a)}: ${a.description}`;
  return `${item.dataset.label}: ${item.parsed.y?.toFixed(3)} — ${p?.action ?? ''}`;
};
/** The meaning of the hovered line, under its value. */
const meaning = (item: TooltipItem<'line' | 'scatter'>) => {
  const m = LABEL_METRIC[item.dataset.label ?? ''];
  return m && !(item.raw as XY).anomaly ? METRIC_HELP[m] : '';
};

function baseOptions(yMin: number, yMax: number) {
  return {
    responsive: true,
    maintainAspectRatio: false,
    animation: false as const,
    parsing: false as const,
    normalized: true,
    interaction: { mode: 'nearest' as const, intersect: false },
    scales: {
      x: { type: 'linear' as const, ticks: { callback: timeTick, color: colors.muted, maxRotation: 0, autoSkipPadding: 16 }, grid: { color: colors.border } },
      y: { min: yMin, max: yMax, ticks: { color: colors.muted }, grid: { color: colors.border } },
    },
    plugins: {
      legend: { labels: { color: colors.foreground, boxWidth: 12 } },
      tooltip: { callbacks: { title: (items: TooltipItem<'line'>[]) => (items[0] ? new Date(items[0].parsed.x ?? 0).toLocaleString() : ''), label: pointLabel, afterLabel: meaning } },
    },
  };
}

const xy = (points: SeriesPoint[], key: MetricName): XY[] => points.map((p) => ({ x: Date.parse(p.at), y: p[key], point: p }));

let eisvChart: Chart<'line', XY[]> | undefined;
let decisionChart: Chart<'scatter', XY[]> | undefined;
let compareChart: Chart<'line', XY[]> | undefined;

function lineDataset(label: string, data: XY[], color: string, dashed = false): ChartDataset<'line', XY[]> {
  return { label, data, borderColor: color, backgroundColor: color, pointRadius: data.length > 200 ? 0 : 2, borderWidth: 1.5, tension: 0, borderDash: dashed ? [5, 3] : [] };
}

/** The value of `metric` at the update closest in time to `at` (where an anomaly marker sits). */
function valueAt(points: SeriesPoint[], at: number, metric: MetricName): number {
  let best = points[0];
  for (const p of points) if (best && Math.abs(Date.parse(p.at) - at) < Math.abs(Date.parse(best.at) - at)) best = p;
  return best ? best[metric] : 0;
}

/** Anomaly markers on the line each is about, or at `y` when given. */
function anomalyPoints(anomalies: SeriesAnomaly[], points: SeriesPoint[], y?: number): XY[] {
  return anomalies.flatMap((a) => {
    const x = a.at ? Date.parse(a.at) : NaN;
    return Number.isNaN(x) ? [] : [{ x, y: y ?? valueAt(points, x, anomalyMetric(a)), anomaly: a }];
  });
}

/** Red for high severity, the theme's warning colour otherwise. */
const anomalyColors = (data: XY[]) => data.map((d) => (d.anomaly?.severity === 'high' ? colors.red : cssVarWarning()));

/** Triangles on the EISV chart (a line dataset without its line). */
function anomalyDataset(data: XY[]): ChartDataset<'line', XY[]> {
  return { label: 'Anomalies', data, showLine: false, pointStyle: 'triangle', pointRadius: 7, pointHoverRadius: 9, borderColor: anomalyColors(data), backgroundColor: anomalyColors(data) };
}

function cssVarWarning(): string {
  return getComputedStyle(document.documentElement).getPropertyValue('--vscode-editorWarning-foreground').trim() || colors.series[2]!;
}

function draw(): void {
  for (const c of [eisvChart, decisionChart, compareChart]) c?.destroy();
  const primary = agentIds[0] ? series.get(agentIds[0]) : undefined;
  const points = primary?.points ?? [];
  const primaryDetails = agentIds[0] ? details.get(agentIds[0]) : undefined;
  const anomalies = primaryDetails?.anomalies ?? [];
  const c = colors.series;
  const times = agentIds.flatMap((id) => (series.get(id)?.points ?? []).map((p) => Date.parse(p.at)));
  spanMs = times.length ? Math.max(...times) - Math.min(...times) : 0;
  eisvChart = new Chart<'line', XY[]>(canvases.eisv, {
    type: 'line',
    data: {
      datasets: [
        lineDataset('E', xy(points, 'E'), c[0]!),
        lineDataset('I', xy(points, 'I'), c[1]!),
        lineDataset('S', xy(points, 'S'), c[2]!),
        lineDataset('V', xy(points, 'V'), c[3]!),
        lineDataset('Risk', xy(points, 'risk_score'), c[4]!, true),
        lineDataset('Coherence', xy(points, 'coherence'), c[5]!, true),
        ...(anomalies.length ? [anomalyDataset(anomalyPoints(anomalies, points))] : []),
      ],
    },
    options: baseOptions(-1, 1),
  });
  const decisionData: XY[] = points.map((p) => ({ x: Date.parse(p.at), y: p.action === 'PROCEED' ? 1 : 0, point: p }));
  const marks = anomalyPoints(anomalies, points, 0.5);
  const decisionOptions = baseOptions(-0.5, 1.5);
  decisionChart = new Chart<'scatter', XY[]>(canvases.decisions, {
    type: 'scatter',
    data: {
      datasets: [
        {
          label: 'Decision',
          data: decisionData,
          pointRadius: 5,
          pointHoverRadius: 7,
          pointBackgroundColor: decisionData.map((d) => (d.y === 1 ? colors.green : colors.red)),
          pointBorderColor: decisionData.map((d) => (d.y === 1 ? colors.green : colors.red)),
        },
        ...(marks.length ? [{ label: 'Anomalies', data: marks, pointStyle: 'triangle' as const, pointRadius: 7, pointHoverRadius: 9, pointBackgroundColor: anomalyColors(marks), pointBorderColor: anomalyColors(marks) }] : []),
      ],
    },
    options: {
      ...decisionOptions,
      scales: {
        ...decisionOptions.scales,
        y: {
          ...decisionOptions.scales.y,
          // Exactly two rows, whatever the padding around them.
          afterBuildTicks: (axis: { ticks: { value: number }[] }) => void (axis.ticks = [{ value: 0 }, { value: 1 }]),
          ticks: { color: colors.muted, callback: (v: number | string) => (Number(v) === 1 ? 'PROCEED' : 'PAUSE') },
        },
      },
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            title: (items: TooltipItem<'scatter'>[]) => (items[0] ? new Date(items[0].parsed.x ?? 0).toLocaleString() : ''),
            label: (item: TooltipItem<'scatter'>) => {
              const { point: p, anomaly: a } = item.raw as XY;
              if (a) return `${anomalyTitle(a)}: ${a.description}`;
              if (!p) return '';
              const review = p.action === 'PAUSE' && primaryDetails?.review ? [`Under peer review (${primaryDetails.review.phase}, reviewer ${primaryDetails.review.reviewer})`] : [];
              return [`${p.action}: ${p.reason}`, ...(p.operation ? [p.operation.slice(0, 120)] : []), ...review];
            },
          },
        },
      },
    },
  });
  compareChart = new Chart<'line', XY[]>(canvases.compare, {
    type: 'line',
    data: { datasets: agentIds.map((id, i) => lineDataset(id, xy(series.get(id)?.points ?? [], metric), c[i % c.length]!, i >= c.length)) },
    options: baseOptions(metric === 'V' ? -1 : 0, 1),
  });
  const pauses = points.filter((p) => p.action === 'PAUSE').length;
  const paused = primaryDetails?.status === 'paused' || points.at(-1)?.action === 'PAUSE';
  reviewNotice(notice, primaryDetails, paused, openReview);
  anomalyList(anomaliesBox, primaryDetails);
  similarCard(similarBox, comparison, select);
  titles.eisv.textContent = primary ? `— ${primary.agentId}, ${points.length} updates` : '';
  titles.decisions.textContent = primary ? `— ${points.length - pauses} PROCEED, ${pauses} PAUSE${anomalies.length ? `, ${anomalies.length} ▲ anomal${anomalies.length === 1 ? 'y' : 'ies'}` : ''}` : '';
  titles.compare.textContent = `— ${METRIC_LABELS[metric]}, ${agentIds.length} ${agentIds.length === 1 ? 'agent' : 'agents'}`;
  status.textContent = primary
    ? `${primary.agentId}: risk ${primary.trend.risk}, coherence ${primary.trend.coherence}, ${primary.trend.pauses} pauses in the window. ${agents.length} agents known.${note ? ` ${note}` : ''}`
    : agents.length === 0
      ? 'No agents yet. Agents appear here after their first process_agent_update.'
      : 'Pick an agent.';
  document.body.dataset.points = String(points.length);
}

function fillPickers(): void {
  const primary = agentIds[0] ?? '';
  // `selected` on the options: setting `value` before the element has read its new options is lost.
  const pick = (on: boolean): Record<string, string> => (on ? { selected: '' } : {});
  agentSelect.replaceChildren(
    ...agents.map((a) => el('vscode-option', { value: a.agentId, description: `${a.updateCount} updates, ${a.lastAction ?? 'no decision'}${a.underReview ? ' (under review)' : ''}`, ...pick(a.agentId === primary) }, a.agentId)),
  );
  compareSelect.replaceChildren(...agents.filter((a) => a.agentId !== primary).map((a) => el('vscode-option', { value: a.agentId, ...pick(agentIds.includes(a.agentId)) }, a.agentId)));
}

function select(ids: string[]): void {
  agentIds = [...new Set(ids)].slice(0, MAX_COMPARED);
  channel.saveState({ agentIds, metric });
  channel.post({ type: 'select', agentIds });
}

agentSelect.addEventListener('change', () => select([agentSelect.value, ...agentIds.slice(1).filter((id) => id !== agentSelect.value)]));
compareSelect.addEventListener('change', () => select([agentIds[0] ?? agentSelect.value, ...compareSelect.value]));
metricSelect.addEventListener('change', () => {
  metric = metricSelect.value as MetricName;
  channel.saveState({ agentIds, metric });
  draw();
});
onThemeChange(() => {
  colors = themeColors();
  draw();
});

channel.onMessage((m) => {
  switch (m.type) {
    case 'agents':
      agents = m.agents;
      note = m.note ?? '';
      fillPickers();
      return;
    case 'series':
      errorBox.classList.add('hidden');
      agentIds = m.agentIds;
      series.clear();
      for (const s of m.series) series.set(s.agentId, s);
      details.clear();
      for (const d of m.details) details.set(d.agentId, d);
      comparison = m.comparison;
      channel.saveState({ agentIds, metric });
      fillPickers();
      draw();
      channel.post({ type: 'rendered', agentIds, points: series.get(agentIds[0] ?? '')?.points.length ?? 0 });
      return;
    case 'details':
      for (const d of m.details) details.set(d.agentId, d);
      return draw();
    case 'apply':
      return select(m.agentIds);
    case 'point': {
      const s = series.get(m.agentId);
      if (!s) return;
      s.points.push(m.point);
      return draw();
    }
    case 'error':
      errorBox.classList.remove('hidden');
      errorBox.textContent = m.message;
      return;
  }
});

channel.post({ type: 'ready', ...(agentIds.length ? { agentIds } : {}) });
