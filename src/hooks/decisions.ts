/**
 * What a Codex `command` hook prints on stdout, per event (observed with Codex 0.153.4, 0.169.0 and
 * 0.171.0; docs/codex-hooks.md; openai/codex `codex-rs/hooks/schema/generated/*.command.output.schema.json`):
 * - PreToolUse can only block: `{"hookSpecificOutput":{"hookEventName":"PreToolUse",
 *   "permissionDecision":"deny","permissionDecisionReason":"..."}}`; the model then reads
 *   "Command blocked by PreToolUse hook: <reason>". Codex refuses `allow` there (the hook counts as
 *   failed), so this module never produces it.
 * - PermissionRequest answers the approval: `{"hookSpecificOutput":{"hookEventName":
 *   "PermissionRequest","decision":{"behavior":"allow"}}}` or `{"behavior":"deny","message":"..."}`.
 * - Nothing on stdout (exit 0) is "no decision": Codex goes on with its own approval flow. So is
 *   a crash, a timeout, exit 1, or unparsable output; so every failure here falls back to Codex
 *   alone, never to an allow.
 */

/** A governance answer to one hook event, before it is put in Codex's words. */
export type HookDecision = { kind: 'none' } | { kind: 'allow' } | { kind: 'deny'; reason: string };

/** `codexGovernance.hooks.offline` / `--offline`: what the hook does when the server cannot answer in time. */
export type OfflineMode = 'defer' | 'deny';
export const OFFLINE_MODES: readonly OfflineMode[] = ['defer', 'deny'];

/** Longest reason passed to Codex, characters (the model reads it; a runaway reason is cut). */
export const MAX_REASON_CHARS = 2000;

const cut = (s: string) => (s.length > MAX_REASON_CHARS ? `${s.slice(0, MAX_REASON_CHARS - 1)}…` : s);

/**
 * Codex's stdout JSON for `decision` on event `eventName`, or undefined for "print nothing".
 * An `allow` is only ever written for PermissionRequest; a `deny` on an event that cannot block
 * (PostToolUse, Stop, SessionStart, ...) is dropped (those events only record).
 */
export function codexHookOutput(eventName: string, decision: HookDecision): Record<string, unknown> | undefined {
  if (decision.kind === 'none') return undefined;
  if (eventName === 'PermissionRequest') {
    return { hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: decision.kind === 'allow' ? { behavior: 'allow' } : { behavior: 'deny', message: cut(decision.reason) } } };
  }
  if (eventName === 'PreToolUse' && decision.kind === 'deny') {
    return { hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: cut(decision.reason) } };
  }
  return undefined;
}

/**
 * Checks a decision the server sent before the hook prints it: anything but a well-formed
 * decision for an event that takes one becomes "none" (Codex decides alone).
 */
export function checkedDecision(eventName: string, value: unknown): HookDecision {
  if (typeof value !== 'object' || value === null) return { kind: 'none' };
  const v = value as { kind?: unknown; reason?: unknown };
  if (v.kind === 'allow' && eventName === 'PermissionRequest') return { kind: 'allow' };
  if (v.kind === 'deny' && typeof v.reason === 'string' && v.reason.trim() && (eventName === 'PermissionRequest' || eventName === 'PreToolUse')) return { kind: 'deny', reason: v.reason };
  return { kind: 'none' };
}

/**
 * The decision when the governance server cannot answer (not running, refused, late, broken
 * answer): `defer` = none (Codex's own approvals and sandbox apply); `deny` = block PreToolUse and
 * deny PermissionRequest with `why`, record-only events stay silent.
 */
export function offlineDecision(eventName: string, mode: OfflineMode, why: string): HookDecision {
  if (mode === 'defer' || (eventName !== 'PreToolUse' && eventName !== 'PermissionRequest')) return { kind: 'none' };
  return { kind: 'deny', reason: `Codex Governance could not decide (${why}) and codexGovernance.hooks.offline is "deny": blocked. Start the governance server, or set the offline rule to "defer" to fall back to Codex's own approvals.` };
}
