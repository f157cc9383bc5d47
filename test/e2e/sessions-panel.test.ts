/**
 * The Sessions work against the real thing: a governance server whose supervisor runs the real
 * Codex (app-server, and the legacy mcp-server) against the fake model server; the Session panel's
 * host handler, the New Session lookup and the per-session cancel and stop of `codex-cleanup`,
 * through the in-process client the extension uses. Streamed answers, whole markdown answers,
 * stop-turn, resume, attribution, inline approvals and the Markdown export are driven here as the
 * page drives them; the page itself is driven in test/integration/suites/sessions.suite.ts.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { OpenRequests } from '../../src/approvals/open-requests';
import { killAllSpawned, processAlive } from '../fakes/child-process';
import { createCodexHome, type CodexHome } from '../fakes/codex-home';
import { codexBinaries } from '../fakes/codex-processes';
import { delayed, functionCallOutput, replyExec, replyMessage, startFakeModelServer, streamText, userTexts, type FakeModelServer, type RecordedRequest, type TurnReply } from '../fakes/fake-model-server';
import { longMarkdown } from '../fakes/long-markdown';
import { startTestServer, type TestServer } from '../helpers/governance-server';
import { InProcessGovernanceClient } from '../../src/client/in-process';
import { getSession } from '../../src/client/sessions';
import { GovernanceClientError, type GovernanceClient } from '../../src/client/types';
import { liveTreePids } from '../../src/supervisor/process';
import { startSession } from '../../src/vscode/sessions/new-session';
import { SessionPanelHandler, type PendingApprovals, type SessionHandlerDeps } from '../../src/vscode/sessions/session-handler';
import type { LiveItem, SessionHostMessage, TranscriptEvent } from '../../src/webviews/session/protocol';

const bins = codexBinaries();

const LONG = longMarkdown();

/**
 * The fake model, by the last prompt: `slow...` answers after 6 s; `stream N ...` streams the long
 * answer over N s; `md ...` sends it at once; `approve <path>` asks to run an escalated `touch
 * <path>` and then reports the command's output; anything else is echoed.
 */
function respond(req: RecordedRequest): TurnReply {
  const last = userTexts(req).at(-1) ?? '';
  const input = req.body?.input ?? [];
  if (last.startsWith('approve ')) {
    if (input.at(-1)?.type === 'function_call_output') return replyMessage(`tool said: ${functionCallOutput(req) ?? 'nothing'}`);
    return replyExec(`touch ${last.slice('approve '.length)}`, { escalateWithJustification: 'write the marker file' });
  }
  const stream = /^stream (\d+)/.exec(last);
  if (stream) return streamText(LONG, Number(stream[1]) * 1000, { chunks: Number(stream[1]) * 10, usage: { input_tokens: 80, output_tokens: 900 } });
  if (last.startsWith('md ')) return replyMessage(LONG, { input_tokens: 80, output_tokens: 900 });
  const reply = replyMessage(`echo: ${last}`, { input_tokens: 50, output_tokens: 5 });
  return last.startsWith('slow') ? delayed(6_000, reply) : reply;
}

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Every event the page was sent, in order (a snapshot resets it). */
function pageEvents(posted: SessionHostMessage[]): TranscriptEvent[] {
  let out: TranscriptEvent[] = [];
  for (const m of posted) {
    if (m.type === 'snapshot') out = [...m.events];
    else if (m.type === 'append') out.push(...m.events);
  }
  return out;
}

/** The streaming text the page holds, applied as the page applies it (snapshot live items, then deltas by offset). */
function pageLive(posted: SessionHostMessage[]): Map<string, LiveItem> {
  const live = new Map<string, LiveItem>();
  for (const m of posted) {
    if (m.type === 'snapshot' || (m.type === 'append' && m.live)) {
      live.clear();
      for (const l of (m.type === 'snapshot' ? m.live : m.live) ?? []) live.set(l.itemId, { ...l });
    } else if (m.type === 'stream') {
      for (const d of m.deltas) {
        const item = live.get(d.itemId) ?? { itemId: d.itemId, kind: d.kind, text: '', received: 0 };
        const skip = d.offset === undefined ? 0 : Math.max(0, item.received - d.offset);
        if (skip < d.delta.length) {
          item.text += d.delta.slice(skip);
          item.received += d.delta.length - skip;
        }
        live.set(d.itemId, item);
      }
    }
  }
  return live;
}

const lastHeader = (posted: SessionHostMessage[]) => posted.filter((m) => m.type === 'snapshot' || m.type === 'append').at(-1)?.header;
const answers = (events: TranscriptEvent[]) => events.filter((e) => e.type === 'item/completed:agentMessage' || e.type === 'agent_message' || e.type === 'agent_message_partial');

function harness(binary: string) {
  const ctx = {} as { fake: FakeModelServer; home: CodexHome; srv: TestServer; client: GovernanceClient };
  const saved: Record<string, string | undefined> = {};
  const handlers: SessionPanelHandler[] = [];
  beforeEach(async () => {
    ctx.fake = await startFakeModelServer({ whenExhausted: respond });
    ctx.home = await createCodexHome({ modelBaseUrl: ctx.fake.baseUrl });
    // The supervisor's children inherit the server's environment: Codex stays in the temp home.
    for (const [k, v] of Object.entries({ CODEX_HOME: ctx.home.codexHome, HOME: ctx.home.home, CODEX_GOVERNANCE_CODEX_PATH: binary })) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    // The sessions run in the temp home's work folder: that is the workspace here.
    ctx.srv = await startTestServer({ workspaceRoots: [ctx.home.workDir] });
    ctx.client = new InProcessGovernanceClient(ctx.srv.url, ctx.srv.server.app, { coalesceMs: 20 });
  });
  afterEach(async () => {
    for (const h of handlers.splice(0)) h.dispose();
    ctx.client.dispose();
    await ctx.srv.stop();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await ctx.fake.close();
    await ctx.home.cleanup();
  });
  after(() => killAllSpawned());

  function panel(sessionId: string, extra: Partial<SessionHandlerDeps> = {}): { handler: SessionPanelHandler; posted: SessionHostMessage[] } {
    const posted: SessionHostMessage[] = [];
    const handler = new SessionPanelHandler(sessionId, { clients: { current: ctx.client, onDidChangeClient: () => () => {} }, post: (m) => posted.push(m), ...extra });
    handlers.push(handler);
    return { handler, posted };
  }
  const start = (prompt: string, sandbox: 'read-only' | 'workspace-write' = 'read-only') => startSession(ctx.client, { prompt, sandbox, cwd: ctx.home.workDir });
  return { ctx, panel, start };
}

describe('Sessions panel and commands against a real Codex app-server (fake model)', function () {
  this.timeout(120_000);
  const { ctx, panel, start } = harness(bins.current);

  it('New Session finds the session id while its first turn still runs; the panel appends the answer live, then a reply round-trips', async () => {
    const started = await start('slow first question');
    let turnDone = false;
    void started.turn.then(() => (turnDone = true), () => (turnDone = true));
    assert.equal(turnDone, false, 'the id is known before the first turn answers');
    const { handler, posted } = panel(started.sessionId);
    await handler.handle({ type: 'ready' });
    const first = posted[0];
    assert.equal(first?.type, 'snapshot');
    assert.equal(first.type === 'snapshot' && first.header.sessionId, started.sessionId);
    assert.deepEqual(first.type === 'snapshot' && [first.header.sandbox, first.header.cwd, first.header.title, first.header.agentId], ['read-only', ctx.home.workDir, 'slow first question', 'vscode-user']);
    assert.ok(first.type === 'snapshot' && first.events.some((e) => e.type === 'user_message' && e.summary === 'slow first question' && e.by === 'vscode-user'));

    const answer = await started.turn;
    assert.equal(answer.content, 'echo: slow first question');
    await until(() => (pageEvents(posted).some((e) => e.summary === 'echo: slow first question') ? true : undefined), 'the answer on the page');
    assert.equal(posted.filter((m) => m.type === 'snapshot').length, 1, 'live events are appended');
    await until(() => (lastHeader(posted)?.status === 'idle' ? true : undefined), 'idle in the header');
    assert.ok(lastHeader(posted)!.tokens.total > 0, 'token counts in the header');
    assert.equal(lastHeader(posted)!.canReply, true);
    assert.match(lastHeader(posted)!.threadId ?? '', /^[0-9a-f-]{36}$/);

    await handler.handle({ type: 'reply', prompt: 'and the second?' });
    const actions = posted.filter((m) => m.type === 'action');
    assert.deepEqual(actions.map((a) => a.type === 'action' && [a.action, a.busy, a.answer ?? null, a.error ?? null]), [['reply', true, null, null], ['reply', false, 'echo: and the second?', null]]);
    const events = pageEvents(posted);
    const tail = events.filter((e) => e.type === 'user_message' || e.type.includes('agentMessage')).map((e) => e.summary);
    assert.deepEqual(tail, ['slow first question', 'echo: slow first question', 'and the second?', 'echo: and the second?']);
    // What the page holds is exactly the server's transcript.
    assert.deepEqual(events, (await getSession(ctx.client, started.sessionId)).transcript);
    assert.equal(lastHeader(posted)?.turns, 2);
  });

  it('streams a 5,000-character markdown answer: growing text reaches the page before the turn ends, and the transcript keeps the answer whole', async () => {
    const started = await start('stream 5 please');
    const { handler, posted } = panel(started.sessionId);
    await handler.handle({ type: 'ready' });
    let turnDone = false;
    void started.turn.then(() => (turnDone = true), () => (turnDone = true));
    // Text grows on the page, in several steps, while the turn still runs.
    const sizes: number[] = [];
    await until(() => {
      const text = [...pageLive(posted).values()].find((l) => l.kind === 'agent')?.text ?? '';
      if (!turnDone && text.length && sizes.at(-1) !== text.length) sizes.push(text.length);
      return sizes.length >= 5 ? true : undefined;
    }, 'five sizes of streamed text before the turn ends');
    assert.equal(turnDone, false);
    const streamed = [...pageLive(posted).values()].find((l) => l.kind === 'agent')!;
    assert.ok(LONG.startsWith(streamed.text), 'streamed text is the start of the answer');

    // A panel opened mid-stream starts from the text so far and continues it.
    const late = panel(started.sessionId);
    await late.handler.handle({ type: 'ready' });
    const snap = late.posted[0];
    assert.ok(snap?.type === 'snapshot' && snap.live.some((l) => l.kind === 'agent' && l.text.length > 0 && LONG.startsWith(l.text)), 'the snapshot carries the text so far');

    const answer = await started.turn;
    assert.equal(answer.content, LONG);
    await until(() => (answers(pageEvents(posted)).length ? true : undefined), 'the final answer event');
    const final = answers(pageEvents(posted))[0]!;
    assert.equal(final.text, LONG, 'the whole answer, not cut at 500 characters');
    assert.ok(LONG.length >= 5000);
    assert.equal(final.itemId, streamed.itemId, 'the final event names the streamed item');
    // Both pages built the same text from deltas.
    const lateText = [...pageLive(late.posted).values()].find((l) => l.itemId === streamed.itemId)?.text;
    assert.equal(lateText, LONG);
    const session = await getSession(ctx.client, started.sessionId);
    assert.deepEqual(session.live ?? [], [], 'nothing left streaming after the turn');
    assert.equal(answers(session.transcript)[0]?.text, LONG);
  });

  it('Stop turn ends only the turn: the partial answer stays, the session stays idle in the same process and takes the next prompt', async () => {
    const started = await start('stream 20 slowly');
    const { handler, posted } = panel(started.sessionId);
    await handler.handle({ type: 'ready' });
    await until(() => (([...pageLive(posted).values()][0]?.text.length ?? 0) > 200 ? true : undefined), 'some streamed text');
    const [pid] = ctx.srv.server.app.codex.childPids();
    await handler.handle({ type: 'stop' });
    await assert.rejects(started.turn, (e: GovernanceClientError) => /stopped/.test(e.message));
    const note = posted.filter((m) => m.type === 'action' && m.action === 'stop').at(-1);
    assert.ok(note?.type === 'action' && note.note?.includes('stopped'), JSON.stringify(note));
    const session = await getSession(ctx.client, started.sessionId);
    assert.equal(session.status, 'idle');
    assert.equal(session.lastError, null);
    const partial = answers(session.transcript).at(-1);
    assert.ok(partial?.text && partial.text.length > 200 && partial.text.length < LONG.length && LONG.startsWith(partial.text), `partial answer kept: ${partial?.type} ${partial?.text?.length}`);
    assert.deepEqual(ctx.srv.server.app.codex.childPids(), [pid], 'same Codex process');
    assert.ok(pid && (await processAlive(pid)));
    await handler.handle({ type: 'reply', prompt: 'after the stop' });
    assert.deepEqual(posted.filter((m) => m.type === 'action' && m.action === 'reply').at(-1), { type: 'action', action: 'reply', busy: false, answer: 'echo: after the stop' });
  });

  it('an ended session is resumed by a reply from the panel: Codex reopens its thread in a new process', async () => {
    const started = await start('remember the word teal');
    await started.turn;
    const [pid] = ctx.srv.server.app.codex.childPids();
    const { handler, posted } = panel(started.sessionId);
    await handler.handle({ type: 'ready' });
    await handler.handle({ type: 'cancel' });
    assert.equal(lastHeader(posted)?.status, 'closed');
    assert.deepEqual([lastHeader(posted)?.canReply, lastHeader(posted)?.resumable], [true, true]);
    await until(async () => ((await processAlive(pid!)) ? undefined : true), 'the old process to end');
    await handler.handle({ type: 'reply', prompt: 'what was the word?' });
    assert.deepEqual(posted.filter((m) => m.type === 'action' && m.action === 'reply').at(-1), { type: 'action', action: 'reply', busy: false, answer: 'echo: what was the word?' });
    assert.equal(lastHeader(posted)?.status, 'idle');
    const [newPid] = ctx.srv.server.app.codex.childPids();
    assert.ok(newPid && newPid !== pid);
    // The resumed thread still holds the first prompt: Codex sent it to the model again.
    const lastRequest = ctx.fake.responsesRequests().at(-1)!;
    assert.deepEqual(userTexts(lastRequest).filter((t) => !t.startsWith('<')), ['remember the word teal', 'what was the word?']);
  });

  it('End session of a running turn ends the turn, Codex and its process tree', async () => {
    const started = await start('slow work');
    await until(async () => ((await getSession(ctx.client, started.sessionId)).status === 'running' ? true : undefined), 'running');
    const [pid] = ctx.srv.server.app.codex.childPids();
    const tree = await liveTreePids(pid!);
    const { handler, posted } = panel(started.sessionId);
    await handler.handle({ type: 'ready' });
    await handler.handle({ type: 'cancel' });
    await assert.rejects(started.turn, (err: GovernanceClientError) => /closed|cancel/i.test(err.message));
    assert.equal(lastHeader(posted)?.status, 'closed');
    assert.match(lastHeader(posted)?.lastError ?? '', /Cancelled/);
    await until(async () => ((await Promise.all(tree.map(processAlive))).some(Boolean) ? undefined : true), 'every process of the session to end');
  });

  it('prompts say who sent them; a whole markdown answer exports as Markdown', async () => {
    const r = (await ctx.client.callTool('codex', { prompt: 'md from the bot', sandbox: 'read-only', cwd: ctx.home.workDir, agent_id: 'ci-bot' })) as { session_id: string };
    const copied: string[] = [];
    const { handler, posted } = panel(r.session_id, { copy: (t) => Promise.resolve(void copied.push(t)) });
    await handler.handle({ type: 'ready' });
    await handler.handle({ type: 'reply', prompt: 'thanks' });
    const prompts = pageEvents(posted).filter((e) => e.type === 'user_message').map((e) => [e.by, e.text]);
    assert.deepEqual(prompts, [['ci-bot', 'md from the bot'], ['vscode-user', 'thanks']]);
    assert.equal(lastHeader(posted)?.agentId, 'ci-bot');
    await handler.handle({ type: 'export', to: 'clipboard' });
    const md = copied[0] ?? '';
    assert.match(md, /^# Codex session: md from the bot\n/);
    assert.match(md, /## ci-bot · .*\n\nmd from the bot/);
    assert.match(md, /## You · .*\n\nthanks/);
    assert.ok(md.includes(LONG), 'the whole answer is in the export');
    assert.match(posted.filter((m) => m.type === 'action').at(-1)?.type === 'action' ? ((posted.filter((m) => m.type === 'action').at(-1) as { note?: string }).note ?? '') : '', /copied as Markdown/);
  });

  it('an approval Codex waits for shows as a card of its session and is answered from the panel', async () => {
    const open = new OpenRequests(() => listeners.forEach((l) => l()));
    const listeners = new Set<() => void>();
    ctx.srv.server.app.approvals.setPrompter({ prompt: (p) => open.hold(p) });
    const approvals: PendingApprovals = {
      list: () => open.list(),
      answer: (id, a) => open.answer(id, a),
      onDidChange: (l) => {
        listeners.add(l);
        return { dispose: () => listeners.delete(l) };
      },
    };
    const marker = join(ctx.home.root, 'marker.txt');
    const started = await start(`approve ${marker}`);
    const { handler, posted } = panel(started.sessionId, { approvals });
    await handler.handle({ type: 'ready' });
    const card = await until(() => {
      const cards = posted.filter((m) => m.type === 'pending' || m.type === 'snapshot').at(-1);
      const list = cards?.type === 'pending' ? cards.pending : cards?.type === 'snapshot' ? cards.pending : [];
      return list[0];
    }, 'the pending card');
    assert.match(card.command ?? '', /touch .*marker\.txt/);
    assert.equal(card.source, 'codex-exec');
    assert.equal(card.reason, 'write the marker file');
    assert.ok(card.deadline > Date.now());
    await handler.handle({ type: 'approve', id: card.id, decision: 'allow_once' });
    const answer = await started.turn;
    assert.match(answer.content, /^tool said:/);
    assert.ok(existsSync(marker), 'the approved command ran');
    assert.deepEqual(posted.filter((m) => m.type === 'pending').at(-1), { type: 'pending', pending: [] });
    await until(() => (pageEvents(posted).some((e) => e.type === 'approval' && e.approval?.decision === 'allow_once' && /marker\.txt/.test(e.approval.command ?? '')) ? true : undefined), 'the answered approval in the transcript');
    // A command with its exit code and output, not just "exit 0".
    const command = pageEvents(posted).find((e) => e.type === 'item/completed:commandExecution');
    assert.equal(command?.command?.exitCode, 0);
    assert.match(command?.command?.command ?? '', /touch .*marker\.txt/);
    await handler.handle({ type: 'approve', id: card.id, decision: 'deny' });
    assert.match((posted.filter((m) => m.type === 'action').at(-1) as { error?: string }).error ?? '', /no longer open/);
  });

  it('New Session with danger-full-access fails with the denial when nobody approves, and leaves no session', async () => {
    await assert.rejects(startSession(ctx.client, { prompt: 'root please', sandbox: 'danger-full-access', cwd: ctx.home.workDir }), (e: GovernanceClientError) => e.code === 'forbidden');
    assert.deepEqual(await ctx.client.listSessions(), []);
  });

  it('codex-cleanup: idle closes every idle session now; session_id ends one; stop_turn needs a session_id; unknown ids are not_found', async () => {
    const a = await start('first');
    await a.turn;
    const b = await start('second');
    await b.turn;
    assert.deepEqual(((await ctx.client.callTool('codex-cleanup', {})) as { closed: string[] }).closed, []);
    assert.deepEqual(((await ctx.client.callTool('codex-cleanup', { session_id: a.sessionId, stop_turn: true })) as { stopped?: boolean }).stopped, false, 'no turn to stop');
    const one = (await ctx.client.callTool('codex-cleanup', { session_id: a.sessionId })) as { closed: string[]; session: { status: string; prompt: string } };
    assert.deepEqual(one.closed, [a.sessionId]);
    assert.deepEqual([one.session.status, one.session.prompt], ['closed', 'first']);
    assert.deepEqual(((await ctx.client.callTool('codex-cleanup', { session_id: a.sessionId })) as { closed: string[] }).closed, [], 'already ended');
    assert.deepEqual(((await ctx.client.callTool('codex-cleanup', { idle: true })) as { closed: string[] }).closed, [b.sessionId]);
    await assert.rejects(ctx.client.callTool('codex-cleanup', { session_id: 'no-such-session' }), (e: GovernanceClientError) => e.code === 'not_found');
    await assert.rejects(ctx.client.callTool('codex-cleanup', { stop_turn: true }), (e: GovernanceClientError) => e.code === 'invalid_arguments' && /stop_turn/.test(e.message));
    await assert.rejects(ctx.client.callTool('codex-cleanup', { session_id: b.sessionId, force: true }), (e: GovernanceClientError) => e.code === 'invalid_arguments' && /session_id/.test(e.message));
  });
});

describe('Sessions panel against a real Codex mcp-server 0.153.4 (fake model)', function () {
  this.timeout(120_000);
  const { ctx, panel, start } = harness(bins.legacy);

  it('streams the answer (agent_message_content_delta) and keeps it whole; Stop turn keeps the session idle with the partial answer; an ended session takes no reply', async () => {
    const started = await start('stream 4 please');
    const { handler, posted } = panel(started.sessionId);
    await handler.handle({ type: 'ready' });
    let turnDone = false;
    void started.turn.then(() => (turnDone = true), () => (turnDone = true));
    await until(() => (([...pageLive(posted).values()][0]?.text.length ?? 0) > 100 && !turnDone ? true : undefined), 'streamed text before the turn ends');
    assert.equal((await started.turn).content, LONG);
    await until(() => (answers(pageEvents(posted))[0]?.text === LONG ? true : undefined), 'the whole answer');

    const stopping = ctx.client.callTool('codex-reply', { session_id: started.sessionId, prompt: 'stream 20 again' }, { timeoutMs: 'none' });
    stopping.catch(() => undefined);
    await until(() => ((pageLive(posted).size > 1 || [...pageLive(posted).values()].some((l) => l.text.length < LONG.length && l.text.length > 100)) ? true : undefined), 'the second stream');
    await handler.handle({ type: 'stop' });
    await assert.rejects(stopping, /stopped/);
    const session = await getSession(ctx.client, started.sessionId);
    assert.equal(session.status, 'idle');
    const partial = answers(session.transcript).at(-1);
    assert.ok(partial?.type === 'agent_message_partial' && LONG.startsWith(partial.text ?? 'x') && (partial.text?.length ?? 0) < LONG.length, JSON.stringify(partial?.type));
    // Not checked here: a reply right after Stop turn. Codex 0.153.4's mcp-server sometimes never
    // starts that turn (no request reaches the model; about 4 runs in 10 here, also before this
    // change); the app-server suite above checks the reply after Stop turn. README "Codex versions".

    await handler.handle({ type: 'cancel' });
    assert.deepEqual([lastHeader(posted)?.status, lastHeader(posted)?.canReply, lastHeader(posted)?.resumable], ['closed', false, false]);
  });
});
