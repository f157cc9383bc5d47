/**
 * JSON-RPC over a child's stdio, one JSON object per line, as `codex app-server` speaks it
 * (openai/codex `codex-rs/app-server/README.md`: JSON-RPC 2.0 messages without the `"jsonrpc"`
 * field, newline-delimited). Requests both ways plus notifications.
 */
import { createInterface } from 'node:readline';
import type { ChildHandle } from './process';

export interface JsonRpcNotification {
  method: string;
  params?: unknown;
}

export interface JsonRpcServerRequest {
  id: number | string;
  method: string;
  params?: unknown;
}

/** The peer answered a request with a JSON-RPC error. */
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

/** The child exited (or stdout closed) while a request was pending. */
export class ChildExitedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChildExitedError';
  }
}

/** Answers a server->client request; the return value is sent as `result`, a throw as error -32603. */
export type ServerRequestHandler = (req: JsonRpcServerRequest) => Promise<unknown>;

export class JsonRpcLineClient {
  private nextId = 1;
  private readonly pending = new Map<number | string, { method: string; resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private closedError: Error | undefined;
  /** Receives every notification. */
  onNotification: (n: JsonRpcNotification) => void = () => undefined;
  /** Receives every server->client request; unset = error -32601. */
  onServerRequest: ServerRequestHandler | undefined;
  /** Receives every non-empty stdout line that is not JSON (such lines are otherwise ignored). */
  onUnparsedLine: (line: string) => void = () => undefined;

  constructor(private readonly proc: ChildHandle) {
    const rl = createInterface({ input: proc.child.stdout });
    rl.on('line', (line) => this.onLine(line));
    void proc.exited.then(({ code, signal }) => {
      this.closedError = new ChildExitedError(`Codex app-server exited (code ${code}, signal ${signal}); stderr tail: ${proc.stderrTail().slice(-1000)}`);
      for (const p of this.pending.values()) p.reject(this.closedError);
      this.pending.clear();
    });
  }

  /**
   * Sends a request and resolves with its `result`.
   * @throws JsonRpcError on an error answer; ChildExitedError if the child exits first; Error
   *   after `timeoutMs` (default 30 000 ms) without an answer.
   */
  request<T = unknown>(method: string, params: unknown, timeoutMs = 30_000): Promise<T> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`Codex app-server did not answer ${method} within ${timeoutMs} ms`));
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

  private write(msg: Record<string, unknown>): void {
    if (this.closedError || this.proc.child.stdin.destroyed) return;
    this.proc.child.stdin.write(JSON.stringify(msg) + '\n');
  }

  private onLine(line: string): void {
    if (!line.trim()) return;
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(line) as Record<string, unknown>;
    } catch {
      // Codex keeps stdout pure JSON-RPC; anything else is noise we must not act on.
      try {
        this.onUnparsedLine(line);
      } catch {
        // A listener bug must not stop the reader.
      }
      return;
    }
    const id = msg.id as number | string | undefined;
    const method = msg.method as string | undefined;
    if (method !== undefined && id !== undefined) {
      void this.answer({ id, method, params: msg.params });
    } else if (method !== undefined) {
      try {
        this.onNotification({ method, params: msg.params });
      } catch {
        // A listener bug must not stop the reader.
      }
    } else if (id !== undefined) {
      const p = this.pending.get(id);
      if (!p) return;
      this.pending.delete(id);
      const err = msg.error as { code?: number; message?: string; data?: unknown } | undefined;
      if (err) p.reject(new JsonRpcError(p.method, err.code ?? 0, err.data, err.message ?? 'unknown error'));
      else p.resolve(msg.result);
    }
  }

  private async answer(req: JsonRpcServerRequest): Promise<void> {
    if (!this.onServerRequest) {
      this.write({ id: req.id, error: { code: -32601, message: `Codex Governance does not handle ${req.method}` } });
      return;
    }
    try {
      this.write({ id: req.id, result: await this.onServerRequest(req) });
    } catch (err) {
      this.write({ id: req.id, error: { code: -32603, message: err instanceof Error ? err.message : String(err) } });
    }
  }
}
