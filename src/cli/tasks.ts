/**
 * `codex-governance tasks generate|list`: seed 003's task generator (an OpenAI model proposes tasks,
 * each validated against the queue's JSON Schema, posted only with `--post`) and a look at the queue.
 *
 * Exit codes: 0 done; 1 the model, its reply, the server (not running, no token, token refused)
 * or a post failed (the message names the cause; nothing is posted unless every task is valid);
 * 2 bad usage or no API key.
 */
import { parseArgs } from 'node:util';
import { buildTaskPrompt, GENERATE_LIMITS, GeneratedReplyError, isoDay, sampleTasks, taskResponseFormat, type GeneratedTask } from '../tasks/generator';
import { DEFAULT_BASE_URL, ModelCallError, requestGeneratedTasks } from '../tasks/generator-model';
import { checkTaskServer, listTasks, postTasks, ServerError, type ServerTarget } from '../tasks/generator-post';
import { TASK_STATUSES } from '../tasks/repository';
import { TASK_LIMITS } from '../tasks/service';
import { findRunningServer, firstAcceptedToken, ServerNotFoundError, TokenRefused } from './running-server';

export interface TasksCommandIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: NodeJS.ProcessEnv;
  /** The data directory `serve` uses by default (its token file is the fallback token). */
  defaultDataDir: string;
  /** Clock for "today" in the prompt and the samples' due dates, ms. */
  now?: () => number;
}

const DEFAULT_MODEL = 'gpt-4.1-mini';
const DEFAULT_TIMEOUT_S = 120;
const SERVER_TIMEOUT_MS = 15_000;

export const TASKS_USAGE = `Usage:
  codex-governance tasks generate --count N [--dry-run | --post] [options]
  codex-governance tasks list [--status S] [--tag T] [--limit N] [--server URL] [--json]

generate: asks an OpenAI model (Chat Completions, Structured Outputs) for N tasks, validates every
one against the task queue's JSON Schema and shows them; nothing is posted unless all are valid.
  --count N               how many tasks, ${GENERATE_LIMITS.minCount}..${GENERATE_LIMITS.maxCount} (required)
  --dry-run               no model call and no network: print the request (messages, JSON Schema)
                          and sample tasks, which are never posted
  --post                  post the tasks to the governance server (POST /tasks, X-AGENT-TOKEN)
  --topic TEXT            what the tasks should be about
  --prompt TEXT           the whole user message instead (not with --topic)
  --model NAME            model (default ${DEFAULT_MODEL}; it must support json_schema response formats)
  --base-url URL          OpenAI-compatible API root (default OPENAI_BASE_URL, else ${DEFAULT_BASE_URL})
  --api-key-env VAR       environment variable holding the API key (default OPENAI_API_KEY)
  --timeout-seconds S     deadline of the model call, retries included (default ${DEFAULT_TIMEOUT_S})
  --created-by NAME       the poster recorded on each task (default task-generator)
  --json                  print JSON instead of text

list: the queue by priority, then due date, then age.
  --status S              ${TASK_STATUSES.join(' | ')}
  --tag T, --limit N (1..${TASK_LIMITS.page}, default 20), --json

Server options (generate --post, list):
  --data-dir DIR          the server's data directory: the running server is found from DIR/owner.json
                          and its token in DIR/token, else CODEX_GOVERNANCE_TOKEN
                          (default CODEX_GOVERNANCE_DATA_DIR, else ~/.codex-governance)
  --server URL            the server's address instead (e.g. http://127.0.0.1:8765)
`;

class UsageError extends Error {}

/** Runs `tasks ...`; resolves to the exit code. */
export async function runTasksCommand(argv: string[], io: TasksCommandIo): Promise<number> {
  const [sub, ...rest] = argv;
  try {
    if (!sub || sub === '--help' || sub === '-h' || sub === 'help') {
      io.stdout.write(TASKS_USAGE);
      return sub ? 0 : 2;
    }
    if (sub === 'generate') return await generate(rest, io);
    if (sub === 'list') return await list(rest, io);
    throw new UsageError(`Unknown tasks command "${sub}": use generate or list.`);
  } catch (err) {
    const e = err as Error & { code?: string };
    if (err instanceof UsageError || (e.name === 'TypeError' && typeof e.code === 'string' && e.code.startsWith('ERR_PARSE_ARGS'))) {
      io.stderr.write(`error: ${e.message}\n\nFor more information, try 'codex-governance tasks --help'.\n`);
      return 2;
    }
    if (err instanceof GeneratedReplyError) {
      io.stderr.write(`The model's reply does not match the task schema; nothing was posted:\n${indent(err.message)}\n`);
      return 1;
    }
    if (err instanceof ModelCallError || err instanceof ServerError || err instanceof ServerNotFoundError) {
      io.stderr.write(`${e.message}\n`);
      return 1;
    }
    throw err;
  }
}

function integer(flag: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n < min || n > max) throw new UsageError(`--${flag} must be a whole number from ${min} to ${max}, got "${raw}".`);
  return n;
}

/**
 * The server to post to: `--server`, else the one that owns the data directory (its port from
 * owner.json), with the tokens to try (the data directory's token file, then CODEX_GOVERNANCE_TOKEN).
 * @throws ServerNotFoundError (no server runs for the data directory, no token); ServerError (down,
 *   not a governance server, every token refused)
 */
async function connect(values: { server?: string; 'data-dir'?: string }, io: TasksCommandIo): Promise<ServerTarget> {
  if (values.server !== undefined && !/^https?:\/\/[^/]+/.test(values.server)) throw new UsageError(`--server must be an http(s) URL such as http://127.0.0.1:8765, got "${values.server}".`);
  const found = findRunningServer({ dataDir: values['data-dir'] ?? io.defaultDataDir, env: io.env, server: values.server });
  const tried = await firstAcceptedToken(found, async (t) => {
    const target: ServerTarget = { url: found.url, token: t.token, tokenSource: t.source, timeoutMs: SERVER_TIMEOUT_MS };
    return (await checkTaskServer(target)) === 'accepted' ? target : new TokenRefused('HTTP 401');
  });
  if ('value' in tried) return tried.value;
  throw new ServerError(`${capitalized(tried.refused.message)}. Set CODEX_GOVERNANCE_TOKEN to the server's token, or pass the server's --data-dir (its token file).`);
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const SERVER_OPTIONS = { server: { type: 'string' }, 'data-dir': { type: 'string' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } } as const;

async function generate(argv: string[], io: TasksCommandIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      ...SERVER_OPTIONS,
      count: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      post: { type: 'boolean', default: false },
      topic: { type: 'string' },
      prompt: { type: 'string' },
      model: { type: 'string', default: DEFAULT_MODEL },
      'base-url': { type: 'string' },
      'api-key-env': { type: 'string', default: 'OPENAI_API_KEY' },
      'timeout-seconds': { type: 'string' },
      'created-by': { type: 'string', default: 'task-generator' },
    },
  });
  if (values.help) {
    io.stdout.write(TASKS_USAGE);
    return 0;
  }
  if (values.count === undefined) throw new UsageError(`--count is required: how many tasks to generate (${GENERATE_LIMITS.minCount}..${GENERATE_LIMITS.maxCount}).`);
  const count = integer('count', values.count, GENERATE_LIMITS.minCount, GENERATE_LIMITS.maxCount)!;
  if (values['dry-run'] && values.post) throw new UsageError('--dry-run posts nothing: use --dry-run to see the request, or --post to post generated tasks.');
  if (values.topic !== undefined && values.prompt !== undefined) throw new UsageError('--topic and --prompt both set: --prompt replaces the whole user message, so give one of them.');
  for (const f of ['topic', 'prompt', 'model', 'created-by'] as const) {
    if (values[f] !== undefined && !values[f].trim()) throw new UsageError(`--${f} is empty.`);
  }
  if (values['created-by'].length > TASK_LIMITS.agentId) throw new UsageError(`--created-by is longer than ${TASK_LIMITS.agentId} characters.`);
  const timeoutS = integer('timeout-seconds', values['timeout-seconds'], 1, 3600) ?? DEFAULT_TIMEOUT_S;
  const baseUrl = values['base-url'] ?? (io.env.OPENAI_BASE_URL?.trim() || undefined);
  if (baseUrl !== undefined && !/^https?:\/\/[^/]+/.test(baseUrl)) throw new UsageError(`--base-url must be an http(s) URL such as ${DEFAULT_BASE_URL}, got "${baseUrl}".`);
  const keyEnv = values['api-key-env'];
  const now = (io.now ?? Date.now)();
  const promptOptions = { count, topic: values.topic, prompt: values.prompt, today: isoDay(now) };

  if (values['dry-run']) {
    const request = { model: values.model, messages: buildTaskPrompt(promptOptions), response_format: taskResponseFormat(count) };
    const samples = sampleTasks(count, now);
    if (values.json) {
      io.stdout.write(`${JSON.stringify({ dry_run: true, base_url: baseUrl ?? DEFAULT_BASE_URL, api_key_env: keyEnv, request, samples }, null, 2)}\n`);
      return 0;
    }
    io.stdout.write(
      `Dry run: no model call, nothing posted.\n\n` +
        `Would ask ${values.model} at ${baseUrl ?? DEFAULT_BASE_URL} (API key from ${keyEnv}), POST /chat/completions:\n\n` +
        request.messages.map((m) => `[${m.role}]\n${indent(m.content)}\n`).join('\n') +
        `\n[response_format] ${request.response_format.type}, name ${request.response_format.json_schema.name}, strict:\n` +
        `${indent(JSON.stringify(request.response_format.json_schema.schema, null, 2))}\n\n` +
        `SAMPLE tasks (made up for illustration, not from a model; never posted):\n${formatTasks(samples)}`,
    );
    return 0;
  }

  const apiKey = io.env[keyEnv]?.trim();
  if (!apiKey) throw new UsageError(`No API key: set ${keyEnv} (or name another variable with --api-key-env), or use --dry-run to see the request without a model call.`);
  let target: ServerTarget | undefined;
  if (values.post) {
    // Found before the model is paid for: a stopped server or a wrong token.
    target = await connect(values, io);
  }
  const reply = await requestGeneratedTasks({ ...promptOptions, apiKey, apiKeyEnv: keyEnv, baseUrl, model: values.model, timeoutMs: timeoutS * 1000 });
  if (!target) {
    if (values.json) io.stdout.write(`${JSON.stringify({ model: reply.model, usage: reply.usage, tasks: reply.tasks, posted: [], not_posted: reply.tasks.map((_, i) => i + 1) }, null, 2)}\n`);
    else io.stdout.write(`${header(reply.tasks.length, reply.model, reply.usage)}${formatTasks(reply.tasks)}\nNot posted: add --post to post them to the governance server.\n`);
    return 0;
  }
  if (!values.json) io.stdout.write(`${header(reply.tasks.length, reply.model, reply.usage)}${formatTasks(reply.tasks)}\n`);
  const out = await postTasks(target, reply.tasks, values['created-by']);
  if (values.json) {
    io.stdout.write(`${JSON.stringify({ model: reply.model, usage: reply.usage, tasks: reply.tasks, posted: out.posted, not_posted: out.notPosted, failed: out.failed }, null, 2)}\n`);
  } else {
    io.stdout.write(`Posted ${out.posted.length} of ${reply.tasks.length} to ${target.url}${out.posted.length ? `: ${out.posted.map((p) => `${p.task}=${p.task_id}`).join(', ')}` : ''}\n`);
  }
  if (out.failed) {
    io.stderr.write(`Posting stopped at task ${out.failed.task}: ${out.failed.message}\nNot posted: task(s) ${out.notPosted.join(', ')}.${out.posted.length ? ` Already posted: ${out.posted.map((p) => p.task_id).join(', ')}.` : ''}\n`);
    return 1;
  }
  return 0;
}

async function list(argv: string[], io: TasksCommandIo): Promise<number> {
  const { values } = parseArgs({ args: argv, strict: true, options: { ...SERVER_OPTIONS, status: { type: 'string' }, tag: { type: 'string' }, limit: { type: 'string' } } });
  if (values.help) {
    io.stdout.write(TASKS_USAGE);
    return 0;
  }
  if (values.status !== undefined && !(TASK_STATUSES as readonly string[]).includes(values.status)) throw new UsageError(`--status must be one of ${TASK_STATUSES.join(', ')}, got "${values.status}".`);
  const limit = integer('limit', values.limit, 1, TASK_LIMITS.page) ?? 20;
  const page = await listTasks(await connect(values, io), { status: values.status, tag: values.tag, limit });
  if (values.json) {
    io.stdout.write(`${JSON.stringify(page, null, 2)}\n`);
    return 0;
  }
  io.stdout.write(`${page.tasks.length} of ${page.total} task(s)\n`);
  for (const t of page.tasks) {
    const holder = t.claimed_by ? ` by ${t.claimed_by}` : '';
    io.stdout.write(`  ${t.task_id}  ${t.status}${holder}  [${t.priority}]${t.due_date ? ` due ${t.due_date}` : ''}${t.tags.map((g) => ` #${g}`).join('')}\n${indent(oneLine(t.description), 4)}\n`);
  }
  return 0;
}

function header(n: number, model: string, usage: { prompt_tokens: number; completion_tokens: number } | null): string {
  return `${n} task(s) from ${model}${usage ? ` (${usage.prompt_tokens} prompt + ${usage.completion_tokens} completion tokens)` : ''}, each valid against the task schema:\n`;
}

function formatTasks(tasks: GeneratedTask[]): string {
  return tasks.map((t, i) => `  ${i + 1}. [${t.priority}] ${t.due_date ? `due ${t.due_date}` : 'no due date'}${t.tags.map((g) => ` #${g}`).join('')}\n${indent(oneLine(t.description, Infinity), 5)}\n`).join('');
}

function oneLine(s: string, max = 300): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}...` : flat;
}

function indent(text: string, n = 2): string {
  return text.split('\n').map((l) => ' '.repeat(n) + l).join('\n');
}
