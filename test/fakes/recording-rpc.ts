/**
 * What tests need on top of the supervisor's {@link JsonRpcLineClient} when they drive
 * `codex app-server` by hand: a log of everything Codex sent (notifications, server->client
 * requests, non-JSON stdout lines), waiting for a notification that may already have arrived, and
 * one answer handler per server-request method.
 */
import { JsonRpcLineClient, type JsonRpcNotification, type JsonRpcServerRequest } from '../../src/supervisor/jsonrpc-lines';
import type { ChildHandle } from '../../src/supervisor/process';
import { runAsPromise } from '../../src/util/promise';

type RequestHandler = (req: JsonRpcServerRequest) => unknown;

export class RecordingRpc {
  /** Every notification received, in order. */
  readonly notifications: JsonRpcNotification[] = [];
  /** Every server->client request received, in order. */
  readonly serverRequests: JsonRpcServerRequest[] = [];
  /** Lines on stdout that were not JSON (should stay empty: Codex keeps stdout pure). */
  readonly badLines: string[] = [];
  private readonly client: JsonRpcLineClient;
  private readonly handlers = new Map<string, RequestHandler>();
  private readonly listeners = new Set<(n: JsonRpcNotification) => void>();

  constructor(proc: ChildHandle) {
    this.client = new JsonRpcLineClient(proc);
    this.client.onUnparsedLine = (line) => this.badLines.push(line);
    this.client.onNotification = (n) => {
      this.notifications.push(n);
      for (const l of [...this.listeners]) l(n);
    };
    this.client.onServerRequest = (req) =>
      runAsPromise(() => {
        this.serverRequests.push(req);
        const handler = this.handlers.get(req.method);
        // Answered as JSON-RPC error -32603, which Codex treats like a refusal.
        if (!handler) throw new Error(`test client has no handler for ${req.method}`);
        return handler(req);
      });
  }

  /** See {@link JsonRpcLineClient.request}; `timeoutMs` defaults to 30 000 ms. */
  request<T = unknown>(method: string, params: unknown, timeoutMs?: number): Promise<T> {
    return this.client.request<T>(method, params, timeoutMs);
  }

  notify(method: string, params?: unknown): void {
    this.client.notify(method, params);
  }

  /** Answers server->client requests of `method` with the handler's return value (as `result`). */
  onRequest(method: string, handler: RequestHandler): void {
    this.handlers.set(method, handler);
  }

  /**
   * Resolves with the first notification (already received or future) matching `predicate`.
   * @throws Error listing the methods seen so far after `timeoutMs` (default 30 000 ms).
   */
  waitForNotification(predicate: (n: JsonRpcNotification) => boolean, timeoutMs = 30_000): Promise<JsonRpcNotification> {
    const seen = this.notifications.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const listener = (n: JsonRpcNotification) => {
        if (!predicate(n)) return;
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve(n);
      };
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        reject(new Error(`no matching notification within ${timeoutMs} ms; got: ${this.notifications.map((x) => x.method).join(', ')}`));
      }, timeoutMs);
      this.listeners.add(listener);
    });
  }
}
