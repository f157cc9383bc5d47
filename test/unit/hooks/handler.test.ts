import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RiskApprovalBroker } from '../../../src/approvals/broker';
import { parseApprovalPolicy } from '../../../src/approvals/policy';
import { ScriptedPrompter } from '../../../src/approvals/prompters';
import { GovernanceEvents } from '../../../src/core/events';
import { GovernanceService } from '../../../src/core/governance';
import { agentIdForSession, type CodexHookEvent } from '../../../src/hooks/events';
import { CodexHookHandler } from '../../../src/hooks/handler';
import { AuditLog } from '../../../src/store/audit';
import { openStoreFile } from '../../../src/store/store';
import type { Store } from '../../../src/store/types';

const SID = '01a2342e-8d97-7741-b256-8fd814149664';
const base = { session_id: SID, transcript_path: null, cwd: '/work/project', model: 'gpt-5.5', permission_mode: 'default', turn_id: 't1' };
const ev = (e: Partial<CodexHookEvent> & { hook_event_name: string }): CodexHookEvent => ({ ...base, ...e });
const bash = (command: string, extra: Record<string, unknown> = {}) => ({ tool_name: 'Bash', tool_input: { command, ...extra }, tool_use_id: 'call_1' });

describe('CodexHookHandler', () => {
  let dir: string;
  let store: Store;
  let audit: AuditLog;
  let governance: GovernanceService;
  let broker: RiskApprovalBroker;
  let handler: CodexHookHandler;
  const agent = agentIdForSession(SID);

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cg-hooks-'));
    store = await openStoreFile(':memory:');
    audit = await AuditLog.open(dir);
    governance = new GovernanceService(store, new GovernanceEvents());
    broker = new RiskApprovalBroker({ audit, policy: parseApprovalPolicy({ timeoutSeconds: 0.3 }) });
    handler = new CodexHookHandler({ governance, approvals: broker, observed: store.observedSessions, audit, readOrigin: () => Promise.resolve({ source: 'codex-exec', originator: 'codex_exec', codexVersion: '0.171.0' }) });
  });
  afterEach(async () => {
    await audit.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('SessionStart registers the session and its agent with the client that started it', async () => {
    const r = await handler.handle(ev({ hook_event_name: 'SessionStart', source: 'startup' }));
    assert.deepEqual(r, { decision: { kind: 'none' }, agent_id: agent, session_id: SID });
    const s = await store.observedSessions.get(SID);
    assert.equal(s?.source, 'codex-exec');
    assert.equal(s?.codex_version, '0.171.0');
    assert.equal(s?.cwd, '/work/project');
    const m = await governance.getMetrics(agent);
    assert.equal(m.client_name, 'codex_exec');
    const lines = (await audit.read({ limit: 100 })).entries.filter((e) => e.type === 'hook.session_start');
    assert.equal(lines.length, 1);
  });

  it('PreToolUse gives no decision for an active agent and counts the call', async () => {
    const r = await handler.handle(ev({ hook_event_name: 'PreToolUse', ...bash('ls') }));
    assert.deepEqual(r.decision, { kind: 'none' });
    assert.equal((await store.observedSessions.get(SID))?.tool_calls, 1);
  });

  it('PreToolUse denies with the PAUSE reason once the agent is paused', async () => {
    for (let i = 0; i < 40; i++) {
      const u = await governance.processUpdate({ agentId: agent, operation: `rewrite ${i}`, complexity: 1, confidence: 0.05 });
      if (u.governance_decision.action === 'PAUSE') break;
    }
    assert.equal((await governance.getMetrics(agent)).status, 'paused');
    const r = await handler.handle(ev({ hook_event_name: 'PreToolUse', ...bash('rm -rf build') }));
    assert.equal(r.decision.kind, 'deny');
    assert.match((r.decision as { reason: string }).reason, new RegExp(`paused agent ${agent}.*request_dialectic_review`));
    const s = await store.observedSessions.get(SID);
    assert.equal(s?.tool_calls_denied, 1);
    const denied = (await audit.read({ limit: 100 })).entries.filter((e) => e.type === 'hook.tool_denied');
    assert.equal(denied.length, 1);
    assert.equal(denied[0]!.command, 'Bash: rm -rf build');
    // A paused agent gets no approvals either, without asking anyone.
    const prompter = new ScriptedPrompter([{ decision: 'allow_once' }]);
    broker.setPrompter(prompter);
    const p = await handler.handle(ev({ hook_event_name: 'PermissionRequest', ...bash('curl x', { description: 'net' }) }));
    assert.equal(p.decision.kind, 'deny');
    assert.equal(prompter.seen.length, 0);
  });

  it('PermissionRequest goes through the broker as codex-hook: the person allows, denies, or the prompt times out', async () => {
    const prompter = new ScriptedPrompter([{ decision: 'allow_once' }, { decision: 'deny', reason: 'not on my machine' }, 'hang']);
    broker.setPrompter(prompter);
    const ask = () => handler.handle(ev({ hook_event_name: 'PermissionRequest', ...bash('echo hi > /etc/x', { description: 'need to write' }) }));
    assert.deepEqual((await ask()).decision, { kind: 'allow' });
    assert.deepEqual((await ask()).decision, { kind: 'deny', reason: 'not on my machine' });
    const timedOut = await ask();
    assert.equal(timedOut.decision.kind, 'deny');
    assert.match((timedOut.decision as { reason: string }).reason, /No answer within 0.3 s/);
    const shown = prompter.seen[0]!;
    assert.equal(shown.source, 'codex-hook');
    assert.equal(shown.command, 'echo hi > /etc/x');
    assert.equal(shown.reason, 'need to write');
    assert.equal(shown.agentId, agent);
    assert.equal(shown.approvalPolicy, 'on-request');
    assert.equal(shown.risk, 'medium');
    const answered = (await audit.read({ limit: 100 })).entries.filter((e) => e.type === 'approval.answered' && e.source === 'codex-hook');
    assert.deepEqual(answered.map((e) => [e.decision, e.decided_by]), [['allow_once', 'person'], ['deny', 'person'], ['deny', 'timeout']]);
    const s = await store.observedSessions.get(SID);
    assert.equal(s?.approvals, 3);
    assert.equal(s?.approvals_denied, 2);
  });

  it('PermissionRequest is cancelled when the hook goes away', async () => {
    broker.setPrompter(new ScriptedPrompter(['hang']));
    const ac = new AbortController();
    const pending = handler.handle(ev({ hook_event_name: 'PermissionRequest', ...bash('make install') }), ac.signal);
    for (let i = 0; i < 200 && broker.pending().length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(broker.pending().length, 1);
    ac.abort();
    assert.equal((await pending).decision.kind, 'deny');
    assert.equal(broker.pending().length, 0);
  });

  it('without a person (headless) the default policy denies an escalation, as for our own sessions', async () => {
    const r = await handler.handle(ev({ hook_event_name: 'PermissionRequest', ...bash('sudo true') }));
    assert.equal(r.decision.kind, 'deny');
    assert.match((r.decision as { reason: string }).reason, /headless/);
  });

  it('PostToolUse and Stop record the work as agent updates and in the event list', async () => {
    await handler.handle(ev({ hook_event_name: 'PostToolUse', ...bash('npm test'), tool_response: 'ok' }));
    await handler.handle(ev({ hook_event_name: 'Stop', last_assistant_message: 'All tests pass.', stop_hook_active: false }));
    const m = await governance.getMetrics(agent, { historyLimit: 10 });
    assert.equal(m.update_count, 2);
    assert.deepEqual(m.history.map((h) => h.operation), ['Bash: npm test', 'Turn ended: All tests pass.']);
    const events = await store.observedSessions.events(SID, { limit: 10, afterSeq: 0 });
    assert.deepEqual(events.map((e) => e.event), ['PostToolUse', 'Stop']);
    assert.equal((await store.observedSessions.get(SID))?.turns, 1);
    const types = (await audit.read({ limit: 100 })).entries.map((e) => e.type);
    assert.deepEqual(types, ['hook.tool_used', 'hook.turn_ended']);
  });

  it('fifty ordinary tool calls keep the agent proceeding', async () => {
    for (let i = 0; i < 50; i++) {
      await handler.handle(ev({ hook_event_name: 'PreToolUse', ...bash(`cat file${i}`) }));
      await handler.handle(ev({ hook_event_name: 'PostToolUse', ...bash(`cat file${i}`) }));
    }
    const m = await governance.getMetrics(agent);
    assert.equal(m.status, 'active');
    assert.equal((await store.observedSessions.get(SID))?.tool_calls, 50);
  });

  it('an invalid approval policy blocks tool calls (fail closed)', async () => {
    broker.setPolicy(() => parseApprovalPolicy({ autoApproveHigh: true }));
    const r = await handler.handle(ev({ hook_event_name: 'PreToolUse', ...bash('ls') }));
    assert.equal(r.decision.kind, 'deny');
    assert.match((r.decision as { reason: string }).reason, /approval policy is invalid.*confirmAutoApproveHigh/);
  });

  describe('answer before the record is durable', () => {
    /** The real repository, with each record's promise (its durable COMMIT) held until released. */
    function gated(): { handler: CodexHookHandler; release: () => void; logged: string[]; recorded: string[] } {
      const held: Array<() => void> = [];
      const logged: string[] = [];
      const recorded: string[] = [];
      const observed = Object.create(store.observedSessions) as Store['observedSessions'];
      observed.record = (w) => {
        const real = store.observedSessions.record(w);
        return new Promise((resolve, reject) => held.push(() => void real.then(resolve, reject)));
      };
      const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: (m: unknown) => void logged.push(String(m)) };
      const h = new CodexHookHandler({ governance, approvals: broker, observed, audit, logger, onRecorded: (s) => void recorded.push(s.last_event), readOrigin: () => Promise.resolve({ source: 'codex-exec' }) });
      return { handler: h, release: () => held.splice(0).forEach((f) => f()), logged, recorded };
    }
    const settled = async (p: Promise<unknown>) => (await Promise.race([p.then(() => true), new Promise((r) => setTimeout(() => r(false), 50))])) as boolean;

    it('a PreToolUse without a decision is answered while its record is still committing; the record lands', async () => {
      const g = gated();
      const r = g.handler.handle(ev({ hook_event_name: 'PreToolUse', ...bash('ls') }));
      assert.equal(await settled(r), true, 'answered before the COMMIT');
      assert.deepEqual((await r).decision, { kind: 'none' });
      assert.deepEqual(g.recorded, []);
      g.release();
      await new Promise((res) => setTimeout(res, 20));
      assert.deepEqual(g.recorded, ['PreToolUse']);
      assert.equal((await store.observedSessions.get(SID))?.tool_calls, 1);
    });

    it('an event with an audit entry (PostToolUse) waits for its durable record', async () => {
      const g = gated();
      const post = g.handler.handle(ev({ hook_event_name: 'PostToolUse', ...bash('ls'), tool_response: 'ok' }));
      assert.equal(await settled(post), false, 'PostToolUse waits for its record');
      g.release();
      await post;
      assert.equal((await audit.read({ limit: 100 })).entries.filter((e) => e.type === 'hook.tool_used').length, 1);
    });

    it('a record that fails after the answer is logged', async () => {
      const logged: string[] = [];
      const observed = Object.create(store.observedSessions) as Store['observedSessions'];
      observed.record = () => Promise.reject(new Error('disk full'));
      const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: (m: unknown) => void logged.push(String(m)) };
      const h = new CodexHookHandler({ governance, approvals: broker, observed, audit, logger, readOrigin: () => Promise.resolve({ source: 'codex-exec' }) });
      assert.deepEqual((await h.handle(ev({ hook_event_name: 'PreToolUse', ...bash('ls') }))).decision, { kind: 'none' });
      await new Promise((res) => setTimeout(res, 10));
      assert.match(logged.join('\n'), /could not record PreToolUse of .*disk full/);
    });
  });
});
