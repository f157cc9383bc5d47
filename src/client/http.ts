/**
 * The client of a server another VS Code window runs: tool calls over `POST /v1/tools/call`
 * (the OpenAI function-calling adapter, src/server/http/openai-adapter.ts) with the bearer token,
 * and changes found by polling a cheap fingerprint of each topic every `pollMs` while anyone
 * listens (a hidden view costs no requests).
 */
import { ToolCallingClient } from './tool-calls';
import { GovernanceClientError, VSCODE_USER_AGENT, type GovernanceClient, type GovernanceTopic } from './types';

export interface HttpClientOptions {
  /** Poll interval (ms) while subscribed. Default 5000. */
  pollMs?: number;
  /** Per-request deadline (ms). Default 10000. */
  timeoutMs?: number;
  /** Called when a poll fails (the server went away, a bad token); polling goes on. */
  onPollError?: (err: GovernanceClientError) => void;
}

interface CallBody {
  success?: boolean;
  result?: Record<string, unknown>;
  error?: { code?: string; message?: string };
}

export class HttpGovernanceClient extends ToolCallingClient implements GovernanceClient {
  readonly kind = 'http';
  private readonly listeners = new Set<(topics: ReadonlySet<GovernanceTopic>) => void>();
  private timer: NodeJS.Timeout | undefined;
  private last: Map<GovernanceTopic, string> | undefined;
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

  async callTool(name: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
    let res: Response;
    try {
      res = await fetch(`${this.url}/v1/tools/call`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${await this.token()}`,
          'content-type': 'application/json',
          // The adapter's agent identity (src/server/server.ts httpCaller).
          'x-session-id': VSCODE_USER_AGENT,
        },
        body: JSON.stringify({ name, arguments: args }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new GovernanceClientError('unreachable', `The governance server at ${this.url} did not answer ${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
    let body: CallBody;
    try {
      body = (await res.json()) as CallBody;
    } catch {
      throw new GovernanceClientError('bad_response', `The governance server at ${this.url} answered ${name} with HTTP ${res.status} and no JSON body.`);
    }
    if (body.success === true && body.result) return body.result;
    const code = body.error?.code ?? (res.status === 401 ? 'unauthorized' : `http_${res.status}`);
    throw new GovernanceClientError(code, body.error?.message ?? `${name} failed with HTTP ${res.status}.`);
  }

  onDidChange(listener: (topics: ReadonlySet<GovernanceTopic>) => void): () => void {
    this.listeners.add(listener);
    if (!this.timer && !this.disposed) this.schedule(0);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  dispose(): void {
    this.disposed = true;
    this.listeners.clear();
    this.stop();
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
      const now = await this.fingerprints();
      const before = this.last;
      this.last = now;
      if (before && this.listeners.size) {
        const changed = new Set<GovernanceTopic>();
        for (const [topic, print] of now) if (before.get(topic) !== print) changed.add(topic);
        if (changed.size) for (const l of [...this.listeners]) l(changed);
      }
    } catch (err) {
      this.options.onPollError?.(err instanceof GovernanceClientError ? err : new GovernanceClientError('unreachable', String(err)));
    } finally {
      this.polling = false;
      if (this.listeners.size && !this.disposed) this.schedule(this.pollMs);
    }
  }

  /** One string per topic that changes whenever what the views show of it changes. */
  private async fingerprints(): Promise<Map<GovernanceTopic, string>> {
    const [agents, knowledge, sessions] = await Promise.all([
      this.listAgents(1000),
      this.listDiscoveries(1),
      // An older server without the codex tools has no sessions to show.
      this.listSessions().catch((e: unknown) => {
        if (e instanceof GovernanceClientError && e.code === 'unknown_tool') return [];
        throw e;
      }),
    ]);
    return new Map<GovernanceTopic, string>([
      ['agents', agents.map((a) => `${a.agent_id}|${a.update_count}|${a.status}|${a.last_seen_at}`).join('\n')],
      ['knowledge', `${knowledge.total}|${knowledge.discoveries[0]?.id ?? ''}`],
      ['sessions', JSON.stringify(sessions.map((s) => [s.session_id, s.status, s.threadId, s.turns, s.tokens.total, s.lastActivityAt]))],
    ]);
  }
}
