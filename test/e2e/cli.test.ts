/** `codex-governance serve` as a user runs it: startup output, token file, data-dir ownership, shutdown. */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const CLI = resolve(__dirname, '../../dist/cli.js');

interface Run {
  proc: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function run(args: string[], env: Record<string, string | undefined> = {}): Run {
  const base = { ...process.env };
  delete base.CODEX_GOVERNANCE_TOKEN;
  delete base.UNITARES_HTTP_API_TOKEN;
  const proc = spawn(process.execPath, [CLI, ...args], { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  return { proc, stdout: () => out, stderr: () => err, exited };
}

async function waitFor(pred: () => boolean, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const urlOf = (r: Run) => /serving (http:\/\/127\.0\.0\.1:\d+)/.exec(r.stdout())?.[1];

describe('codex-governance serve (CLI)', function () {
  this.timeout(30_000);
  let dataDir: string;
  const running: Run[] = [];
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'cg-cli-'));
  });
  afterEach(() => {
    for (const r of running.splice(0)) if (r.proc.exitCode === null) r.proc.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('generates a 0600 token file, prints its path and serves with it; SIGTERM shuts down cleanly', async () => {
    const r = run(['serve', '--port', '0', '--data-dir', dataDir]);
    running.push(r);
    await waitFor(() => !!urlOf(r), 'the URL line');
    const tokenFile = join(dataDir, 'token');
    assert.ok(r.stdout().includes(tokenFile), 'the token path is printed');
    assert.equal(statSync(tokenFile).mode & 0o777, 0o600);
    const token = readFileSync(tokenFile, 'utf8').trim();
    assert.ok(!r.stdout().includes(token) && !r.stderr().includes(token), 'the token itself is never printed');
    const health = await fetch(`${urlOf(r)}/health`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(health.status, 200);
    r.proc.kill('SIGTERM');
    assert.equal(await r.exited, 0);
    assert.ok(!existsSync(join(dataDir, 'owner.json')), 'the data-dir lock is released');
    assert.ok(!existsSync(join(dataDir, 'governance.db-wal')) || statSync(join(dataDir, 'governance.db-wal')).size === 0, 'the database was closed (WAL checkpointed)');
    await assert.rejects(fetch(`${urlOf(r)}/health`), 'the port is closed');
  });

  it('takes the token from CODEX_GOVERNANCE_TOKEN or its alias UNITARES_HTTP_API_TOKEN', async () => {
    for (const name of ['CODEX_GOVERNANCE_TOKEN', 'UNITARES_HTTP_API_TOKEN']) {
      const token = `env-token-for-${name}-0123456789`;
      const r = run(['serve', '--port', '0', '--data-dir', dataDir], { [name]: token });
      running.push(r);
      await waitFor(() => !!urlOf(r), 'the URL line');
      assert.match(r.stdout(), new RegExp(`from ${name}`));
      assert.equal((await fetch(`${urlOf(r)}/health`, { headers: { Authorization: `Bearer ${token}` } })).status, 200);
      r.proc.kill('SIGINT');
      assert.equal(await r.exited, 0);
    }
  });

  it('a second server on the same data directory refuses, naming the owner pid and port', async () => {
    const first = run(['serve', '--port', '0', '--data-dir', dataDir]);
    running.push(first);
    await waitFor(() => !!urlOf(first), 'the first server');
    const port = new URL(urlOf(first)!).port;
    const second = run(['serve', '--port', '0', '--data-dir', dataDir]);
    running.push(second);
    assert.equal(await second.exited, 1);
    assert.match(second.stderr(), new RegExp(`\\b${first.proc.pid}\\b`));
    assert.match(second.stderr(), new RegExp(`\\b${port}\\b`));
    assert.equal(first.proc.exitCode, null, 'the first server keeps running');
  });

  it('an unusable data directory refuses to start, naming the path', async () => {
    const file = join(dataDir, 'not-a-dir');
    writeFileSync(file, 'x');
    const bad = join(file, 'data');
    const r = run(['serve', '--port', '0', '--data-dir', bad]);
    running.push(r);
    assert.equal(await r.exited, 1);
    assert.ok(r.stderr().includes(bad), r.stderr());
  });

  it('a port in use gives a clear message naming the port', async () => {
    const first = run(['serve', '--port', '0', '--data-dir', dataDir]);
    running.push(first);
    await waitFor(() => !!urlOf(first), 'the first server');
    const port = new URL(urlOf(first)!).port;
    const otherDir = mkdtempSync(join(tmpdir(), 'cg-cli-'));
    try {
      const second = run(['serve', '--port', port, '--data-dir', otherDir]);
      running.push(second);
      assert.equal(await second.exited, 1);
      assert.match(second.stderr(), new RegExp(`Port ${port} .*already in use`));
      assert.ok(!existsSync(join(otherDir, 'owner.json')), 'the failed start released its data-dir lock');
    } finally {
      rmSync(otherDir, { recursive: true, force: true });
    }
  });
});
