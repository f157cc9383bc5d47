import assert from 'node:assert/strict';
import { GOVERNANCE_LIMITS } from '../../../src/core/governance';
import { checkHardLimits, complexityCap, parseCondition } from '../../../src/dialectic/limits';
import { DIALECTIC_LIMITS } from '../../../src/dialectic/types';
import { LIMITS } from '../../../src/knowledge/knowledge';

const ok = (conditions: string[], rootCause = 'Complexity spiked during the refactor') => checkHardLimits({ conditions, rootCause });

describe('dialectic: hard limits (v1 check_hard_limits) and conditions (v1 condition_parser)', () => {
  it('accepts a plain resolution', () => {
    assert.equal(ok(['Reduce complexity to 0.3', 'Monitor for 24h', 'Set risk threshold to 0.5', 'Keep coherence threshold at 0.5']), null);
  });

  it('refuses conditions that disable governance, bypass safety, remove monitoring or limits', () => {
    assert.equal(ok(['Disable governance for this agent']), 'Cannot disable governance system');
    assert.equal(ok(['Bypass safety review']), 'Cannot bypass safety checks');
    assert.equal(ok(['Remove monitoring']), 'Cannot remove monitoring');
    assert.equal(ok(['Skip the checks']), 'Cannot skip safety checks');
    assert.equal(ok(['Disable the circuit breaker']), 'Cannot disable circuit breaker');
  });

  it('refuses a risk threshold above 0.90 and a coherence threshold below 0.1 (whole numbers read, unlike v1)', () => {
    assert.match(ok(['Set risk threshold to 0.95']) ?? '', /Risk threshold 0.95 exceeds maximum allowed \(0.90\)/);
    assert.equal(ok(['Set risk threshold to 0.90']), null);
    assert.match(ok(['Set coherence threshold to 0.05']) ?? '', /Coherence threshold 0.05 is too low/);
    assert.match(ok(['coherence < 0.02']) ?? '', /too low/);
    assert.equal(ok(['Set coherence threshold to 0.5']), null, 'v1 read "0.5" as 5 and refused it');
    assert.equal(ok(['Review every 3 updates of risk threshold checks']), null, 'a number without a decimal point is no threshold');
  });

  it('refuses vague conditions, no condition, and a root cause under 10 characters', () => {
    assert.equal(ok(['Maybe slow down']), "Condition too vague: 'Maybe slow down'");
    assert.equal(ok(['Try harder']), "Condition too vague: 'Try harder'");
    assert.equal(ok([]), 'Resolution must include at least one condition');
    assert.equal(ok(['Reduce complexity to 0.3'], 'too short'), 'Root cause must be at least 10 characters');
  });

  it('parses conditions and caps complexity at the lowest set/reduce/limit value', () => {
    assert.deepEqual(parseCondition('Reduce complexity to 0.3.'), { action: 'reduce', target: 'complexity', value: 0.3, unit: null, original: 'Reduce complexity to 0.3.' });
    assert.deepEqual(parseCondition('Monitor for 24h'), { action: 'monitor', target: 'monitoring_duration', value: 24, unit: 'hours', original: 'Monitor for 24h' });
    assert.equal(parseCondition('Keep complexity below 0.5').unit, 'below');
    assert.equal(parseCondition('Be nice').action, 'unknown');
    const cap = complexityCap(['Reduce complexity to 0.4', 'Limit complexity to 0.35', 'Keep complexity above 0.1', 'Increase complexity to 0.2', 'Set risk threshold to 0.5'].map(parseCondition));
    assert.equal(cap, 0.35);
    assert.equal(complexityCap([parseCondition('Monitor for 24h')]), undefined);
  });
});

describe('dialectic limits (restated for the Review page bundle)', () => {
  it('match the governance and knowledge limits they copy', () => {
    assert.equal(DIALECTIC_LIMITS.agentId, GOVERNANCE_LIMITS.agentId);
    assert.equal(DIALECTIC_LIMITS.discoveryId, LIMITS.discoveryId);
  });
});
