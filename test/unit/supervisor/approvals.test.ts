import assert from 'node:assert/strict';
import { askBroker, DEFAULT_DENY_REASON, DenyAllApprovalBroker, type ApprovalRequest } from '../../../src/approvals/vocabulary';
import { appServerDecision, appServerLegacyDecision, mcpServerDecision } from '../../../src/supervisor/approval-wire';
import { clip } from '../../../src/supervisor/backend';
import { describeCommand } from '../../../src/supervisor/backend-util';

const req: ApprovalRequest = { source: 'codex-exec', sessionId: 's', command: 'rm -rf /tmp/x', signal: new AbortController().signal };

describe('approval broker', () => {
  it('denies by default and says why', async () => {
    assert.deepEqual(await new DenyAllApprovalBroker().request(), { decision: 'deny', reason: DEFAULT_DENY_REASON });
    assert.equal(DEFAULT_DENY_REASON, 'No approval prompter is configured yet: denied by default (fail closed)');
  });

  it('turns a throwing or malformed broker into a denial (fail closed)', async () => {
    const thrown = await askBroker({ request: async () => Promise.reject(new Error('prompter crashed')) }, req);
    assert.equal(thrown.decision, 'deny');
    assert.match(thrown.reason ?? '', /prompter crashed.*fail closed/);
    const junk = await askBroker({ request: () => Promise.resolve({ decision: 'yes please' } as never) }, req);
    assert.equal(junk.decision, 'deny');
    const ok = await askBroker({ request: () => Promise.resolve({ decision: 'allow_session' }) }, req);
    assert.deepEqual(ok, { decision: 'allow_session' });
  });

  it('answers in each backend\'s own format, never abort', () => {
    assert.equal(mcpServerDecision({ decision: 'allow_once' }), 'approved');
    assert.equal(mcpServerDecision({ decision: 'allow_session' }), 'approved_for_session');
    assert.deepEqual(mcpServerDecision({ decision: 'deny', reason: 'no' }), { denied: { rejection: 'no' } });
    assert.deepEqual(mcpServerDecision({ decision: 'deny' }), { denied: { rejection: 'Denied by Codex Governance' } });
    assert.equal(appServerDecision({ decision: 'allow_once' }), 'accept');
    assert.equal(appServerDecision({ decision: 'allow_session' }), 'acceptForSession');
    assert.equal(appServerDecision({ decision: 'deny', reason: 'no' }), 'decline');
    assert.deepEqual(appServerLegacyDecision({ decision: 'deny', reason: 'no' }), { denied: { rejection: 'no' } });
  });

  it('shows Codex\'s [shell, -lc, script] commands as the script', () => {
    assert.equal(describeCommand(['/bin/bash', '-lc', 'touch a && ls']), 'touch a && ls');
    assert.equal(describeCommand(['git', 'status', '--short']), 'git status --short');
    assert.equal(describeCommand('echo hi'), 'echo hi');
    assert.equal(describeCommand({ not: 'a command' }), undefined);
  });
});

describe('transcript lines', () => {
  it('are one line, clipped, with secrets masked', () => {
    assert.equal(clip('a\n  b\tc'), 'a b c');
    assert.equal(clip('x'.repeat(600)).length, 500);
    const masked = clip('curl -H "Authorization: Bearer abcdef123456" https://x');
    assert.doesNotMatch(masked, /abcdef123456/);
    assert.match(masked, /^curl -H .*\*\*\*\*.* https:\/\/x$/);
    assert.doesNotMatch(clip('export OPENAI_API_KEY=sk-proj-abcdefghijklmnop'), /abcdefghijklmnop/);
  });
});
