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

/** What `POST /v1/tools/call` answers (the seed's shape). */
export interface ToolBody {
  success: boolean;
  result?: Record<string, unknown>;
  error?: { code: string; message: string };
}

/**
 * Calls a tool over `POST /v1/tools/call` as the agent `sessionId` (X-Session-ID), the way an
 * OpenAI function-calling app does. Never throws for a tool error: the body says it.
 */
export async function callTool(url: string, token: string, sessionId: string, name: string, args: Record<string, unknown>): Promise<ToolBody> {
  const res = await fetch(`${url}/v1/tools/call`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-session-id': sessionId },
    body: JSON.stringify({ name, arguments: args }),
  });
  return (await res.json()) as ToolBody;
}

/**
 * Polls `probe` every `intervalMs` (ms) until it returns something other than undefined.
 * @throws Error after `timeoutMs` (ms).
 */
export async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = 30_000, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms.`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * Runs `shoot('dark')` in Default Dark Modern, then `shoot('light')` in Default Light Modern (each
 * after the theme applied and `settleMs` for webviews to repaint), then restores the user's theme.
 */
export async function inBothThemes(shoot: (suffix: 'dark' | 'light') => Promise<unknown>, settleMs = 800): Promise<void> {
  const config = vscode.workspace.getConfiguration('workbench');
  try {
    for (const [theme, kind, suffix] of [['Default Dark Modern', vscode.ColorThemeKind.Dark, 'dark'], ['Default Light Modern', vscode.ColorThemeKind.Light, 'light']] as const) {
      await config.update('colorTheme', theme, vscode.ConfigurationTarget.Global);
      await until(() => Promise.resolve(vscode.window.activeColorTheme.kind === kind ? true : undefined), 10_000);
      await new Promise((r) => setTimeout(r, settleMs));
      await shoot(suffix);
    }
  } finally {
    await config.update('colorTheme', undefined, vscode.ConfigurationTarget.Global);
  }
}
