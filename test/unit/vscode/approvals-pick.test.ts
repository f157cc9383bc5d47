import assert from 'node:assert/strict';
import type { PendingApproval } from '../../../src/approvals/types';
import { pendingPickItems, timeLeft } from '../../../src/vscode/approvals/panel-pick';

const base = (over: Partial<PendingApproval>): PendingApproval => ({
  id: 'id-1',
  source: 'codex-full-access',
  risk: 'high',
  requestedAt: new Date(1_000_000).toISOString(),
  deadline: 1_000_000 + 300_000,
  signal: new AbortController().signal,
  ...over,
});

describe('Approve / Deny Pending quick pick rows', () => {
  it('one row per request, oldest first: risk and summary in the label, time left, and the command, cwd and agent in the detail', () => {
    const now = 1_000_000 + 50_000;
    const items = pendingPickItems(
      [
        base({ id: 'a', agentId: 'agent-7', sandbox: 'danger-full-access', cwd: '/repo', sessionId: 's1', reason: 'needs network' }),
        base({ id: 'b', source: 'codex-exec', risk: 'medium', command: 'rm -rf build', cwd: '/work', sandbox: 'workspace-write', deadline: now + 20_000 }),
      ],
      now,
    );
    assert.deepEqual(items, [
      {
        id: 'a',
        label: '$(warning) HIGH risk: agent-7 wants a Codex session with full access (danger-full-access)',
        description: '4 min 10 s left',
        detail: 'Sandbox: danger-full-access · Agent: agent-7 · cwd: /repo · Session: s1 · Why: needs network',
      },
      {
        id: 'b',
        label: '$(question) MEDIUM risk: an agent wants to run a command outside its sandbox',
        description: '20 s left',
        detail: 'Command: rm -rf build · Sandbox: workspace-write · Agent: unknown · cwd: /work',
      },
    ]);
  });

  it('a single pending request still gets its row (the person sees what they answer); none gives none', () => {
    assert.equal(pendingPickItems([base({ source: 'pause-override', risk: 'critical', agentId: 'x' })], 1_000_000).length, 1);
    assert.match(pendingPickItems([base({ source: 'pause-override', risk: 'critical' })], 1_000_000)[0]!.label, /CRITICAL risk: an agent wants to go on although governance said PAUSE/);
    assert.deepEqual(pendingPickItems([], 0), []);
  });

  it('a long justification is cut at 200 characters; a past deadline shows 0 s', () => {
    const [item] = pendingPickItems([base({ reason: 'y'.repeat(500) })], 2_000_000);
    assert.ok(item!.detail.endsWith(`Why: ${'y'.repeat(200)}…`));
    assert.equal(item!.description, '0 s left');
    assert.equal(timeLeft(125_000, 0), '2 min 5 s left');
  });
});
