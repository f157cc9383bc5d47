/**
 * Entry point: `activate` creates the {@link Ctx} that owns everything and returns at once (the
 * server starts in the background); `deactivate` disposes it, which stops the server.
 */
import type * as vscode from 'vscode';
import type { CodexGovernanceApi } from './api';
import { Ctx } from './ctx';

let ctx: Ctx | undefined;

export function activate(context: vscode.ExtensionContext): CodexGovernanceApi {
  ctx = new Ctx(context);
  context.subscriptions.push({ dispose: () => void ctx?.dispose() });
  ctx.startInBackground();
  return ctx.api();
}

export async function deactivate(): Promise<void> {
  const current = ctx;
  ctx = undefined;
  await current?.dispose();
}
