/** Latency and throughput measurement with real SDK Clients over Streamable HTTP. */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

export interface Target {
  url: string;
  headers: Record<string, string>;
  tool: string;
  /** Arguments for call number i (lets a benchmark vary queries). */
  args(i: number): Record<string, unknown>;
}

export interface LoadResult {
  /** Sequential round trips on one client. */
  p50Ms: number;
  p99Ms: number;
  /** Round trips measured during the concurrent run (what each of the 16 clients sees). */
  loadedP50Ms: number;
  loadedP99Ms: number;
  callsPerSecond: number;
  sequentialCalls: number;
  concurrentCalls: number;
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

async function connect(target: Target, name: string): Promise<Client> {
  const client = new Client({ name, version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${target.url}/mcp`), { requestInit: { headers: target.headers } }));
  return client;
}

/**
 * Ends the client's MCP session on the server (HTTP DELETE /mcp) and closes it: `close()` alone
 * leaves the session open until it idles out, and a server under repeated runs reaches its
 * maxMcpSessions.
 */
async function disconnect(client: Client): Promise<void> {
  await (client.transport as StreamableHTTPClientTransport | undefined)?.terminateSession();
  await client.close();
}

async function callOnce(client: Client, target: Target, i: number): Promise<void> {
  const r = (await client.callTool({ name: target.tool, arguments: target.args(i) })) as CallToolResult;
  if (r.isError) throw new Error(`${target.tool} failed: ${JSON.stringify(r.content)}`);
}

/**
 * Sequential round trips on one client (p50/p99, ms), then `clients` concurrent clients each doing
 * `perClient` calls (calls/s). Clients stay under ~1,000 calls each: the SDK client warns about
 * listeners past ~1,500 calls on one session.
 */
export async function measure(target: Target, opts: { sequential: number; clients: number; perClient: number; warmup: number }): Promise<LoadResult> {
  const solo = await connect(target, 'bench-solo');
  for (let i = 0; i < opts.warmup; i++) await callOnce(solo, target, i);
  const samples: number[] = [];
  for (let i = 0; i < opts.sequential; i++) {
    const t0 = performance.now();
    await callOnce(solo, target, i);
    samples.push(performance.now() - t0);
  }
  await disconnect(solo);
  samples.sort((a, b) => a - b);

  const clients = await Promise.all(Array.from({ length: opts.clients }, (_, k) => connect(target, `bench-${k}`)));
  for (const c of clients) for (let i = 0; i < 20; i++) await callOnce(c, target, i);
  const loaded: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    clients.map(async (c, k) => {
      for (let i = 0; i < opts.perClient; i++) {
        const s = performance.now();
        await callOnce(c, target, k * opts.perClient + i);
        loaded.push(performance.now() - s);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  loaded.sort((a, b) => a - b);
  await Promise.all(clients.map(disconnect));
  return {
    p50Ms: percentile(samples, 50),
    p99Ms: percentile(samples, 99),
    loadedP50Ms: percentile(loaded, 50),
    loadedP99Ms: percentile(loaded, 99),
    callsPerSecond: (opts.clients * opts.perClient) / seconds,
    sequentialCalls: opts.sequential,
    concurrentCalls: opts.clients * opts.perClient,
  };
}
