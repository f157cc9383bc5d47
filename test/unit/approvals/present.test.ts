import assert from 'node:assert/strict';
import { answerForChoice, approvalPolicyFromSettings, CHOICE_ALLOW_ONCE, CHOICE_ALLOW_SESSION, CHOICE_DENY, needsModal, promptDetail, promptTitle } from '../../../src/approvals/present';
import type { PendingApproval } from '../../../src/approvals/types';

const pending: PendingApproval = {
  id: 'a1',
  source: 'codex-full-access',
  risk: 'high',
  agentId: 'agent-7',
  sessionId: 's1',
  cwd: '/repo',
  sandbox: 'danger-full-access',
  approvalPolicy: 'on-request',
  reason: 'needs to install packages',
  requestedAt: '2026-11-21T00:00:00.000Z',
  deadline: 0,
  signal: new AbortController().signal,
};

describe('approvals: presentation', () => {
  it('the modal shows command, cwd, sandbox, risk and the justification', () => {
    assert.equal(promptTitle(pending), 'HIGH risk: agent-7 wants a Codex session with full access (danger-full-access)');
    const detail = promptDetail({ ...pending, source: 'codex-exec', command: 'npm install' });
    for (const line of ['Command: npm install', 'Folder (cwd): /repo', 'Sandbox: danger-full-access', 'Risk: high', 'Justification: needs to install packages']) assert.ok(detail.includes(line), detail);
  });

  it('a session the gate sends for review shows why, and what would run, in the modal', () => {
    const gated: PendingApproval = {
      ...pending,
      source: 'codex-session',
      sandbox: 'read-only',
      command: 'mcp_servers.lint.command: npx lint (from config argument)',
      details: { why: ['the config argument sets `mcp_servers.lint.command`, which starts programs'] },
    };
    assert.equal(promptTitle(gated), 'HIGH risk: agent-7 wants a Codex session that needs your yes');
    const detail = promptDetail(gated);
    assert.match(detail, /^Why: the config argument sets `mcp_servers\.lint\.command`, which starts programs$/m);
    assert.match(detail, /^Would run: mcp_servers\.lint\.command: npx lint \(from config argument\)$/m);
    assert.match(detail, /^Sandbox: read-only$/m);
  });

  it('high and critical are modal, medium and low are notifications', () => {
    assert.deepEqual((['low', 'medium', 'high', 'critical'] as const).map((risk) => needsModal({ risk })), [false, false, true, true]);
  });

  it('maps buttons to answers; a dismissed prompt is no answer yet (the view and the timeout decide)', () => {
    assert.deepEqual(answerForChoice(CHOICE_ALLOW_ONCE), { decision: 'allow_once' });
    assert.deepEqual(answerForChoice(CHOICE_ALLOW_SESSION), { decision: 'allow_session' });
    assert.equal(answerForChoice(CHOICE_DENY)?.decision, 'deny');
    assert.equal(answerForChoice(undefined), undefined);
  });

  it('reads the settings into a policy, naming the setting when high lacks its confirmation', () => {
    const settings: Record<string, unknown> = { 'approvals.autoApproveMedium': true, 'approvals.timeoutSeconds': 60 };
    const policy = approvalPolicyFromSettings((k) => settings[k]);
    assert.equal(policy.autoApproveMedium, true);
    assert.equal(policy.timeoutSeconds, 60);
    assert.equal(policy.autoApproveLow, true);
    settings['approvals.autoApproveHigh'] = true;
    assert.throws(() => approvalPolicyFromSettings((k) => settings[k]), /Settings codexGovernance\.approvals: autoApproveHigh/);
  });
});
