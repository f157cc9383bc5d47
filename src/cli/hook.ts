/**
 * `codex-governance hook [--data-dir DIR] [--server URL] [--offline defer|deny] [--timeout-ms N]`:
 * the command Codex runs as a `command` hook (docs/codex-hooks.md). It reads one event JSON on
 * stdin, sends it to the governance server of the data directory (`POST /v1/hooks/codex`, found
 * like `bridge` finds it: ./running-server) and prints Codex's decision JSON on stdout, or nothing
 * (no decision: Codex's own approvals and sandbox apply). It always exits 0: Codex reads a
 * non-zero exit as a failed hook, and exit 2 would block with stderr as the reason.
 *
 * Never weaker than Codex alone: when the server is not running, refuses, fails or does not answer
 * within `--timeout-ms` (default 200 ms; for PermissionRequest that bounds connecting, after which
 * the hook waits for the person's answer until the server's approval timeout), the `--offline`
 * rule decides: `defer` (default) prints nothing, `deny` blocks the tool call / denies the
 * approval. Nothing here ever turns a failure into an allow; only the server's answer can allow a
 * PermissionRequest. Spawned per tool call, so it imports only what it needs (node:http, the data
 * directory lookup) and is bundled on its own as dist/hook.js (./hook-main).
 */
import { request } from 'node:http';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { checkedDecision, codexHookOutput, offlineDecision, OFFLINE_MODES, type HookDecision, type OfflineMode } from '../hooks/decisions';
import { agentIdForSession, MAX_HOOK_EVENT_BYTES } from '../hooks/events';
import { defaultDataDir, findRunningServer, firstAcceptedToken, TokenRefused } from './running-server';

/**
 * Default deadline for the server's answer, ms (connect only, for PermissionRequest). The issue's
 * budget is 300 ms until the fallback; a loaded machine fires timers up to ~70 ms late (bench/hooks.ts
 * measured a 321 ms fallback at 250), and a server that is up answers in p95 14 ms.
 */
export const DEFAULT_HOOK_TIMEOUT_MS = 200;
/** Longest a PermissionRequest waits for the person once connected, ms: the approval policy's maximum timeout (86,400 s) plus slack. */
export const MAX_APPROVAL_WAIT_MS = 86_400_000 + 10_000;

export interface HookIo {
  stdin: NodeJS.ReadableStream;
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  env: NodeJS.ProcessEnv;
}

interface HookOptions {
  dataDir: string;
  server?: string;
  offline: OfflineMode;
  timeoutMs: number;
}

/** Runs the hook; resolves to the exit code (always 0, see the module doc). */
export async function runHookCommand(args: string[], io: HookIo): Promise<number> {
  let options: HookOptions;
  try {
    options = hookOptions(args, io.env);
  } catch (err) {
    // A broken command line must not decide anything by itself: say so, and apply the strict rule.
    io.stderr.write(`codex-governance hook: ${(err as Error).message}\n`);
    options = { dataDir: defaultDataDir(io.env), offline: 'deny', timeoutMs: DEFAULT_HOOK_TIMEOUT_MS };
  }
  let text: string;
  let event: { hook_event_name?: unknown; session_id?: unknown };
  try {
    text = await readAll(io.stdin);
    event = JSON.parse(text) as typeof event;
  } catch (err) {
    io.stderr.write(`codex-governance hook: could not read the hook event on stdin (${(err as Error).message}); no decision, Codex decides.\n`);
    return 0;
  }
  const eventName = typeof event?.hook_event_name === 'string' ? event.hook_event_name : '';
  const decision = await decide(text, eventName, typeof event?.session_id === 'string' ? event.session_id : '', options, io);
  const output = codexHookOutput(eventName, decision);
  if (output) io.stdout.write(`${JSON.stringify(output)}\n`);
  return 0;
}

async function decide(body: string, eventName: string, sessionId: string, options: HookOptions, io: HookIo): Promise<HookDecision> {
  const offline = (why: string): HookDecision => {
    io.stderr.write(`codex-governance hook: ${why}; offline rule "${options.offline}".\n`);
    return offlineDecision(eventName, options.offline, why);
  };
  let found;
  try {
    found = findRunningServer({ dataDir: options.dataDir, env: io.env, ...(options.server ? { server: options.server } : {}) });
  } catch (err) {
    return offline((err as Error).message);
  }
  let tried;
  try {
    tried = await firstAcceptedToken(found, async (token) => {
      const answer = await post(`${found.url}/v1/hooks/codex`, body, token.token, sessionId ? agentIdForSession(sessionId) : undefined, eventName === 'PermissionRequest', options.timeoutMs);
      return answer.status === 401 ? new TokenRefused('HTTP 401') : answer;
    });
  } catch (err) {
    return offline(`the governance server at ${found.url} did not answer (${(err as Error).message})`);
  }
  if ('refused' in tried) return offline(tried.refused.message);
  const answer = tried.value;
  if (answer.status === 400) {
    io.stderr.write(`codex-governance hook: the server refused the event: ${answer.body.slice(0, 500)}\n`);
    return { kind: 'none' };
  }
  if (answer.status !== 200) return offline(`the governance server answered HTTP ${answer.status}: ${answer.body.slice(0, 300)}`);
  try {
    return checkedDecision(eventName, (JSON.parse(answer.body) as { decision?: unknown }).decision);
  } catch {
    return offline('the governance server sent an unreadable answer');
  }
}

function hookOptions(args: string[], env: NodeJS.ProcessEnv): HookOptions {
  const { values } = parseArgs({ args, options: { 'data-dir': { type: 'string' }, server: { type: 'string' }, offline: { type: 'string' }, 'timeout-ms': { type: 'string' } }, strict: true });
  const offline = values.offline ?? 'defer';
  if (!(OFFLINE_MODES as readonly string[]).includes(offline)) throw new Error(`--offline must be defer or deny, got "${offline}" (codexGovernance.hooks.offline).`);
  const timeoutMs = values['timeout-ms'] === undefined ? DEFAULT_HOOK_TIMEOUT_MS : Number(values['timeout-ms']);
  if (!(Number.isInteger(timeoutMs) && timeoutMs >= 1 && timeoutMs <= 600_000)) throw new Error(`--timeout-ms must be a whole number of milliseconds from 1 to 600000, got "${values['timeout-ms']}".`);
  return { dataDir: resolve(values['data-dir'] ?? defaultDataDir(env)), ...(values.server ? { server: values.server } : {}), offline: offline as OfflineMode, timeoutMs };
}

function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolveRead, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (c: Buffer | string) => {
      const b = typeof c === 'string' ? Buffer.from(c) : c;
      size += b.length;
      if (size > MAX_HOOK_EVENT_BYTES) reject(new Error(`the event is larger than ${MAX_HOOK_EVENT_BYTES} bytes`));
      else chunks.push(b);
    });
    stream.on('end', () => resolveRead(Buffer.concat(chunks).toString('utf8')));
    stream.on('error', reject);
  });
}

/**
 * POSTs the event. `timeoutMs` bounds the whole exchange, or only connecting and sending when
 * `waitForPerson` (a PermissionRequest, answered when a person has decided).
 */
function post(url: string, body: string, token: string, agentId: string | undefined, waitForPerson: boolean, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolvePost, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}`, ...(agentId ? { 'x-session-id': agentId } : {}), 'user-agent': 'codex-governance-hook' },
    });
    const fail = (why: string) => {
      req.destroy();
      reject(new Error(why));
    };
    let timer = setTimeout(() => fail(`no answer within ${timeoutMs} ms`), timeoutMs);
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    if (waitForPerson) {
      req.on('finish', () => {
        clearTimeout(timer);
        timer = setTimeout(() => fail(`no approval answer within ${MAX_APPROVAL_WAIT_MS} ms`), MAX_APPROVAL_WAIT_MS);
      });
    }
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        resolvePost({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    req.end(body);
  });
}
