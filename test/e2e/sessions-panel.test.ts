/**
 * The Sessions work against the real thing: a governance server whose supervisor runs the real
 * Codex 0.169.0 (app-server) against the fake model server; the Session panel's host handler, the
 * New Session lookup and the per-session cancel of `codex-cleanup`, through the in-process client
 * the extension uses.
 */
import assert from 'node:assert/strict';
import { killAllSpawned, processAlive } from '../fakes/child-process';
import { createCodexHome, type CodexHome } from '../fakes/codex-home';
import { codexBinaries } from '../fakes/codex-processes';
import { delayed, replyMessage, startFakeModelServer, userTexts, type FakeModelServer } from '../fakes/fake-model-server';
import { startTestServer, type TestServer } from '../helpers/governance-server';
import { InProcessGovernanceClient } from '../../src/client/in-process';
import { getSession } from '../../src/client/sessions';
import { GovernanceClientError, type GovernanceClient } from '../../src/client/types';
import { liveTreePids } from '../../src/supervisor/process';
import { startSession } from '../../src/vscode/sessions/new-session';
import { SessionPanelHandler } from '../../src/vscode/sessions/session-handler';
import type { SessionHostMessage } from '../../src/webviews/session/protocol';

const bins = codexBinaries();
// Echoes the last prompt; a prompt starting with "slow" is answered after 6 s, so its turn stays running.
const echo = () => (req: Parameters<typeof userTexts>[0]) => {
  const last = userTexts(req).at(-1) ?? '';
  const reply = replyMessage(`echo: ${last}`, { input_tokens: 50, output_tokens: 5 });
  return last.startsWith('slow') ? delayed(6_000, reply) : reply;
};

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('Sessions panel and commands against a real Codex (fake model)', function () {
  this.timeout(90_000);
  let fake: FakeModelServer;
  let home: CodexHome;
  let srv: TestServer;
  let client: GovernanceClient;
  const saved: Record<string, string | undefined> = {};
  const handlers: SessionPanelHandler[] = [];

  beforeEach(async () => {
    fake = await startFakeModelServer({ script: Array.from({ length: 12 }, echo) });
    home = await createCodexHome({ modelBaseUrl: fake.baseUrl });
    // The supervisor's children inherit the server's environment: Codex stays in the temp home.
    for (const [k, v] of Object.entries({ CODEX_HOME: home.codexHome, HOME: home.home, CODEX_GOVERNANCE_CODEX_PATH: bins.current })) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    // The sessions run in the temp home's work folder: that is the workspace here.
    srv = await startTestServer({ workspaceRoots: [home.workDir] });
    client = new InProcessGovernanceClient(srv.url, srv.server.app, { coalesceMs: 20 });
  });
  afterEach(async () => {
    for (const h of handlers.splice(0)) h.dispose();
    client.dispose();
    await srv.stop();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await fake.close();
    await home.cleanup();
  });
  after(() => killAllSpawned());

  function panel(sessionId: string, confirm: () => boolean = () => true): { handler: SessionPanelHandler; posted: SessionHostMessage[]; asked: () => number } {
    const posted: SessionHostMessage[] = [];
    let asked = 0;
    const handler = new SessionPanelHandler(sessionId, {
      clients: { current: client, onDidChangeClient: () => () => {} },
      post: (m) => posted.push(m),
      confirmCancel: () => {
        asked++;
        return Promise.resolve(confirm());
      },
    });
    handlers.push(handler);
    return { handler, posted, asked: () => asked };
  }

  /** Every event the page was sent, in order (a snapshot resets it). */
  function pageEvents(posted: SessionHostMessage[]): Array<{ type: string; summary: string }> {
    let out: Array<{ type: string; summary: string }> = [];
    for (const m of posted) {
      if (m.type === 'snapshot') out = [...m.events];
      else if (m.type === 'append') out.push(...m.events);
    }
    return out;
  }
  const lastHeader = (posted: SessionHostMessage[]) => posted.filter((m) => m.type === 'snapshot' || m.type === 'append').at(-1)?.header;

  it('New Session finds the session id while its first turn still runs; the panel streams the answer live, then a reply round-trips', async () => {
    const started = await startSession(client, { prompt: 'slow first question', sandbox: 'read-only', cwd: home.workDir });
    let turnDone = false;
    void started.turn.then(() => (turnDone = true), () => (turnDone = true));
    assert.equal(turnDone, false, 'the id is known before the first turn answers');
    const { handler, posted } = panel(started.sessionId);
    await handler.handle({ type: 'ready' });
    const first = posted[0];
    assert.equal(first?.type, 'snapshot');
    assert.equal(first.type === 'snapshot' && first.header.sessionId, started.sessionId);
    assert.deepEqual(first.type === 'snapshot' && [first.header.sandbox, first.header.cwd, first.header.title], ['read-only', home.workDir, 'slow first question']);
    assert.ok(first.type === 'snapshot' && first.events.some((e) => e.type === 'user_message' && e.summary === 'slow first question'));

    // The answer arrives after 6 s while the page listens: appended, not a new snapshot.
    const answer = await started.turn;
    assert.equal(answer.content, 'echo: slow first question');
    await until(() => (pageEvents(posted).some((e) => e.summary === 'echo: slow first question') ? true : undefined), 'the answer on the page');
    assert.equal(posted.filter((m) => m.type === 'snapshot').length, 1, 'live events are appended');
    await until(() => (lastHeader(posted)?.status === 'idle' ? true : undefined), 'idle in the header');
    assert.ok(lastHeader(posted)!.tokens.total > 0, 'token counts in the header');
    assert.match(lastHeader(posted)!.threadId ?? '', /^[0-9a-f-]{36}$/);

    await handler.handle({ type: 'reply', prompt: 'and the second?' });
    const actions = posted.filter((m) => m.type === 'action');
    assert.deepEqual(actions.map((a) => a.type === 'action' && [a.action, a.busy, a.answer ?? null, a.error ?? null]), [['reply', true, null, null], ['reply', false, 'echo: and the second?', null]]);
    const events = pageEvents(posted);
    const tail = events.filter((e) => e.type === 'user_message' || e.type.includes('agentMessage')).map((e) => e.summary);
    assert.deepEqual(tail, ['slow first question', 'echo: slow first question', 'and the second?', 'echo: and the second?']);
    // What the page holds is exactly the server's transcript.
    assert.deepEqual(events, (await getSession(client, started.sessionId)).transcript);
    assert.equal(lastHeader(posted)?.turns, 2);
  });

  it('Cancel on an idle session ends it and its process without asking', async () => {
    const started = await startSession(client, { prompt: 'quick one', sandbox: 'workspace-write', cwd: home.workDir });
    await started.turn;
    const [pid] = srv.server.app.codex.childPids();
    assert.ok(pid && (await processAlive(pid)));
    const { handler, posted, asked } = panel(started.sessionId);
    await handler.handle({ type: 'ready' });
    await handler.handle({ type: 'cancel' });
    assert.equal(asked(), 0);
    assert.equal(lastHeader(posted)?.status, 'closed');
    assert.deepEqual(srv.server.app.codex.childPids(), []);
    await until(async () => ((await processAlive(pid)) ? undefined : true), 'the Codex process to end');
  });

  it('Cancel of a running turn asks first: No keeps it running, Yes ends the turn, Codex and its process tree', async () => {
    const started = await startSession(client, { prompt: 'slow work', sandbox: 'read-only', cwd: home.workDir });
    await until(async () => ((await getSession(client, started.sessionId)).status === 'running' ? true : undefined), 'running');
    const [pid] = srv.server.app.codex.childPids();
    const tree = await liveTreePids(pid!);
    let yes = false;
    const { handler, posted, asked } = panel(started.sessionId, () => yes);
    await handler.handle({ type: 'ready' });
    await handler.handle({ type: 'cancel' });
    assert.equal(asked(), 1);
    assert.equal((await getSession(client, started.sessionId)).status, 'running', 'No keeps the turn');
    yes = true;
    await handler.handle({ type: 'cancel' });
    assert.equal(asked(), 2);
    await assert.rejects(started.turn, (err: GovernanceClientError) => /closed|cancel/i.test(err.message));
    assert.equal(lastHeader(posted)?.status, 'closed');
    assert.match(lastHeader(posted)?.lastError ?? '', /Cancelled/);
    await until(async () => ((await Promise.all(tree.map(processAlive))).some(Boolean) ? undefined : true), 'every process of the session to end');
  });

  it('codex-cleanup: idle closes every idle session now (the default waits for the timeout); session_id ends one; unknown ids are not_found', async () => {
    const a = await startSession(client, { prompt: 'first', sandbox: 'read-only', cwd: home.workDir });
    await a.turn;
    const b = await startSession(client, { prompt: 'second', sandbox: 'read-only', cwd: home.workDir });
    await b.turn;
    assert.deepEqual(((await client.callTool('codex-cleanup', {})) as { closed: string[] }).closed, []);
    const one = (await client.callTool('codex-cleanup', { session_id: a.sessionId })) as { closed: string[]; session: { status: string; prompt: string } };
    assert.deepEqual(one.closed, [a.sessionId]);
    assert.deepEqual([one.session.status, one.session.prompt], ['closed', 'first']);
    assert.deepEqual(((await client.callTool('codex-cleanup', { session_id: a.sessionId })) as { closed: string[] }).closed, [], 'already ended');
    assert.deepEqual(((await client.callTool('codex-cleanup', { idle: true })) as { closed: string[] }).closed, [b.sessionId]);
    await assert.rejects(client.callTool('codex-cleanup', { session_id: 'no-such-session' }), (e: GovernanceClientError) => e.code === 'not_found');
    await assert.rejects(client.callTool('codex-cleanup', { session_id: b.sessionId, force: true }), (e: GovernanceClientError) => e.code === 'invalid_arguments' && /session_id/.test(e.message));
    const listed = await client.listSessions();
    assert.deepEqual(listed.map((s) => [s.prompt, s.status]), [['second', 'closed'], ['first', 'closed']]);
  });

  it('New Session with danger-full-access fails with the denial when nobody approves, and leaves no session', async () => {
    await assert.rejects(startSession(client, { prompt: 'root please', sandbox: 'danger-full-access', cwd: home.workDir }), (e: GovernanceClientError) => e.code === 'forbidden');
    assert.deepEqual(await client.listSessions(), []);
  });
});
