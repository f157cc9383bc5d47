/** The headless approval flags of `codex-governance serve` / `stdio`, as a user runs them (built CLI). */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const CLI = resolve(__dirname, '../../dist/cli.js');

function run(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const env = { ...process.env, CODEX_GOVERNANCE_TOKEN: 'approvals-cli-token-0123456789' };
  const proc = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((r) => proc.on('exit', (code) => r({ code, stderr })));
}

describe('codex-governance approval flags (CLI)', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cg-approvals-cli-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses to start with a policy file that turns on high without the confirmation, naming the file, the key and the fix', async () => {
    const file = join(dir, 'policy.json');
    writeFileSync(file, JSON.stringify({ autoApproveHigh: true }));
    for (const args of [['serve', '--port', '0'], ['stdio']]) {
      const r = await run([...args, '--data-dir', join(dir, 'data'), '--approval-policy-file', file]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /--approval-policy-file: .*policy\.json: autoApproveHigh .*confirmAutoApproveHigh: true/);
    }
  });

  it('names a missing policy file, an unknown key, and a terminal prompt without a terminal', async () => {
    const missing = await run(['serve', '--port', '0', '--data-dir', join(dir, 'data'), '--approval-policy-file', join(dir, 'nope.json')]);
    assert.match(missing.stderr, /Cannot read the approval policy file .*nope\.json \(ENOENT\)/);
    const file = join(dir, 'typo.json');
    writeFileSync(file, JSON.stringify({ autoAproveLow: false }));
    const typo = await run(['serve', '--port', '0', '--data-dir', join(dir, 'data'), '--approval-policy-file', file]);
    assert.match(typo.stderr, /autoAproveLow.*Allowed keys: autoApproveLow/);
    const tty = await run(['serve', '--port', '0', '--data-dir', join(dir, 'data'), '--approval-prompt', 'tty']);
    assert.equal(tty.code, 1);
    assert.match(tty.stderr, /--approval-prompt tty needs an interactive terminal/);
  });
});
