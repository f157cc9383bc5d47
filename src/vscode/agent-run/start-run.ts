/**
 * Starts a governed agent run (src/agent/runner) for VS Code. Part of the on-demand bundle
 * (../on-demand.ts: the `openai` SDK and the MCP SDK are not parsed at activation), so it is handed
 * the extension's GovernanceClient, built in the other bundle: errors cross bundles by shape, and
 * {@link sameBundleErrors} turns the client's `GovernanceClientError`s into this bundle's class so the
 * runner's messages name their code. Messages name the settings and commands of VS Code
 * ({@link VSCODE_OPTION_NAMES}), not the CLI's flags.
 */
import OpenAI from 'openai';
import type { AgentEvent, RunEndedEvent } from '../../agent/events';
import { runAgent } from '../../agent/runner';
import { GovernanceClientError, type GovernanceClient } from '../../client/types';
import { VSCODE_OPTION_NAMES, type AgentRunSettings } from './run-settings';

export interface VsCodeRunOptions {
  client: GovernanceClient;
  apiKey: string;
  settings: AgentRunSettings;
  /** The task text; optional with `taskId`. */
  prompt?: string;
  taskId?: string;
  agentId: string;
  runId: string;
  /** The Codex config whose MCP servers the run offers; absent: governance tools only. */
  mcpConfigFile?: string;
  /** Where MCP servers read `env_vars` and bearer token variables. */
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  onEvent: (event: AgentEvent) => void;
}

/** Runs to the end; resolves with `run-ended`, never rejects (the runner's contract). */
export function startAgentRun(o: VsCodeRunOptions): Promise<RunEndedEvent> {
  const s = o.settings;
  const openai = new OpenAI({ apiKey: o.apiKey, baseURL: s.baseUrl, timeout: s.requestTimeoutSeconds * 1000, maxRetries: s.maxRetries });
  return runAgent({
    client: sameBundleErrors(o.client),
    openai,
    api: s.api,
    model: s.model,
    stream: true,
    ...(o.prompt ? { prompt: o.prompt } : {}),
    ...(o.taskId ? { taskId: o.taskId } : {}),
    agentId: o.agentId,
    runId: o.runId,
    maxSteps: s.maxSteps,
    timeoutMs: s.timeoutSeconds * 1000,
    ...(o.mcpConfigFile ? { mcp: { configFile: o.mcpConfigFile, env: o.env } } : {}),
    signal: o.signal,
    onEvent: o.onEvent,
    errorContext: { baseUrl: s.baseUrl, model: s.model, requestTimeoutSeconds: s.requestTimeoutSeconds, maxRetries: s.maxRetries },
    names: VSCODE_OPTION_NAMES,
  });
}

/** A `GovernanceClientError` of either bundle (same name and a string `code`). */
function clientErrorShape(err: unknown): { code: string; message: string } | undefined {
  if (!(err instanceof Error) || err.name !== 'GovernanceClientError') return undefined;
  const code = (err as Error & { code?: unknown }).code;
  return typeof code === 'string' ? { code, message: err.message } : undefined;
}

/** `client`, its `callTool` and `listTools` rethrowing client errors as this bundle's class. */
export function sameBundleErrors(client: GovernanceClient): GovernanceClient {
  const rethrow = (err: unknown): never => {
    const shape = clientErrorShape(err);
    throw shape && !(err instanceof GovernanceClientError) ? new GovernanceClientError(shape.code, shape.message) : err;
  };
  const callTool: GovernanceClient['callTool'] = (name, args, options) => client.callTool(name, args, options).catch(rethrow);
  const listTools: GovernanceClient['listTools'] = () => client.listTools().catch(rethrow);
  return new Proxy(client, {
    get(target, prop) {
      if (prop === 'callTool') return callTool;
      if (prop === 'listTools') return listTools;
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
