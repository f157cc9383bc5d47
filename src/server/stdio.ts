/**
 * The governance server over stdio (`codex-governance stdio`): the same tools as over HTTP, for
 * MCP clients that spawn their servers. stdout carries only JSON-RPC; logs go to stderr.
 */
import { randomUUID } from 'node:crypto';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Logger } from '../util/log';
import { VERSION } from '../version';
import type { CodexSupervisorOptions } from '../supervisor/api';
import { createGovernanceApp, type GovernanceApp, type GovernanceApprovalOptions } from './app';
import { createMcpServer } from './mcp';

export interface RunningStdioServer {
  /** Resolves when the client closes stdin. */
  closed: Promise<void>;
  /** In-process access for the host (approvals prompter, tests). */
  app: GovernanceApp;
  close(): Promise<void>;
}

export async function runStdioServer(options: {
  dataDir: string;
  logger: Logger;
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
  /** Codex supervisor settings (see ./app). */
  codex?: CodexSupervisorOptions;
  /** Approval policy and prompter (see ./app). */
  approvals?: GovernanceApprovalOptions;
  /** The folders the person works in (see ./app). */
  workspaceRoots?: readonly string[];
}): Promise<RunningStdioServer> {
  const app = await createGovernanceApp({ dataDir: options.dataDir, logger: options.logger, hostKind: 'stdio', port: null, codex: options.codex, approvals: options.approvals, workspaceRoots: options.workspaceRoots });
  const session = randomUUID().slice(0, 8);
  const server = createMcpServer(app.registry, {
    version: VERSION,
    identity: (srv) => {
      const info = srv.server.getClientVersion();
      const name = (info?.name ?? 'stdio-client').toLowerCase().replace(/[^a-z0-9_.-]+/g, '-');
      return { agentId: `${name}-${session}`, anonymous: false, transport: 'stdio', clientName: info?.name, clientVersion: info?.version };
    },
  });
  const transport = new StdioServerTransport(options.stdin as never, options.stdout as never);
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  transport.onclose = () => resolveClosed();
  (options.stdin ?? process.stdin).on('end', () => resolveClosed());
  await server.connect(transport);
  options.logger.info(`Governance server on stdio (data: ${options.dataDir})`);
  let closing: Promise<void> | undefined;
  return {
    closed,
    app,
    close: () =>
      (closing ??= (async () => {
        await server.close().catch(() => undefined);
        await app.close();
      })()),
  };
}
