/**
 * The governance side of Codex hooks (issue 14): one call per hook event from `POST /v1/hooks/codex`.
 * - SessionStart registers the session and its governance agent (`codex-<8 hex>`, ./events).
 * - PreToolUse blocks the call when the agent is PAUSEd (the reason is the PAUSE decision's) or
 *   when the person's approval policy cannot be read (fail closed); otherwise no decision, so
 *   Codex's own approvals and sandbox apply. Codex does not accept an "allow" here.
 * - PermissionRequest goes to the approval broker as source `codex-hook`: the same risk rules,
 *   prompts, timeout and audit as the requests of the sessions this server starts.
 * - PostToolUse and Stop record the work (`process_agent_update` with what ran), which may PAUSE
 *   the agent for its next call.
 * Every event lands in the observed-session store; decisions and recorded work in the audit log,
 * durable before the answer. A PreToolUse without a decision is answered before its record is.
 */
import { NotFoundError } from '../core/errors';
import type { GovernanceService } from '../core/governance';
import type { AuditEntry } from '../store/audit';
import type { ApprovalOutcome } from '../approvals/types';
import type { BrokerRequest } from '../approvals/broker';
import type { Logger } from '../util/log';
import { nullLogger } from '../util/log';
import type { HookDecision } from './decisions';
import { agentIdForSession, toolCommand, type CodexHookEvent } from './events';
import type { ObservedSession, ObservedSessionRepository } from './repository';
import { readSessionOrigin, SOURCE_LABELS, type SessionOrigin } from './source';

export interface CodexHookHandlerDeps {
  governance: Pick<GovernanceService, 'ensureAgent' | 'processUpdate' | 'getMetrics'>;
  approvals: { decide(req: BrokerRequest): Promise<ApprovalOutcome>; currentPolicy(): unknown };
  observed: ObservedSessionRepository;
  /** Absent: nothing audited (tests). */
  audit?: { append(entry: AuditEntry): Promise<unknown> };
  /** Reads who started the session from its rollout (default ./source readSessionOrigin). */
  readOrigin?: (transcriptPath: string | null | undefined) => Promise<SessionOrigin>;
  /** Called after every recorded event (views refresh on it). */
  onRecorded?: (session: ObservedSession) => void;
  logger?: Logger;
  /** ms since epoch */
  clock?: () => number;
}

export interface HookResult {
  decision: HookDecision;
  agent_id: string;
  session_id: string;
}

/** Complexity (0..1) reported for a tool call: patches change files, other calls mostly read or run. */
export function toolComplexity(toolName: string | undefined): number {
  if (toolName === 'apply_patch') return 0.5;
  if (toolName?.startsWith('mcp__')) return 0.3;
  return 0.3;
}

/** Codex's `permission_mode` in the approval-policy words the broker's risk rules use. */
export function approvalPolicyOf(permissionMode: string | undefined): string | undefined {
  if (permissionMode === 'bypassPermissions' || permissionMode === 'dontAsk') return 'never';
  if (permissionMode === 'default' || permissionMode === 'acceptEdits' || permissionMode === 'plan') return 'on-request';
  return undefined;
}

/**
 * Whether the event itself makes an audit entry. Not: a UserPromptSubmit, and a PreToolUse that
 * lets the call go on (its PostToolUse audits what actually ran). A PermissionRequest is audited
 * by the broker, but its answer still waits for the record (a person waited longer anyway).
 */
function auditable(name: string, decision: HookDecision): boolean {
  return !(name === 'UserPromptSubmit' || (name === 'PreToolUse' && decision.kind === 'none'));
}

export class CodexHookHandler {
  private readonly logger: Logger;
  private readonly clock: () => number;
  private readonly readOrigin: (p: string | null | undefined) => Promise<SessionOrigin>;

  constructor(private readonly deps: CodexHookHandlerDeps) {
    this.logger = deps.logger ?? nullLogger;
    this.clock = deps.clock ?? Date.now;
    this.readOrigin = deps.readOrigin ?? readSessionOrigin;
  }

  /**
   * Decides and records one event. `signal` aborts when the hook went away (Codex killed it at its
   * timeout): a pending approval is then denied and closed.
   * Resolves before the event record is durable when no audit entry is due (see `auditable`); a
   * record that then fails is logged, not answered.
   * @throws only when the store cannot record (the route answers 500 and the hook gives no decision)
   */
  async handle(event: CodexHookEvent, signal?: AbortSignal): Promise<HookResult> {
    const agentId = agentIdForSession(event.session_id);
    const known = await this.deps.observed.get(event.session_id);
    const origin = !known || known.source === 'unknown' ? await this.readOrigin(event.transcript_path) : undefined;
    const command = toolCommand(event);
    let decision: HookDecision = { kind: 'none' };
    let summary: string | undefined;
    switch (event.hook_event_name) {
      case 'SessionStart':
        await this.deps.governance.ensureAgent(agentId, { clientName: origin?.originator ?? SOURCE_LABELS[origin?.source ?? 'unknown'], ...(origin?.codexVersion ? { clientVersion: origin.codexVersion } : {}) });
        summary = `${SOURCE_LABELS[origin?.source ?? known?.source ?? 'unknown']} session ${event.source ?? 'started'} in ${event.cwd ?? '?'}`;
        break;
      case 'UserPromptSubmit':
        summary = event.prompt;
        break;
      case 'PreToolUse':
        summary = `${event.tool_name ?? 'tool'}: ${command ?? ''}`.trim();
        decision = await this.preToolUse(agentId);
        break;
      case 'PermissionRequest':
        summary = `${event.tool_name ?? 'tool'}: ${command ?? ''}`.trim();
        decision = await this.permissionRequest(event, agentId, command, origin ?? known, signal);
        break;
      case 'PostToolUse':
        summary = `${event.tool_name ?? 'tool'}: ${command ?? ''}`.trim();
        await this.recordWork(agentId, summary, toolComplexity(event.tool_name));
        break;
      case 'Stop':
        summary = event.last_assistant_message ?? 'turn ended';
        await this.recordWork(agentId, `Turn ended: ${summary}`, 0.2);
        break;
      default:
        summary = undefined;
    }
    const recording = this.deps.observed.record({
      sessionId: event.session_id,
      agentId,
      atMs: this.clock(),
      event: event.hook_event_name,
      ...(event.tool_name ? { toolName: event.tool_name } : {}),
      ...(summary !== undefined ? { summary } : {}),
      ...(decision.kind === 'none' ? {} : { decision: decision.kind }),
      ...(decision.kind === 'deny' ? { reason: decision.reason } : {}),
      facts: {
        ...(origin && origin.source !== 'unknown' ? { source: origin.source } : {}),
        ...(origin?.originator ? { originator: origin.originator } : {}),
        ...(origin?.codexVersion ? { codexVersion: origin.codexVersion } : {}),
        ...(event.cwd ? { cwd: event.cwd } : {}),
        ...(event.model ? { model: event.model } : {}),
        ...(event.permission_mode ? { permissionMode: event.permission_mode } : {}),
        ...(event.transcript_path ? { transcriptPath: event.transcript_path } : {}),
      },
    });
    const result: HookResult = { decision, agent_id: agentId, session_id: event.session_id };
    if (!auditable(event.hook_event_name, decision)) {
      // Codex waits for this answer before every tool call, and the decision does not depend on the
      // record: answer now and let the record's COMMIT (an fsync, 1-10 ms) finish after. Its
      // statements already ran; losing the row to a crash loses no audit entry (none is due).
      void recording.then(
        (session) => this.deps.onRecorded?.(session),
        (err: unknown) => this.logger.error(`Codex hook: could not record ${event.hook_event_name} of ${event.session_id}: ${err instanceof Error ? err.message : String(err)}`),
      );
      return result;
    }
    const session = await recording;
    await this.auditEvent(event, agentId, session, decision, summary);
    this.deps.onRecorded?.(session);
    return result;
  }

  private async preToolUse(agentId: string): Promise<HookDecision> {
    const paused = await this.pausedReason(agentId);
    if (paused) return { kind: 'deny', reason: paused };
    try {
      this.deps.approvals.currentPolicy();
    } catch (err) {
      return { kind: 'deny', reason: `The approval policy is invalid (${err instanceof Error ? err.message : String(err)}): tool calls are blocked until it is fixed (fail closed).` };
    }
    return { kind: 'none' };
  }

  private async permissionRequest(event: CodexHookEvent, agentId: string, command: string | undefined, origin: Pick<SessionOrigin, 'source'> | undefined, signal?: AbortSignal): Promise<HookDecision> {
    const paused = await this.pausedReason(agentId);
    if (paused) return { kind: 'deny', reason: paused };
    const description = event.tool_input?.description;
    const approvalPolicy = approvalPolicyOf(event.permission_mode);
    const outcome = await this.deps.approvals.decide({
      source: 'codex-hook',
      sessionId: event.session_id,
      threadId: event.session_id,
      agentId,
      ...(command !== undefined ? { command } : {}),
      ...(event.cwd ? { cwd: event.cwd } : {}),
      ...(typeof description === 'string' && description ? { reason: description } : {}),
      ...(approvalPolicy ? { approvalPolicy } : {}),
      details: { tool_name: event.tool_name ?? null, client: SOURCE_LABELS[origin?.source ?? 'unknown'], ...(event.turn_id ? { turn_id: event.turn_id } : {}) },
      ...(signal ? { signal } : {}),
    });
    if (outcome.decision === 'deny') return { kind: 'deny', reason: outcome.reason ?? 'Denied by Codex Governance.' };
    return { kind: 'allow' };
  }

  /** The PAUSE reason when the agent is paused; undefined for an active or unknown agent. */
  private async pausedReason(agentId: string): Promise<string | undefined> {
    let status: string;
    let last: { reason: string; guidance?: string } | null;
    try {
      const m = await this.deps.governance.getMetrics(agentId, { historyLimit: 0 });
      status = m.status;
      last = m.last_decision;
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
    if (status !== 'paused') return undefined;
    const why = [last?.reason, last?.guidance].filter(Boolean).join(' ');
    return `Codex Governance paused agent ${agentId}${why ? `: ${why}` : ''}. Tool calls are blocked until a dialectic review resumes it (request_dialectic_review).`;
  }

  private async recordWork(agentId: string, operation: string, complexity: number): Promise<void> {
    try {
      await this.deps.governance.processUpdate({ agentId, operation: operation.slice(0, 2000), complexity });
    } catch (err) {
      // The work is still in the observed session and the audit; a failed EISV update must not fail the hook.
      this.logger.warn(`Codex hook: could not record work of ${agentId}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private async auditEvent(event: CodexHookEvent, agentId: string, session: ObservedSession, decision: HookDecision, summary: string | undefined): Promise<void> {
    // PermissionRequest is audited by the broker (approval.requested / approval.answered); a
    // PreToolUse that lets the call go on is audited by its PostToolUse (what actually ran).
    const name = event.hook_event_name;
    if (name === 'PermissionRequest' || !auditable(name, decision)) return;
    const type = name === 'SessionStart' ? 'hook.session_start' : name === 'PreToolUse' ? 'hook.tool_denied' : name === 'PostToolUse' ? 'hook.tool_used' : name === 'Stop' ? 'hook.turn_ended' : 'hook.event';
    try {
      await this.deps.audit?.append({
        type,
        source: 'codex-hook',
        agent: agentId,
        session: event.session_id,
        client: SOURCE_LABELS[session.source],
        event: name,
        tool: event.tool_name ?? null,
        command: summary ?? null,
        cwd: event.cwd ?? null,
        ...(decision.kind === 'deny' ? { decision: 'deny', reason: decision.reason } : {}),
      });
    } catch (err) {
      this.logger.error(`Codex hook: could not audit ${name} of ${event.session_id}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
