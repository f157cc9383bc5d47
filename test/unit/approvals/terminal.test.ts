import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { RiskApprovalBroker } from '../../../src/approvals/broker';
import { parseApprovalPolicy } from '../../../src/approvals/policy';
import { TerminalPrompter } from '../../../src/approvals/prompters';

describe('approvals: terminal prompter', () => {
  it('shows the request, reads y / s / n <reason>, one prompt at a time', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let shown = '';
    output.on('data', (d: Buffer) => (shown += d.toString()));
    const broker = new RiskApprovalBroker({ prompter: new TerminalPrompter(input, output), policy: parseApprovalPolicy({ timeoutSeconds: 5 }) });
    const req = { source: 'codex-full-access', sessionId: 's', sandbox: 'danger-full-access', cwd: '/repo', agentId: 'a1', reason: 'install deps' } as const;
    const first = broker.decide(req);
    const second = broker.decide({ ...req, sessionId: 's2' });
    while (!shown.includes('Approval needed')) await new Promise((r) => setTimeout(r, 5));
    assert.match(shown, /\[HIGH\] codex-full-access \| cwd: \/repo \| sandbox: danger-full-access \| agent: a1 \| why: install deps/);
    assert.equal(shown.match(/Approval needed/g)?.length, 1, 'the second prompt waits for the first');
    input.write('n not on this machine\n');
    const a = await first;
    assert.equal(a.decision, 'deny');
    assert.equal(a.reason, 'Denied at the terminal: not on this machine');
    while (shown.match(/Approval needed/g)?.length !== 2) await new Promise((r) => setTimeout(r, 5));
    input.write('s\n');
    assert.equal((await second).decision, 'allow_session');
  });

  it('a timeout closes the prompt and denies', async () => {
    const input = new PassThrough();
    const broker = new RiskApprovalBroker({ prompter: new TerminalPrompter(input, new PassThrough()), policy: parseApprovalPolicy({ timeoutSeconds: 0.05 }) });
    const out = await broker.decide({ source: 'codex-exec', sessionId: 's', command: 'rm -rf build' });
    assert.equal(out.decidedBy, 'timeout');
  });
});
