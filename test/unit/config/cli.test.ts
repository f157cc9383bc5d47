/** `codex-governance mcp ...` on a real temp file: outputs, exit codes, and what reaches the disk. */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runMcpCommand } from '../../../src/cli/mcp';
import { fixture } from './helpers';

interface Run {
  code: number;
  out: string;
  err: string;
}

describe('codex-governance mcp CLI', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cg-cli-'));
    file = path.join(dir, 'config.toml');
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  /** Runs `mcp <sub> --config <file> ...rest` (the option goes first: after `--` it would be part of the command). */
  async function run(...argv: string[]): Promise<Run> {
    let out = '';
    let err = '';
    const [sub, ...rest] = argv;
    const code = await runMcpCommand([sub as string, '--config', file, ...rest], {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s) },
      env: { HOME: dir },
    });
    return { code, out, err };
  }

  it('adds servers in the layout codex mcp add writes, and lists them with env values masked', async () => {
    assert.equal((await run('add', 'srv', '--env', 'A=1', '--env', 'B=two=2', '--', 'node', 'server.js', '--flag', 'x')).code, 0);
    assert.equal((await run('add', 'web', '--url', 'http://127.0.0.1:9/mcp', '--bearer-token-env-var', 'TOK')).code, 0);
    assert.equal(
      await fs.readFile(file, 'utf8'),
      '[mcp_servers.srv]\ncommand = "node"\nargs = ["server.js", "--flag", "x"]\n\n[mcp_servers.srv.env]\nA = "1"\nB = "two=2"\n\n[mcp_servers.web]\nurl = "http://127.0.0.1:9/mcp"\nbearer_token_env_var = "TOK"\n',
    );
    const list = await run('list');
    assert.equal(list.code, 0);
    assert.equal(
      list.out,
      [
        'Name  Command  Args                Env               Cwd  Status   Auth       ',
        'srv   node     server.js --flag x  A=*****, B=*****  -    enabled  Unsupported',
        '',
        'Name  Url                     Bearer Token Env Var  Status   Auth        ',
        'web   http://127.0.0.1:9/mcp  TOK                   enabled  Bearer token',
        '',
      ].join('\n'),
    );
    assert.ok(!list.out.includes('two=2'));
  });

  it('prints the JSON shapes of codex mcp list --json and get --json', async () => {
    await fs.writeFile(file, fixture('corpus/tools.toml'));
    const list = JSON.parse((await run('list', '--json')).out) as { name: string; auth_status: string; startup_timeout_sec: number | null }[];
    assert.deepEqual(
      list.map((s) => [s.name, s.auth_status, s.startup_timeout_sec]),
      [
        ['remote', 'unknown', 15],
        ['shell', 'unsupported', null],
      ],
    );
    const get = JSON.parse((await run('get', 'shell', '--json')).out) as Record<string, unknown>;
    assert.deepEqual(Object.keys(get), ['name', 'enabled', 'disabled_reason', 'transport', 'enabled_tools', 'disabled_tools', 'startup_timeout_sec', 'tool_timeout_sec']);
    assert.deepEqual(get.disabled_tools, ['rm']);
    assert.deepEqual(get.transport, { type: 'stdio', command: 'shell-mcp', args: [], env: null, env_vars: [], cwd: null });
  });

  it('shows one server like codex mcp get, and fails for an unknown one', async () => {
    await fs.writeFile(file, '[mcp_servers.a]\ncommand = "npx"\nargs = ["-y", "x"]\nenv_vars = ["HOME"]\nstartup_timeout_sec = 20\nenabled_tools = ["t1"]\n\n[mcp_servers.a.env]\nK = "secret-value"\n');
    const get = await run('get', 'a');
    assert.equal(get.code, 0);
    assert.equal(
      get.out,
      ['a', '  enabled: true', '  enabled_tools: t1', '  transport: stdio', '  command: npx', '  args: -y x', '  cwd: -', '  env: K=*****, HOME=*****', '  startup_timeout_sec: 20', `  remove: codex-governance mcp remove a --config ${file}`, ''].join('\n'),
    );
    const missing = await run('get', 'nope');
    assert.equal(missing.code, 1);
    assert.match(missing.err, /No MCP server named 'nope' found/);
  });

  it('removes a server, and says so when there is none (exit 0, like codex)', async () => {
    await fs.writeFile(file, fixture('corpus/commented.toml'));
    const gone = await run('remove', 'docs');
    assert.equal(gone.code, 0);
    assert.match(gone.out, /Removed MCP server 'docs'/);
    assert.ok(!(await fs.readFile(file, 'utf8')).includes('[mcp_servers.docs]'));
    const again = await run('remove', 'docs');
    assert.deepEqual([again.code, again.out], [0, "No MCP server named 'docs' found.\n"]);
  });

  it('sets keys with TOML values (or plain strings), nested keys, and --unset', async () => {
    await fs.writeFile(file, fixture('corpus/commented.toml'));
    assert.equal((await run('set', 'github', 'startup_timeout_sec', '45')).code, 0);
    assert.equal((await run('set', 'github', 'command', 'bunx')).code, 0);
    assert.equal((await run('set', 'github', 'args', '["-y", "gh"]')).code, 0);
    assert.equal((await run('set', 'github', 'env.NEW_VAR', 'x')).code, 0);
    assert.equal((await run('set', 'filesystem', 'x_team_owner', '--unset')).code, 0);
    const text = await fs.readFile(file, 'utf8');
    assert.ok(text.includes('startup_timeout_sec = 45\n'));
    assert.ok(text.includes('command = "bunx" # runner\n'));
    assert.ok(text.includes('args = ["-y", "gh"]\n'));
    assert.ok(text.includes('LOG_LEVEL = "info"   # quieter\nNEW_VAR = "x"\n# DEBUG = "1"'));
    assert.ok(!text.includes('x_team_owner'));
  });

  it('refuses a value Codex would reject and leaves the file alone', async () => {
    await fs.writeFile(file, fixture('corpus/commented.toml'));
    const r = await run('set', 'github', 'startup_timeout_sec', 'abc');
    assert.equal(r.code, 1);
    assert.match(r.err, /mcp_servers\.github\.startup_timeout_sec: invalid type: string "abc", expected f64\. Fix: /);
    assert.equal(await fs.readFile(file, 'utf8'), fixture('corpus/commented.toml'));
  });

  it('shows invalid TOML with line and column for every command and writes nothing', async () => {
    const broken = 'model = "o3"\n[mcp_servers.a\ncommand = "a"\n';
    await fs.writeFile(file, broken);
    for (const argv of [['list'], ['get', 'a'], ['remove', 'a'], ['set', 'a', 'command', 'b']]) {
      const r = await run(...argv);
      assert.equal(r.code, 1, argv.join(' '));
      assert.match(r.err, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2:\\d+: `));
    }
    assert.equal((await run('add', 'b', '--', 'b')).code, 1);
    assert.equal(await fs.readFile(file, 'utf8'), broken);
  });

  it('fails like codex mcp list when a server is invalid, naming the key', async () => {
    await fs.writeFile(file, '[mcp_servers.s]\ncommand = "x"\nurl = "http://a"\n');
    const r = await run('list');
    assert.equal(r.code, 1);
    assert.match(r.err, /line 3: mcp_servers\.s\.url: url is not supported for stdio/);
  });

  it('rejects bad usage with exit code 2', async () => {
    const usage = async (...argv: string[]) => {
      const r = await run(...argv);
      assert.equal(r.code, 2, `${argv.join(' ')} -> ${r.code} ${r.err}`);
      return r.err;
    };
    assert.match(await usage('add', 'x'), /<COMMAND\|--url <URL>>/);
    assert.match(await usage('add', 'x', '--url', 'http://a', '--', 'cmd'), /cannot be used with/);
    assert.match(await usage('add', 'x', '--env', 'NOEQ', '--', 'cmd'), /KEY=VALUE/);
    assert.match(await usage('add', 'x', '--bearer-token-env-var', 'T', '--', 'cmd'), /only valid with --url/);
    assert.match(await usage('bogus'), /unrecognized subcommand 'bogus'/);
    assert.match(await usage('list', '--url', 'x'), /unexpected argument '--url'/);
    assert.match(await usage('get'), /<NAME>/);
    await assert.rejects(fs.stat(file));
  });

  it('rejects names codex mcp add rejects', async () => {
    const r = await run('add', 'bad name', '--', 'x');
    assert.equal(r.code, 1);
    assert.match(r.err, /invalid server name 'bad name'/);
  });

  it('reports a missing command within the timeout', async () => {
    await fs.writeFile(file, '[mcp_servers.ghost]\ncommand = "definitely-not-a-command-cg"\n\n[mcp_servers.ghost.env]\nTOKEN = "supersecret"\n');
    const started = Date.now();
    const r = await run('test', 'ghost', '--timeout-ms', '5000');
    assert.equal(r.code, 1);
    assert.match(r.err, /command not found: definitely-not-a-command-cg/);
    assert.ok(Date.now() - started < 5000);
    assert.ok(!r.err.includes('supersecret'));
  });
});
