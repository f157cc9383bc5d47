/**
 * The client of a server another VS Code window runs: tool calls over `POST /v1/tools/call`
 * (the OpenAI function-calling adapter, src/server/http/openai-adapter.ts) and the audit log over
 * `GET /audit`, with the bearer token; changes found by polling a cheap fingerprint of each topic
 * every `pollMs` while anyone listens (a hidden view costs no requests). The same poll finds the
 * agent updates (an agent's update count grew: its new points, from the agent list itself when it
 * grew by one) and the discoveries stored (the total grew) since the poll before.
 */
import { auditQueryParams, type AuditQuery, type AuditQueryPage } from '../approvals/audit-query';
import type { AgentSummary, HistoryPoint } from '../core/governance';
import { createParser } from 'eventsource-parser';
import type { ToolArgs, ToolName, ToolOutput } from '../server/tools/catalog';
import { changedTopics, readChangePrints } from './change-prints';
import { ToolCallingClient } from './tool-calls';
import { GovernanceClientError, VSCODE_USER_AGENT, type AgentUpdate, type GovernanceClient, type GovernanceToolInfo, type GovernanceTopic, type ToolAnnouncement, type ToolCallOptions } from './types';

export interface HttpClientOptions {
  /** Poll interval (ms) while subscribed. Default 5000. */
  pollMs?: number;
  /** Per-request deadline (ms). Default 10000. */
  timeoutMs?: number;
  /** `X-Session-ID` of every tool call: the agent identity and per-agent rate-limit bucket. Default {@link VSCODE_USER_AGENT}. */
  sessionId?: string;
  /** Called when a poll fails (the server went away, a bad token); polling goes on. */
  onPollError?: (err: GovernanceClientError) => void;
}

interface CallBody {
  success?: boolean;
  result?: Record<string, unknown>;
  error?: { code?: string; message?: string };
}

/** Every topic: all of another window's server's changes are found by polling. */
const ALL_TOPICS: ReadonlySet<GovernanceTopic> = new Set(['agents', 'knowledge', 'sessions', 'reviews']);

/** History points read beyond those a poll missed, for updates that land while it reads. */
const OBSERVE_SLACK = 20;

/** What one poll saw. */
interface Snapshot {
  prints: Map<GovernanceTopic, string>;
  updateCounts: Map<string, number>;
  discoveries: number;
}

export class HttpGovernanceClient extends ToolCallingClient implements GovernanceClient {
  readonly kind = 'http';
  private readonly listeners = new Set<(topics: ReadonlySet<GovernanceTopic>) => void>();
  private readonly updateListeners = new Set<(update: AgentUpdate) => void>();
  private readonly storedListeners = new Set<(count: number) => void>();
  private timer: NodeJS.Timeout | undefined;
  private last: Snapshot | undefined;
  private polling = false;
  private disposed = false;
  private readonly pollMs: number;
  private readonly timeoutMs: number;

  /**
   * @param url base URL without a trailing slash, e.g. `http://127.0.0.1:8765`
   * @param token the bearer token (read per call, so a rotated secret applies)
   */
  constructor(
    readonly url: string,
    private readonly token: () => Promise<string>,
    private readonly options: HttpClientOptions = {},
  ) {
    super();
    this.pollMs = options.pollMs ?? 5000;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /**
   * `POST /v1/tools/call`. With `options.onAnnounce` the call accepts an event stream, so what the
   * tool announces (the `codex` tool's session id) arrives before the answer
   * (src/server/http/openai-adapter.ts handleCallTool); the stream is read with eventsource-parser.
   */
  async callTool<N extends ToolName>(name: N, args: ToolArgs<N>, options: ToolCallOptions = {}): Promise<ToolOutput<N>> {
    const onAnnounce = options.onAnnounce;
    const timeout = options.timeoutMs ?? (onAnnounce ? 'none' : this.timeoutMs);
    let res: Response;
    try {
      res = await fetch(`${this.url}/v1/tools/call`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${await this.token()}`,
          'content-type': 'application/json',
          accept: onAnnounce ? 'text/event-stream, application/json' : 'application/json',
          // The adapter's agent identity (src/server/server.ts httpCaller).
          'x-session-id': this.options.sessionId ?? VSCODE_USER_AGENT,
        },
        body: JSON.stringify({ name, arguments: args }),
        ...(timeout !== 'none' ? { signal: AbortSignal.timeout(timeout) } : {}),
      });
    } catch (err) {
      throw new GovernanceClientError('unreachable', `The governance server at ${this.url} did not answer ${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
    let body: CallBody;
    try {
      body = res.headers.get('content-type')?.startsWith('text/event-stream') ? await readEventStream(res, onAnnounce) : ((await res.json()) as CallBody);
    } catch {
      throw new GovernanceClientError('bad_response', `The governance server at ${this.url} answered ${name} with HTTP ${res.status} and no JSON body.`);
    }
    // The server validated the arguments against the tool's declaration, whose result type this is (../server/tools/catalog).
    const result: unknown = body.result;
    if (body.success === true && result) return result as ToolOutput<N>;
    const code = body.error?.code ?? (res.status === 401 ? 'unauthorized' : `http_${res.status}`);
    throw new GovernanceClientError(code, body.error?.message ?? `${name} failed with HTTP ${res.status}.`);
  }

  /**
   * `GET /v1/tools?format=responses`: the tools in the Responses API's flat shape.
   * @throws GovernanceClientError naming the URL (unreachable, a bad token, no JSON)
   */
  async listTools(): Promise<GovernanceToolInfo[]> {
    let res: Response;
    try {
      res = await fetch(`${this.url}/v1/tools?format=responses`, { headers: { authorization: `Bearer ${await this.token()}` }, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (err) {
      throw new GovernanceClientError('unreachable', `The governance server at ${this.url} did not answer GET /v1/tools: ${err instanceof Error ? err.message : String(err)}`);
    }
    const body = (await res.json().catch(() => undefined)) as { tools?: GovernanceToolInfo[]; error?: { code?: string; message?: string } } | undefined;
    if (res.ok && Array.isArray(body?.tools)) return body.tools.map((t) => ({ name: t.name, description: t.description, parameters: t.parameters }));
    throw new GovernanceClientError(body?.error?.code ?? (res.status === 401 ? 'unauthorized' : `http_${res.status}`), `GET /v1/tools at ${this.url} failed with HTTP ${res.status}: ${body?.error?.message ?? 'no JSON body'}`);
  }

  /**
   * `GET /audit` (no `X-Session-ID`: audit reads are not an agent's requests).
   * @throws GovernanceClientError naming the URL and the server's message
   */
  async readAudit(query: AuditQuery): Promise<AuditQueryPage> {
    let res: Response;
    try {
      res = await fetch(`${this.url}/audit?${auditQueryParams(query).toString()}`, {
        headers: { authorization: `Bearer ${await this.token()}` },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new GovernanceClientError('unreachable', `The governance server at ${this.url} did not answer GET /audit: ${err instanceof Error ? err.message : String(err)}`);
    }
    const body = (await res.json().catch(() => undefined)) as (AuditQueryPage & { error?: { code?: string; message?: string } }) | undefined;
    if (res.ok && body && Array.isArray(body.entries)) return body;
    throw new GovernanceClientError(body?.error?.code ?? `http_${res.status}`, `GET /audit at ${this.url} failed with HTTP ${res.status}: ${body?.error?.message ?? 'no JSON body'}`);
  }

  onDidChange(listener: (topics: ReadonlySet<GovernanceTopic>) => void): () => void {
    return this.listen(this.listeners, listener);
  }

  onAgentUpdate(listener: (update: AgentUpdate) => void): () => void {
    return this.listen(this.updateListeners, listener);
  }

  onDiscoveriesStored(listener: (count: number) => void): () => void {
    return this.listen(this.storedListeners, listener);
  }

  dispose(): void {
    this.disposed = true;
    this.listeners.clear();
    this.updateListeners.clear();
    this.storedListeners.clear();
    this.stop();
  }

  private get listening(): boolean {
    return this.listeners.size + this.updateListeners.size + this.storedListeners.size > 0;
  }

  private listen<T>(set: Set<T>, listener: T): () => void {
    set.add(listener);
    if (!this.timer && !this.disposed) this.schedule(0);
    return () => {
      set.delete(listener);
      if (!this.listening) this.stop();
    };
  }

  private stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    // A later subscriber starts from a fresh baseline; it loads its data when it subscribes.
    this.last = undefined;
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => void this.poll(), ms);
    this.timer.unref?.();
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const { snapshot: now, agents } = await this.read();
      const before = this.last;
      this.last = now;
      if (before) {
        const changed = changedTopics(before.prints, now.prints);
        if (changed.size) for (const l of [...this.listeners]) l(changed);
        if (this.updateListeners.size) await this.reportUpdates(agents, before.updateCounts);
        const stored = now.discoveries - before.discoveries;
        if (stored > 0) for (const l of [...this.storedListeners]) l(stored);
      }
    } catch (err) {
      this.options.onPollError?.(err instanceof GovernanceClientError ? err : new GovernanceClientError('unreachable', String(err)));
    } finally {
      this.polling = false;
      if (this.listening && !this.disposed) this.schedule(this.pollMs);
    }
  }

  /**
   * The updates since the last poll, oldest first per agent: taken from the agent list itself when
   * an agent reported one, from its history (`observe_agent`) when it reported more.
   */
  private async reportUpdates(agents: AgentSummary[], before: Map<string, number>): Promise<void> {
    for (const a of agents) {
      const grew = a.update_count - (before.get(a.agent_id) ?? 0);
      if (grew <= 0) continue;
      let updates: AgentUpdate[];
      if (grew === 1 && a.metrics && a.last_decision) {
        const m = a.metrics;
        updates = [{ agentId: a.agent_id, at: a.last_decision.at, E: m.E, I: m.I, S: m.S, V: m.V, risk_score: m.risk_score, coherence: m.coherence, action: a.last_decision.action, reason: a.last_decision.reason, operation: '' }];
      } else {
        // More updates may land between the list and this read: number the history points (the
        // newest is update `update_count`) and take exactly those after the last poll's count up
        // to the list's; later ones are the next poll's.
        const observed = await this.observeAgent(a.agent_id, Math.min(grew + OBSERVE_SLACK, 1000)).catch(() => undefined);
        const first = observed ? observed.update_count - observed.history.length + 1 : 0;
        const from = a.update_count - grew;
        updates = (observed?.history ?? []).filter((_, i) => first + i > from && first + i <= a.update_count).map((h) => updateOf(a.agent_id, h));
      }
      for (const u of updates) for (const l of [...this.updateListeners]) l(u);
    }
  }

  /** What a poll compares (./change-prints), and the agents read. */
  private async read(): Promise<{ snapshot: Snapshot; agents: AgentSummary[] }> {
    const { prints, agents, discoveries } = await readChangePrints(this, ALL_TOPICS);
    const updateCounts = new Map(agents.map((a) => [a.agent_id, a.update_count]));
    return { snapshot: { prints, updateCounts, discoveries }, agents };
  }
}

function updateOf(agentId: string, h: HistoryPoint): AgentUpdate {
  return { agentId, at: h.at, E: h.E, I: h.I, S: h.S, V: h.V, risk_score: h.risk_score, coherence: h.coherence, action: h.action, reason: h.reason, operation: h.operation };
}

/** Reads a tool call answered as an event stream: `announce` events go to `onAnnounce`, the `result` event is the answer. */
async function readEventStream(res: Response, onAnnounce: ((a: ToolAnnouncement) => void) | undefined): Promise<CallBody> {
  let result: CallBody | undefined;
  const parser = createParser({
    onEvent: (e) => {
      const data = JSON.parse(e.data) as Record<string, unknown>;
      if (e.event === 'announce') {
        const { type, message, ...rest } = data;
        onAnnounce?.({ type: String(type), message: String(message), data: rest });
      } else if (e.event === 'result') result = data;
    },
  });
  const decoder = new TextDecoder();
  for await (const chunk of res.body ?? []) parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }));
  if (!result) throw new Error('the event stream ended without a result');
  return result;
}
