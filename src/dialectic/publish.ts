/**
 * Every stored dialectic step is told twice: one `dialectic-transition` event per transition on
 * the governance event bus (views, /metrics) and one audit line `dialectic.<transition>` (the
 * audit log, GET /audit). An audit append that fails is logged, never undone: the step is stored.
 */
import type { DialecticTransitionEvent, GovernanceEvents } from '../core/events';
import type { Logger } from '../util/log';
import type { DialecticSession } from './types';

/** The audit log as dialectic review uses it (../store/audit AuditLog fits). */
export interface AuditSink {
  append(entry: { type: string; [field: string]: unknown }): Promise<unknown>;
}

export class DialecticPublisher {
  constructor(
    private readonly events: GovernanceEvents,
    private readonly audit: AuditSink | undefined,
    private readonly logger: Logger | undefined,
  ) {}

  /**
   * @param actor who acted (null: the system)
   * @param reason the failure/escalation reason or a nudge's note
   */
  async publish(session: DialecticSession, transitions: readonly string[], actor: string | null, reason?: string): Promise<void> {
    for (const transition of transitions) {
      const final = transition === 'failed' || transition === 'escalated' || transition === 'resolved';
      const why = reason ?? (final ? (session.outcomeReason ?? undefined) : undefined);
      // System steps of a self review (its antithesis and verdict) name no agent.
      const agentId = session.reviewerId === 'system' && session.reviewerMode === 'self' && transition !== 'requested' && transition !== 'thesis' ? null : actor;
      const event: DialecticTransitionEvent = {
        transition,
        sessionId: session.id,
        phase: session.phase,
        agentId,
        requesterId: session.requesterId,
        reviewerId: session.reviewerId,
        at: session.updatedAt,
        ...(why ? { reason: why } : {}),
      };
      this.events.emit('dialectic-transition', event);
      if (!this.audit) continue;
      try {
        await this.audit.append({
          type: `dialectic.${transition}`,
          session_id: session.id,
          agent_id: agentId,
          requester_agent_id: session.requesterId,
          reviewer_agent_id: session.reviewerId,
          reviewer_mode: session.reviewerMode,
          phase: session.phase,
          ...(why ? { reason: why } : {}),
          ...(transition === 'resolved' && session.resolution ? { conditions: session.resolution.conditions, agent_resumed: session.agentResumed } : {}),
          ...(transition === 'escalated' ? { cooldown_until: session.cooldownUntil } : {}),
        });
      } catch (err) {
        this.logger?.warn(`Could not write the audit line dialectic.${transition} for session ${session.id}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
}
