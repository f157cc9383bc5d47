/**
 * An MCP client transport over a supervised child's stdin/stdout (newline-delimited JSON-RPC, as
 * MCP's stdio transport specifies). The SDK's own `StdioClientTransport` spawns its child without a
 * process group, so the supervisor could not end the commands Codex starts.
 */
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { ChildHandle } from './process';

export class ChildStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private readonly buffer = new ReadBuffer();
  private closed = false;

  constructor(
    private readonly proc: ChildHandle,
    private readonly killGraceMs = 2000,
  ) {}

  start(): Promise<void> {
    const { child } = this.proc;
    child.stdout.on('data', (chunk: Buffer) => {
      this.buffer.append(chunk);
      for (;;) {
        let msg: JSONRPCMessage | null;
        try {
          msg = this.buffer.readMessage();
        } catch (err) {
          this.onerror?.(err as Error);
          continue;
        }
        if (msg === null) break;
        this.onmessage?.(msg);
      }
    });
    void this.proc.exited.then(() => this.fireClose());
    return Promise.resolve();
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.closed || !this.proc.alive()) throw new Error('Codex mcp-server has exited');
    const { stdin } = this.proc.child;
    await new Promise<void>((resolve, reject) => {
      stdin.write(serializeMessage(message), (err) => (err ? reject(err) : resolve()));
    });
  }

  async close(): Promise<void> {
    await this.proc.kill(this.killGraceMs);
    this.fireClose();
  }

  private fireClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.buffer.clear();
    this.onclose?.();
  }
}
