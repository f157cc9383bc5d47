import assert from 'node:assert/strict';
import { RiskApprovalBroker } from '../../../src/approvals/broker';
import { parseApprovalPolicy } from '../../../src/approvals/policy';
import { ScriptedPrompter, parseTerminalAnswer, type ScriptedStep } from '../../../src/approvals/prompters';
import type { BrokerRequest } from '../../../src/approvals/broker';
import { AuditLog, type AuditRecord } from '../../../src/store/audit';
import { useTempDir } from '../store/temp-dir';

const fullAccess: BrokerRequest = { source: 'codex-full-access', sessionId: 's1', agentId: 'agent-a', sandbox: 'danger-full-access', approvalPolicy: 'on-request', cwd: '/repo', reason: 'needs network' };
const exec: BrokerRequest = { source: 'codex-exec', sessionId: 's1', command: 'touch /etc/x', cwd: '/repo', sandbox: 'workspace-write', reason: 'create x' };

async function lines(audit: AuditLog): Promise<AuditRecord[]> {
  return (await audit.read({ limit: 1000 })).entries;
}

describe('approvals: broker', () => {
  const dir = useTempDir('cg-approvals-');
  let audit: AuditLog;
  beforeEach(async () => {
    audit = await AuditLog.open(dir());
  });
  afterEach(async () => {
    await audit.close();
  });

  const broker = (steps: ScriptedStep[] | undefined, policy = {}) => {
    const prompter = steps ? new ScriptedPrompter(steps) : undefined;
    return { prompter, b: new RiskApprovalBroker({ audit, prompter, policy: parseApprovalPolicy({ timeoutSeconds: 0.05, ...policy }) }) };
  };

  const answers: Array<[string, ScriptedStep | undefined, string, string, RegExp | undefined]> = [
    ['allow once', { decision: 'allow_once' }, 'allow_once', 'person', undefined],
    ['allow for session', { decision: 'allow_session' }, 'allow_session', 'person', undefined],
    ['deny with a reason', { decision: 'deny', reason: 'not on prod' }, 'deny', 'person', /not on prod/],
    ['timeout', 'hang', 'deny', 'timeout', /No answer within 0.05 s/],
    ['malformed', { raw: { decision: 'sure' } }, 'deny', 'error', /no valid answer/],
    ['prompter throws', { throw: 'window closed' }, 'deny', 'error', /window closed/],
    ['prompter absent', undefined, 'deny', 'policy', /no person can be asked.*does not auto-approve risk high/],
  ];
  for (const [name, step, decision, by, reason] of answers) {
    it(`full-access request, ${name}: ${decision} by ${by}, one audit line per request and answer`, async () => {
      const { b } = broker(step === undefined ? undefined : [step]);
      const out = await b.decide(fullAccess);
      assert.equal(out.decision, decision);
      assert.equal(out.decidedBy, by);
      if (reason) assert.match(out.reason ?? '', reason);
      const log = await lines(audit);
      assert.deepEqual(log.map((l) => l.type), ['approval.requested', 'approval.answered']);
      assert.equal(log[1]?.decision, decision);
      assert.equal(log[1]?.decided_by, by);
      assert.equal(log[1]?.risk, 'high');
      assert.equal(log[0]?.sandbox, 'danger-full-access');
      assert.equal(log[0]?.agent, 'agent-a');
      assert.equal(log[0]?.justification, 'needs network');
    });
  }

  it('a request the policy decides waits for the disk once (request and answer in one append); one for a person has its request on disk while the person is asked', async () => {
    const appends: string[][] = [];
    const appendAll = audit.appendAll.bind(audit);
    audit.appendAll = (entries) => {
      appends.push(entries.map((e) => e.type));
      return appendAll(entries);
    };
    const low = { source: 'codex-full-access', sandbox: 'read-only', approvalPolicy: 'on-request' } as const;
    assert.equal((await broker([]).b.decide(low)).decidedBy, 'policy');
    assert.deepEqual(appends, [['approval.requested', 'approval.answered']]);
    let onDiskWhileAsked: unknown[] = [];
    const b = new RiskApprovalBroker({ audit, policy: parseApprovalPolicy({}), prompter: { prompt: async () => ((onDiskWhileAsked = (await lines(audit)).map((l) => l.type)), { decision: 'allow_once' }) } });
    assert.equal((await b.decide(fullAccess)).decidedBy, 'person');
    assert.deepEqual(onDiskWhileAsked, ['approval.requested', 'approval.answered', 'approval.requested']);
    assert.deepEqual(appends.slice(1), [['approval.requested'], ['approval.answered']]);
  });

  it('"allow for this session" answers later requests of that session and kind without asking, until the session ends', async () => {
    const { b, prompter } = broker([{ decision: 'allow_session' }, { decision: 'deny', reason: 'asked again' }, { decision: 'deny', reason: 'new' }]);
    assert.equal((await b.decide(exec)).decision, 'allow_session');
    const second = await b.decide({ ...exec, command: 'touch /etc/y' });
    assert.equal(second.decidedBy, 'session-grant');
    assert.equal(prompter?.seen.length, 1);
    assert.equal((await b.decide({ ...exec, source: 'codex-patch' })).reason, 'asked again');
    assert.equal((await b.decide({ ...exec, sessionId: 's2' })).reason, 'new');
    b.endSession('s1');
    assert.equal((await b.decide(exec)).decision, 'deny');
  });

  it('policy: low auto-approved, medium only when set, high only with confirmation, critical never, ci needs a person', async () => {
    const low = { source: 'codex-full-access', sandbox: 'read-only', approvalPolicy: 'on-request' } as const;
    assert.equal((await broker([]).b.decide(low)).decidedBy, 'policy');
    assert.equal((await broker([]).b.decide(low)).decision, 'allow_once');
    assert.equal((await broker(undefined, { autoApproveMedium: true }).b.decide(exec)).decision, 'allow_once');
    assert.equal((await broker(undefined).b.decide(exec)).decision, 'deny');
    assert.equal((await broker(undefined, { autoApproveMedium: true }).b.decide({ ...exec, mode: 'ci' })).decision, 'deny');
    const high = broker([{ decision: 'deny', reason: 'asked' }], { autoApproveHigh: true, confirmAutoApproveHigh: true });
    assert.equal((await high.b.decide(fullAccess)).decidedBy, 'policy');
    const critical = broker([{ decision: 'deny', reason: 'asked' }], { autoApproveHigh: true, confirmAutoApproveHigh: true });
    const out = await critical.b.decide({ ...fullAccess, approvalPolicy: 'never', mode: 'ci' });
    assert.equal(out.risk, 'critical');
    assert.equal(out.reason, 'asked');
  });

  it('headless: a confirmed autoApproveHigh lets high through; full access + never without a person is critical and denied', async () => {
    const { b } = broker(undefined, { autoApproveHigh: true, confirmAutoApproveHigh: true });
    assert.equal((await b.decide(fullAccess)).decision, 'allow_once');
    const critical = await b.decide({ ...fullAccess, approvalPolicy: 'never' });
    assert.equal(critical.risk, 'critical');
    assert.equal(critical.decision, 'deny');
    assert.match(critical.reason ?? '', /critical risk is never approved without a person/);
  });

  it('pending requests are listed and can be answered from outside the prompt (the Approvals view)', async () => {
    const { b } = broker(['hang'], { timeoutSeconds: 60 });
    const counts: number[] = [];
    b.events.on('pending-changed', (p) => counts.push(p.length));
    const opened = new Promise((r) => b.events.once('pending-changed', r));
    const out = b.decide(fullAccess);
    await opened;
    const [p] = b.pending();
    assert.ok(p);
    assert.equal(p.command, undefined);
    assert.equal(p.risk, 'high');
    assert.equal(b.answer(p.id, { decision: 'deny', reason: 'from the view' }), true);
    assert.equal((await out).reason, 'from the view');
    assert.equal(p.signal.aborted, true);
    assert.deepEqual(counts, [1, 0]);
    assert.equal(b.answer(p.id, { decision: 'allow_once' }), false);
  });

  it('the turn ending while a prompt is open denies it', async () => {
    const { b } = broker(['hang'], { timeoutSeconds: 60 });
    const ctl = new AbortController();
    const out = b.decide({ ...fullAccess, signal: ctl.signal });
    ctl.abort();
    assert.equal((await out).decidedBy, 'cancelled');
  });

  it('an audit that cannot be written denies (fail closed)', async () => {
    const { b } = broker([{ decision: 'allow_once' }]);
    await audit.close();
    const out = await b.decide(fullAccess);
    assert.equal(out.decision, 'deny');
    assert.match(out.reason ?? '', /could not be audited/);
  });

  it('a policy read from live settings applies per request; an invalid one denies, naming the problem', async () => {
    let settings: Record<string, unknown> = { autoApproveMedium: true };
    const b = new RiskApprovalBroker({ audit, policy: () => parseApprovalPolicy(settings, 'settings') });
    assert.equal((await b.decide(exec)).decision, 'allow_once');
    settings = { autoApproveHigh: true };
    const out = await b.decide(exec);
    assert.equal(out.decision, 'deny');
    assert.equal(out.decidedBy, 'error');
    assert.match(out.reason ?? '', /policy is invalid.*confirmAutoApproveHigh/);
  });

  it('secrets in commands are masked in the audit', async () => {
    const { b } = broker([{ decision: 'allow_once' }]);
    await b.decide({ ...exec, command: 'curl -H "Authorization: Bearer sk-abcdefghijklmnopqrstuvwxyz123456" https://x' });
    const text = JSON.stringify(await lines(audit));
    assert.doesNotMatch(text, /sk-abcdefghijklmnopqrstuvwxyz123456/);
  });

  it('a PAUSE override needs a yes', async () => {
    const { b, prompter } = broker([{ decision: 'allow_once' }]);
    const out = await b.requestPauseOverride({ agentId: 'agent-a', reason: 'deadline' });
    assert.equal(out.decision, 'allow_once');
    assert.equal(prompter?.seen[0]?.source, 'pause-override');
    assert.equal((await broker(undefined).b.requestPauseOverride({ agentId: 'agent-a' })).decision, 'deny');
  });

  it('terminal answers', () => {
    assert.deepEqual(parseTerminalAnswer('y'), { decision: 'allow_once' });
    assert.deepEqual(parseTerminalAnswer('session'), { decision: 'allow_session' });
    assert.deepEqual(parseTerminalAnswer('n too risky'), { decision: 'deny', reason: 'Denied at the terminal: too risky' });
    assert.equal(parseTerminalAnswer('').decision, 'deny');
  });
});
