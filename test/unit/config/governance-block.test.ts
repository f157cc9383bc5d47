/** The block "connect codex" adds to config.toml, its hook trust hashes, and how disconnect takes it out. */
import assert from 'node:assert/strict';
import { parse } from 'smol-toml';
import { ConfigEditError } from '../../../src/config';
import { findBlock, planConnect, planDisconnect, removeBlock, type ConnectOptions } from '../../../src/config/governance-block';
import { commandHookHash, hookEventKey, hookStateKey, shellQuote } from '../../../src/config/hooks-toml';

const OPTIONS: ConnectOptions = {
  bridge: { command: '/usr/bin/node', args: ['/opt/cg/bridge.js', '--data-dir', '/home/me/.codex-governance'] },
  hookCommand: '/usr/bin/node /opt/cg/hook.js --data-dir /home/me/.codex-governance',
  trust: false,
  codexPath: '/home/me/.codex/config.toml',
};

describe('connect codex: the config block', function () {
  it('computes the trust hash Codex 0.171.0 reported for a hook (app-server hooks/list currentHash)', function () {
    // [[hooks.PreToolUse]] matcher = "*" / [[hooks.PreToolUse.hooks]] type = "command", command = "/bin/echo hi", timeout = 30
    assert.equal(commandHookHash({ event: 'PreToolUse', matcher: '*', command: '/bin/echo hi', timeoutSec: 30 }), 'sha256:de09888112db38626e6ce9773e79495231b636c44c67c4e615e1cc0022eb4ef2');
    assert.equal(hookEventKey('PermissionRequest'), 'permission_request');
    assert.equal(hookStateKey('/h/config.toml', 'SessionStart', 2), '/h/config.toml:session_start:2:0');
    assert.equal(shellQuote("/a b/it's"), `'/a b/it'\\''s'`);
    assert.equal(shellQuote('/usr/bin/node'), '/usr/bin/node');
  });

  it('appends one marked block and keeps every byte of the file before it', function () {
    const text = '# mine\nmodel = "o3" # keep\n\n[mcp_servers.other]\ncommand = "x"\n';
    const plan = planConnect(text, 'config.toml', { ...OPTIONS, trust: true });
    assert.ok(plan.after.startsWith(text + '\n'), plan.after);
    const parsed = parse(plan.after) as any;
    assert.deepEqual({ ...parsed.mcp_servers['codex-governance'] }, { command: '/usr/bin/node', args: OPTIONS.bridge.args, default_tools_approval_mode: 'approve' });
    assert.deepEqual(Object.keys(parsed.hooks).filter((k) => k !== 'state').sort(), ['PermissionRequest', 'PostToolUse', 'PreToolUse', 'SessionStart', 'Stop']);
    assert.equal(parsed.hooks.PermissionRequest[0].hooks[0].timeout, 600);
    assert.equal(plan.hooks.length, 5);
    for (const h of plan.hooks) assert.equal(parsed.hooks.state[h.key].trusted_hash, h.hash);
    assert.ok(!/url\s*=|bearer_token|http:\/\//.test(plan.after.slice(text.length)), 'no URL or token variable in the block');
  });

  it('numbers its hook groups after the ones the file already has', function () {
    const text = '[[hooks.PreToolUse]]\n[[hooks.PreToolUse.hooks]]\ntype = "command"\ncommand = "mine"\n';
    const plan = planConnect(text, 'config.toml', OPTIONS);
    assert.equal(plan.hooks.find((h) => h.event === 'PreToolUse')?.key, '/home/me/.codex/config.toml:pre_tool_use:1:0');
    assert.equal(plan.hooks.find((h) => h.event === 'Stop')?.key, '/home/me/.codex/config.toml:stop:0:0');
    assert.equal((parse(plan.after) as any).hooks.PreToolUse.length, 2);
  });

  it('replaces an old HTTP entry of the same name and says so', function () {
    const text = '[mcp_servers.codex-governance]\nurl = "http://127.0.0.1:8765/mcp"\nbearer_token_env_var = "CODEX_GOVERNANCE_TOKEN"\n\n[mcp_servers.other]\ncommand = "x"\n';
    const plan = planConnect(text, 'config.toml', { ...OPTIONS, hookCommand: null });
    assert.deepEqual(plan.replaced, ['the HTTP entry for http://127.0.0.1:8765/mcp']);
    assert.ok(!plan.after.includes('8765'));
    assert.equal((parse(plan.after) as any).mcp_servers.other.command, 'x');
  });

  it('is idempotent, and a reconnect replaces its own block', function () {
    const text = 'model = "o3"\n';
    const first = planConnect(text, 'config.toml', OPTIONS);
    assert.equal(planConnect(first.after, 'config.toml', OPTIONS).changed, false);
    const again = planConnect(first.after, 'config.toml', { ...OPTIONS, trust: true });
    assert.equal(again.after.split('# >>> codex-governance connect').length, 2, 'one block');
    assert.ok(again.after.includes('[hooks.state.'));
  });

  it('keeps CRLF line endings', function () {
    const plan = planConnect('a = 1\r\n', 'config.toml', OPTIONS);
    assert.ok(!/[^\r]\n/.test(plan.after), 'every line ends with CRLF');
  });

  it('refuses a file whose hooks are an inline array it cannot extend, naming the fix', function () {
    const text = 'hooks = { PreToolUse = [] }\n';
    assert.throws(() => planConnect(text, 'config.toml', OPTIONS), (e: unknown) => e instanceof ConfigEditError && /\[\[hooks\.<Event>\]\]|without --hooks/.test(e.message));
  });

  it('disconnect restores the old text when the file is as written, else removes only the block', function () {
    const text = '# mine\nmodel = "o3"';
    const plan = planConnect(text, 'config.toml', OPTIONS);
    assert.deepEqual(planDisconnect(plan.after, { before: text, after: plan.after }), { before: plan.after, after: text, how: 'restored' });
    const edited = `# added later\n${plan.after}[mcp_servers.z]\ncommand = "z"\n`;
    const d = planDisconnect(edited, { before: text, after: plan.after });
    assert.equal(d.how, 'removed');
    assert.equal(d.after, `# added later\n# mine\nmodel = "o3"\n[mcp_servers.z]\ncommand = "z"\n`);
    assert.equal(findBlock(d.after), undefined);
    assert.equal(planDisconnect('x = 1\n').how, 'absent');
    assert.equal(removeBlock('x = 1\n'), 'x = 1\n');
  });
});
