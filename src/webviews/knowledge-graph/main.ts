/**
 * Knowledge graph page: a cytoscape graph (built-in `cose` force layout) of discoveries and their
 * author agents, with search and filters answered by the host, "load more" paging, a notice at
 * the cap, a details pane for the clicked discovery, and a result list beside the canvas. Keyboard
 * (./navigation): Tab reaches the search box, the list and the canvas; arrows move the selection,
 * which is highlighted and centred on the canvas; Enter opens details; Escape clears.
 */
import '@vscode/codicons/dist/codicon.css';
import './styles.css';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import cytoscape from 'cytoscape';
import { panelChannel } from '../shared/vscode-api';
import { el, field, onThemeChange, themeColors } from '../shared/theme';
import { canvasKey, listKey, nodeLabel, type NavContext, type NavResult, type NavState } from './navigation';
import type { GraphDetails, GraphFilters, GraphNode, KgHostMessage, KgPageMessage, KgPageState } from './protocol';
import { ResultList } from './results';

type Graph = Extract<KgHostMessage, { type: 'graph' }>;
type Select = HTMLElement & { value: string };

const channel = panelChannel<KgPageMessage, KgHostMessage, KgPageState>();
const saved = channel.state();
let filters: GraphFilters = saved?.filters ?? { query: '' };
let selected = saved?.selected;
let receivedAt = 0;
let nav: NavState = selected ? { active: selected } : {};

const app = document.getElementById('app')!;
const search = el('vscode-textfield', { placeholder: 'Search discoveries (words, prefix*)', 'aria-label': 'Search discoveries' }) as Select;
search.append(el('vscode-icon', { slot: 'content-before', name: 'search', title: 'search' }));
const agentSelect = el('vscode-single-select', { 'aria-label': 'Agent' }) as Select;
const typeSelect = el('vscode-single-select', { 'aria-label': 'Type' }) as Select;
const tagSelect = el('vscode-single-select', { 'aria-label': 'Tag' }) as Select;
const searchButton = el('vscode-button', { id: 'search' }, 'Search');
const fitButton = el('vscode-button', { secondary: '', title: 'Fit the graph to the view', 'aria-label': 'Fit the graph to the view' }, 'Fit');
const status = el('div', { class: 'status', id: 'status' }, 'Loading…');
const notice = el('div', { class: 'notice hidden', id: 'notice' });
const errorBox = el('div', { class: 'error hidden', id: 'error' });
const moreButton = el('vscode-button', { id: 'more', secondary: '', class: 'hidden' }, 'Load more');
const CANVAS_HELP = 'Knowledge graph. Up and Down: next result; Left and Right: linked nodes; Enter: details; Escape: clear.';
const graphBox = el('div', { id: 'graph', tabindex: '0', role: 'application', 'aria-roledescription': 'graph', 'aria-label': CANVAS_HELP });
const results = new ResultList('Discoveries shown. Up and Down: move; Enter: details; Escape: clear.');
// Says the node reached on the canvas, which has no DOM element of its own to carry its name.
const announcer = el('div', { id: 'announce', class: 'visually-hidden', role: 'status', 'aria-live': 'polite' });
const details = el('div', { id: 'details' }, el('p', { class: 'muted' }, 'Click a discovery, or press Enter on one in the list, to see its details.'));
const legend = el('div', { class: 'legend' });

app.append(
  el('div', { class: 'toolbar' }, search, field('Agent', agentSelect), field('Type', typeSelect), field('Tag', tagSelect), searchButton, fitButton),
  el('div', { class: 'toolbar' }, status, moreButton),
  legend,
  notice,
  errorBox,
  el('div', { class: 'main' }, results.element, graphBox, details),
  announcer,
);
search.value = filters.query;

let colors = themeColors();
const cy = cytoscape({
  container: graphBox,
  style: graphStyle(),
  wheelSensitivity: 0.3,
  // Thousands of nodes: draw plainly while panning and zooming.
  hideEdgesOnViewport: true,
  textureOnViewport: true,
  pixelRatio: 1,
});
onThemeChange(() => {
  colors = themeColors();
  cy.style(graphStyle());
  drawLegend();
});
drawLegend();

function graphStyle(): cytoscape.StylesheetJson {
  return [
    {
      selector: 'node',
      style: { 'background-color': colors.series[0]!, width: 12, height: 12, label: 'data(label)', color: colors.foreground, 'font-size': 9, 'min-zoomed-font-size': 10, 'text-valign': 'bottom', 'text-margin-y': 3, 'text-wrap': 'ellipsis', 'text-max-width': '140px' },
    },
    { selector: 'node[kind = "agent"]', style: { 'background-color': colors.series[2]!, shape: 'round-rectangle', width: 22, height: 22, 'font-size': 11, 'min-zoomed-font-size': 4, 'font-weight': 'bold' } },
    { selector: 'node[severity = "high"], node[severity = "critical"]', style: { 'background-color': colors.red } },
    { selector: 'node:selected', style: { 'border-width': 3, 'border-color': colors.focus, 'min-zoomed-font-size': 0 } },
    { selector: 'edge', style: { width: 1, 'line-color': colors.series[3]!, 'target-arrow-color': colors.series[3]!, 'target-arrow-shape': 'triangle', 'arrow-scale': 0.6, 'curve-style': 'haystack', opacity: 0.8 } },
    { selector: 'edge[relation = "authored"]', style: { 'line-color': colors.muted, 'target-arrow-shape': 'none', opacity: 0.35 } },
    { selector: 'edge[relation != "authored"]', style: { 'curve-style': 'straight', width: 1.5 } },
  ];
}

function drawLegend(): void {
  legend.replaceChildren(
    ...[
      ['agent', colors.series[2]!],
      ['discovery', colors.series[0]!],
      ['high/critical severity', colors.red],
      ['related_to / answers / …', colors.series[3]!],
      ['authored', colors.muted],
    ].map(([text, color]) => el('span', { style: `--dot: ${color}` }, text!)),
  );
}

function options(select: Select, values: string[], current: string | undefined, allLabel: string): void {
  // `selected` on the option: setting `value` before the element has read its new options is lost.
  const option = (value: string, label: string) => el('vscode-option', value === (current ?? '') ? { value, selected: '' } : { value }, label);
  select.replaceChildren(option('', allLabel), ...values.map((v) => option(v, v)));
}

function currentFilters(): GraphFilters {
  return {
    query: search.value.trim(),
    ...(agentSelect.value ? { agentId: agentSelect.value } : {}),
    ...(typeSelect.value ? { discoveryType: typeSelect.value } : {}),
    ...(tagSelect.value ? { tag: tagSelect.value } : {}),
  };
}

function save(): void {
  channel.saveState({ filters, ...(selected ? { selected } : {}) });
}

function runSearch(): void {
  filters = currentFilters();
  save();
  status.textContent = 'Searching…';
  errorBox.classList.add('hidden');
  channel.post({ type: 'search', filters });
}

searchButton.addEventListener('click', runSearch);
search.addEventListener('keydown', (e) => {
  if (e.key === 'Enter') runSearch();
  // Escape clears the typed text; Enter then shows the most recent discoveries again.
  if (e.key === 'Escape' && search.value) {
    e.preventDefault();
    search.value = '';
  }
});
for (const s of [agentSelect, typeSelect, tagSelect]) s.addEventListener('change', runSearch);
fitButton.addEventListener('click', () => cy.fit(undefined, 20));
moreButton.addEventListener('click', () => {
  status.textContent = 'Loading more…';
  moreButton.classList.add('hidden');
  channel.post({ type: 'loadMore' });
});
cy.on('tap', 'node[kind = "discovery"]', (e) => {
  // The selector matches nodes only; cytoscape types every event target as `any`.
  const id = (e.target as cytoscape.NodeSingular).id();
  nav = { active: id };
  highlight(false);
  openDetails(id);
});

function openDetails(id: string): void {
  selected = id;
  save();
  channel.post({ type: 'details', id });
}

const navContext: NavContext = {
  get order() {
    return results.order;
  },
  neighbours: (id) => {
    const node = cy.getElementById(id);
    // Linked discoveries in list order first, then the author: the walk meets content before people.
    const rank = (n: cytoscape.NodeSingular) => (n.data('kind') === 'agent' ? 1e9 : results.order.indexOf(n.id()));
    return node.nonempty() ? node.neighborhood('node').toArray().sort((a, b) => rank(a as cytoscape.NodeSingular) - rank(b as cytoscape.NodeSingular)).map((n) => n.id()) : [];
  },
  isDiscovery: (id) => cy.getElementById(id).data('kind') === 'discovery',
};

/** Shows `nav.active` as the selection in the list and on the canvas (centred when `centre`). */
function highlight(centre: boolean): void {
  cy.$(':selected').unselect();
  results.setActive(nav.active);
  const node = nav.active === undefined ? undefined : cy.getElementById(nav.active);
  if (!node?.nonempty()) return;
  node.select();
  if (centre) cy.center(node);
}

function labelOf(id: string): string {
  const node = cy.getElementById(id);
  return nodeLabel(node.data() as GraphNode, node.data('kind') === 'agent' ? node.outgoers('node').length : 0);
}

function onKey(e: KeyboardEvent, answer: (state: NavState, key: string, ctx: NavContext) => NavResult, fromCanvas: boolean): void {
  if (e.altKey || e.ctrlKey || e.metaKey) return;
  const r = answer(nav, e.key, navContext);
  if (!r.handled) return;
  e.preventDefault();
  nav = r.state;
  highlight(true);
  if (fromCanvas) announcer.textContent = nav.active === undefined ? 'Selection cleared' : labelOf(nav.active);
  if (r.open) openDetails(r.open);
}

results.element.addEventListener('keydown', (e) => onKey(e, listKey, false));
graphBox.addEventListener('keydown', (e) => onKey(e, canvasKey, true));
results.element.addEventListener('focus', () => {
  // Listbox pattern: focusing a list without an active option activates the first one.
  if (nav.active === undefined || !results.has(nav.active)) {
    nav = listKey({}, 'Home', navContext).state;
    highlight(true);
  }
});
results.element.addEventListener('click', (e) => {
  const id = results.idAt(e.target);
  if (id === undefined) return;
  nav = { active: id };
  highlight(true);
  openDetails(id);
});

function showGraph(g: Graph): void {
  receivedAt = performance.now();
  const elements: cytoscape.ElementDefinition[] = [
    ...g.nodes.map((n) => ({ group: 'nodes' as const, data: { ...n, severity: n.severity ?? '' } })),
    ...g.edges.map((e) => ({ group: 'edges' as const, data: { ...e } })),
  ];
  // A new page never lays out the whole graph again (cose is O(n^2) per iteration: seconds at
  // 2,000 nodes) and never moves what the user was looking at: discoveries of agents already shown
  // join their agent's cluster on a sunflower spiral; new agents and their discoveries get a cose
  // layout of their own beside the graph.
  const before = g.append && cy.nodes().nonempty() ? cy.elements().boundingBox() : undefined;
  let added: cytoscape.CollectionReturnValue | undefined;
  cy.batch(() => {
    if (!g.append) cy.elements().remove();
    added = cy.add(elements);
  });
  const count = cy.nodes().length;
  const width = Math.max(graphBox.clientWidth, 200);
  const height = Math.max(graphBox.clientHeight, 200);
  let laidOut = cy.elements();
  let box = { x1: 0, y1: 0, w: width, h: height };
  if (before) {
    const fresh = added!.nodes();
    const joining = fresh.filter((n) => n.data('kind') === 'discovery' && !fresh.contains(cy.getElementById(`agent:${n.data('agentId') as string}`)));
    const joiningPerAgent = new Map<string, number>();
    joining.forEach((n) => void joiningPerAgent.set(n.data('agentId') as string, (joiningPerAgent.get(n.data('agentId') as string) ?? 0) + 1));
    const next = new Map<string, number>();
    cy.batch(() =>
      joining.forEach((n) => {
        const agentId = n.data('agentId') as string;
        const agent = cy.getElementById(`agent:${agentId}`);
        const index = next.get(agentId) ?? agent.outgoers('node').length - (joiningPerAgent.get(agentId) ?? 0);
        next.set(agentId, index + 1);
        spiralAround(n, agent, index);
      }),
    );
    const rest = fresh.difference(joining);
    laidOut = rest.union(added!.edges().filter((e) => rest.contains(e.source()) && rest.contains(e.target())));
    box = { x1: before.x2 + 60, y1: before.y1, w: Math.max(before.h * (width / height), 200), h: Math.max(before.h, 200) };
  }
  const finish = () => {
    cy.fit(undefined, 20);
    const ms = performance.now() - receivedAt;
    document.body.dataset.rendered = String(count);
    channel.post({ type: 'rendered', nodes: count, ms });
  };
  if (laidOut.nodes().empty()) {
    finish();
  } else {
    const layout = laidOut.layout({
      name: 'cose',
      animate: false,
      randomize: true,
      fit: false,
      padding: 20,
      nodeDimensionsIncludeLabels: false,
      // Fewer iterations for big pages keep a render within a second or two.
      numIter: laidOut.nodes().length > 1000 ? 250 : 1000,
      // Lay components out over the panel's shape, not in a narrow default column.
      boundingBox: box,
      idealEdgeLength: () => 40,
      nodeRepulsion: () => 4000,
    });
    layout.one('layoutstop', finish);
    layout.run();
  }

  filters = g.filters;
  options(agentSelect, g.facets.agents, filters.agentId, 'All agents');
  options(typeSelect, g.facets.types, filters.discoveryType, 'All types');
  options(tagSelect, g.facets.tags, filters.tag, 'All tags');
  search.value = filters.query;
  const what = filters.query ? `matching “${filters.query}”` : 'most recent';
  status.textContent = `Showing ${g.loaded.toLocaleString()} of ${g.total.toLocaleString()} discoveries (${what}), ${cy.nodes('[kind = "agent"]').length} agents, ${cy.edges('[relation != "authored"]').length} links.${g.note ? ` ${g.note}` : ''}`;
  moreButton.classList.toggle('hidden', !g.hasMore);
  notice.classList.toggle('hidden', !g.capped);
  notice.textContent = g.capped ? `Showing the first ${g.cap.toLocaleString()} discoveries to keep the graph responsive. Search or filter to see others.` : '';
  results.show(
    g.nodes.filter((n) => n.kind === 'discovery').map((n) => ({ id: n.id, text: n.label, label: nodeLabel(n) })),
    g.append,
  );
  if (nav.active === undefined && selected) nav = { active: selected };
  if (nav.active !== undefined && cy.getElementById(nav.active).empty()) nav = {};
  highlight(false);
  save();
}

/** Places the `index`th discovery of an agent on a sunflower spiral (Vogel 1979) around it. */
function spiralAround(node: cytoscape.NodeSingular, agent: cytoscape.NodeSingular, index: number): void {
  const centre = agent.position();
  const angle = index * 2.39996; // the golden angle, radians
  const radius = 16 + 9 * Math.sqrt(index);
  node.position({ x: centre.x + radius * Math.cos(angle), y: centre.y + radius * Math.sin(angle) });
}

function showDetails(d: GraphDetails): void {
  const meta = el('dl', { class: 'meta' });
  for (const [k, v] of [
    ['Agent', d.agentId],
    ['Type', d.discoveryType],
    ['Status', d.status],
    ['Severity', d.severity ?? '—'],
    ['Tags', d.tags.join(', ') || '—'],
    ['Created', new Date(d.createdAt).toLocaleString()],
  ] as const) meta.append(el('dt', {}, k), el('dd', {}, v));
  const links = el('ul');
  for (const e of d.edges) {
    // An href makes the link reachable with Tab and followed with Enter.
    const link = el('a', { href: '#', title: e.id, 'aria-label': `${e.relation} ${e.direction === 'out' ? 'to' : 'from'}: ${e.summary ?? e.id}` }, e.summary ?? e.id);
    link.addEventListener('click', (ev) => {
      ev.preventDefault();
      nav = { active: e.id };
      highlight(true);
      openDetails(e.id);
    });
    links.append(el('li', {}, `${e.direction === 'out' ? '→' : '←'} ${e.relation}: `, link));
  }
  details.dataset.id = d.id;
  details.replaceChildren(
    el('h3', {}, d.summary),
    meta,
    ...(d.details ? [el('pre', {}, d.details)] : []),
    el('div', { class: 'muted' }, d.edges.length ? 'Links' : 'No links'),
    links,
  );
}

channel.onMessage((m) => {
  switch (m.type) {
    case 'graph':
      errorBox.classList.add('hidden');
      return showGraph(m);
    case 'details':
      return showDetails(m.details);
    case 'apply':
      search.value = m.filters.query;
      agentSelect.value = m.filters.agentId ?? '';
      typeSelect.value = m.filters.discoveryType ?? '';
      tagSelect.value = m.filters.tag ?? '';
      filters = m.filters;
      save();
      status.textContent = 'Searching…';
      channel.post({ type: 'search', filters });
      return;
    case 'stale':
      notice.classList.remove('hidden');
      notice.textContent = `${m.newDiscoveries} new ${m.newDiscoveries === 1 ? 'discovery' : 'discoveries'} since this graph was loaded. Press Search to refresh.`;
      return;
    case 'error':
      errorBox.classList.remove('hidden');
      errorBox.textContent = m.message;
      status.textContent = '';
      return;
  }
});

channel.post({ type: 'ready', filters });
if (selected) channel.post({ type: 'details', id: selected });
