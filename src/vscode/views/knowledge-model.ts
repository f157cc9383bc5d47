/**
 * The Knowledge view: the most recent discoveries, or the results of a search (best first) under
 * a row that names the query and clears it on click. Data from `list_knowledge_graph` /
 * `search_knowledge_graph`.
 */
import type { SearchItem, SearchPage } from '../../knowledge/knowledge';
import type { GovernanceClient } from '../../client/types';
import { ago, errorNode, escapeMarkdown, oneLine, type ViewContent, type ViewNode } from './node';

export const DISCOVERY_CONTEXT = 'codexGovernance.discovery';
export const SEARCH_ROW_CONTEXT = 'codexGovernance.knowledgeSearch';
export const OPEN_DISCOVERY_COMMAND = 'codexGovernance.knowledge.open';
export const CLEAR_SEARCH_COMMAND = 'codexGovernance.clearKnowledgeSearch';
/** Rows shown: recent discoveries and search results (the tools' largest page). */
export const KNOWLEDGE_PAGE = 100;

const TYPE_ICONS: Record<string, string> = {
  bug_found: 'bug',
  bug: 'bug',
  insight: 'lightbulb',
  pattern: 'symbol-structure',
  improvement: 'sparkle',
  question: 'question',
  answer: 'comment-discussion',
  note: 'note',
  decision: 'law',
};

export class KnowledgeModel {
  private q: string | undefined;

  /** The active search, or undefined for the recent list. */
  get query(): string | undefined {
    return this.q;
  }

  /** Sets (non-empty after trimming) or clears the search. */
  setQuery(query: string | undefined): void {
    const t = query?.trim();
    this.q = t ? t : undefined;
  }

  /** Rows of the view. `now` (ms) dates each row. */
  async load(client: GovernanceClient | undefined, now: number = Date.now()): Promise<ViewContent> {
    if (!client) return { nodes: [] };
    let page: SearchPage;
    try {
      page = this.q ? await client.searchDiscoveries(this.q, KNOWLEDGE_PAGE) : await client.listDiscoveries(KNOWLEDGE_PAGE);
    } catch (err) {
      return { nodes: [...this.searchRow(undefined), errorNode('discoveries', err)] };
    }
    const nodes = [...this.searchRow(page.total), ...page.discoveries.map((d) => discoveryNode(d, now))];
    const shown = page.discoveries.length;
    const description = this.q
      ? `${page.total} result${page.total === 1 ? '' : 's'}`
      : page.total > shown
        ? `${shown} of ${page.total}`
        : page.total
          ? `${page.total}`
          : undefined;
    return { nodes, description };
  }

  private searchRow(total: number | undefined): ViewNode[] {
    if (!this.q) return [];
    return [
      {
        id: 'knowledge-search',
        label: `Search: "${oneLine(this.q, 60)}"`,
        description: total === undefined ? 'clear search' : `${total} result${total === 1 ? '' : 's'} · clear search`,
        tooltip: `Showing discoveries matching **${escapeMarkdown(this.q)}**, best first. Click to clear the search and show the most recent discoveries.`,
        icon: { id: 'clear-all' },
        contextValue: SEARCH_ROW_CONTEXT,
        command: { command: CLEAR_SEARCH_COMMAND, title: 'Clear Search' },
      },
    ];
  }
}

export function discoveryNode(d: SearchItem, now: number): ViewNode {
  const severe = d.severity === 'critical' || d.severity === 'high';
  const lines = [
    `**${escapeMarkdown(d.summary)}**`,
    `${escapeMarkdown(d.discovery_type)} by ${escapeMarkdown(d.agent_id)} · ${ago(d.created_at, now)} (${escapeMarkdown(d.created_at)})`,
  ];
  const facts = [d.severity ? `severity ${escapeMarkdown(d.severity)}` : '', d.status !== 'open' ? `status ${escapeMarkdown(d.status)}` : '', d.tags.length ? `tags ${d.tags.map(escapeMarkdown).join(', ')}` : '']
    .filter(Boolean)
    .join(' · ');
  if (facts) lines.push(facts);
  if (d.details.trim()) lines.push(escapeMarkdown(oneLine(d.details, 400)));
  lines.push(`id ${escapeMarkdown(d.id)}`);
  return {
    id: `discovery:${d.id}`,
    label: oneLine(d.summary, 120),
    description: `${d.discovery_type} · ${d.agent_id} · ${ago(d.created_at, now)}`,
    tooltip: lines.join('\n\n'),
    icon: { id: TYPE_ICONS[d.discovery_type] ?? 'book', color: severe ? 'list.errorForeground' : undefined },
    contextValue: DISCOVERY_CONTEXT,
    command: { command: OPEN_DISCOVERY_COMMAND, title: 'Open Discovery Details', arguments: [{ kind: 'discovery', id: d.id, summary: d.summary }] },
    target: { kind: 'discovery', id: d.id, summary: d.summary },
  };
}
