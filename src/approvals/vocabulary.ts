/**
 * The approval vocabulary: one broker interface for every approval, whichever Codex backend (or
 * other asker) asked. Backends translate the broker's answer into Codex's own format (see
 * ../supervisor/approval-wire):
 * `codex mcp-server` reads a top-level `decision` (`approved`, `approved_for_session`,
 * `{denied:{rejection}}`) in the `elicitation/create` result; `codex app-server` reads
 * `{decision: accept | acceptForSession | decline}`. `abort` is never sent: mcp-server 0.153.4 then
 * leaves the tool call unanswered (observed).
 *
 * Until risk assessment and prompters are plugged in, {@link DenyAllApprovalBroker} answers every
 * request with a denial that says why (fail closed).
 */

/**
 * What is to be approved: Codex's own requests, or (`codex-full-access`) a `codex` call asking for
 * `danger-full-access`, or (`codex-session`) a `codex` call whose effective configuration needs a
 * yes for another reason (config keys the person's policy sends to review, a project config that
 * starts programs, writes outside the workspace folders); both decided by the supervisor before
 * any child is asked; or (`openai-agent`) a governed OpenAI agent run (src/agent) about to call an
 * MCP tool not marked read-only (the `request_tool_approval` tool); or (`codex-hook`) a Codex
 * session this server did not start, asking through its `PermissionRequest` hook (src/hooks).
 */
export type ApprovalSource = 'codex-exec' | 'codex-patch' | 'codex-sandbox' | 'codex-permissions' | 'codex-mcp-tool' | 'codex-full-access' | 'codex-session' | 'openai-agent' | 'codex-hook';

export interface ApprovalRequest {
  source: ApprovalSource;
  /** Our session id (the `session_id` the tools return). */
  sessionId: string;
  /** Codex's thread id, when known. */
  threadId?: string;
  /** The command as one display string (argv joined with spaces when Codex sent a list). */
  command?: string;
  cwd?: string;
  /** Codex's reason, usually the model's justification for escalating. */
  reason?: string;
  /** The session's sandbox (`read-only` | `workspace-write` | `danger-full-access`). */
  sandbox?: string;
  /** The session's approval policy (`untrusted` | `on-request` | `never`). */
  approvalPolicy?: string;
  /** The governance agent that started the session, when known. */
  agentId?: string;
  /** The `codex` call's `mode` (`interactive` | `non-interactive` | `ci`), when given. */
  mode?: string;
  /** Extra backend details (file paths of a patch, MCP tool name and arguments, ...). */
  details?: Record<string, unknown>;
  /** Aborted when the turn that asked ends (cancel, deadline, process death): stop waiting then. */
  signal: AbortSignal;
}

export type ApprovalDecision = 'allow_once' | 'allow_session' | 'deny';

export interface ApprovalAnswer {
  decision: ApprovalDecision;
  /** Shown to the model on a denial (mcp-server passes it through; app-server has no field for it). */
  reason?: string;
}

export interface ApprovalBroker {
  /**
   * Decides one request. Must settle: a broker that cannot decide should deny. A rejected promise
   * is treated as a denial by the backends.
   */
  request(req: ApprovalRequest): Promise<ApprovalAnswer>;
  /**
   * Records a request the gate refused before asking anyone (one audit line, a denial by policy).
   * Optional: a broker without an audit trail may leave it out. Must not throw.
   */
  refused?(req: ApprovalRequest & { reason: string }): Promise<void>;
}

/** The reason the default broker gives; tests and views match on it. */
export const DEFAULT_DENY_REASON = 'No approval prompter is configured yet: denied by default (fail closed)';

/** Denies everything with {@link DEFAULT_DENY_REASON}. */
export class DenyAllApprovalBroker implements ApprovalBroker {
  request(): Promise<ApprovalAnswer> {
    return Promise.resolve({ decision: 'deny', reason: DEFAULT_DENY_REASON });
  }
}

/**
 * Asks `broker`, turning a throw or a malformed answer into a denial with a reason, so a broker
 * bug can never approve anything.
 */
export async function askBroker(broker: ApprovalBroker, req: ApprovalRequest): Promise<ApprovalAnswer> {
  try {
    const answer = await broker.request(req);
    if (answer && (answer.decision === 'allow_once' || answer.decision === 'allow_session' || answer.decision === 'deny')) return answer;
    return { decision: 'deny', reason: 'The approval broker gave no valid decision: denied (fail closed)' };
  } catch (err) {
    return { decision: 'deny', reason: `The approval broker failed (${err instanceof Error ? err.message : String(err)}): denied (fail closed)` };
  }
}

/**
 * The words every approval surface uses (the modal, the notification, the Approvals view and panel,
 * the Session page's cards, command titles): one verb, "Allow", for yes; "Deny" for no.
 */
export const APPROVAL_LABELS = {
  /** Buttons, by decision. */
  action: { allow_once: 'Allow Once', allow_session: 'Allow for This Session', deny: 'Deny' },
  /** What was decided, by decision (history rows, confirmations). */
  done: { allow_once: 'Allowed once', allow_session: 'Allowed for this session', deny: 'Denied' },
  /** The modal's close button: closing answers nothing (the request stays listed until answered or timed out). */
  later: 'Decide Later',
} as const satisfies { action: Record<ApprovalDecision, string>; done: Record<ApprovalDecision, string>; later: string };
