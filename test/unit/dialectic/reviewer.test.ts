import assert from 'node:assert/strict';
import { authorityScore, exclusionOf, healthOf, selectReviewer, type ReviewerCandidate } from '../../../src/dialectic/reviewer';

const NOW = Date.UTC(2026, 5, 1, 12);
const HOUR = 3600_000;
const candidate = (agentId: string, fields: Partial<ReviewerCandidate> = {}): ReviewerCandidate => ({
  agentId,
  status: 'active',
  risk: 0.2,
  lastSeenMs: NOW - HOUR,
  tags: [],
  reviews: { total: 0, successful: 0 },
  inOpenSession: false,
  reviewedRequesterAtMs: null,
  ...fields,
});
/** r = (i + 0.5) / n for i < n: an even spread over [0, 1), so pick counts follow the weights exactly. */
const grid = (n: number) => {
  let i = 0;
  return () => (i++ % n + 0.5) / n;
};

describe('dialectic: reviewer selection (v1 select_reviewer, calculate_authority_score)', () => {
  it('excludes the requester, busy agents, recent reviewers, inactive and risky agents', () => {
    const req = 'paused-agent';
    assert.match(exclusionOf(candidate(req), req, NOW) ?? '', /under review/);
    assert.match(exclusionOf(candidate('b', { inOpenSession: true }), req, NOW) ?? '', /open dialectic session/);
    assert.match(exclusionOf(candidate('b', { reviewedRequesterAtMs: NOW - 23 * HOUR }), req, NOW) ?? '', /last 24 h/);
    assert.equal(exclusionOf(candidate('b', { reviewedRequesterAtMs: NOW - 25 * HOUR }), req, NOW), null);
    assert.match(exclusionOf(candidate('b', { status: 'paused' }), req, NOW) ?? '', /not active/);
    assert.match(exclusionOf(candidate('b', { risk: 0.4 }), req, NOW) ?? '', /at or above 0.40/);
    assert.equal(exclusionOf(candidate('b', { risk: null }), req, NOW), null, 'no update yet: not excluded (v1)');
    assert.equal(selectReviewer({ agentId: req, tags: [] }, [candidate(req), candidate('b', { risk: 0.5 })], { nowMs: NOW, random: () => 0.5 }), undefined);
  });

  it('authority = 0.40 health + 0.30 track record + 0.20 tag overlap + 0.10 freshness', () => {
    const c = candidate('b', { risk: 0.35, reviews: { total: 4, successful: 3 }, tags: ['auth', 'jwt', 'tests'], lastSeenMs: NOW - 30 * HOUR });
    const s = authorityScore(c, new Set(['auth', 'jwt']), NOW);
    assert.equal(s.health, 0.5, 'risk at the 0.35 centre');
    assert.equal(s.track_record, 0.75);
    assert.ok(Math.abs(s.domain_expertise - 2 / 3) < 1e-12, 'Jaccard {auth,jwt,tests} vs {auth,jwt}');
    assert.equal(s.freshness, 0.5, 'not seen for 30 h');
    assert.ok(Math.abs(s.authority - (0.4 * 0.5 + 0.3 * 0.75 + 0.2 * (2 / 3) + 0.1 * 0.5)) < 1e-12);
    assert.ok(Math.abs(healthOf(0.1) - 1 / (1 + Math.exp(10 * (0.1 - 0.35)))) < 1e-12);
  });

  it("health comes from the candidate's own risk: the healthier candidate is picked more often", () => {
    // Same in everything but risk. v1 computed health from the paused agent's state for every
    // candidate, which would make the two equally likely.
    const healthy = candidate('healthy', { risk: 0.05 });
    const strained = candidate('strained', { risk: 0.38 });
    const n = 1000;
    const random = grid(n);
    const picks = { healthy: 0, strained: 0 };
    for (let i = 0; i < n; i++) {
      if (selectReviewer({ agentId: 'p', tags: [] }, [strained, healthy], { nowMs: NOW, random })!.agentId === 'healthy') picks.healthy++;
      else picks.strained++;
    }
    const wH = authorityScore(healthy, new Set(), NOW).authority;
    const wS = authorityScore(strained, new Set(), NOW).authority;
    assert.ok(wH > wS);
    assert.equal(picks.healthy, Math.round((n * wH) / (wH + wS)));
    assert.ok(picks.healthy > picks.strained);
  });

  it('the same random value picks the same reviewer whatever order the candidates come in', () => {
    const cs = ['d', 'a', 'c', 'b'].map((id, i) => candidate(id, { risk: 0.1 * i }));
    const pick = (list: ReviewerCandidate[]) => selectReviewer({ agentId: 'p', tags: [] }, list, { nowMs: NOW, random: () => 0.42 })!.agentId;
    assert.equal(pick(cs), pick([...cs].reverse()));
    assert.equal(selectReviewer({ agentId: 'p', tags: [] }, cs, { nowMs: NOW, random: () => 0 })!.agentId, 'a');
    assert.equal(selectReviewer({ agentId: 'p', tags: [] }, cs, { nowMs: NOW, random: () => 0.999999 })!.agentId, 'd');
  });
});
