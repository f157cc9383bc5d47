/** DialecticService over a real SQLite file and audit log, with an injected clock and random source. */
import assert from 'node:assert/strict';
import { GovernanceEvents, type DialecticTransitionEvent } from '../../../src/core/events';
import { GovernanceService } from '../../../src/core/governance';
import { AutoReview, autoReviewFromEnv } from '../../../src/dialectic/auto-review';
import { DialecticService } from '../../../src/dialectic/service';
import { KnowledgeGraph } from '../../../src/knowledge/knowledge';
import { AuditLog } from '../../../src/store/audit';
import { openStore } from '../../../src/store/store';
import type { Store } from '../../../src/store/types';
import { manualClock, useTempDir } from '../store/temp-dir';

const HOUR = 3600_000;
const agree = { rootCause: 'Complexity spiked during the refactor', proposedConditions: ['Reduce complexity to 0.3', 'Monitor for 24h'], agrees: true };

describe('dialectic: service (SQLite, audit log, injected clock)', () => {
  const dir = useTempDir('cg-dialectic-svc-');
  let store: Store;
  let audit: AuditLog;
  let events: GovernanceEvents;
  let clock: ReturnType<typeof manualClock>;
  let gov: GovernanceService;
  let knowledge: KnowledgeGraph;
  let svc: DialecticService;
  let seen: DialecticTransitionEvent[];

  beforeEach(async () => {
    store = await openStore(dir());
    audit = await AuditLog.open(dir());
    events = new GovernanceEvents();
    clock = manualClock();
    knowledge = new KnowledgeGraph(store, events, clock.now);
    svc = new DialecticService({
      repository: store.dialectic,
      agents: store.agents,
      events,
      audit,
      clock: clock.now,
      random: () => 0.5,
      discoveries: { owner: async (id) => (await knowledge.getDetails(id)).discovery.agent_id, setStatus: async (id, status) => void (await knowledge.updateStatus({ id, status })) },
    });
    gov = new GovernanceService(store, events, clock.now, (id) => svc.complexityCap(id));
    seen = [];
    events.on('dialectic-transition', (e) => seen.push(e));
  });
  afterEach(async () => {
    svc.stop();
    await audit.close();
    await store.close();
  });

  async function calm(agentId: string): Promise<void> {
    clock.advance(1000);
    await gov.processUpdate({ agentId, operation: 'read docs', complexity: 0.1, confidence: 0.9 });
  }
  async function pause(agentId: string): Promise<string> {
    for (let i = 0; i < 40; i++) {
      clock.advance(15_000);
      const r = await gov.processUpdate({ agentId, operation: `rewrite ${i}`, complexity: 1, confidence: 0.05 });
      if (r.governance_decision.action === 'PAUSE') return r.governance_decision.reason;
    }
    return assert.fail(`${agentId} never paused`);
  }
  const auditTypes = async () => (await audit.read({ limit: 1000 })).entries.map((e) => e.type);

  it('peer review to resolved: the paused agent resumes, its complexity is capped, every step is an event and an audit line', async () => {
    await pause('worker');
    await calm('reviewer');
    const opened = await svc.request({ agentId: 'worker', reason: 'Paused after a long refactor' });
    assert.equal(opened.reviewer_agent_id, 'reviewer');
    assert.equal(opened.phase, 'thesis');
    const id = opened.session_id;
    await svc.submitThesis({ sessionId: id, agentId: 'worker', rootCause: agree.rootCause, proposedConditions: agree.proposedConditions });
    await svc.submitAntithesis({ sessionId: id, agentId: 'reviewer', concerns: ['High risk'], observedMetrics: { risk_score: 0.7 } });
    await svc.submitSynthesis({ sessionId: id, agentId: 'worker', ...agree });
    const done = await svc.submitSynthesis({ sessionId: id, agentId: 'reviewer', ...agree });
    assert.equal(done.phase, 'resolved');
    assert.equal(done.converged, true);
    assert.equal((await store.agents.get('worker'))!.status, 'active');
    clock.advance(60_000);
    const capped = await gov.processUpdate({ agentId: 'worker', operation: 'big change', complexity: 1 });
    assert.match(capped.dialectic_enforcement_warning ?? '', /capped to 0.30/);
    assert.equal((await store.agents.history('worker', { limit: 1 }))[0]!.complexity, 0.3);
    assert.deepEqual(seen.map((e) => e.transition), ['requested', 'thesis', 'antithesis', 'synthesis', 'synthesis', 'resolved']);
    assert.deepEqual(await auditTypes(), ['dialectic.requested', 'dialectic.thesis', 'dialectic.antithesis', 'dialectic.synthesis', 'dialectic.synthesis', 'dialectic.resolved']);
  });

  it('two antitheses at once for an open slot: exactly one claims it, the other is invalid_state', async () => {
    await calm('requester');
    await calm('c');
    await calm('d');
    const { session_id: id } = await svc.request({ agentId: 'requester', reviewerMode: 'any', autoProgress: true, rootCause: 'Need a second pair of eyes' });
    const results = await Promise.allSettled([svc.submitAntithesis({ sessionId: id, agentId: 'c' }), svc.submitAntithesis({ sessionId: id, agentId: 'd' })]);
    assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
    const lost = results.find((r) => r.status === 'rejected')!;
    assert.equal((lost.reason as { code: string }).code, 'invalid_state');
    const got = await svc.get({ sessionId: id });
    assert.equal(got.transcript.filter((m) => m.phase === 'antithesis').length, 1);
    assert.equal(got.reviewer_agent_id, results[0].status === 'fulfilled' ? 'c' : 'd');
    assert.equal(seen.filter((e) => e.transition === 'antithesis').length, 1);
  });

  it('out of turn changes nothing: same version, same transcript, no event', async () => {
    await pause('worker');
    await calm('reviewer');
    const { session_id: id } = await svc.request({ agentId: 'worker' });
    const before = (await store.dialectic.get(id))!;
    const count = seen.length;
    await assert.rejects(svc.submitAntithesis({ sessionId: id, agentId: 'reviewer' }), (e: { code: string; details: { phase: string; may_act: string[] } }) => {
      assert.equal(e.code, 'invalid_state');
      assert.equal(e.details.phase, 'thesis');
      assert.deepEqual(e.details.may_act, ['worker']);
      return true;
    });
    assert.deepEqual(await store.dialectic.get(id), before);
    assert.equal(seen.length, count);
  });

  it('timeouts: the sweep fails a session past its deadline; access fails one too; late calls are invalid_state', async () => {
    await calm('a');
    await calm('b');
    await calm('c');
    await calm('d');
    const s1 = await svc.request({ agentId: 'a', reviewerAgentId: 'b', autoProgress: true });
    clock.advance(2 * HOUR - 1);
    assert.equal(await svc.sweep(), 0);
    clock.advance(1);
    assert.equal(await svc.sweep(), 1);
    const failed = await svc.get({ sessionId: s1.session_id });
    assert.equal(failed.phase, 'failed');
    assert.match(failed.outcome_reason ?? '', /Reviewer timeout/);
    assert.deepEqual(seen.filter((e) => e.transition === 'failed').map((e) => [e.sessionId, e.agentId]), [[s1.session_id, null]]);

    const s2 = await svc.request({ agentId: 'c', reviewerAgentId: 'd', autoProgress: true });
    await svc.submitAntithesis({ sessionId: s2.session_id, agentId: 'd' });
    clock.advance(HOUR);
    await assert.rejects(svc.submitSynthesis({ sessionId: s2.session_id, agentId: 'c', ...agree }), (e: { code: string; details: { phase: string; timed_out?: boolean } }) => {
      assert.equal(e.code, 'invalid_state');
      assert.equal(e.details.phase, 'failed');
      assert.equal(e.details.timed_out, true);
      return true;
    });
    assert.equal((await svc.get({ sessionId: s2.session_id })).phase, 'failed');
    assert.ok((await auditTypes()).filter((t) => t === 'dialectic.failed').length === 2);
  });

  it('escalation keeps the agent paused and refuses a new request for 1 h', async () => {
    await pause('worker');
    await calm('reviewer');
    const { session_id: id } = await svc.request({ agentId: 'worker', autoProgress: true });
    await svc.submitAntithesis({ sessionId: id, agentId: 'reviewer' });
    let last;
    for (let i = 0; i < 5; i++) last = await svc.submitSynthesis({ sessionId: id, agentId: i % 2 ? 'reviewer' : 'worker', proposedConditions: [`Plan ${i}`], agrees: false });
    assert.equal(last?.phase, 'escalated');
    assert.equal((await store.agents.get('worker'))!.status, 'paused');
    await assert.rejects(svc.request({ agentId: 'worker' }), /may ask again after/);
    clock.advance(HOUR + 1);
    await svc.request({ agentId: 'worker', reviewerMode: 'any' });
  });

  it("a disputed discovery's owner reviews it; the discovery is marked disputed", async () => {
    await calm('author');
    await calm('critic');
    await calm('bystander');
    const d = await knowledge.store({ agentId: 'author', discoveryType: 'insight', summary: 'Retries fix the flaky test', tags: ['tests'] });
    const r = await svc.request({ agentId: 'critic', discoveryId: d.id, reason: 'The retry hides a race' });
    assert.equal(r.reviewer_agent_id, 'author');
    assert.equal(r.dispute_type, 'dispute');
    assert.equal((await knowledge.getDetails(d.id)).discovery.status, 'disputed');
    await assert.rejects(svc.request({ agentId: 'author', discoveryId: d.id }), /own/);
  });

  it('an automatic review starts on PAUSE (auto mode, thesis from the reason), and not when switched off', async () => {
    let on = true;
    const auto = new AutoReview(svc, () => on, undefined);
    const off = auto.attach(events);
    await calm('peer');
    const reason = await pause('worker');
    await auto.settled();
    const got = await svc.get({ agentId: 'worker' });
    assert.equal(got.reviewer_mode, 'auto');
    assert.equal(got.phase, 'antithesis');
    assert.equal(got.reviewer_agent_id, 'peer');
    assert.equal(got.transcript[0]!.root_cause, `Auto-recovery: ${reason}`);
    on = false;
    await pause('other');
    await auto.settled();
    await assert.rejects(svc.get({ agentId: 'other' }), /No dialectic sessions/);
    off();
    assert.equal(autoReviewFromEnv({ CODEX_GOVERNANCE_AUTO_DIALECTIC: 'off' }), false);
    assert.equal(autoReviewFromEnv({ UNITARES_AUTO_DIALECTIC_RECOVERY: '0' }), false);
    assert.equal(autoReviewFromEnv({ CODEX_GOVERNANCE_AUTO_DIALECTIC: 'ON' }), true);
    assert.equal(autoReviewFromEnv({}), undefined);
    assert.throws(() => autoReviewFromEnv({ CODEX_GOVERNANCE_AUTO_DIALECTIC: 'sometimes' }), /CODEX_GOVERNANCE_AUTO_DIALECTIC=sometimes .* use on or off/);
  });

  it('an ineligible claimer (it reviewed this agent within 24 h) is refused; a nudge names who is waited on', async () => {
    await calm('a');
    await calm('b');
    const first = await svc.request({ agentId: 'a', reviewerAgentId: 'b', autoProgress: true });
    await svc.submitAntithesis({ sessionId: first.session_id, agentId: 'b' });
    for (let i = 0; i < 5; i++) await svc.submitSynthesis({ sessionId: first.session_id, agentId: i % 2 ? 'b' : 'a', agrees: false });
    clock.advance(HOUR + 1);
    const second = await svc.request({ agentId: 'a', reviewerMode: 'any', autoProgress: true });
    await assert.rejects(svc.submitAntithesis({ sessionId: second.session_id, agentId: 'b' }), (e: { code: string; message: string }) => e.code === 'forbidden' && /reviewed a in the last 24 h/.test(e.message));
    const nudge = await svc.nudge({ sessionId: second.session_id, agentId: 'a', note: 'anyone?' });
    assert.equal(nudge.next_actor, 'any');
    assert.equal(nudge.next_tool, 'submit_antithesis');
    assert.deepEqual(seen.at(-1), { transition: 'nudged', sessionId: second.session_id, phase: 'antithesis', agentId: 'a', requesterId: 'a', reviewerId: null, at: new Date(clock.now()).toISOString(), reason: 'anyone?' });
  });
});
