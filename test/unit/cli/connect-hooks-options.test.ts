/**
 * `connect codex --hooks`: the offline rule written into the hook command (`--offline`), and the
 * warning when the Codex that will run the hooks predates them (version from the real binaries).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse } from 'smol-toml';
import { runConnectCommand, type ConnectCommandIo } from '../../../src/cli/connect';
import { codexHooksWarning } from '../../../src/config/codex-connect';
import { hooksIgnoredMessage } from '../../../src/config/hooks-toml';

const CODEX_WRAPPER = path.resolve('node_modules/@openai/codex/bin/codex.js');

describe('connect codex --hooks: offline rule and Codex version', function () {
  let dir: string;
  let out: string;
  let err: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'connect-hooks-'));
    out = '';
    err = '';
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const cliOf = () => path.join(dir, 'dist', 'cli.js');
  const io = (extra: Partial<ConnectCommandIo> = {}): ConnectCommandIo => ({
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) },
    env: { HOME: dir, CODEX_HOME: path.join(dir, 'codex-home') },
    launch: { node: '/usr/bin/node', cli: cliOf() },
    ...extra,
  });
  const args = (...more: string[]) => ['codex', '--config', path.join(dir, 'config.toml'), '--data-dir', path.join(dir, 'data'), ...more];
  const hookCommands = () => {
    const parsed = parse(readFileSync(path.join(dir, 'config.toml'), 'utf8')) as { hooks: Record<string, { hooks: { command: string }[] }[]> };
    return Object.values(parsed.hooks).map((groups) => groups[0]!.hooks[0]!.command);
  };

  it('writes --offline deny into every hook command, and --offline defer by default', async function () {
    assert.equal(await runConnectCommand('connect', args('--hooks', '--offline', 'deny', '--codex-path', CODEX_WRAPPER), io()), 0, err);
    const deny = hookCommands();
    assert.equal(deny.length, 5);
    for (const c of deny) assert.match(c, / --offline deny$/);
    assert.match(out, /offline rule deny/);
    assert.equal(await runConnectCommand('disconnect', args(), io()), 0, err);
    assert.equal(await runConnectCommand('connect', args('--hooks', '--codex-path', CODEX_WRAPPER), io()), 0, err);
    for (const c of hookCommands()) assert.match(c, / --offline defer$/);
  });

  it('runs the small hook.js bundle when it sits beside the CLI', async function () {
    const { mkdirSync } = await import('node:fs');
    const cli = cliOf();
    mkdirSync(path.dirname(cli), { recursive: true });
    writeFileSync(path.join(path.dirname(cli), 'hook.js'), '// bundle\n');
    assert.equal(await runConnectCommand('connect', args('--hooks', '--codex-path', CODEX_WRAPPER), io()), 0, err);
    for (const c of hookCommands()) assert.equal(c, `/usr/bin/node ${path.join(path.dirname(cli), 'hook.js')} --data-dir ${path.join(dir, 'data')} --offline defer`);
  });

  it('refuses an unknown offline rule, and --offline without --hooks, as usage errors writing nothing', async function () {
    assert.equal(await runConnectCommand('connect', args('--hooks', '--offline', 'allow'), io()), 2);
    assert.match(err, /--offline must be defer or deny \(got "allow"\)/);
    assert.equal(await runConnectCommand('connect', args('--offline', 'deny'), io()), 2);
    assert.match(err, /--offline applies to the hooks that --hooks installs/);
    assert.throws(() => readFileSync(path.join(dir, 'config.toml')), /ENOENT/);
  });

  it('says nothing about the version when the real Codex (0.169.0) will run the hooks', async function () {
    this.timeout(60_000);
    assert.equal(await runConnectCommand('connect', args('--hooks', '--codex-path', CODEX_WRAPPER), io()), 0, err);
    assert.doesNotMatch(err, /Warning/);
    assert.equal(await codexHooksWarning(path.resolve('node_modules/codex-mcp-legacy/bin/codex.js'), process.env), undefined, 'Codex 0.153.4 runs hooks');
  });

  it('warns, naming the version, the path and the fix, when that Codex predates hooks (the hooks are still written)', async function () {
    const locate = () => Promise.resolve({ path: '/opt/old/codex', version: '0.118.0' });
    assert.equal(await runConnectCommand('connect', args('--hooks', '--codex-path', '/opt/old/codex'), io({ locate })), 0, err);
    assert.equal(hookCommands().length, 5);
    assert.match(err, /^Warning: the hooks are written, but the Codex that will run them \(\/opt\/old\/codex\) ignores them\. Codex 0\.118\.0 has only experimental hooks .* need Codex 0\.124\.0 or newer\. Update Codex \(npm install -g @openai\/codex@latest\)/m);
  });

  it('hooksIgnoredMessage: none from 0.124.0 on, a reason before it and for a version it cannot read', function () {
    assert.equal(hooksIgnoredMessage({ path: 'codex', version: '0.124.0' }), undefined);
    assert.match(hooksIgnoredMessage({ path: 'codex', version: '0.110.0' }) ?? '', /Codex 0\.110\.0 has no lifecycle hooks/);
    assert.match(hooksIgnoredMessage({ path: 'codex', version: 'dev' }) ?? '', /Cannot tell whether Codex "dev" has lifecycle hooks/);
  });

  it('a Codex path that does not exist gives a warning, not a failure', async function () {
    const warning = await codexHooksWarning(path.join(dir, 'no-codex'), process.env);
    assert.match(warning ?? '', /could not check which Codex will run the hooks \(Codex path ".*no-codex" does not exist.*need Codex 0\.124\.0 or newer/);
  });
});
