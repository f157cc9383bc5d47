/**
 * A tiny JSON-RPC client over a child's stdio, one JSON object per line, as `codex app-server`
 * speaks it (openai/codex `codex-rs/app-server/README.md`: JSON-RPC 2.0 messages without the
 * `"jsonrpc"` field, newline-delimited). Test-only; the production app-server backend lives under
 * src/supervisor/.
 */
import { createInterface } from 'node:readline';
import type { SpawnedChild } from './child-process';

export interface JsonRpcNotification {
  method: string;
  params?: unknown;
}

export interface JsonRpcServerRequest {
  id: number | string;
  method: string;
  params?: unknown;
}

/** A JSON-RPC error answer, thrown by {@link JsonRpcLineClient.request}. */
export class JsonRpcError extends Error {
  constructor(
    readonly method: string,
    readonly code: number,
    readonly data: unknown,
    message: string,
  ) {
    super(`${method} failed (${code}): ${message}`);
    this.name = 'JsonRpcError';
  }
}

type RequestHandler = (req: JsonRpcServerRequest) => unknown | Promise<unknown>;

export class JsonRpcLineClient {
  /** Every notification received, in order. */
  readonly notifications: JsonRpcNotification[] = [];
  /** Every server->client request received, in order. */
  readonly serverRequests: JsonRpcServerRequest[] = [];
  /** Lines on stdout that were not JSON (should stay empty: Codex keeps stdout pure). */
  readonly badLines: string[] = [];
  private nextId = 1;
  private readonly pending = new Map<number | string, { method: string; resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly requestHandlers = new Map<string, RequestHandler>();
  private readonly listeners = new Set<(n: JsonRpcNotification) => void>();
  private closedError: Error | undefined;

  constructor(private readonly proc: SpawnedChild) {
    const rl = createInterface({ input: proc.child.stdout });
    rl.on('line', (line) => this.onLine(line));
    void proc.exited.then(({ code, signal }) => {
      this.closedError = new Error(`process exited (code ${code}, signal ${signal}); stderr tail: ${proc.stderrText().slice(-2000)}`);
      for (const p of this.pending.values()) p.reject(this.closedError);
      this.pending.clear();
    });
  }

  /** Sends a request and resolves with its `result`; rejects with {@link JsonRpcError} or after `timeoutMs` (default 30 000 ms). */
  request<T = unknown>(method: string, params?: unknown, timeoutMs = 30_000): Promise<T> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method}: no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        method,
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.write({ id, method, params });
    });
  }

  notify(method: string, params?: unknown): void {
    this.write(params === undefined ? { method } : { method, params });
  }

  /** Answers server->client requests of `method` with the handler's return value (as `result`). Unhandled ones get error -32601. */
  onRequest(method: string, handler: RequestHandler): void {
    this.requestHandlers.set(method, handler);
  }

  /** Resolves with the first notification (already received or future) matching `predicate`. */
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

  private write(msg: Record<string, unknown>): void {
    this.proc.child.stdin.write(JSON.stringify(msg) + '\n');
  }

  private onLine(line: string): void {
    if (!line.trim()) return;
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(line) as Record<string, unknown>;
    } catch {
      this.badLines.push(line);
      return;
    }
    const id = msg.id as number | string | undefined;
    const method = msg.method as string | undefined;
    if (method !== undefined && id !== undefined) {
      void this.answerServerRequest({ id, method, params: msg.params });
    } else if (method !== undefined) {
      const n: JsonRpcNotification = { method, params: msg.params };
      this.notifications.push(n);
      for (const l of [...this.listeners]) l(n);
    } else if (id !== undefined) {
      const p = this.pending.get(id);
      if (!p) return;
      this.pending.delete(id);
      const err = msg.error as { code?: number; message?: string; data?: unknown } | undefined;
      if (err) p.reject(new JsonRpcError(p.method, err.code ?? 0, err.data, err.message ?? 'unknown error'));
      else p.resolve(msg.result);
    }
  }

  private async answerServerRequest(req: JsonRpcServerRequest): Promise<void> {
    this.serverRequests.push(req);
    const handler = this.requestHandlers.get(req.method);
    if (!handler) {
      this.write({ id: req.id, error: { code: -32601, message: `test client has no handler for ${req.method}` } });
      return;
    }
    try {
      this.write({ id: req.id, result: await handler(req) });
    } catch (err) {
      this.write({ id: req.id, error: { code: -32603, message: String(err) } });
    }
  }
}
