/**
 * The risk-based approval broker: one place that decides every approval (issue 4, DESIGN.md
 * "Risk and approvals"), whatever asked:
 * 1. a `codex` call asking for `danger-full-access`, before any child is asked (source `codex-full-access`);
 * 2. Codex's exec/patch/permissions requests from either backend (it implements the supervisor's
 *    {@link ApprovalBroker});
 * 3. an agent asking to override a PAUSE decision ({@link RiskApprovalBroker.requestPauseOverride});
 * 4. a governed OpenAI agent run calling an MCP tool not marked read-only (source `openai-agent`,
 *    risk from the tool's annotations in `details.annotations`, see ./risk toolRisk).
 *
 * Order of a decision: session grant ("allow for this session", kept per session and kind until
 * the session ends) -> policy auto-approval (low/medium/high, never critical, never ci when
 * `requirePersonForCi`) -> the prompter (a person) -> otherwise deny. No answer by the timeout,
 * a prompter that throws or answers something malformed, an audit write that fails, or the turn
 * ending = deny, with a reason the agent sees. Without a prompter (headless), whatever the policy
 * does not auto-approve is denied: with the defaults that is medium, high and critical; high only
 * passes with `autoApproveHigh` + `confirmAutoApproveHigh`, critical never.
 *
 * Audit: one `approval.requested` and one `approval.answered` line per request, the answer's line
 * fsynced (see ../store/audit) before the answer is returned; a request decided without a person
 * writes both lines in one append (one fsync, see decide).
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { AuditEntry, AuditLog } from '../store/audit';
import type { ApprovalAnswer, ApprovalBroker, ApprovalRequest } from './vocabulary';
import type { Logger } from '../util/log';
import { nullLogger } from '../util/log';
import { DEFAULT_APPROVAL_POLICY, type ApprovalPolicy } from './policy';
import { escalationRisk, maxRisk, sessionRisk, toolRisk, type RiskLevel } from './risk';
import type { ApprovalContext, ApprovalOutcome, ApprovalPrompter, BrokerSource, DecidedBy, PendingApproval } from './types';

/** A request to the broker; every field but `source` is optional. */
export interface BrokerRequest extends ApprovalContext {
  threadId?: string;
  /** Aborted when the asking turn ends: the request is denied (`cancelled`). */
  signal?: AbortSignal;
}

export interface RiskApprovalBrokerOptions {
  /**
   * The policy, or a function read on every request (live settings). A function that throws (an
   * invalid setting) makes every request a denial naming the problem (fail closed).
   */
  policy?: ApprovalPolicy | (() => ApprovalPolicy);
  /** Absent = headless without a person (see the module doc). */
  prompter?: ApprovalPrompter;
  /** Where requests and answers are written; absent = not audited (tests, benchmarks). */
  audit?: AuditLog;
  logger?: Logger;
  /** ms since epoch. */
  clock?: () => number;
}

export interface BrokerEventMap {
  /** The pending list changed (a prompt opened or settled): for views and badges. */
  'pending-changed': PendingApproval[];
  /** A request was settled. */
  decided: { source: BrokerSource; risk: RiskLevel; decision: ApprovalAnswer['decision']; decidedBy: DecidedBy; waitMs: number };
}

interface Pending {
  view: PendingApproval;
  settle: (answer: ApprovalAnswer, by: DecidedBy) => void;
}

/** Grants are kept per session and kind, so an exec grant never covers a patch or full access. */
function grantKind(source: BrokerSource): string {
  return source === 'codex-sandbox' || source === 'codex-permissions' ? 'escalation' : source;
}

export class RiskApprovalBroker implements ApprovalBroker {
  readonly events = new EventEmitter<{ [K in keyof BrokerEventMap]: [BrokerEventMap[K]] }>();
  private policySource: () => ApprovalPolicy;
  private policy: ApprovalPolicy = { ...DEFAULT_APPROVAL_POLICY };
  private prompter: ApprovalPrompter | undefined;
  private readonly audit: AuditLog | undefined;
  private readonly logger: Logger;
  private readonly clock: () => number;
  private readonly grants = new Map<string, Set<string>>();
  private readonly open = new Map<string, Pending>();

  constructor(options: RiskApprovalBrokerOptions = {}) {
    const p = options.policy ?? { ...DEFAULT_APPROVAL_POLICY };
    this.policySource = typeof p === 'function' ? p : () => p;
    this.prompter = options.prompter;
    this.audit = options.audit;
    this.logger = options.logger ?? nullLogger;
    this.clock = options.clock ?? Date.now;
    this.events.setMaxListeners(0);
  }

  /** Replaces the policy (a settings change); pending prompts keep their deadline. */
  setPolicy(policy: ApprovalPolicy | (() => ApprovalPolicy)): void {
    this.policySource = typeof policy === 'function' ? policy : () => policy;
  }

  /** The policy now. @throws what the policy function throws (an invalid setting) */
  currentPolicy(): ApprovalPolicy {
    return { ...this.policySource() };
  }

  /** Plugs a prompter in (the extension) or out (undefined = headless). */
  setPrompter(prompter: ApprovalPrompter | undefined): void {
    this.prompter = prompter;
  }

  hasPrompter(): boolean {
    return this.prompter !== undefined;
  }

  /** The supervisor's entry point (Codex requests and the full-access gate). Never rejects. */
  async request(req: ApprovalRequest): Promise<ApprovalAnswer> {
    const { decision, reason } = await this.decide(req);
    return reason === undefined ? { decision } : { decision, reason };
  }

  /**
   * Source 3: an agent asks to go on although governance said PAUSE. Allowed only with a yes
   * (a person, or a session grant from an earlier "allow for this session" for the same agent).
   */
  requestPauseOverride(req: { agentId: string; reason?: string; details?: Record<string, unknown>; signal?: AbortSignal }): Promise<ApprovalOutcome> {
    return this.decide({ source: 'pause-override', sessionId: `agent:${req.agentId}`, ...req });
  }

  /** The risk of a request under the current prompter (the seed's matrix, see ./risk). */
  assess(req: BrokerRequest): RiskLevel {
    const input = { sandbox: req.sandbox, approvalPolicy: req.approvalPolicy, mode: req.mode, interactive: this.prompter !== undefined };
    if (req.source === 'codex-full-access') return sessionRisk(input);
    // A session the gate sends for review is at least as risky as full access (./risk, issue 10).
    if (req.source === 'codex-session') return maxRisk('high', sessionRisk(input));
    if (req.source === 'pause-override') return maxRisk('medium', sessionRisk(input));
    if (req.source === 'openai-agent') return toolRisk(req.details?.annotations ?? {});
    return escalationRisk(input);
  }

  /**
   * A request the session gate refused before asking anyone: one `approval.answered` line (deny,
   * decided by policy) and the metrics. Never throws; an audit failure is logged (nothing runs anyway).
   */
  async refused(req: BrokerRequest & { reason: string }): Promise<void> {
    const id = randomUUID();
    const risk = maxRisk('high', this.assess(req));
    const base = this.auditFields(req, id, risk);
    try {
      await this.audit?.append({ type: 'approval.answered', ...base, justification: null, decision: 'deny', decided_by: 'policy', reason: req.reason, wait_ms: 0, ...(req.details ? { details: req.details } : {}) });
    } catch (err) {
      this.logger.error(`Could not audit refused request ${id}: ${errText(err)}`);
    }
    this.events.emit('decided', { source: req.source, risk, decision: 'deny', decidedBy: 'policy', waitMs: 0 });
  }

  /** Requests waiting for a person, oldest first. */
  pending(): PendingApproval[] {
    return [...this.open.values()].map((p) => p.view);
  }

  /**
   * Answers a pending request from outside its prompt (the Approvals view's inline buttons).
   * @returns false when `id` is no longer pending
   */
  answer(id: string, answer: ApprovalAnswer): boolean {
    const p = this.open.get(id);
    if (!p) return false;
    p.settle(answer, 'person');
    return true;
  }

  /** Forgets the session's "allow for this session" grants (the session ended). */
  endSession(sessionId: string): void {
    this.grants.delete(sessionId);
  }

  /**
   * Decides one request (see the module doc). Never rejects. A request settled without a person
   * (session grant, policy, invalid policy, ended turn) is audited as its `approval.requested` and
   * `approval.answered` lines in one append (one disk wait, nothing happens between them); one
   * that waits for a person has its request line on disk before the person is asked.
   */
  async decide(req: BrokerRequest): Promise<ApprovalOutcome> {
    const t0 = this.clock();
    const id = randomUUID();
    const risk = this.assess(req);
    const base = this.auditFields(req, id, risk);
    const requested: AuditEntry = { type: 'approval.requested', ...base, justification: req.reason ?? null };
    let quick: [ApprovalAnswer, DecidedBy] | undefined;
    try {
      this.policy = this.policySource();
      quick = this.settleWithoutPerson(req, risk);
    } catch (err) {
      quick = [{ decision: 'deny', reason: `The approval policy is invalid (${errText(err)}): denied (fail closed)` }, 'error'];
    }
    if (quick) return this.finish(req, base, t0, quick[0], quick[1], requested);
    try {
      await this.audit?.append(requested);
    } catch (err) {
      return this.finish(req, base, t0, { decision: 'deny', reason: `The approval could not be audited (${errText(err)}): denied (fail closed)` }, 'error');
    }
    // The turn may have ended while the request line was written.
    const [answer, by] = req.signal?.aborted ? ended() : await this.ask(this.prompter!, req, id, risk, t0, this.who(req));
    return this.finish(req, base, t0, answer, by);
  }

  /** How a denial names what was asked. */
  private who(req: BrokerRequest): string {
    return req.source === 'codex-full-access' ? `danger-full-access` : req.source === 'codex-session' ? 'this Codex session' : req.source === 'pause-override' ? 'overriding a PAUSE decision' : req.source === 'openai-agent' ? `the tool call ${req.command ?? ''}`.trimEnd() : `this ${req.source.replace('codex-', '')} request`;
  }

  /** The answer when no person is needed (or none can be asked); undefined = ask the prompter. */
  private settleWithoutPerson(req: BrokerRequest, risk: RiskLevel): [ApprovalAnswer, DecidedBy] | undefined {
    if (req.signal?.aborted) return ended();
    if (req.sessionId && this.grants.get(req.sessionId)?.has(grantKind(req.source))) return [{ decision: 'allow_session' }, 'session-grant'];
    const ciNeedsPerson = req.mode === 'ci' && this.policy.requirePersonForCi;
    if (!ciNeedsPerson && this.autoApproves(risk)) return [{ decision: 'allow_once', reason: `Auto-approved by policy (risk ${risk}).` }, 'policy'];
    if (this.prompter) return undefined;
    const why = risk === 'critical' ? 'critical risk is never approved without a person' : ciNeedsPerson ? 'ci mode requires a person (requirePersonForCi)' : `the approval policy does not auto-approve risk ${risk}`;
    return [{ decision: 'deny', reason: `Denied ${this.who(req)}: no person can be asked on this headless server and ${why}. Ask the operator to run with a prompter or change the approval policy.` }, 'policy'];
  }

  private autoApproves(risk: RiskLevel): boolean {
    if (risk === 'low') return this.policy.autoApproveLow;
    if (risk === 'medium') return this.policy.autoApproveMedium;
    if (risk === 'high') return this.policy.autoApproveHigh && this.policy.confirmAutoApproveHigh;
    return false;
  }

  private ask(prompter: ApprovalPrompter, req: BrokerRequest, id: string, risk: RiskLevel, t0: number, who: string): Promise<[ApprovalAnswer, DecidedBy]> {
    const timeoutMs = this.policy.timeoutSeconds * 1000;
    const ctl = new AbortController();
    const view: PendingApproval = {
      id,
      source: req.source,
      risk,
      ...defined({ sessionId: req.sessionId, agentId: req.agentId, command: req.command, cwd: req.cwd, sandbox: req.sandbox, approvalPolicy: req.approvalPolicy, mode: req.mode, reason: req.reason, details: req.details }),
      requestedAt: new Date(t0).toISOString(),
      deadline: t0 + timeoutMs,
      signal: ctl.signal,
    };
    return new Promise((resolve) => {
      let done = false;
      const onAbort = () => settle(...ended());
      const timer = setTimeout(() => settle({ decision: 'deny', reason: `No answer within ${this.policy.timeoutSeconds} s: ${who} denied (timeout).` }, 'timeout'), timeoutMs);
      const settle = (answer: ApprovalAnswer, by: DecidedBy) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        req.signal?.removeEventListener('abort', onAbort);
        this.open.delete(id);
        ctl.abort();
        this.emitPending();
        resolve([answer, by]);
      };
      req.signal?.addEventListener('abort', onAbort, { once: true });
      this.open.set(id, { view, settle: (a, by) => settle(validAnswer(a) ?? malformed(a), validAnswer(a) ? by : 'error') });
      this.emitPending();
      let call: Promise<ApprovalAnswer>;
      try {
        call = Promise.resolve(prompter.prompt(view));
      } catch (err) {
        call = Promise.reject(err);
      }
      call.then(
        (a) => {
          const valid = validAnswer(a);
          settle(valid ?? malformed(a), valid ? 'person' : 'error');
        },
        (err: unknown) => settle({ decision: 'deny', reason: `The approval prompt failed (${errText(err)}): ${who} denied (fail closed).` }, 'error'),
      );
    });
  }

  /** Audits the answer (after `requested`, in the same append, when given) and returns the outcome. */
  private async finish(req: BrokerRequest, base: Record<string, unknown>, t0: number, answer: ApprovalAnswer, by: DecidedBy, requested?: AuditEntry): Promise<ApprovalOutcome> {
    let final = answer;
    let decidedBy = by;
    if (final.decision === 'deny' && !final.reason) final = { ...final, reason: 'Denied by the person reviewing this request.' };
    try {
      const answered: AuditEntry = { type: 'approval.answered', ...base, decision: final.decision, decided_by: decidedBy, reason: final.reason ?? null, wait_ms: this.clock() - t0 };
      await this.audit?.appendAll(requested ? [requested, answered] : [answered]);
    } catch (err) {
      this.logger.error(`Could not audit approval ${String(base.id)}: ${errText(err)}`);
      // Nothing may run on an answer the audit does not hold.
      final = { decision: 'deny', reason: `The approval answer could not be audited (${errText(err)}): denied (fail closed)` };
      decidedBy = 'error';
    }
    if (final.decision === 'allow_session' && req.sessionId) {
      let kinds = this.grants.get(req.sessionId);
      if (!kinds) this.grants.set(req.sessionId, (kinds = new Set()));
      kinds.add(grantKind(req.source));
    }
    const waitMs = this.clock() - t0;
    const risk = base.risk as RiskLevel;
    this.events.emit('decided', { source: req.source, risk, decision: final.decision, decidedBy, waitMs });
    return { ...final, id: String(base.id), risk, decidedBy, waitMs };
  }

  private auditFields(req: BrokerRequest, id: string, risk: RiskLevel): Record<string, unknown> {
    return {
      id,
      source: req.source,
      agent: req.agentId ?? null,
      session: req.sessionId ?? null,
      ...(req.threadId ? { thread: req.threadId } : {}),
      command: req.command ?? null,
      cwd: req.cwd ?? null,
      sandbox: req.sandbox ?? null,
      approval_policy: req.approvalPolicy ?? null,
      mode: req.mode ?? null,
      risk,
    };
  }

  private emitPending(): void {
    this.events.emit('pending-changed', this.pending());
  }
}

function validAnswer(a: unknown): ApprovalAnswer | undefined {
  if (!a || typeof a !== 'object') return undefined;
  const { decision, reason } = a as { decision?: unknown; reason?: unknown };
  if (decision !== 'allow_once' && decision !== 'allow_session' && decision !== 'deny') return undefined;
  if (reason !== undefined && typeof reason !== 'string') return undefined;
  return reason === undefined ? { decision } : { decision, reason };
}

function malformed(a: unknown): ApprovalAnswer {
  return { decision: 'deny', reason: `The approval prompt gave no valid answer (${JSON.stringify(a)?.slice(0, 80) ?? String(a)}): denied (fail closed).` };
}

/** The answer to a request whose turn ended before it was answered. */
const ended = (): [ApprovalAnswer, DecidedBy] => [{ decision: 'deny', reason: 'The turn that asked has ended: denied.' }, 'cancelled'];

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function defined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
