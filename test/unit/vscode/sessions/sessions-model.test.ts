import assert from 'node:assert/strict';
import { HttpGovernanceClient } from '../../../../src/client/http';
import { InProcessGovernanceClient } from '../../../../src/client/in-process';
import type { SessionSummary } from '../../../../src/client/types';
import type { CodexSessionStatus } from '../../../../src/supervisor/session';
import { appendedEvents } from '../../../../src/vscode/sessions/session-handler';
import { loadSessions, sessionNode, SESSION_CONTEXT, tokenText } from '../../../../src/vscode/sessions/sessions-model';
import { parseSessionPageMessage } from '../../../../src/webviews/session/schema';
import { startTestServer } from '../../../helpers/governance-server';

const NOW = Date.parse('2025-01-01T12:00:00.000Z');

function summary(status: CodexSessionStatus, over: Partial<SessionSummary> = {}): SessionSummary {
  return {
    session_id: `s-${status}`,
    threadId: `t-${status}`,
    backend: 'app-server',
    codexVersion: '0.169.0',
    pid: status === 'running' || status === 'idle' ? 4242 : null,
    cwd: '/home/me/project',
    sandbox: 'workspace-write',
    approvalPolicy: 'on-request',
    model: null,
    mode: null,
    agentId: 'vscode-user',
    status,
    createdAt: '2025-01-01T11:50:00.000Z',
    lastActivityAt: '2025-01-01T11:57:00.000Z',
    endedAt: null,
    turns: 2,
    tokens: { input: 1200, cachedInput: 200, output: 345, reasoningOutput: 0, total: 1545 },
    lastError: null,
    events: 9,
    prompt: 'Explain the structure of this project and list its entry points, please, in detail',
    ...over,
  };
}

describe('Sessions view model', () => {
  it('gives each status the contextValue the menus test: running (also starting), idle, ended (lost, closed)', () => {
    const ctx = (st: CodexSessionStatus) => sessionNode(summary(st), NOW).contextValue;
    assert.deepEqual(
      (['starting', 'running', 'idle', 'lost', 'closed'] as const).map(ctx),
      [SESSION_CONTEXT.running, SESSION_CONTEXT.running, SESSION_CONTEXT.idle, SESSION_CONTEXT.ended, SESSION_CONTEXT.ended],
    );
    assert.equal(SESSION_CONTEXT.idle, 'codexGovernance.session.idle');
  });

  it('shows a spinning icon while running, a check when idle, a warning when the last turn failed, error when lost, a slash when closed', () => {
    const icon = (st: CodexSessionStatus, over: Partial<SessionSummary> = {}) => sessionNode(summary(st, over), NOW).icon?.id;
    assert.equal(icon('running'), 'sync~spin');
    assert.equal(icon('starting'), 'loading~spin');
    assert.equal(icon('idle'), 'pass');
    assert.equal(icon('idle', { lastError: 'model said no' }), 'warning');
    assert.equal(icon('lost'), 'error');
    assert.equal(icon('closed'), 'circle-slash');
  });

  it('labels a row with its prompt (cut to one line) or its thread id; describes status, age and tokens', () => {
    const row = sessionNode(summary('idle'), NOW);
    assert.equal(row.label, 'Explain the structure of this project a…');
    assert.equal(row.description, 'idle · 1.5k tok · 3 min ago');
    assert.equal(sessionNode(summary('idle', { prompt: null }), NOW).label, 'thread t-idle');
    assert.equal(sessionNode(summary('starting', { prompt: null, threadId: null }), NOW).label, 'session s-starting');
    assert.deepEqual([tokenText(999), tokenText(12_345), tokenText(2_500_000)], ['999 tok', '12k tok', '2.5M tok']);
  });

  it('opens the session on click and lists thread, sandbox, approval policy, cwd and tokens as children (and the last error)', () => {
    const row = sessionNode(summary('lost', { lastError: 'The Codex process 42 exited on its own' }), NOW);
    assert.deepEqual(row.command?.arguments, [{ kind: 'session', sessionId: 's-lost', threadId: 't-lost', status: 'lost' }]);
    assert.equal(row.command?.command, 'codexGovernance.sessions.open');
    const kids = Object.fromEntries((row.children ?? []).map((c) => [c.label, c.description]));
    assert.equal(kids['Thread:'], 't-lost');
    assert.equal(kids['Sandbox:'], 'workspace-write');
    assert.equal(kids['Approval policy:'], 'on-request');
    assert.equal(kids['Working directory:'], '/home/me/project');
    assert.equal(kids['Tokens:'], '1545 (input 1200, cached 200, output 345)');
    assert.equal(kids['Last error:'], 'The Codex process 42 exited on its own');
    assert.match(row.tooltip ?? '', /Status \*\*lost\*\*/);
    assert.match(row.tooltip ?? '', /workspace\\-write/);
  });

  it('escapes Markdown of a prompt in the tooltip so a prompt cannot add a link', () => {
    const row = sessionNode(summary('idle', { prompt: 'see [here](command:workbench.action.quit)' }), NOW);
    assert.ok(!row.tooltip?.includes('[here](command'), row.tooltip);
  });

  it('loads nothing from a real server without sessions, nothing without a server, and an error row when the server is unreachable', async () => {
    const srv = await startTestServer();
    try {
      const client = new InProcessGovernanceClient(srv.url, srv.server.app);
      assert.deepEqual(await loadSessions(client, NOW), { nodes: [], description: undefined });
    } finally {
      await srv.stop();
    }
    assert.deepEqual(await loadSessions(undefined), { nodes: [] });
    const gone = new HttpGovernanceClient('http://127.0.0.1:9', () => Promise.resolve('x'), { timeoutMs: 2000 });
    const content = await loadSessions(gone, NOW);
    assert.equal(content.nodes.length, 1);
    assert.equal(content.nodes[0]?.label, 'Could not load sessions');
  });
});

describe('Session panel transcript diff and messages', () => {
  const ev = (i: number) => ({ at: `2025-01-01T12:00:0${i}.000Z`, type: 'agent_message', summary: `m${i}` });

  it('appends only the events after those shown, also when the bounded transcript dropped its oldest ones', () => {
    assert.deepEqual(appendedEvents([ev(1), ev(2)], [ev(1), ev(2), ev(3)]), [ev(3)]);
    assert.deepEqual(appendedEvents([ev(1), ev(2)], [ev(2), ev(3), ev(4)]), [ev(3), ev(4)]);
    assert.deepEqual(appendedEvents([ev(1), ev(2)], [ev(1), ev(2)]), []);
    assert.deepEqual(appendedEvents([], [ev(1)]), [ev(1)]);
  });

  it('asks for everything again when the transcript no longer continues what was shown', () => {
    assert.equal(appendedEvents([ev(1), ev(2)], [ev(5), ev(6)]), undefined);
  });

  it('rejects an empty reply and an unknown message, naming the field', () => {
    assert.throws(() => parseSessionPageMessage({ type: 'reply', prompt: '   ' }), /prompt: type a prompt first/);
    assert.throws(() => parseSessionPageMessage({ type: 'delete' }), /Session panel: invalid message/);
    assert.deepEqual(parseSessionPageMessage({ type: 'reply', prompt: ' go ' }), { type: 'reply', prompt: 'go' });
  });
});
