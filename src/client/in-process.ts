/**
 * The client of the server this extension host runs: tool calls go straight to the registry (no
 * HTTP, no token), the audit log is read from the app's own file, and changes arrive as events,
 * coalesced so a burst of writes (an agent storing 500 discoveries) refreshes a view once instead
 * of 500 times; agent updates and stored discoveries also reach their own listeners one by one.
 * On a database shared with other servers (team mode) their writes raise no event here, so while
 * anyone listens every topic's fingerprint (./change-prints) is also polled every `sharedPollMs`:
 * agents, knowledge, reviews, and the Codex sessions other servers observe through their hooks.
 */
import { readAudit, type AuditQuery, type AuditQueryPage } from '../approvals/audit-query';
import type { GovernanceEvents } from '../core/events';
import type { AuditLog } from '../store/audit';
import { toToolCallError } from '../server/tools/errors';
import type { ToolRegistry } from '../server/tools/registry';
import type { CallerIdentity } from '../server/tools/types';
import { changedTopics, readChangePrints } from './change-prints';
import { ToolCallingClient } from './tool-calls';
import type { ToolArgs, ToolName, ToolOutput } from '../server/tools/catalog';
import { GovernanceClientError, VSCODE_USER_AGENT, type AgentUpdate, type GovernanceClient, type GovernanceToolInfo, type GovernanceTopic, type SessionStreamDelta, type ToolAnnouncement, type ToolCallOptions } from './types';

/** The parts of `GovernanceApp` (src/server/app.ts) this client uses. */
export interface InProcessApp {
  readonly registry: Pick<ToolRegistry, 'call' | 'entries' | 'inputJsonSchema'>;
  readonly events: Pick<GovernanceEvents, 'on'>;
  /** True when other servers write the same store (PostgreSQL): their changes raise no event here. */
  readonly sharedStore?: boolean;
  /** Read as `GET /audit` reads it (src/approvals/audit-query.ts). */
  readonly audit: AuditLog;
  readonly codex: {
    readonly events: {
      on(event: 'session-changed', l: () => void): unknown;
      off(event: 'session-changed', l: () => void): unknown;
      on(event: 'session-delta', l: (d: SessionStreamDelta) => void): unknown;
      off(event: 'session-delta', l: (d: SessionStreamDelta) => void): unknown;
    };
  };
}

export interface InProcessClientOptions {
  /** Events within this window (ms) are reported once. Default 150. */
  coalesceMs?: number;
  /** On a shared store, how often (ms) other servers' changes are looked for while anyone listens. Default 5000. */
  sharedPollMs?: number;
}

/** What other servers sharing the store change and this one hears no event of. */
const SHARED_TOPICS: ReadonlySet<GovernanceTopic> = new Set(['agents', 'knowledge', 'reviews', 'sessions']);

const CALLER: CallerIdentity = { agentId: VSCODE_USER_AGENT, anonymous: false, transport: 'in-process', clientName: 'vscode' };

export class InProcessGovernanceClient extends ToolCallingClient implements GovernanceClient {
  readonly kind = 'in-process';
  private readonly listeners = new Set<(topics: ReadonlySet<GovernanceTopic>) => void>();
  private readonly pending = new Set<GovernanceTopic>();
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly coalesceMs: number;
  private readonly sharedPollMs: number;
  private sharedTimer: NodeJS.Timeout | undefined;
  private sharedPrints: Map<GovernanceTopic, string> | undefined;

  constructor(
    readonly url: string,
    private readonly app: InProcessApp,
    options: InProcessClientOptions = {},
  ) {
    super();
    this.coalesceMs = options.coalesceMs ?? 150;
    this.sharedPollMs = options.sharedPollMs ?? 5000;
  }

  async callTool<N extends ToolName>(name: N, args: ToolArgs<N>, options: ToolCallOptions = {}): Promise<ToolOutput<N>> {
    const onAnnounce = options.onAnnounce;
    try {
      // The registry validated the arguments against the tool's declaration, whose result type this is (../server/tools/catalog).
      const result: unknown = await this.app.registry.call(name, args, { caller: CALLER, signal: new AbortController().signal, ...(onAnnounce ? { announce: (a: ToolAnnouncement) => onAnnounce(a) } : {}) });
      return result as ToolOutput<N>;
    } catch (err) {
      const e = toToolCallError(err);
      throw new GovernanceClientError(e.code, e.message);
    }
  }

  listTools(): Promise<GovernanceToolInfo[]> {
    const registry = this.app.registry;
    return Promise.resolve(registry.entries().map((e) => ({ name: e.name, description: e.description, parameters: registry.inputJsonSchema(e.tool.name) })));
  }

  async readAudit(query: AuditQuery): Promise<AuditQueryPage> {
    try {
      return await readAudit(this.app.audit, query);
    } catch (err) {
      const e = toToolCallError(err);
      throw new GovernanceClientError(e.code, e.message);
    }
  }

  onAgentUpdate(listener: (update: AgentUpdate) => void): () => void {
    // The event has no operation text; the dashboard shows '' for live points as it always did.
    return this.app.events.on('agent-updated', (e) =>
      listener({
        agentId: e.agentId,
        at: e.at,
        E: e.metrics.E,
        I: e.metrics.I,
        S: e.metrics.S,
        V: e.metrics.V,
        risk_score: e.metrics.risk_score,
        coherence: e.metrics.coherence,
        action: e.decision.action,
        reason: e.decision.reason,
        operation: '',
      }),
    );
  }

  onDiscoveriesStored(listener: (count: number) => void): () => void {
    return this.app.events.on('discovery-stored', () => listener(1));
  }

  onSessionStream(listener: (delta: SessionStreamDelta) => void): () => void {
    // Not coalesced: the page batches per animation frame, and a delay here is delay on screen.
    this.app.codex.events.on('session-delta', listener);
    return () => this.app.codex.events.off('session-delta', listener);
  }

  onDidChange(listener: (topics: ReadonlySet<GovernanceTopic>) => void): () => void {
    this.listeners.add(listener);
    this.subscribe();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.unsubscribeAll();
    };
  }

  dispose(): void {
    this.listeners.clear();
    this.unsubscribeAll();
  }

  private subscribe(): void {
    if (this.unsubscribe) return;
    const agents = () => this.mark('agents');
    const knowledge = () => this.mark('knowledge');
    const sessions = () => this.mark('sessions');
    const reviews = () => this.mark('reviews');
    const offs = [
      this.app.events.on('agent-created', agents),
      this.app.events.on('agent-updated', agents),
      this.app.events.on('discovery-stored', knowledge),
      this.app.events.on('discovery-updated', knowledge),
      this.app.events.on('dialectic-transition', reviews),
    ];
    this.app.codex.events.on('session-changed', sessions);
    this.unsubscribe = () => {
      for (const off of offs) off();
      this.app.codex.events.off('session-changed', sessions);
    };
    if (this.app.sharedStore) void this.pollShared();
  }

  /** Compares the shared topics' prints with the last poll's and marks what changed; again in `sharedPollMs` while subscribed. */
  private async pollShared(): Promise<void> {
    try {
      const { prints } = await readChangePrints(this, SHARED_TOPICS);
      if (!this.unsubscribe) return;
      if (this.sharedPrints) for (const topic of changedTopics(this.sharedPrints, prints)) this.mark(topic);
      this.sharedPrints = prints;
    } catch {
      // The database is down (the views show that on their own reads): try again next time.
    }
    if (!this.unsubscribe) return;
    this.sharedTimer = setTimeout(() => void this.pollShared(), this.sharedPollMs);
    this.sharedTimer.unref?.();
  }

  private unsubscribeAll(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    clearTimeout(this.sharedTimer);
    this.sharedTimer = undefined;
    // A later subscriber loads its data when it subscribes: the next poll starts a fresh baseline.
    this.sharedPrints = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }

  private mark(topic: GovernanceTopic): void {
    this.pending.add(topic);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      const topics = new Set(this.pending);
      this.pending.clear();
      for (const l of [...this.listeners]) l(topics);
    }, this.coalesceMs);
  }
}
