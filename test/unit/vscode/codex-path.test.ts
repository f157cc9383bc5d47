import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { checkCodexPath } from '../../../src/vscode/codex-path';

const ROOT = path.join(__dirname, '..', '..', '..');
const WRAPPER = path.join(ROOT, 'node_modules', '@openai', 'codex', 'bin', 'codex.js');

describe('codexGovernance.codex.path check (the supervisor locate code, real binaries)', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'codex-path-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the npm Codex wrapper is usable: its native binary, version and app-server backend', async () => {
    const r = await checkCodexPath(WRAPPER);
    assert.ok(r.ok, r.ok ? '' : r.message);
    assert.match(r.located.version, /^\d+\.\d+\.\d+/);
    assert.equal(r.located.backend, 'app-server');
    assert.equal(r.located.wrapper, WRAPPER);
  });

  it('a path that does not exist names the setting, the path and the fix', async () => {
    const r = await checkCodexPath('/no/such/codex');
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.match(r.message, /^Setting codexGovernance\.codex\.path \("\/no\/such\/codex"\) cannot be used: Codex path "\/no\/such\/codex" does not exist\. Fix the setting codexGovernance\.codex\.path/);
  });

  it('a file that is not executable, and a program that prints no version, are refused with the cause', async () => {
    const text = path.join(dir, 'notes.txt');
    writeFileSync(text, 'not a program');
    const notExec = await checkCodexPath(text);
    assert.equal(notExec.ok, false);
    if (!notExec.ok) assert.match(notExec.message, /is not an executable file/);
    const liar = path.join(dir, 'not-codex');
    writeFileSync(liar, '#!/bin/sh\necho hello\n');
    chmodSync(liar, 0o755);
    const noVersion = await checkCodexPath(liar);
    assert.equal(noVersion.ok, false);
    if (!noVersion.ok) {
      assert.match(noVersion.message, /gave no version/);
      assert.match(noVersion.message, /Fix codexGovernance\.codex\.path, or clear it to use codex on PATH\.$/);
    }
  });

  it('a program that hangs is refused at the deadline', async () => {
    const hang = path.join(dir, 'hang');
    writeFileSync(hang, '#!/bin/sh\nexec sleep 30\n');
    chmodSync(hang, 0o755);
    const started = Date.now();
    const r = await checkCodexPath(hang, 'auto', 500);
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.message, /no answer within 500 ms/);
    assert.ok(Date.now() - started < 5000);
  });

  it('a forced mcp-server backend on a Codex without it is refused naming the backend setting', async () => {
    const r = await checkCodexPath(WRAPPER, 'mcp-server');
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.message, /has no "mcp-server" command/);
  });
});
