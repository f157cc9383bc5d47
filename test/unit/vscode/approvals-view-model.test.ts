import assert from 'node:assert/strict';
import type { PendingApproval } from '../../../src/approvals/types';
import { approvalRow, approvalsBadge, approvalsMessage, PENDING_CONTEXT_VALUE } from '../../../src/vscode/approvals/view-model';

const pending = (over: Partial<PendingApproval>): PendingApproval => ({
  id: 'req-1',
  source: 'codex-full-access',
  risk: 'high',
  agentId: 'agent-7',
  sandbox: 'danger-full-access',
  cwd: '/repo',
  reason: 'needs to install packages',
  requestedAt: '2026-11-21T10:00:00.000Z',
  deadline: Date.parse('2026-11-21T10:05:00.000Z'),
  signal: new AbortController().signal,
  ...over,
});

describe('Approvals view model', function () {
  it('a full-access request reads as the risk, who asks and what, with a warning icon and the inline Approve / Deny context', function () {
    const row = approvalRow(pending({}));
    assert.equal(row.id, 'req-1');
    assert.equal(row.label, 'HIGH risk: agent-7 wants a Codex session with full access (danger-full-access)');
    assert.equal(row.description, 'danger-full-access');
    assert.equal(row.icon, 'warning');
    assert.equal(row.contextValue, PENDING_CONTEXT_VALUE);
    for (const line of ['Folder (cwd): /repo', 'Sandbox: danger-full-access', 'Risk: high', 'Justification: needs to install packages']) {
      assert.ok(row.tooltip.includes(line), `tooltip lacks "${line}": ${row.tooltip}`);
    }
  });

  it('an escalated command shows the command as its description; medium risk gets a question icon, critical a warning', function () {
    const exec = approvalRow(pending({ source: 'codex-exec', risk: 'medium', command: 'rm -rf build', sandbox: 'workspace-write' }));
    assert.equal(exec.description, 'rm -rf build');
    assert.equal(exec.icon, 'question');
    assert.match(exec.label, /^MEDIUM risk: agent-7 wants to run a command outside its sandbox$/);
    assert.equal(approvalRow(pending({ risk: 'critical' })).icon, 'warning');
    assert.equal(approvalRow(pending({ agentId: undefined, sandbox: undefined })).label, 'HIGH risk: an agent wants a Codex session with full access (danger-full-access)');
    assert.equal(approvalRow(pending({ sandbox: undefined })).description, '');
  });

  it('the badge counts what waits (none at zero) and the message shows only when nothing waits', function () {
    assert.equal(approvalsBadge(0), undefined);
    assert.deepEqual(approvalsBadge(1), { value: 1, tooltip: '1 approval request waiting' });
    assert.deepEqual(approvalsBadge(3), { value: 3, tooltip: '3 approval requests waiting' });
    assert.equal(approvalsMessage(0), 'No approval requests are waiting.');
    assert.equal(approvalsMessage(2), undefined);
  });
});
