/**
 * The broker's answers in Codex's own wire formats (see ../approvals/vocabulary for the broker):
 * `codex mcp-server` reads a top-level `decision` in the `elicitation/create` result;
 * `codex app-server` reads `{decision: accept | acceptForSession | decline}` (v2) or the v1
 * `ReviewDecision`.
 */
import type { ApprovalAnswer } from '../approvals/vocabulary';

/** `codex mcp-server` `decision` for an answer (0.153.4 `ReviewDecision`, observed wire format). */
export function mcpServerDecision(answer: ApprovalAnswer): 'approved' | 'approved_for_session' | { denied: { rejection: string } } {
  if (answer.decision === 'allow_once') return 'approved';
  if (answer.decision === 'allow_session') return 'approved_for_session';
  return { denied: { rejection: answer.reason ?? 'Denied by Codex Governance' } };
}

/** `codex app-server` v2 decision for command and file-change approvals (`CommandExecutionApprovalDecision`, `FileChangeApprovalDecision`). */
export function appServerDecision(answer: ApprovalAnswer): 'accept' | 'acceptForSession' | 'decline' {
  if (answer.decision === 'allow_once') return 'accept';
  if (answer.decision === 'allow_session') return 'acceptForSession';
  return 'decline';
}

/** `codex app-server` v1 `ReviewDecision` (`execCommandApproval` / `applyPatchApproval`): the same shape mcp-server reads. */
export function appServerLegacyDecision(answer: ApprovalAnswer): ReturnType<typeof mcpServerDecision> {
  return mcpServerDecision(answer);
}
