/** `codex-governance codex --prompt ...` (the built CLI) against the fake model, both backends. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { killAllSpawned } from '../fakes/child-process';
import { createCodexHome, type CodexHome } from '../fakes/codex-home';
import { codexBinaries, codexPerBackend } from '../fakes/codex-processes';
import { hang, replyExec, replyMessage, startFakeModelServer, userTexts, type FakeModelServer } from '../fakes/fake-model-server';

const CLI = resolve(__dirname, '../../dist/cli.js');
const bins = codexBinaries();

function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun) => {
    const proc = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.on('close', (code) => resolveRun({ code, stdout, stderr }));
  });
}

describe('codex-governance codex (CLI)', function () {
  this.timeout(60_000);
  let fake: FakeModelServer;
  let home: CodexHome;
  before(() => assert.ok(existsSync(CLI), 'run npm run build first'));
  beforeEach(async () => {
    fake = await startFakeModelServer();
    home = await createCodexHome({ modelBaseUrl: fake.baseUrl });
  });
  afterEach(async () => {
    await fake.close();
    await home.cleanup();
  });
  after(() => killAllSpawned());

  for (const { version: label, path: binary, backend } of codexPerBackend()) {
    it(`prints the reply of one turn (Codex ${label}, ${backend})`, async () => {
      fake.enqueue((req) => replyMessage(`cli says: ${userTexts(req).at(-1)}`));
      const r = await run(['codex', '--prompt', 'hello there', '--sandbox', 'read-only', '--cwd', home.workDir, '--codex-path', binary, '--json'], home.env);
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as { threadId: string; content: string; session_id: string };
      assert.equal(out.content, 'cli says: hello there');
      assert.match(out.threadId, /^[0-9a-f-]{36}$/);
    });
  }

  it('denies an escalated command (no prompter on a terminal) and ends by its deadline with exit 1', async () => {
    const target = join(home.root, 'escalated.txt');
    fake.enqueue(replyExec(`touch ${target}`, { escalateWithJustification: 'outside' }), replyMessage('gave up'));
    const denied = await run(['codex', '--prompt', 'x', '--approval-policy', 'on-request', '--cwd', home.workDir, '--codex-path', bins.current], home.env);
    assert.equal(denied.code, 0, denied.stderr);
    assert.equal(denied.stdout, 'gave up\n');
    assert.equal(existsSync(target), false);

    fake.enqueue(hang());
    const t0 = Date.now();
    const late = await run(['codex', '--prompt', 'x', '--cwd', home.workDir, '--codex-path', bins.current, '--timeout-ms', '1500'], home.env);
    assert.equal(late.code, 1);
    assert.match(late.stderr, /did not finish within 1500 ms/);
    assert.ok(Date.now() - t0 < 15_000);
  });

  it('rejects a bad flag value with exit 2, naming the flag and the allowed values', async () => {
    const r = await run(['codex', '--prompt', 'x', '--sandbox', 'everything'], home.env);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--sandbox "everything" is not valid: use one of read-only, workspace-write, danger-full-access, isolated, full-access/);
    const none = await run(['codex'], home.env);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /--prompt is required/);
  });
});
