/**
 * Starts a Codex session through the governance server's `codex` tool and learns its id while the
 * first turn still runs: the call answers only when the turn ends (minutes, or never for a turn
 * waiting on an approval), but the tool announces the session as soon as it exists.
 */
import type { TurnAnswer } from '../../client/sessions';
import type { GovernanceClient } from '../../client/types';
import type { ToolArgs } from '../../server/tools/catalog';
import type { SandboxMode } from '../../supervisor/backend';
import { APPROVAL_POLICIES, type AcceptedApprovalPolicy } from '../../supervisor/capabilities';

export interface NewSessionRequest {
  prompt: string;
  sandbox: SandboxMode;
  /** Working directory; the server's default when absent. */
  cwd?: string;
  /** Model name; Codex's configured default when absent. */
  model?: string;
  /** When Codex asks before acting; Codex's configured default when absent (the server refuses one the installed Codex does not take, naming those it does). */
  approvalPolicy?: AcceptedApprovalPolicy;
}

/** The approval policies a new session can ask for, with what each means (Codex's `AskForApproval`). */
export const APPROVAL_POLICY_CHOICES: ReadonlyArray<{ value: AcceptedApprovalPolicy; detail: string }> = APPROVAL_POLICIES.map((value) => ({
  value,
  detail:
    value === 'untrusted'
      ? 'Asks before any command that is not known to be safe'
      : value === 'on-request'
        ? 'Codex decides when to ask (the usual choice)'
        : 'Never asks: commands that need more than the sandbox fail',
}));

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
 * Calls `codex` and resolves with the new session's id as soon as the server announces it (the
 * tool's `codex-session-started` announcement, sent once the session exists and before Codex is
 * even started), or when the call answers first.
 * @throws GovernanceClientError of the `codex` call when it fails before the session exists
 *   (e.g. `forbidden` when full access was denied)
 */
export function startSession(client: GovernanceClient, req: NewSessionRequest): Promise<StartedSession> {
  return new Promise<StartedSession>((resolve, reject) => {
    const args: ToolArgs<'codex'> = {
      prompt: req.prompt,
      sandbox: req.sandbox,
      ...(req.cwd ? { cwd: req.cwd } : {}),
      ...(req.model ? { model: req.model } : {}),
      ...(req.approvalPolicy ? { 'approval-policy': req.approvalPolicy } : {}),
    };
    const turn = client.callTool('codex', args, {
      onAnnounce: (a) => {
        if (a.type === 'codex-session-started' && typeof a.data.session_id === 'string') resolve({ sessionId: a.data.session_id, turn });
      },
    });
    // The caller may never await the turn (the panel shows its outcome); no unhandled rejection.
    turn.then((answer) => resolve({ sessionId: answer.session_id, turn }), reject);
  });
}
