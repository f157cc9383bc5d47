/** Shared helpers for the integration suites (run inside VS Code's extension host). */
import { connect, createServer, type Server } from 'node:net';
import * as vscode from 'vscode';
import type { CodexGovernanceApi, ServerState } from '../../src/vscode/api';

export const EXTENSION_ID = 'codex-governance.codex-governance';

export async function activateExtension(): Promise<CodexGovernanceApi> {
  const ext = vscode.extensions.getExtension<CodexGovernanceApi>(EXTENSION_ID);
  if (!ext) throw new Error(`Extension ${EXTENSION_ID} is not loaded; check extensionDevelopmentPath.`);
  return ext.activate();
}

/** Resolves with the first state (current or later) that satisfies `test`. */
export function waitForState(api: CodexGovernanceApi, test: (s: ServerState) => boolean, timeoutMs = 30_000): Promise<ServerState> {
  if (test(api.state())) return Promise.resolve(api.state());
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`Server state did not reach the expected value within ${timeoutMs} ms; last: ${JSON.stringify(api.state())}`));
    }, timeoutMs);
    const sub = api.onDidChangeState((s) => {
      if (!test(s)) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(s);
    });
  });
}

/** The server token, read from SecretStorage through the "Copy Server Token" command and the clipboard. */
export async function readToken(): Promise<string> {
  await vscode.env.clipboard.writeText('');
  await vscode.commands.executeCommand('codexGovernance.copyToken');
  const token = await vscode.env.clipboard.readText();
  if (!token) throw new Error('Copy Server Token left the clipboard empty.');
  return token;
}

/** Resolves "refused" when nothing accepts TCP connections on 127.0.0.1:`port`, else "accepted". */
export function probePort(port: number): Promise<'accepted' | 'refused'> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('accepted');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNREFUSED' ? resolve('refused') : reject(err)));
  });
}

/** Holds a port open like "another program" would. */
export function occupyPort(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = createServer((s) => s.destroy());
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const addr = server.address();
      if (typeof addr !== 'object' || !addr) return reject(new Error('no address'));
      resolve({ server, port: addr.port });
    });
  });
}

export function configuredPort(): number {
  const port = vscode.workspace.getConfiguration('codexGovernance').get<number>('server.port');
  if (typeof port !== 'number') throw new Error('codexGovernance.server.port is not set for the test workspace.');
  return port;
}
