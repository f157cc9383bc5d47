/**
 * `codex-governance agent run "<task>"`: a governed OpenAI agent run (src/agent/runner) from the
 * terminal, against the running governance server (HTTP client, `--server` or the data directory's
 * server), printing its events for people or, with `--json`, one JSON line per event.
 *
 * Exit codes: 0 done, 1 error, 2 usage (bad flags, no API key), 3 paused by governance,
 * 4 max steps, 5 deadline, 6 refused by the model, 130 stopped (SIGINT).
 */
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import OpenAI from 'openai';
import { HttpGovernanceClient } from '../client/http';
import { GovernanceClientError } from '../client/types';
import { defaultCodexHome } from '../config/discover';
import type { AgentEvent, RunEndReason } from '../agent/events';
import { runAgent } from '../agent/runner';
import { cliOptionNames } from '../agent/option-names';
import { formatEvent } from '../agent/format';
import { defaultDataDir, findRunningServer, firstAcceptedToken, ServerNotFoundError, TokenRefused } from './running-server';

export const AGENT_USAGE = `codex-governance agent run "<task>" [options]

A model on any OpenAI-compatible API works on the task with the governance tools and the tools of the
MCP servers in your Codex config; every step is governed by the governance server.

Model:
  --model M                  model name (default $OPENAI_MODEL, else gpt-4.1-mini)
  --base-url URL             OpenAI-compatible base URL (default $OPENAI_BASE_URL, else https://api.openai.com/v1)
  --api-key-env VAR          environment variable holding the API key (default OPENAI_API_KEY)
  --api chat|responses       Chat Completions (default) or the Responses API
  --no-stream                whole answers instead of streamed text
  --request-timeout-seconds S  one model request (default 120); --max-retries N (0..5, default 2)
Run:
  --max-steps N              most model turns (default 20)
  --timeout-seconds S        deadline of the whole run (default 600)
  --mcp-config FILE          Codex config with [mcp_servers] (default $CODEX_HOME/config.toml); --no-mcp: none
  --task-id ID               claim this queued task, use its description as the task, complete it on
                             success, release it (back to pending) on any failure
  --agent-id ID              the governance agent id (default openai-agent-<run id>)
Governance server:
  --server URL               default: the server running for --data-dir (token from its token file or
                             CODEX_GOVERNANCE_TOKEN)
  --data-dir DIR             default $CODEX_GOVERNANCE_DATA_DIR, else ~/.codex-governance
Output:
  --json                     one JSON line per event (run-started, governance, model-text-delta, model-turn,
                             usage, tool-call, tool-decision, tool-result, run-ended)

Exit codes: 0 done, 1 error, 2 usage or no API key, 3 paused by governance, 4 max steps, 5 deadline,
6 refused by the model, 130 stopped.
`;

const EXIT: Record<RunEndReason, number> = { done: 0, error: 1, paused: 3, max_steps: 4, deadline: 5, refused: 6, aborted: 130 };

export interface AgentCommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  /** Aborted on SIGINT / SIGTERM. */
  signal: AbortSignal;
}

class UsageError extends Error {}

function positiveInt(name: string, value: string | undefined, fallback: number, max = Number.MAX_SAFE_INTEGER, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got "${value}".`);
  return n;
}

function positiveSeconds(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number of seconds > 0, got "${value}".`);
  return n;
}

/** Runs `agent <sub> ...`; resolves to the exit code. */
export async function runAgentCommand(args: string[], io: AgentCommandIo): Promise<number> {
  const [sub, ...rest] = args;
  if (!sub || sub === '--help' || sub === '-h' || sub === 'help') {
    io.stdout.write(AGENT_USAGE);
    return sub ? 0 : 2;
  }
  if (sub !== 'run') {
    io.stderr.write(`Unknown agent command "${sub}".\n\n${AGENT_USAGE}`);
    return 2;
  }
  try {
    return await run(rest, io);
  } catch (err) {
    if (err instanceof UsageError || (err instanceof TypeError && 'code' in err)) {
      io.stderr.write(`codex-governance agent run: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

async function run(args: string[], io: AgentCommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      model: { type: 'string' },
      'base-url': { type: 'string' },
      'api-key-env': { type: 'string', default: 'OPENAI_API_KEY' },
      api: { type: 'string', default: 'chat' },
      'no-stream': { type: 'boolean', default: false },
      'request-timeout-seconds': { type: 'string' },
      'max-retries': { type: 'string' },
      'max-steps': { type: 'string' },
      'timeout-seconds': { type: 'string' },
      'mcp-config': { type: 'string' },
      'no-mcp': { type: 'boolean', default: false },
      'task-id': { type: 'string' },
      'agent-id': { type: 'string' },
      server: { type: 'string' },
      'data-dir': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    io.stdout.write(AGENT_USAGE);
    return 0;
  }
  const env = io.env;
  const api = values.api;
  if (api !== 'chat' && api !== 'responses') throw new UsageError(`--api must be chat or responses, got "${api}".`);
  const prompt = positionals.join(' ').trim();
  if (!prompt && !values['task-id']) throw new UsageError('Give the task in quotes (agent run "fix the failing test"), or --task-id ID of a queued task.');
  const maxSteps = positiveInt('max-steps', values['max-steps'], 20, 1000);
  const timeoutSeconds = positiveSeconds('timeout-seconds', values['timeout-seconds'], 600);
  const requestTimeoutSeconds = positiveSeconds('request-timeout-seconds', values['request-timeout-seconds'], 120);
  const maxRetries = positiveInt('max-retries', values['max-retries'], 2, 5, 0);
  const keyVar = values['api-key-env'];
  const apiKey = env[keyVar]?.trim();
  if (!apiKey) {
    io.stderr.write(`codex-governance agent run: no API key: the environment variable ${keyVar} is not set. Set ${keyVar} to your key${keyVar === 'OPENAI_API_KEY' ? ', or name another variable with --api-key-env' : ''}.\n`);
    return 2;
  }
  const baseUrl = (values['base-url'] ?? env.OPENAI_BASE_URL?.trim() ?? 'https://api.openai.com/v1').replace(/\/+$/, '');
  try {
    new URL(baseUrl);
  } catch {
    throw new UsageError(`--base-url ${JSON.stringify(baseUrl)} is not a URL; use e.g. https://api.openai.com/v1.`);
  }
  const model = values.model ?? (env.OPENAI_MODEL?.trim() || 'gpt-4.1-mini');

  const runId = randomUUID();
  const agentId = values['agent-id'] ?? `openai-agent-${runId.slice(0, 8)}`;
  const client = await connectServer(values.server, resolve(values['data-dir'] ?? defaultDataDir(env)), env, agentId, io);
  if (typeof client === 'number') return client;
  const openai = new OpenAI({ apiKey, baseURL: baseUrl, timeout: requestTimeoutSeconds * 1000, maxRetries });
  const write = values.json ? (e: AgentEvent) => io.stdout.write(`${JSON.stringify(e)}\n`) : humanWriter(io.stdout);
  const ended = await runAgent({
    client,
    openai,
    api: api,
    model,
    stream: !values['no-stream'],
    prompt,
    ...(values['task-id'] ? { taskId: values['task-id'] } : {}),
    agentId,
    runId,
    maxSteps,
    timeoutMs: timeoutSeconds * 1000,
    ...(values['no-mcp'] ? {} : { mcp: { configFile: resolve(values['mcp-config'] ?? join(defaultCodexHome(env), 'config.toml')), env } }),
    signal: io.signal,
    onEvent: write,
    errorContext: { baseUrl, model, requestTimeoutSeconds, maxRetries },
    names: cliOptionNames(keyVar),
  });
  client.dispose();
  return EXIT[ended.reason];
}

/** The HTTP client of the governance server, with the first token it accepts; or an exit code after a message. */
async function connectServer(server: string | undefined, dataDir: string, env: NodeJS.ProcessEnv, agentId: string, io: AgentCommandIo): Promise<HttpGovernanceClient | number> {
  let found;
  try {
    found = findRunningServer({ dataDir, env, ...(server ? { server } : {}) });
  } catch (err) {
    if (!(err instanceof ServerNotFoundError)) throw err;
    io.stderr.write(`codex-governance agent run: ${err.message} Or pass --server URL.\n`);
    return 1;
  }
  try {
    const tried = await firstAcceptedToken(found, async (t) => {
      // X-Session-ID = the agent: its own rate-limit bucket and identity.
      const http = new HttpGovernanceClient(found.url, () => Promise.resolve(t.token), { sessionId: agentId, timeoutMs: 15_000 });
      try {
        await http.listTools();
        return http;
      } catch (err) {
        http.dispose();
        if (err instanceof GovernanceClientError && err.code === 'unauthorized') return new TokenRefused(err.message);
        throw err;
      }
    });
    if ('value' in tried) return tried.value;
    io.stderr.write(`codex-governance agent run: ${tried.refused.message}. Set CODEX_GOVERNANCE_TOKEN to the server's token.\n`);
  } catch (err) {
    io.stderr.write(`codex-governance agent run: the governance server at ${found.url} (from ${found.urlSource}) cannot be used: ${err instanceof Error ? err.message : String(err)}. Start it (codex-governance serve, or VS Code) or fix --server.\n`);
  }
  return 1;
}

function humanWriter(out: NodeJS.WritableStream): (e: AgentEvent) => void {
  let midLine = false;
  return (e) => {
    if (e.type === 'model-text-delta') {
      out.write(midLine ? e.delta : `[${e.step}] model: ${e.delta}`);
      midLine = true;
      return;
    }
    const streamed = midLine;
    if (midLine) out.write('\n');
    midLine = false;
    const line = formatEvent(e, streamed);
    if (line) out.write(`${line}\n`);
  };
}
