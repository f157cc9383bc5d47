/**
 * The Review panel's host logic, without `vscode`: one dialectic session (`get_dialectic_session`)
 * with its thesis, antithesis and synthesis rounds, its state, deadlines and outcome, reloaded
 * whenever the server reports a review change (GovernanceClient topic `reviews`); the page's form
 * submits the person's antithesis or synthesis as the agent `vscode-user` (`submit_antithesis`,
 * `submit_synthesis`) and its Nudge button reminds whoever must act (`nudge_dialectic_session`).
 * One instance per open panel (one panel per session).
 */
import type { GovernanceClientSource } from '../../client/select';
import { VSCODE_USER_AGENT } from '../../client/types';
import { complexityCap, parseCondition } from '../../dialectic/limits';
import type { ToolOutput } from '../../server/tools/catalog';
import type { ReviewHostMessage, ReviewSession, SubmissionFields, SubmissionKind } from '../../webviews/review/protocol';
import { parseReviewPageMessage, parseReviewShowArgs } from '../../webviews/review/schema';
import { personTurn } from '../views/review-text';
import { NO_SERVER_MESSAGE } from './data';
import { LivePanelHandler } from './live-panel';

/** What the page drew last. */
export interface ReviewRenderReport {
  sessionId: string;
  phase: string;
  messages: number;
  yourTurn: SubmissionKind | null;
  /** Renders reported by this panel's pages so far, this one included. */
  renders: number;
}

export interface ReviewHandlerDeps {
  clients: Pick<GovernanceClientSource, 'current' | 'onDidChangeClient'>;
  post: (message: ReviewHostMessage) => void;
  /** Called with the tab title when the session is known (`Review: <requester>`). */
  onTitle?: (title: string) => void;
  /** ms since epoch (tests); the page's countdowns line up with it. */
  clock?: () => number;
}

type SessionAnswer = ToolOutput<'get_dialectic_session'>;

export class ReviewPanelHandler extends LivePanelHandler<ReviewRenderReport> {
  private focusPending = false;
  private readonly clock: () => number;

  constructor(
    readonly sessionId: string,
    private readonly deps: ReviewHandlerDeps,
  ) {
    super(deps.clients, 'reviews', 'Review', NO_SERVER_MESSAGE);
    this.clock = deps.clock ?? Date.now;
  }

  /** Handles one raw message from the page; failures are posted to the page as `error`, never thrown. */
  async handle(raw: unknown): Promise<void> {
    try {
      const message = parseReviewPageMessage(raw);
      switch (message.type) {
        case 'rendered':
          return this.rendered((renders) => ({ sessionId: message.sessionId, phase: message.phase, messages: message.messages, yourTurn: message.yourTurn, renders }));
        case 'ready':
          this.pageReady();
          await this.refresh();
          if (this.focusPending) this.post({ type: 'focus-form' });
          this.focusPending = false;
          return;
        case 'submit': {
          const { type: _type, kind, ...fields } = message;
          return await this.submit(kind, fields);
        }
        case 'nudge':
          return await this.nudge(message.note);
      }
    } catch (err) {
      this.post({ type: 'error', message: messageOf(err) });
    }
  }

  /**
   * The show command's argument: `{ stepIn: true }` brings the form into view (at once, or once
   * the page is ready).
   * @throws Error naming a bad field
   */
  apply(raw: unknown): void {
    if (!parseReviewShowArgs(raw).stepIn) return;
    if (this.ready) this.post({ type: 'focus-form' });
    else this.focusPending = true;
  }

  protected async load(): Promise<void> {
    if (this.disposed) return;
    let answer: SessionAnswer;
    try {
      answer = await this.client().callTool('get_dialectic_session', { session_id: this.sessionId });
    } catch (err) {
      this.post({ type: 'error', message: messageOf(err) });
      return;
    }
    const review = reviewOf(answer);
    this.deps.onTitle?.(`Review: ${review.requesterId}`);
    this.post({ type: 'session', review, now: this.clock() });
  }

  private async submit(kind: SubmissionKind, f: SubmissionFields): Promise<void> {
    const client = this.client();
    const args = {
      session_id: this.sessionId,
      agent_id: VSCODE_USER_AGENT,
      reasoning: f.reasoning,
      proposed_conditions: f.conditions,
      ...(f.rootCause ? { root_cause: f.rootCause } : {}),
    };
    try {
      const result =
        kind === 'antithesis'
          ? await client.callTool('submit_antithesis', { ...args, ...(f.concerns?.length ? { concerns: f.concerns } : {}) })
          : await client.callTool('submit_synthesis', { ...args, agrees: f.agrees ?? false });
      this.post({ type: 'submitted', kind, ok: true, message: `Your ${kind} is in. ${result.next_step}` });
    } catch (err) {
      // The server's words: out of turn names the phase and who may act; nothing changed.
      this.post({ type: 'submitted', kind, ok: false, message: messageOf(err) });
    }
    await this.refresh();
  }

  private async nudge(note: string | undefined): Promise<void> {
    try {
      const r = await this.client().callTool('nudge_dialectic_session', { session_id: this.sessionId, agent_id: VSCODE_USER_AGENT, ...(note ? { note } : {}) });
      this.post({ type: 'nudged', ok: true, message: nudgeSentence(r) });
    } catch (err) {
      this.post({ type: 'nudged', ok: false, message: messageOf(err) });
    }
  }

  private post(message: ReviewHostMessage): void {
    if (!this.disposed) this.deps.post(message);
  }
}

/** The page's view of `get_dialectic_session`'s answer. */
export function reviewOf(s: SessionAnswer): ReviewSession {
  const turn = personTurn(s);
  const state = s.paused_agent_state;
  return {
    sessionId: s.session_id,
    requesterId: s.paused_agent_id,
    reviewerId: s.reviewer_agent_id,
    reviewerMode: s.reviewer_mode,
    openSlot: s.open_reviewer_slot,
    phase: s.phase,
    reason: s.reason,
    sessionType: s.session_type,
    discoveryId: s.discovery_id,
    complexity: s.complexity,
    synthesisRound: s.synthesis_round,
    maxSynthesisRounds: s.max_synthesis_rounds,
    nextActor: s.next_actor,
    nextTool: s.next_tool,
    mayAct: s.may_act,
    messages: s.transcript.map((m) => ({
      phase: m.phase,
      agentId: m.agent_id,
      at: m.timestamp,
      rootCause: m.root_cause,
      proposedConditions: m.proposed_conditions,
      reasoning: m.reasoning,
      agrees: m.agrees,
      concerns: m.concerns,
    })),
    resolution: s.resolution
      ? { action: s.resolution.action, conditions: s.resolution.conditions, rootCause: s.resolution.root_cause, reasoning: s.resolution.reasoning, at: s.resolution.timestamp, ...(s.resolution.violation ? { violation: s.resolution.violation } : {}) }
      : null,
    appliedConditions: s.applied_conditions,
    // What the agreed conditions cap; applied only when the review resumed a paused agent.
    complexityCap: (s.resolution ? complexityCap(s.resolution.conditions.map(parseCondition)) : undefined) ?? null,
    capApplied: complexityCap(s.applied_conditions) !== undefined,
    agentResumed: s.agent_resumed,
    outcomeReason: s.outcome_reason,
    cooldownUntil: s.cooldown_until,
    deadlines: { session: s.deadlines.session_deadline, phase: s.deadlines.phase_deadline, next: s.deadlines.next_timeout_at },
    requesterState: { status: state.status, risk: state.risk_score, coherence: state.coherence, voidActive: state.void_active },
    createdAt: s.created_at,
    updatedAt: s.updated_at,
    endedAt: s.ended_at,
    you: VSCODE_USER_AGENT,
    yourTurn: turn === 'submit_antithesis' ? 'antithesis' : turn === 'submit_synthesis' ? 'synthesis' : null,
  };
}

/** What a nudge answered, in one sentence (the tool's answer is loosely typed: read what is there). */
function nudgeSentence(r: Record<string, unknown>): string {
  const waiting = Array.isArray(r.waiting_on) ? r.waiting_on.filter((x): x is string => typeof x === 'string') : [];
  const tool = typeof r.next_tool === 'string' ? r.next_tool : null;
  const idle = typeof r.idle_seconds === 'number' ? ` (quiet for ${Math.round(r.idle_seconds / 60)} min)` : '';
  if (!tool) return 'The review has ended; there is nobody to remind.';
  const whom = waiting.length ? waiting.join(' or ') : 'any eligible reviewer';
  return `Reminder recorded for ${whom}${idle}: the next step is ${tool}.`;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
