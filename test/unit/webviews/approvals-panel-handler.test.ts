import assert from 'node:assert/strict';
import { OpenRequests } from '../../../src/approvals/open-requests';
import { RiskApprovalBroker, type BrokerRequest } from '../../../src/approvals/broker';
import { parseApprovalPolicy } from '../../../src/approvals/policy';
import { ScriptedPrompter } from '../../../src/approvals/prompters';
import type { ApprovalOutcome, ApprovalPrompter, PendingApproval } from '../../../src/approvals/types';
import type { RunningGovernanceServer } from '../../../src/server/api';
import { startGovernanceServer } from '../../../src/server/server';
import { AuditLog } from '../../../src/store/audit';
import type { ApprovalAnswer } from '../../../src/approvals/vocabulary';
import { nullLogger } from '../../../src/util/log';
import { readAudit } from '../../../src/approvals/audit-query';
import { HttpGovernanceClient } from '../../../src/client/http';
import { ApprovalsPanelHandler, PANEL_DENY_REASON, type AuditReader, type PendingSource } from '../../../src/vscode/approvals/panel-handler';
import { HISTORY_PAGE_SIZE, type ApprovalsHostMessage } from '../../../src/webviews/approvals/protocol';
import { useTempDir } from '../store/temp-dir';

/**
 * The VS Code prompter's contract without `vscode` (src/vscode/approvals/prompter.ts): requests
 * stay open until `answer` or the broker settles them; listeners hear every change.
 */
class OpenListPrompter implements ApprovalPrompter, PendingSource {
  private readonly listeners = new Set<() => void>();
  private readonly requests = new OpenRequests(() => {
    for (const l of [...this.listeners]) l();
  });

  list(): PendingApproval[] {
    return this.requests.list();
  }

  answer(id: string, answer: ApprovalAnswer): boolean {
    return this.requests.answer(id, answer);
  }

  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  prompt(pending: PendingApproval): Promise<ApprovalAnswer> {
    return this.requests.hold(pending);
  }
}

async function until<T>(probe: () => T | undefined, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}.`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const fullAccess = (agentId: string, extra: Partial<BrokerRequest> = {}): BrokerRequest => ({
  source: 'codex-full-access',
  agentId,
  sessionId: `s-${agentId}`,
  sandbox: 'danger-full-access',
  approvalPolicy: 'on-request',
  cwd: '/repo',
  reason: `needs network (${agentId})`,
  ...extra,
});

describe('Approvals panel handler (real broker, real audit file)', () => {
  const dir = useTempDir('cg-approvals-panel-');
  let audit: AuditLog;
  let prompter: OpenListPrompter;
  let broker: RiskApprovalBroker;
  let posted: ApprovalsHostMessage[];
  let handler: ApprovalsPanelHandler;
  let source: AuditReader | undefined;

  beforeEach(async () => {
    audit = await AuditLog.open(dir());
    prompter = new OpenListPrompter();
    broker = new RiskApprovalBroker({ audit, prompter, policy: parseApprovalPolicy({ timeoutSeconds: 60 }) });
    posted = [];
    // What the in-process governance client reads (src/client/in-process.ts readAudit).
    source = { kind: 'in-process', readAudit: (q) => readAudit(audit, q) };
    handler = new ApprovalsPanelHandler(prompter, () => source, (m) => posted.push(m), { pollMs: 20, remoteNote: 'elsewhere' });
  });
  afterEach(async () => {
    handler.dispose();
    for (const p of broker.pending()) broker.answer(p.id, { decision: 'deny', reason: 'test over' });
    await audit.close();
  });

  const all = <T extends ApprovalsHostMessage['type']>(type: T) => posted.filter((m) => m.type === type) as Extract<ApprovalsHostMessage, { type: T }>[];
  const last = <T extends ApprovalsHostMessage['type']>(type: T) => all(type).at(-1);

  /** History written by the real broker: answers by a scripted person, by policy and by timeout. */
  async function seedHistory(n: number): Promise<ApprovalOutcome[]> {
    const scripted = new RiskApprovalBroker({
      audit,
      prompter: new ScriptedPrompter((p) => (p.agentId?.endsWith('3') ? 'hang' : Number(p.agentId?.slice(-1)) % 2 ? { decision: 'deny', reason: `no for ${p.agentId}` } : { decision: 'allow_once' })),
      policy: parseApprovalPolicy({ timeoutSeconds: 0.01 }),
    });
    const out: ApprovalOutcome[] = [];
    for (let i = 0; i < n; i++) {
      const req: BrokerRequest =
        i % 5 === 4
          ? { source: 'codex-exec', agentId: `agent-${i % 4}`, sessionId: `s${i}`, command: `rm -rf build-${i}`, cwd: '/work', sandbox: 'workspace-write', reason: 'clean' }
          : fullAccess(`agent-${i % 4}`, { cwd: `/repo/${i}` });
      out.push(await scripted.decide(req));
    }
    return out;
  }

  it('ready posts the pending requests with their full context and the newest page of history', async () => {
    const seeded = await seedHistory(60);
    const first = broker.decide(fullAccess('alice', { command: 'curl example.com' }));
    const second = broker.decide({ source: 'codex-exec', agentId: 'bob', command: 'rm -rf /tmp/x', cwd: '/tmp', sandbox: 'workspace-write', approvalPolicy: 'on-request', reason: 'cleanup' });
    await until(() => (prompter.list().length === 2 ? true : undefined), 'two pending');
    await handler.handle({ type: 'ready' });

    const pending = last('pending')!;
    assert.deepEqual(pending.items.map((i) => [i.agentId, i.risk, i.source]), [['alice', 'high', 'codex-full-access'], ['bob', 'medium', 'codex-exec']]);
    const alice = pending.items[0]!;
    assert.match(alice.title, /^HIGH risk: alice wants a Codex session with full access/);
    assert.deepEqual([alice.command, alice.cwd, alice.sandbox, alice.approvalPolicy, alice.reason, alice.sessionId], ['curl example.com', '/repo', 'danger-full-access', 'on-request', 'needs network (alice)', 's-alice']);
    assert.ok(alice.deadline - Date.parse(alice.requestedAt) === 60_000, 'deadline = request time + the policy timeout');
    assert.ok(Math.abs(pending.now - Date.now()) < 1000);

    const history = last('history')!;
    assert.equal(history.append, false);
    assert.equal(history.rows.length, HISTORY_PAGE_SIZE);
    assert.equal(history.hasMore, true);
    // Newest first: the last seeded answer leads.
    assert.deepEqual(history.rows.slice(0, 3).map((r) => r.id), seeded.slice(-3).reverse().map((o) => o.id));
    const row = history.rows.find((r) => r.id === seeded.at(-1)!.id)!;
    assert.deepEqual([row.source, row.agent, row.risk, row.decision, row.decidedBy, row.cwd], ['codex-exec', 'agent-3', 'medium', 'deny', 'timeout', '/work']);
    assert.match(row.reason ?? '', /No answer within/);

    await handler.handle({ type: 'more', cursor: history.cursor });
    const older = last('history')!;
    assert.equal(older.append, true);
    assert.equal(older.hasMore, false);
    assert.equal(older.rows.length, 10);
    assert.deepEqual([...history.rows, ...older.rows].map((r) => r.id), seeded.map((o) => o.id).reverse(), 'every answer once, newest first');
    void first;
    void second;
  });

  it('filters: decision, risk, source, agent and free text narrow the history the way the audit lines say', async () => {
    const seeded = await seedHistory(40);
    await handler.handle({ type: 'ready' });
    const rows = async (filters: Record<string, string>) => {
      await handler.handle({ type: 'filter', filters });
      const h = last('history')!;
      assert.deepEqual(h.filters, filters);
      return h.rows;
    };
    const denied = await rows({ outcome: 'denied' });
    assert.equal(denied.length, seeded.filter((o) => o.decision === 'deny' && o.decidedBy !== 'timeout').length);
    assert.ok(denied.length > 0 && denied.every((r) => r.decision === 'deny' && r.decidedBy === 'person' && /^no for agent-1$/.test(r.reason ?? '')));
    const timeouts = await rows({ outcome: 'timeout' });
    assert.ok(timeouts.length > 0 && timeouts.every((r) => r.decidedBy === 'timeout' && r.agent === 'agent-3'));
    const allowed = await rows({ outcome: 'allowed', agent: 'agent-0' });
    assert.ok(allowed.length > 0 && allowed.every((r) => r.decision === 'allow_once' && r.agent === 'agent-0'));
    const exec = await rows({ source: 'codex-exec', risk: 'medium' });
    assert.equal(exec.length, 8);
    assert.ok(exec.every((r) => r.command?.startsWith('rm -rf build-')));
    assert.deepEqual((await rows({ text: 'BUILD-24' })).map((r) => r.command), ['rm -rf build-24']);
    assert.deepEqual(await rows({ agent: 'nobody' }), []);
    // Free text also reaches the cwd.
    assert.deepEqual((await rows({ text: '/repo/17' })).map((r) => r.cwd), ['/repo/17']);
  });

  it('Deny with a reason answers through the prompter: the caller is denied with that reason, the row leaves Pending and appears in History', async () => {
    await seedHistory(3);
    const decided = broker.decide(fullAccess('carol'));
    await until(() => (prompter.list().length ? true : undefined), 'pending');
    await handler.handle({ type: 'ready' });
    const id = last('pending')!.items[0]!.id;
    await handler.handle({ type: 'answer', id, decision: 'deny', reason: 'not on a Friday' });
    assert.deepEqual(last('answered'), { type: 'answered', id, ok: true, message: 'Denied. The agent was told: not on a Friday' });
    const outcome = await decided;
    assert.deepEqual([outcome.decision, outcome.reason, outcome.decidedBy], ['deny', 'not on a Friday', 'person']);
    assert.deepEqual(last('pending')!.items, []);
    const added = await until(() => all('history-new').flatMap((m) => m.rows).find((r) => r.id === id), 'the answer in history');
    assert.deepEqual([added.decision, added.decidedBy, added.reason, added.agent], ['deny', 'person', 'not on a Friday', 'carol']);
    const lines = (await audit.read({ limit: 100, filter: { id } })).entries;
    assert.deepEqual(lines.map((l) => l.type), ['approval.requested', 'approval.answered']);
  });

  it('Approve once / for session answer through the prompter; an empty deny reason gets the default; a request answered elsewhere leaves the list', async () => {
    await handler.handle({ type: 'ready' });
    const a = broker.decide(fullAccess('dave'));
    const b = broker.decide(fullAccess('erin'));
    const c = broker.decide(fullAccess('fay'));
    const d = broker.decide(fullAccess('gus'));
    const items = await until(() => (last('pending')?.items.length === 4 ? last('pending')!.items : undefined), 'four pending posted');
    const idOf = (agent: string) => items.find((i) => i.agentId === agent)!.id;
    await handler.handle({ type: 'answer', id: idOf('dave'), decision: 'allow_once' });
    await handler.handle({ type: 'answer', id: idOf('erin'), decision: 'allow_session' });
    await handler.handle({ type: 'answer', id: idOf('fay'), decision: 'deny', reason: '   ' });
    assert.deepEqual([(await a).decision, (await b).decision, (await c).reason], ['allow_once', 'allow_session', PANEL_DENY_REASON]);
    // Answered in the tree view (the same prompter): the panel's list follows.
    prompter.answer(idOf('gus'), { decision: 'deny', reason: 'from the view' });
    assert.equal((await d).reason, 'from the view');
    assert.deepEqual(last('pending')!.items, []);
    await handler.handle({ type: 'answer', id: idOf('gus'), decision: 'allow_once' });
    assert.deepEqual(last('answered'), { type: 'answered', id: idOf('gus'), ok: false, message: 'This request was already answered or timed out.' });
    const added = await until(() => {
      const rows = all('history-new').flatMap((m) => m.rows);
      return rows.length === 4 ? rows : undefined;
    }, 'four answers in history');
    assert.deepEqual(new Set(added.map((r) => `${r.agent}:${r.decision}`)), new Set(['dave:allow_once', 'erin:allow_session', 'fay:deny', 'gus:deny']));
  });

  it('new answers only reach the page when they match the filters shown', async () => {
    await handler.handle({ type: 'ready', filters: { outcome: 'allowed' } });
    assert.deepEqual(last('history')!.filters, { outcome: 'allowed' });
    const denied = broker.decide(fullAccess('hal'));
    const allowed = broker.decide(fullAccess('ivy'));
    const items = await until(() => (prompter.list().length === 2 ? prompter.list() : undefined), 'two pending');
    prompter.answer(items[0]!.id, { decision: 'deny' });
    prompter.answer(items[1]!.id, { decision: 'allow_once' });
    await Promise.all([denied, allowed]);
    const rows = await until(() => (all('history-new').length ? all('history-new').flatMap((m) => m.rows) : undefined), 'history-new');
    await new Promise((r) => setTimeout(r, 100));
    await handler.settled();
    assert.deepEqual(all('history-new').flatMap((m) => m.rows).map((r) => r.agent), ['ivy']);
    assert.equal(rows[0]!.decision, 'allow_once');
  });

  it('the show command\'s filters apply before ready (replacing restored ones) and through the page after it; bad ones name the field', async () => {
    handler.apply({ risk: 'high' });
    await handler.handle({ type: 'ready', filters: { outcome: 'denied' } });
    assert.deepEqual(last('history')!.filters, { risk: 'high' });
    handler.apply({ outcome: 'timeout' });
    assert.deepEqual(last('apply'), { type: 'apply', filters: { outcome: 'timeout' } });
    assert.throws(() => handler.apply({ outcome: 'never' }), /outcome/);
  });

  it('bad page messages and a missing server are reported to the page, never thrown', async () => {
    await handler.handle({ type: 'answer', id: 'x', decision: 'maybe' });
    assert.match(last('error')!.message, /Approvals panel: invalid message from the page \(decision:/);
    await handler.handle({ type: 'answer', id: 'x', decision: 'deny', reason: 'y'.repeat(1001) });
    assert.match(last('error')!.message, /reason:/);
    source = undefined;
    await handler.handle({ type: 'ready' });
    assert.deepEqual(last('pending')!.items, []);
    assert.match(last('error')!.message, /not running.*Start Server/);
    await handler.handle({ type: 'more', cursor: '12' });
    assert.equal(all('error').length, 4);
  });

  it('reports what the page drew to the show command', async () => {
    const next = handler.nextRender(1000);
    await handler.handle({ type: 'rendered', pending: 2, history: 7, filters: { risk: 'low' } });
    assert.deepEqual(await next, { pending: 2, history: 7, filters: { risk: 'low' }, renders: 1 });
    assert.deepEqual(handler.lastRender(), { pending: 2, history: 7, filters: { risk: 'low' }, renders: 1 });
  });
});

describe('Approvals panel handler over HTTP (GET /audit of a real server)', () => {
  const dir = useTempDir('cg-approvals-http-');
  let server: RunningGovernanceServer;
  const token = 'panel-test-token-0123456789';

  beforeEach(async () => {
    server = await startGovernanceServer({ dataDir: dir(), token, port: 0, logger: nullLogger, hostKind: 'test' });
  });
  afterEach(async () => {
    await server.close();
  });

  it('reads the same history as in process, filters on the server, follows new answers, and names a bad token', async () => {
    // Headless (no prompter): the policy denies full access.
    for (const agent of ['zed-one', 'zed-two', 'zed-three']) await server.app.approvals.decide(fullAccess(agent));
    await server.app.approvals.decide({ source: 'codex-exec', agentId: 'zed-four', command: 'ls', sandbox: 'read-only', approvalPolicy: 'on-request' });
    const posted: ApprovalsHostMessage[] = [];
    const empty: PendingSource = { list: () => [], answer: () => false, onDidChange: () => ({ dispose: () => undefined }) };
    const http = new HttpGovernanceClient(server.url, () => Promise.resolve(token));
    const handler = new ApprovalsPanelHandler(empty, () => http, (m) => posted.push(m), { pollMs: 20, remoteNote: 'Requests wait in the other window.' });
    try {
      await handler.handle({ type: 'ready' });
      const pending = posted.find((m) => m.type === 'pending');
      assert.deepEqual(pending && pending.type === 'pending' && [pending.items, pending.note], [[], 'Requests wait in the other window.']);
      const viaHttp = posted.find((m) => m.type === 'history');
      const local = await readAudit(server.app.audit, { type: 'approval.answered', order: 'desc', limit: 50 });
      assert.ok(viaHttp?.type === 'history');
      assert.deepEqual(viaHttp.rows.map((r) => [r.agent, r.decision, r.decidedBy]), [['zed-four', 'deny', 'policy'], ['zed-three', 'deny', 'policy'], ['zed-two', 'deny', 'policy'], ['zed-one', 'deny', 'policy']]);
      assert.deepEqual(viaHttp.rows.map((r) => r.id), local.entries.map((e) => e.id));
      await handler.handle({ type: 'filter', filters: { outcome: 'denied', text: 'ZED-TWO' } });
      const filtered = posted.at(-1);
      assert.ok(filtered?.type === 'history');
      assert.deepEqual(filtered.rows.map((r) => r.agent), ['zed-two']);
      await handler.handle({ type: 'filter', filters: {} });
      await server.app.approvals.decide(fullAccess('zed-five'));
      // Polled every 20 ms over HTTP; generous for a loaded CI machine (each poll is a GET /audit).
      const added = await until(() => posted.find((m) => m.type === 'history-new'), 'history-new over HTTP', 20_000);
      assert.ok(added.type === 'history-new');
      assert.deepEqual(added.rows.map((r) => r.agent), ['zed-five']);
    } finally {
      handler.dispose();
    }
    await assert.rejects(new HttpGovernanceClient(server.url, () => Promise.resolve('wrong-token')).readAudit({ limit: 1 }), /GET \/audit at http:\/\/127\.0\.0\.1:\d+ failed with HTTP 401/);
    await assert.rejects(http.readAudit({ limit: 1, cursor: '3' }), /HTTP 400: Audit cursor 3 is not at the start of an entry/);
  });
});
