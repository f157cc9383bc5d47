/**
 * Starts a Codex session through the governance server's `codex` tool and finds its id while the
 * first turn still runs: the call answers only when the turn ends (minutes, or never for a turn
 * waiting on an approval), but the session is listed by `codex-session-info` from its start.
 */
import type { TurnAnswer } from '../../client/sessions';
import type { GovernanceClient, SessionSummary } from '../../client/types';
import type { SandboxMode } from '../../supervisor/backend';

export interface NewSessionRequest {
  prompt: string;
  sandbox: SandboxMode;
  /** Working directory; the server's default when absent. */
  cwd?: string;
}

export interface StartedSession {
  sessionId: string;
  /** The `codex` call: resolves with the first turn's answer, rejects with its error. */
  turn: Promise<TurnAnswer>;
}

export const SANDBOX_CHOICES: ReadonlyArray<{ value: SandboxMode; detail: string }> = [
  { value: 'workspace-write', detail: 'Reads anything, writes only in the workspace (the default)' },
  { value: 'read-only', detail: 'Reads files and runs read-only commands; changes nothing' },
  { value: 'danger-full-access', detail: 'No sandbox at all: needs your approval before it starts' },
];

/**
 * Calls `codex` and resolves with the new session's id as soon as the server lists it (a session
 * that was not listed before, with this prompt and working directory), or when the call answers.
 * @param pollMs how often (ms) the list is read while waiting; change events also trigger a read
 * @throws GovernanceClientError of the `codex` call when it fails before the session is listed
 *   (e.g. `forbidden` when full access was denied)
 */
export async function startSession(client: GovernanceClient, req: NewSessionRequest, pollMs = 300): Promise<StartedSession> {
  const before = new Set((await client.listSessions()).map((s) => s.session_id));
  const args: Record<string, unknown> = { prompt: req.prompt, sandbox: req.sandbox };
  if (req.cwd) args.cwd = req.cwd;
  const turn = client.callTool('codex', args).then((r) => r as unknown as TurnAnswer);
  // The caller may never await the turn (the panel shows its outcome); no unhandled rejection.
  turn.catch(() => undefined);
  let settled: { ok: true; value: TurnAnswer } | { ok: false; error: unknown } | undefined;
  turn.then(
    (value) => (settled = { ok: true, value }),
    (error: unknown) => (settled = { ok: false, error }),
  );
  let wake: (() => void) | undefined;
  const off = client.onDidChange((topics) => {
    if (topics.has('sessions')) wake?.();
  });
  try {
    for (;;) {
      const found = (await client.listSessions()).find((s) => !before.has(s.session_id) && matches(s, req));
      if (found) return { sessionId: found.session_id, turn };
      if (settled?.ok) return { sessionId: settled.value.session_id, turn };
      if (settled && !settled.ok) throw settled.error;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
        void turn.then(wake, wake);
      });
      wake = undefined;
    }
  } finally {
    off();
  }
}

function matches(s: SessionSummary, req: NewSessionRequest): boolean {
  // The transcript keeps at most 500 characters of the prompt.
  const samePrompt = typeof s.prompt === 'string' && req.prompt.startsWith(s.prompt.replace(/…$/, ''));
  return samePrompt && (!req.cwd || s.cwd === req.cwd);
}
