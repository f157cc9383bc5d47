/**
 * `codex-governance codex --prompt TEXT [options]`: runs one Codex turn through the supervisor
 * (same path as the `codex` tool) and prints the reply; for scripts and for trying it by hand.
 * Approvals Codex asks for are denied (no prompter on a terminal yet). Ctrl-C cancels the turn
 * and ends Codex's processes.
 *
 * Exit codes: 0 answer printed; 1 Codex failed (error, deadline, Codex not found); 2 bad usage;
 * 130 cancelled by SIGINT/SIGTERM.
 */
import { parseArgs } from 'node:util';
import { APPROVAL_POLICY_VALUES, REASONING_EFFORT_VALUES, SANDBOX_VALUES, threadSettingsFrom, VERBOSITY_VALUES, type CodexToolArguments } from './arguments';
import { codexOptionsFromEnv } from './options';
import { CodexTurnError } from './errors';
import type { CodexSupervisorOptions } from './api';
import { CodexSupervisor } from './supervisor';

export const CODEX_USAGE = `Usage: codex-governance codex --prompt TEXT [options]

Runs one Codex turn through the Codex supervisor and prints the reply.

Options:
  --prompt TEXT              the prompt (required; "-" reads it from stdin)
  --sandbox MODE             read-only | workspace-write | danger-full-access (aliases isolated, full-access)
  --approval-policy POLICY   untrusted | on-request | never (the mcp-server backend: on-request | never)
  --full-auto                approval policy never
  --cwd DIR                  working directory (default: the current one)
  --model NAME               model override
  --reasoning-effort LEVEL   minimal | low | medium | high | xhigh
  --verbosity LEVEL          low | medium | high
  --codex-path PATH          Codex binary or npm wrapper (default: PATH, then the bundled copy)
  --backend KIND             auto | mcp-server | app-server (default auto: by Codex version)
  --timeout-ms N             deadline of the turn in ms (default 600000)
  --json                     print {"threadId","content","session_id"} instead of the text

Approval requests from Codex are denied (fail closed).
Environment: CODEX_GOVERNANCE_CODEX_PATH, CODEX_GOVERNANCE_CODEX_BACKEND, CODEX_GOVERNANCE_CODEX_TOOL_TIMEOUT_MS.
`;

export interface CodexCommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin?: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  /** Aborted on SIGINT/SIGTERM by the caller. */
  signal?: AbortSignal;
}

function oneOf<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${flag} "${value}" is not valid: use one of ${allowed.join(', ')}.`);
  return value as T;
}

class UsageError extends Error {}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
  return text;
}

/** Runs the command; resolves to the exit code. */
export async function runCodexCommand(argv: string[], io: CodexCommandIo): Promise<number> {
  let args: CodexToolArguments;
  let json: boolean;
  let supervisorOpts: CodexSupervisorOptions;
  try {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        prompt: { type: 'string' },
        sandbox: { type: 'string' },
        'approval-policy': { type: 'string' },
        'full-auto': { type: 'boolean' },
        cwd: { type: 'string' },
        model: { type: 'string' },
        'reasoning-effort': { type: 'string' },
        verbosity: { type: 'string' },
        'codex-path': { type: 'string' },
        backend: { type: 'string' },
        'timeout-ms': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      io.stdout.write(CODEX_USAGE);
      return 0;
    }
    let prompt = values.prompt;
    if (prompt === '-') prompt = io.stdin ? (await readAll(io.stdin)).trim() : '';
    if (!prompt) throw new UsageError('--prompt is required (a non-empty text, or "-" to read it from stdin).');
    args = { prompt };
    const sandbox = oneOf('sandbox', values.sandbox, SANDBOX_VALUES);
    if (sandbox) args.sandbox = sandbox;
    const policy = oneOf('approval-policy', values['approval-policy'], APPROVAL_POLICY_VALUES);
    if (policy) args['approval-policy'] = policy;
    if (values['full-auto']) args.full_auto = true;
    args.cwd = values.cwd ?? process.cwd();
    if (values.model) args.model = values.model;
    const effort = oneOf('reasoning-effort', values['reasoning-effort'], REASONING_EFFORT_VALUES);
    if (effort) args.reasoning_effort = effort;
    const verbosity = oneOf('verbosity', values.verbosity, VERBOSITY_VALUES);
    if (verbosity) args.verbosity = verbosity;
    json = values.json === true;
    supervisorOpts = { ...codexOptionsFromEnv(io.env), env: io.env, maxSessions: 1, warmSpares: 0, clientInfo: { name: 'codex-governance-cli', version: '1' } };
    if (values['codex-path']) supervisorOpts.codexPath = values['codex-path'];
    const backend = oneOf('backend', values.backend, ['auto', 'mcp-server', 'app-server'] as const);
    if (backend) supervisorOpts.backend = backend;
    if (values['timeout-ms'] !== undefined) {
      const n = Number(values['timeout-ms']);
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`--timeout-ms "${values['timeout-ms']}" is not valid: use a whole number of milliseconds >= 1.`);
      supervisorOpts.toolTimeoutMs = n;
    }
  } catch (err) {
    io.stderr.write(`${err instanceof Error ? err.message : String(err)}\n\n${CODEX_USAGE}`);
    return 2;
  }

  const supervisor = new CodexSupervisor(supervisorOpts);
  try {
    const result = await supervisor.run({ prompt: args.prompt, settings: threadSettingsFrom(args), mode: 'non-interactive' }, io.signal);
    io.stdout.write(json ? `${JSON.stringify({ threadId: result.threadId, content: result.content, session_id: result.sessionId })}\n` : `${result.content}\n`);
    return 0;
  } catch (err) {
    io.stderr.write(`codex: ${err instanceof Error ? err.message : String(err)}\n`);
    return err instanceof CodexTurnError && err.kind === 'cancelled' ? 130 : 1;
  } finally {
    await supervisor.close();
  }
}
