/**
 * Dialectic peer review behind the tools `request_dialectic_review`, `submit_thesis`,
 * `submit_antithesis`, `submit_synthesis`, `get_dialectic_session` and `nudge_dialectic_session`
 * (names, inputs and output fields of UNITARES v1, CIRWEL/governance-mcp-v1-backup @ e162fb7,
 * `src/mcp_handlers/dialectic.py`). The state machine is ./machine and ./opening; this service
 * reads, decides, stores each step in one transaction (optimistic: a step decided from a version
 * that changed meanwhile is decided again), and publishes it (./publish). Timeouts are applied on
 * every access and by `sweep()`, which `start()` runs on a timer.
 */
import { randomBytes } from 'node:crypto';
import type { GovernanceEvents } from '../core/events';
import { ConflictError, NotFoundError, ValidationError } from '../core/errors';
import type { AgentRecord, AgentRepository } from '../core/repository';
import type { Logger } from '../util/log';
import { DialecticStateError, ReviewerNotEligibleError } from './errors';
import { checkId, checkReviewRequest, checkSubmission, type ReviewRequest, type SubmissionRequest } from './input';
import { complexityCap } from './limits';
import { isOpen, outOfTurn, submitAntithesis, submitSynthesis, submitThesis, timeoutStep, type Step } from './machine';
import { autoThesis, openSession, selfReview, type OpenRequest } from './opening';
import { DialecticPublisher, type AuditSink } from './publish';
import type { DialecticRepository } from './repository';
import { exclusionOf } from './reviewer';
import { chooseReviewer } from './selection';
import { DIALECTIC_LIMITS, type DialecticSession, type RequesterState, type SessionSnapshot } from './types';
import { nextStep, sessionView, type SessionView } from './views';

/** What the service needs of the knowledge graph for a disputed discovery. */
export interface DiscoveryAccess {
  /** The discovery's author. @throws NotFoundError naming the id */
  owner(id: string): Promise<string>;
  setStatus(id: string, status: string): Promise<void>;
}

export interface DialecticDeps {
  repository: DialecticRepository;
  agents: Pick<AgentRepository, 'get'>;
  events: GovernanceEvents;
  discoveries?: DiscoveryAccess;
  audit?: AuditSink;
  logger?: Logger;
  /** ms since epoch */
  clock?: () => number;
  /** uniform in [0, 1): reviewer selection */
  random?: () => number;
  /** Session ids; default 16 random hex characters (v1's length). */
  newId?: () => string;
}

/** What every transition answers: v1's fields, then the whole session. */
export interface TransitionResult {
  success: true;
  session_id: string;
  phase: DialecticSession['phase'];
  next_step: string;
  session: SessionView;
  [field: string]: unknown;
}

const ATTEMPTS = 8;
/** Later than any deadline: `due(END_OF_TIME)` lists every open session. */
const END_OF_TIME = '9999-12-31T23:59:59.999Z';

export class DialecticService {
  private readonly repo: DialecticRepository;
  private readonly clock: () => number;
  private readonly publisher: DialecticPublisher;
  private readonly newId: () => string;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: DialecticDeps) {
    this.repo = deps.repository;
    this.clock = deps.clock ?? Date.now;
    this.publisher = new DialecticPublisher(deps.events, deps.audit, deps.logger);
    this.newId = deps.newId ?? (() => randomBytes(8).toString('hex'));
  }

  /**
   * Opens a session (v1 handle_request_dialectic_review). The reviewer: a disputed discovery's
   * owner (dispute_type dispute/correction), else `reviewer_agent_id`, else by mode (./selection).
   * @throws ValidationError naming the field; NotFoundError (agent, reviewer, discovery);
   *   ConflictError: the agent already has an open session (`details.session_id`), is in its
   *   escalation cooldown, the named reviewer is busy or inactive, or no peer qualifies (mode `peer`)
   */
  async request(input: ReviewRequest): Promise<TransitionResult> {
    const r = checkReviewRequest(input);
    const nowMs = this.clock();
    const requester = await this.deps.agents.get(r.agentId);
    if (!requester) throw new NotFoundError('agent', r.agentId, `No agent with agent_id "${r.agentId}" is known. An agent appears after its first process_agent_update.`);
    // Its latest review as requester (sessions it reviews do not count).
    const last = (await this.repo.listByAgent(r.agentId, { limit: 50 })).find((x) => x.requesterId === r.agentId);
    if (last?.cooldownUntil && Date.parse(last.cooldownUntil) > nowMs) {
      throw withDetails(new ConflictError(`Agent ${r.agentId}'s last review (${last.id}) escalated; it may ask again after ${last.cooldownUntil}.`), { session_id: last.id, cooldown_until: last.cooldownUntil });
    }
    let disputeType = r.disputeType ?? null;
    let owner: string | undefined;
    if (r.discoveryId !== undefined) {
      if (!this.deps.discoveries) throw new NotFoundError('discovery', r.discoveryId, 'This server has no knowledge graph to dispute a discovery in.');
      owner = await this.deps.discoveries.owner(r.discoveryId);
      disputeType ??= 'dispute';
      if (owner === r.agentId && disputeType !== 'verification') {
        throw withField(new ConflictError(`Discovery ${r.discoveryId} is ${r.agentId}'s own; its owner would review it. Use dispute_type "verification" to have a peer check it.`), 'discovery_id');
      }
    }
    const state = requesterState(requester);
    const paused = requester.status === 'paused';
    const given = { rootCause: r.rootCause, proposedConditions: r.proposedConditions, reasoning: r.reasoning };
    const thesis = r.autoProgress || r.reviewerMode === 'self' ? autoThesis(r.agentId, r.reason, state, given) : undefined;
    const exclude = new Set<string>();
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const choice = await chooseReviewer(this.repo, this.deps.agents, { ...r, discoveryOwner: owner, disputeType, exclude, nowMs, random: this.deps.random });
      const base: OpenRequest = {
        id: this.newId(),
        requesterId: r.agentId,
        reviewerId: choice.reviewerId,
        mode: r.reviewerMode,
        reason: r.reason,
        discoveryId: r.discoveryId ?? null,
        disputeType,
        complexity: r.complexity ?? null,
        requesterState: state,
        nowMs,
      };
      const step = r.reviewerMode === 'self' ? selfReview(base, thesis!, paused) : openSession(base, thesis);
      const outcome = await this.repo.insert(step, choice.reviewerId && r.reviewerMode !== 'self' ? { freeReviewer: choice.reviewerId } : {});
      if (!outcome.ok && outcome.reason === 'requester_busy') {
        throw withDetails(new ConflictError(`Agent ${r.agentId} already has an open dialectic session (${outcome.sessionId}); see get_dialectic_session.`), { session_id: outcome.sessionId });
      }
      if (!outcome.ok) {
        if (choice.explicit) throw new ConflictError(`Reviewer agent '${choice.reviewerId}' is already in an active dialectic session; pick another reviewer_agent_id or wait and retry.`);
        exclude.add(choice.reviewerId!);
        continue;
      }
      const stored = { ...step, session: { ...step.session, version: 1 } };
      await this.publisher.publish(stored.session, step.transitions, r.agentId);
      if (r.discoveryId !== undefined) await this.markDiscovery(r.discoveryId, stored.session.phase === 'resolved' ? 'resolved' : 'disputed');
      const view = sessionView({ session: stored.session, messages: step.messages });
      return {
        ...this.result(view, stored.session),
        paused_agent_id: r.agentId,
        reviewer_agent_id: stored.session.reviewerId,
        reviewer_mode: r.reviewerMode,
        reason: r.reason,
        created_at: stored.session.createdAt,
        ...(thesis ? { auto_progressed: true, thesis_submitted: true } : {}),
        ...(choice.score ? { reviewer_selection: { ...choice.score, eligible_reviewers: choice.eligible } } : {}),
        ...(r.discoveryId !== undefined ? { discovery_id: r.discoveryId, dispute_type: disputeType, discovery_context: 'This dialectic session is for disputing/correcting a discovery' } : {}),
      };
    }
    throw new ConflictError('Every reviewer chosen joined another session meanwhile; retry.');
  }

  /** @throws DialecticStateError (`invalid_state`) out of turn; NotFoundError for an unknown session */
  async submitThesis(input: SubmissionRequest): Promise<TransitionResult> {
    const sub = checkSubmission(input);
    const { step, snap } = await this.transition(sub.sessionId, sub.agentId, 'a thesis', (s, now) => submitThesis(s, sub, now));
    return this.result(sessionView(snap), step.session);
  }

  /**
   * The reviewer's answer; with an open slot, the first eligible agent to call claims it.
   * @throws DialecticStateError out of turn (also for the second of two simultaneous claims);
   *   ReviewerNotEligibleError (`forbidden`) when the claimer may not review this agent
   */
  async submitAntithesis(input: SubmissionRequest): Promise<TransitionResult> {
    const sub = checkSubmission(input);
    const { step, snap } = await this.transition(sub.sessionId, sub.agentId, 'an antithesis', (s, now) => submitAntithesis(s, sub, now), async (s, now) => {
      if (s.session.phase === 'antithesis' && s.session.reviewerId === null && sub.agentId !== s.session.requesterId) await this.checkClaimer(s.session, sub.agentId, now);
    });
    return { ...this.result(sessionView(snap), step.session), max_rounds: step.session.maxSynthesisRounds, ...(step.claimed ? { reviewer_auto_assigned: true } : {}) };
  }

  /** @throws DialecticStateError out of turn */
  async submitSynthesis(input: SubmissionRequest): Promise<TransitionResult> {
    const sub = checkSubmission(input);
    let paused = false;
    const { step, snap } = await this.transition(
      sub.sessionId,
      sub.agentId,
      'a synthesis',
      (s, now) => submitSynthesis(s, sub, now, paused),
      async (s) => {
        paused = (await this.deps.agents.get(s.session.requesterId))?.status === 'paused';
      },
    );
    const s = step.session;
    if (s.discoveryId !== null && s.phase === 'resolved') await this.markDiscovery(s.discoveryId, 'resolved');
    const converged = s.phase === 'resolved' || (s.phase === 'failed' && s.resolution?.action === 'block');
    return {
      ...this.result(sessionView(snap), s),
      converged,
      ...(isOpen(s.phase) ? { round: s.synthesisRound } : { rounds: s.synthesisRound }),
      max_rounds: s.maxSynthesisRounds,
      ...(step.agreement ? { agreement: step.agreement } : {}),
      ...(s.resolution ? { action: s.resolution.action, resolution: sessionView(snap).resolution } : {}),
      ...(s.phase === 'failed' && s.resolution?.violation ? { reason: `Safety violation: ${s.resolution.violation}` } : {}),
      ...(s.phase === 'resolved' ? { execution: { agent_id: s.requesterId, agent_resumed: s.agentResumed, applied_conditions: s.appliedConditions } } : {}),
      ...(s.phase === 'escalated'
        ? { autonomous_resolution: true, resolution_type: 'conservative_default', cooldown_until: s.cooldownUntil, reason: 'Self-governance: when peers disagree, system defaults to caution' }
        : {}),
    };
  }

  /**
   * One session by id, or by agent: its open session, else its most recent one (with the others
   * listed). A session past its deadline is failed first.
   * @throws ValidationError when neither is given; NotFoundError
   */
  async get(input: { sessionId?: string; agentId?: string }): Promise<SessionView & { success: true; sessions?: Array<{ session_id: string; phase: string; role: string; created_at: string }> }> {
    if (input.sessionId !== undefined) {
      const snap = await this.expire(await this.load(checkId('session_id', input.sessionId, DIALECTIC_LIMITS.sessionId)));
      return { success: true, ...sessionView(snap) };
    }
    if (input.agentId === undefined) throw new ValidationError('session_id', "Either session_id or agent_id is required: session_id from request_dialectic_review, or agent_id to find that agent's sessions.");
    const agentId = checkId('agent_id', input.agentId, DIALECTIC_LIMITS.agentId);
    const sessions = await this.repo.listByAgent(agentId, { limit: 20 });
    const pick = sessions.find((s) => isOpen(s.phase)) ?? sessions[0];
    if (!pick) throw new NotFoundError('session', agentId, `No dialectic sessions found for agent '${agentId}'. If it is paused, request_dialectic_review starts one.`);
    const snap = await this.expire(await this.load(pick.id));
    const list = sessions.map((s) => ({ session_id: s.id, phase: s.phase, role: s.requesterId === agentId ? 'requester' : 'reviewer', created_at: s.createdAt }));
    return { success: true, ...sessionView(snap), sessions: list };
  }

  /**
   * Reminds whoever's turn it is (v1 nudge_dialectic_session): records a `nudged` event and audit
   * line (unless `post` is false) and answers who is waited on and for how long.
   */
  async nudge(input: { sessionId: string; agentId?: string; note?: string; post?: boolean }): Promise<Record<string, unknown>> {
    const snap = await this.expire(await this.load(checkId('session_id', input.sessionId, DIALECTIC_LIMITS.sessionId)));
    const s = snap.session;
    const view = sessionView(snap);
    const nowMs = this.clock();
    const post = input.post ?? true;
    const note = input.note?.trim().slice(0, DIALECTIC_LIMITS.note) || undefined;
    if (post) await this.publisher.publish({ ...s, updatedAt: new Date(nowMs).toISOString() }, ['nudged'], input.agentId ?? null, note);
    return {
      success: true,
      session_id: s.id,
      session_type: s.sessionType,
      topic: null,
      phase: s.phase,
      paused_agent_id: s.requesterId,
      reviewer_agent_id: s.reviewerId,
      last_activity_at: s.updatedAt,
      idle_seconds: Math.max(0, (nowMs - Date.parse(s.updatedAt)) / 1000),
      next_actor: view.next_actor,
      next_tool: view.next_tool,
      may_act: view.may_act,
      waiting_on: view.next_actor === 'either' ? view.may_act : view.next_actor === null ? [] : [view.next_actor],
      suggested_call: view.next_tool ? { name: view.next_tool, arguments: { session_id: s.id } } : null,
      deadlines: view.deadlines,
      posted_audit_event: post,
      note: 'This tool does not force progress; it records the reminder and reports who should act next.',
    };
  }

  /**
   * The open sessions (thesis, antithesis, synthesis), soonest deadline first, at most `limit`;
   * a session found past its deadline is failed and left out. With `agentId`, only the sessions
   * it requested or reviews.
   */
  async listOpen(options: { limit: number; agentId?: string }): Promise<SessionView[]> {
    const agentId = options.agentId === undefined ? undefined : checkId('agent_id', options.agentId, DIALECTIC_LIMITS.agentId);
    // Every open session has a deadline (deadlineAt is null only once final), so the sessions
    // "due" by the end of time are exactly the open ones, in deadline order.
    const ids = agentId === undefined ? await this.repo.due(END_OF_TIME, options.limit) : (await this.repo.listByAgent(agentId, { limit: 20 })).filter((s) => isOpen(s.phase)).map((s) => s.id);
    const views: SessionView[] = [];
    for (const id of ids.slice(0, options.limit)) {
      const snap = await this.repo.get(id);
      if (!snap) continue;
      const current = await this.expire(snap);
      if (isOpen(current.session.phase)) views.push(sessionView(current));
    }
    return views;
  }

  /** Fails every open session past its deadline; returns how many. */
  async sweep(): Promise<number> {
    const ids = await this.repo.due(new Date(this.clock()).toISOString(), 500);
    let failed = 0;
    for (const id of ids) {
      const snap = await this.repo.get(id);
      if (snap && (await this.expire(snap)).session.phase === 'failed' && isOpen(snap.session.phase)) failed++;
    }
    return failed;
  }

  /** Runs `sweep` every `intervalMs` (default 60 s) until `stop()`; the timer keeps no process alive. */
  start(intervalMs = 60_000): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.sweep().catch((e: unknown) => this.deps.logger?.warn(`Dialectic timeout sweep failed: ${String(e)}`)), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The cap resolved sessions put on the agent's complexity (v1 dialectic_conditions), or undefined. */
  async complexityCap(agentId: string): Promise<number | undefined> {
    return complexityCap(await this.repo.conditions(agentId));
  }

  /**
   * Reads, checks the deadline, decides and commits; a commit against a version changed meanwhile
   * is decided again from the new state.
   * @param prepare async reads the decision needs (run before each attempt)
   */
  private async transition(
    sessionId: string,
    agentId: string,
    what: string,
    decide: (snap: SessionSnapshot, nowMs: number) => Step,
    prepare?: (snap: SessionSnapshot, nowMs: number) => Promise<void>,
  ): Promise<{ step: Step; snap: SessionSnapshot }> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const snap = await this.load(sessionId);
      const expired = await this.expire(snap);
      if (expired !== snap) throw timedOut(outOfTurn(expired.session, agentId, what));
      const nowMs = this.clock();
      await prepare?.(snap, nowMs);
      const step = decide(snap, nowMs);
      const outcome = await this.repo.commit(step, snap.session.version, step.claimed ? { freeReviewer: agentId } : {});
      if (outcome === 'reviewer_busy') throw new ReviewerNotEligibleError(agentId, snap.session.requesterId, 'it is already in an open dialectic session');
      if (outcome === 'ok') {
        const session = { ...step.session, version: snap.session.version + 1 };
        await this.publisher.publish(session, step.transitions, agentId);
        return { step: { ...step, session }, snap: { session, messages: [...snap.messages, ...step.messages] } };
      }
    }
    throw new ConflictError(`Session ${sessionId} kept changing while this call was decided; retry.`);
  }

  /** The snapshot, failed and stored first when it is past its deadline (a concurrent change wins). */
  private async expire(snap: SessionSnapshot): Promise<SessionSnapshot> {
    const step = timeoutStep(snap, this.clock());
    if (!step) return snap;
    const outcome = await this.repo.commit(step, snap.session.version);
    if (outcome !== 'ok') return this.expire(await this.load(snap.session.id));
    const session = { ...step.session, version: snap.session.version + 1 };
    await this.publisher.publish(session, step.transitions, null);
    return { session, messages: snap.messages };
  }

  private async load(id: string): Promise<SessionSnapshot> {
    const snap = await this.repo.get(id);
    if (!snap) throw new NotFoundError('session', id, `Session '${id}' not found. Use the session_id from request_dialectic_review, or get_dialectic_session with agent_id.`);
    return snap;
  }

  /** An open slot may be claimed only by an agent selection would have allowed (v1 exclusions). */
  private async checkClaimer(session: DialecticSession, agentId: string, nowMs: number): Promise<void> {
    const { candidates } = await this.repo.candidates(session.requesterId, agentId);
    const candidate = candidates[0];
    if (!candidate) return; // Never seen by the governance core: nothing speaks against it.
    const why = exclusionOf({ ...candidate, inOpenSession: false }, session.requesterId, nowMs);
    if (why) throw new ReviewerNotEligibleError(agentId, session.requesterId, why);
  }

  private async markDiscovery(id: string, status: string): Promise<void> {
    try {
      await this.deps.discoveries?.setStatus(id, status);
    } catch (err) {
      this.deps.logger?.warn(`Could not mark discovery ${id} ${status}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private result(view: SessionView, s: DialecticSession): TransitionResult {
    return { success: true, session_id: s.id, phase: s.phase, next_step: nextStep(s), next_actor: view.next_actor, deadlines: view.deadlines, session: view };
  }
}

function requesterState(agent: AgentRecord): RequesterState {
  const m = agent.lastMetrics;
  return {
    status: agent.status,
    risk_score: m?.risk_score ?? null,
    coherence: m?.coherence ?? null,
    void_active: m?.void_active ?? null,
    ...(m ? { E: m.E, I: m.I, S: m.S, V: m.V } : {}),
  };
}

function timedOut(err: DialecticStateError): DialecticStateError {
  return new DialecticStateError(err.message, { ...err.details, timed_out: true });
}

function withDetails<E extends Error>(err: E, details: Record<string, unknown>): E {
  return Object.assign(err, { details });
}

function withField<E extends Error>(err: E, field: string): E {
  return Object.assign(err, { field });
}
