import assert from 'node:assert/strict';
import { CHOICE_ALLOW_ONCE, CHOICE_ALLOW_SESSION, CHOICE_DENY } from '../../../src/approvals/present';
import type { PendingApproval } from '../../../src/approvals/types';
import { APPROVAL_LABELS } from '../../../src/approvals/vocabulary';
import { buttonsFor, decisionForLabel, notificationPlan, promptPlan, untilDeadline } from '../../../src/vscode/approvals/prompt-plan';
import { approvalsStatus } from '../../../src/vscode/approvals/view-model';

const NOW = Date.parse('2026-11-21T10:00:00.000Z');
const pending = (over: Partial<PendingApproval>): PendingApproval => ({
  id: 'req-1',
  source: 'codex-hook',
  risk: 'medium',
  agentId: 'codex-abc',
  command: 'rm -rf ../x',
  cwd: '/repo',
  reason: 'clean the sibling build',
  requestedAt: '2026-11-21T10:00:00.000Z',
  deadline: NOW + 300_000,
  signal: new AbortController().signal,
  ...over,
});

describe('approval prompt plan (modal, notification, one vocabulary)', () => {
  it('a medium escalation is an error-severity notification (the one VS Code keeps on screen) with Deny first', () => {
    const plan = promptPlan(pending({}), NOW);
    assert.equal(plan.kind, 'notification');
    assert.equal(plan.severity, 'error');
    assert.deepEqual(plan.buttons, ['Deny', 'Allow Once', 'Allow for This Session']);
    assert.match(plan.message, /^Approval needed\. MEDIUM risk: codex-abc /);
    assert.ok(plan.message.includes('rm -rf ../x'), plan.message);
    assert.ok(plan.message.includes('Closing this answers nothing: the request waits in the Approvals view until you answer it, and is denied in 5 min if nobody does.'), plan.message);
  });

  it('low risk keeps a plain info notification with Allow Once first', () => {
    const plan = promptPlan(pending({ risk: 'low' }), NOW);
    assert.equal(plan.kind, 'notification');
    assert.equal(plan.severity, 'info');
    assert.deepEqual(plan.buttons, ['Allow Once', 'Allow for This Session', 'Deny']);
  });

  it('high and critical are modals: Deny first (the default), a "Decide Later" close button, and a detail that says what closing does', () => {
    for (const risk of ['high', 'critical'] as const) {
      const plan = promptPlan(pending({ risk, source: 'codex-full-access', sandbox: 'danger-full-access', deadline: NOW + 95_000 }), NOW);
      assert.equal(plan.kind, 'modal');
      assert.equal(plan.buttons[0], 'Deny');
      assert.equal(plan.closeLabel, 'Decide Later');
      assert.match(plan.detail ?? '', /Decide Later \(or Escape\): no answer yet; the request waits in the Approvals view until you answer it, and is denied in 1 min 35 s if nobody does\.$/);
      assert.ok(plan.detail?.includes('Sandbox: danger-full-access'));
      // The notification shown after "Decide Later" keeps Deny first and stays on screen.
      const after = notificationPlan(pending({ risk }), NOW);
      assert.equal(after.severity, 'error');
      assert.equal(after.buttons[0], 'Deny');
    }
  });

  it('labels map back to decisions; the close button and a dismissal answer nothing', () => {
    assert.equal(decisionForLabel('Allow Once'), 'allow_once');
    assert.equal(decisionForLabel('Allow for This Session'), 'allow_session');
    assert.equal(decisionForLabel('Deny'), 'deny');
    assert.equal(decisionForLabel('Decide Later'), undefined);
    assert.equal(decisionForLabel(undefined), undefined);
    assert.equal(decisionForLabel('Approve'), undefined);
  });

  it('one vocabulary: the prompt buttons, the present.ts choices and the vocabulary agree', () => {
    assert.deepEqual([CHOICE_ALLOW_ONCE, CHOICE_ALLOW_SESSION, CHOICE_DENY], [APPROVAL_LABELS.action.allow_once, APPROVAL_LABELS.action.allow_session, APPROVAL_LABELS.action.deny]);
    assert.deepEqual([...buttonsFor({ risk: 'low' })].sort(), [...buttonsFor({ risk: 'critical' })].sort());
    assert.deepEqual(APPROVAL_LABELS.done, { allow_once: 'Allowed once', allow_session: 'Allowed for this session', deny: 'Denied' });
  });

  it('time left reads in minutes and seconds', () => {
    assert.equal(untilDeadline(NOW + 35_000, NOW), 'in 35 s');
    assert.equal(untilDeadline(NOW + 120_000, NOW), 'in 2 min');
    assert.equal(untilDeadline(NOW - 1, NOW), 'now');
  });

  it('the status bar entry counts waiting requests, urgent once one is above low; hidden for none', () => {
    assert.equal(approvalsStatus([]), undefined);
    const one = approvalsStatus([pending({ risk: 'low' })]);
    assert.equal(one?.text, '$(shield) 1 approval waiting');
    assert.equal(one?.urgent, false);
    const two = approvalsStatus([pending({ risk: 'low' }), pending({ id: 'req-2', risk: 'medium' })]);
    assert.equal(two?.text, '$(shield) 2 approvals waiting');
    assert.equal(two?.urgent, true);
    assert.match(two?.tooltip ?? '', /MEDIUM risk: codex-abc asks \(Codex hook\) to run outside its sandbox/);
  });
});
