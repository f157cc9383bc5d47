/**
 * The `codex` tool says which session it started as soon as the session exists, long before the
 * turn answers: an MCP progress notification (for a client that asked for progress) and a logging
 * notification with `{type: "codex-session-started", session_id}`, with the real Codex and the
 * fake model (whose answer is held back).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CallToolResultSchema, LoggingMessageNotificationSchema, type Progress } from '@modelcontextprotocol/sdk/types.js';
import { HttpGovernanceClient } from '../../src/client/http';
import { InProcessGovernanceClient } from '../../src/client/in-process';
import type { GovernanceClient } from '../../src/client/types';
import type { RunningGovernanceServer } from '../../src/server/api';
import { startSession } from '../../src/vscode/sessions/new-session';
import { startGovernanceServer } from '../../src/server/server';
import { killAllSpawned } from '../fakes/child-process';
import { createCodexHome, type CodexHome } from '../fakes/codex-home';
import { locatedCodex } from '../fakes/codex-processes';
import { delayed, replyMessage, startFakeModelServer, type FakeModelServer } from '../fakes/fake-model-server';
import { connectMcp } from '../helpers/governance-server';

const TOKEN = 'announce-token-0123456789abcdef';

describe('codex announces its session id before the turn ends (MCP)', function () {
  this.timeout(60_000);
  let fake: FakeModelServer;
  let home: CodexHome;
  let dataDir: string;
  let server: RunningGovernanceServer;
  let client: Client;

  before(async () => {
    fake = await startFakeModelServer({});
    home = await createCodexHome({ modelBaseUrl: fake.baseUrl });
    dataDir = mkdtempSync(join(tmpdir(), 'cg-announce-'));
    server = await startGovernanceServer({
      port: 0,
      dataDir,
      token: TOKEN,
      hostKind: 'test',
      codex: { located: locatedCodex('app-server'), env: home.env, defaultCwd: home.workDir, warmSpares: 0 },
      workspaceRoots: [home.workDir],
    });
    client = await connectMcp(server.url, TOKEN, 'announce');
  });
  after(async () => {
    await client.close();
    await server.close();
    await fake.close();
    await home.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
    await killAllSpawned();
  });

  it('sends progress and a logging message naming the session while the turn still runs', async () => {
    fake.enqueue(delayed(1500, replyMessage('late answer')));
    const logged: Array<{ data: unknown; at: number }> = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logged.push({ data: n.params.data, at: Date.now() }));
    const progress: Array<{ p: Progress; at: number }> = [];
    const result = await client.request(
      { method: 'tools/call', params: { name: 'codex', arguments: { prompt: 'take your time', sandbox: 'read-only' } } },
      CallToolResultSchema,
      { onprogress: (p) => void progress.push({ p, at: Date.now() }) },
    );
    const answeredAt = Date.now();
    const sessionId = (result.structuredContent as { session_id: string }).session_id;
    assert.equal((result.content[0] as { text: string }).text, 'late answer');
    const started = logged.find((l) => (l.data as { type?: string }).type === 'codex-session-started');
    assert.ok(started, JSON.stringify(logged));
    assert.equal((started.data as { session_id: string }).session_id, sessionId);
    assert.ok(answeredAt - started.at >= 1000, `announced ${answeredAt - started.at} ms before the answer`);
    assert.equal(progress.length, 1);
    assert.equal(progress[0]?.p.message, `Codex session ${sessionId} started`);
  });

  for (const kind of ['in-process', 'http'] as const) {
    it(`New Codex Session learns its session id from the announcement while the turn runs (${kind} client)`, async () => {
      const c: GovernanceClient = kind === 'http' ? new HttpGovernanceClient(server.url, () => Promise.resolve(TOKEN)) : new InProcessGovernanceClient(server.url, server.app);
      try {
        fake.enqueue(delayed(1500, replyMessage('slow answer')));
        const t0 = Date.now();
        const started = await startSession(c, { prompt: `announce over ${kind}`, sandbox: 'read-only', cwd: home.workDir });
        const knownAfter = Date.now() - t0;
        let answered = false;
        void started.turn.then(() => (answered = true));
        assert.equal(answered, false, 'the id came before the answer');
        const answer = await started.turn;
        assert.equal(answer.session_id, started.sessionId);
        assert.equal(answer.content, 'slow answer');
        assert.ok(Date.now() - t0 - knownAfter >= 1000, `the id was known ${Date.now() - t0 - knownAfter} ms before the answer`);
      } finally {
        c.dispose();
      }
    });
  }
});
