/**
 * A dialectic call made out of turn: the wrong phase, or the wrong agent for this phase. Mapped by
 * its `code` to the tool error `invalid_state` (HTTP 409); nothing was changed.
 */
export class DialecticStateError extends Error {
  readonly code = 'invalid_state';
  /**
   * @param details `session_id`, `phase`, `next_actor` (an agent id, `either`, `any` or null),
   *   `may_act` (the agent ids that may act now), and `timed_out` when the call found the
   *   session past its deadline and failed it
   */
  constructor(
    message: string,
    readonly details: { session_id: string; phase: string; next_actor: string | null; may_act: string[]; timed_out?: boolean },
  ) {
    super(message);
    this.name = 'DialecticStateError';
  }
}

/**
 * An agent tried to claim an open reviewer slot it may not take (it is the requester's recent
 * reviewer, inactive, too risky, or busy in another session). Tool error `forbidden`; nothing changed.
 */
export class ReviewerNotEligibleError extends Error {
  readonly code = 'forbidden';
  readonly details: { agent_id: string; paused_agent_id: string; reason: string };
  constructor(agentId: string, requesterId: string, reason: string) {
    super(`Agent ${agentId} may not review ${requesterId}: ${reason}. Another agent should claim this session; nothing was changed.`);
    this.name = 'ReviewerNotEligibleError';
    this.details = { agent_id: agentId, paused_agent_id: requesterId, reason };
  }
}
