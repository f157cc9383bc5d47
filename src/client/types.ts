/**
 * What the extension's views and panels read from the governance server, whichever window runs it:
 * {@link InProcessGovernanceClient} when this window's extension host runs the server (live events),
 * {@link HttpGovernanceClient} when another window owns it (`POST /v1/tools/call`, polled).
 * Plain TypeScript (no `vscode`), so both are unit tested against a real server.
 *
 * Results are the tools' wire shapes (snake_case), the same in both implementations because both
 * go through the server's tool registry.
 */
import type { AuditQuery, AuditQueryPage } from '../approvals/audit-query';
import type { AgentSummary, ObserveResult } from '../core/governance';
import type { DiscoveryDetails, DiscoveryView, SearchPage } from '../knowledge/knowledge';
import type { SessionSummary } from '../server/tools/codex-tools';
import type { ToolArgs, ToolName, ToolOutput } from '../server/tools/catalog';
import type { ToolAnnouncement } from '../server/tools/types';
import type { SupervisorEventMap } from '../supervisor/api';

export type { SessionDetails, SessionSummary } from '../server/tools/codex-tools';
export type { ToolAnnouncement } from '../server/tools/types';

/** A piece of text a Codex session is streaming (see src/supervisor/api.ts `session-delta`); `at` in epoch ms. */
export type SessionStreamDelta = SupervisorEventMap['session-delta'];

/**
 * What changed; a view reloads the topics it shows. `sessions` is fired for Codex sessions,
 * `reviews` for dialectic reviews (a session opened, a message, a claim, an end, a nudge).
 */
export type GovernanceTopic = 'agents' | 'knowledge' | 'sessions' | 'reviews';

export interface StoreDiscoveryRequest {
  /** Author (default: the client's own agent id, {@link VSCODE_USER_AGENT}). */
  agentId?: string;
  /** e.g. insight, pattern, bug_found, improvement, question, answer, note. */
  discoveryType: string;
  /** One line, 1..1000 characters. */
  summary: string;
  details?: string;
  tags?: string[];
  severity?: 'low' | 'medium' | 'high' | 'critical';
}

/** One page of discoveries (`list_knowledge_graph`, or `search_knowledge_graph` when `query` has words). */
export interface KnowledgePageRequest {
  /** Ranked full-text search; empty or absent: most recent first. */
  query?: string;
  agentId?: string;
  discoveryType?: string;
  /** Every tag must match. */
  tags?: string[];
  /** 1..100. */
  limit: number;
  /** `next_cursor` of the previous page. */
  cursor?: string;
}

/** Agents most recently active first, and how many the server knows in all. */
export interface AgentsPage {
  agents: AgentSummary[];
  total: number;
}

/** One processed `process_agent_update` of an agent: its metrics and decision after it. */
export interface AgentUpdate {
  agentId: string;
  /** ISO-8601 time of the update. */
  at: string;
  E: number;
  I: number;
  S: number;
  V: number;
  risk_score: number;
  coherence: number;
  action: 'PROCEED' | 'PAUSE';
  reason: string;
  /** What the agent said it did; '' when the source does not carry it (this window's live events). */
  operation: string;
}

/** Options of one tool call. */
export interface ToolCallOptions {
  /**
   * Hears what the tool announces before it answers (the `codex` tool's session id, as soon as the
   * session exists). In process: at once; over HTTP: the call is made as an event stream.
   */
  onAnnounce?: (announcement: ToolAnnouncement) => void;
  /**
   * Deadline of the call over HTTP (ms), or `none` (a Codex turn takes minutes; the server's tool
   * timeout bounds it). Default the client's timeout, `none` when `onAnnounce` is given.
   */
  timeoutMs?: number | 'none';
}

/** One tool the server serves, in the Responses API's function shape (`GET /v1/tools?format=responses`). */
export interface GovernanceToolInfo {
  /** The tool's name or one of its aliases. */
  name: string;
  description: string;
  /** JSON Schema of the arguments (`additionalProperties: false`). */
  parameters: Record<string, unknown>;
}

export interface GovernanceClient {
  /** `in-process` (events) or `http` (polling). */
  readonly kind: 'in-process' | 'http';
  /** Base URL of the server, e.g. `http://127.0.0.1:8765`. */
  readonly url: string;
  /** Most recently active first. @throws GovernanceClientError */
  listAgents(limit?: number): Promise<AgentSummary[]>;
  /** @throws GovernanceClientError (`not_found` for an unknown agent) */
  observeAgent(agentId: string, historyLimit?: number): Promise<ObserveResult>;
  /** Most recent first; `limit` 1..100. @throws GovernanceClientError */
  listDiscoveries(limit?: number): Promise<SearchPage>;
  /** Ranked full-text search (best first); `limit` 1..100. @throws GovernanceClientError */
  searchDiscoveries(query: string, limit?: number): Promise<SearchPage>;
  /** @throws GovernanceClientError (`not_found`) */
  getDiscoveryDetails(id: string): Promise<DiscoveryDetails>;
  /** @throws GovernanceClientError (`invalid_arguments` naming the field) */
  storeDiscovery(request: StoreDiscoveryRequest): Promise<DiscoveryView>;
  /** Codex sessions, newest first (`activeOnly`: starting, running, idle). @throws GovernanceClientError */
  listSessions(activeOnly?: boolean): Promise<SessionSummary[]>;
  /** Agents with the server's total; `limit` 1..1000. @throws GovernanceClientError */
  agentsPage(limit: number): Promise<AgentsPage>;
  /** One page of discoveries, filtered, most recent or best ranked first. @throws GovernanceClientError */
  knowledgePage(request: KnowledgePageRequest): Promise<SearchPage>;
  /**
   * A page of the audit log (approval requests and answers): this window's log, or `GET /audit` of
   * the server another window runs. @throws GovernanceClientError (a bad cursor, an unreachable server, a bad token)
   */
  readAudit(query: AuditQuery): Promise<AuditQueryPage>;
  /** Every tool and alias the server serves, with its JSON Schema. @throws GovernanceClientError */
  listTools(): Promise<GovernanceToolInfo[]>;
  /**
   * Any tool of the server, typed from its declaration (src/server/tools/catalog.ts): a wrong name
   * or argument does not compile. @throws GovernanceClientError with the tool's error code
   */
  callTool<N extends ToolName>(name: N, args: ToolArgs<N>, options?: ToolCallOptions): Promise<ToolOutput<N>>;
  /**
   * Calls `listener` with the topics that changed. Subscribing is what keeps an HTTP client
   * polling: subscribe while a view is visible, unsubscribe when it is hidden.
   * @returns unsubscribe
   */
  onDidChange(listener: (topics: ReadonlySet<GovernanceTopic>) => void): () => void;
  /**
   * Calls `listener` with every update an agent reports from now on, in order: at once from this
   * window's server; found by polling from another window's (every update since the last poll).
   * Subscribing keeps an HTTP client polling, like {@link onDidChange}.
   * @returns unsubscribe
   */
  onAgentUpdate(listener: (update: AgentUpdate) => void): () => void;
  /**
   * Calls `listener` with the number of discoveries stored since the last call (1 per discovery from
   * this window's server; the growth of the total since the last poll from another window's).
   * @returns unsubscribe
   */
  onDiscoveriesStored(listener: (count: number) => void): () => void;
  /**
   * Calls `listener` with every piece of text a Codex session streams, at once. Only the client of
   * this window's server has it; another window's sessions show streamed text through
   * `codex-session-info` (the record's `live` items) when polled.
   * @returns unsubscribe
   */
  onSessionStream?(listener: (delta: SessionStreamDelta) => void): () => void;
  /** Stops polling and drops every listener. */
  dispose(): void;
}

/** The agent id the extension's own writes use (Store Discovery). */
export const VSCODE_USER_AGENT = 'vscode-user';

/** A tool call that failed; `code` is the server's tool error code (`not_found`, `invalid_arguments`, ... or `unreachable`). */
export class GovernanceClientError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'GovernanceClientError';
  }
}
