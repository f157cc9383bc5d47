/**
 * Every edit kind on a corpus of real-world config layouts: the bytes outside the edited key or
 * table must be unchanged (checked on the raw text), and the edit must mean what it says (checked by
 * parsing the result).
 */
import assert from 'node:assert/strict';
import { parse } from 'smol-toml';
import { applyEdit, type ConfigEdit } from '../../../src/config';
import { assertOnlyWithin, fixture, type Region } from './helpers';

interface Case {
  title: string;
  file: string;
  edit: ConfigEdit;
  regions: Region[];
  /** Substrings the result must contain (e.g. a kept inline comment). */
  contains?: string[];
  check?: (servers: Record<string, Record<string, unknown>>) => void;
}

const cases: Case[] = [
  // commented.toml: comments above, inside and after tables, profiles and other sections around.
  {
    title: 'update a scalar, keeping its inline comment',
    file: 'commented.toml',
    edit: { kind: 'update', name: 'github', set: { command: 'node' } },
    regions: [{ line: 'command = "npx" # runner' }],
    contains: ['command = "node" # runner'],
    check: (s) => assert.equal(s.github?.command, 'node'),
  },
  {
    title: 'update a number',
    file: 'commented.toml',
    edit: { kind: 'update', name: 'github', set: { startup_timeout_sec: 45 } },
    regions: [{ line: 'startup_timeout_sec = 20' }],
    check: (s) => assert.equal(s.github?.startup_timeout_sec, 45),
  },
  {
    title: 'merge a [server.env] sub-table key by key',
    file: 'commented.toml',
    edit: { kind: 'update', name: 'github', set: { env: { LOG_LEVEL: 'debug', NEW_VAR: 'x' } } },
    regions: [{ block: ['LOG_LEVEL = "info"', '# DEBUG = "1"'] }],
    contains: ['LOG_LEVEL = "debug"   # quieter', '# DEBUG = "1"'],
    check: (s) => assert.deepEqual(s.github?.env, { LOG_LEVEL: 'debug', NEW_VAR: 'x' }),
  },
  {
    title: 'add a key after the last key of a table',
    file: 'commented.toml',
    edit: { kind: 'update', name: 'filesystem', set: { cwd: '/tmp' } },
    regions: [{ after: 'x_team_owner' }],
    check: (s) => assert.equal(s.filesystem?.cwd, '/tmp'),
  },
  {
    title: 'remove a key',
    file: 'commented.toml',
    edit: { kind: 'update', name: 'github', set: { env_vars: null } },
    regions: [{ line: 'env_vars = ["GITHUB_PERSONAL_ACCESS_TOKEN"]' }],
    check: (s) => assert.equal(s.github?.env_vars, undefined),
  },
  {
    title: 'update an inline table value',
    file: 'commented.toml',
    edit: { kind: 'update', name: 'docs', set: { http_headers: { 'X-Client': 'codex', 'X-Team': 'a' } } },
    regions: [{ line: 'http_headers = {' }],
    check: (s) => assert.deepEqual(s.docs?.http_headers, { 'X-Client': 'codex', 'X-Team': 'a' }),
  },
  {
    title: 'remove a server with its comment and sub-table',
    file: 'commented.toml',
    edit: { kind: 'remove', name: 'github' },
    regions: [{ block: ["# GitHub's server", '[mcp_servers.filesystem]'] }],
    check: (s) => assert.deepEqual(Object.keys(s), ['filesystem', 'docs']),
  },
  {
    title: 'rename a server and its sub-table',
    file: 'commented.toml',
    edit: { kind: 'rename', from: 'github', to: 'gh' },
    regions: [{ line: '[mcp_servers.github]' }, { line: '[mcp_servers.github.env]' }],
    contains: ['[mcp_servers.gh]\n', '[mcp_servers.gh.env]\n'],
    check: (s) => {
      assert.equal(s.github, undefined);
      assert.equal(s.gh?.command, 'npx');
      assert.deepEqual(s.gh?.env, { LOG_LEVEL: 'info' });
    },
  },
  {
    title: 'disable a server',
    file: 'commented.toml',
    edit: { kind: 'setEnabled', name: 'docs', enabled: false },
    regions: [{ after: 'enabled_tools = ["search", "fetch"]' }],
    check: (s) => assert.equal(s.docs?.enabled, false),
  },
  {
    title: 'disable a server that has enabled = true',
    file: 'commented.toml',
    edit: { kind: 'setEnabled', name: 'filesystem', enabled: false },
    regions: [{ line: 'enabled = true' }],
    check: (s) => assert.equal(s.filesystem?.enabled, false),
  },
  {
    title: 'enable a server that is already enabled changes nothing',
    file: 'commented.toml',
    edit: { kind: 'setEnabled', name: 'filesystem', enabled: true },
    regions: [],
  },
  {
    title: 'set enabled_tools and disabled_tools',
    file: 'commented.toml',
    edit: { kind: 'setToolFilter', name: 'docs', enabled_tools: ['search'], disabled_tools: ['fetch'] },
    regions: [{ block: ['enabled_tools = ["search", "fetch"]', '[profiles.fast]'] }],
    check: (s) => {
      assert.deepEqual(s.docs?.enabled_tools, ['search']);
      assert.deepEqual(s.docs?.disabled_tools, ['fetch']);
    },
  },
  {
    title: 'add a server after the last MCP table',
    file: 'commented.toml',
    edit: { kind: 'add', name: 'new-one', table: { command: 'uvx', args: ['mcp-server-time'], env: { TZ: 'UTC' } } },
    regions: [{ before: '[profiles.fast]' }],
    contains: ['[mcp_servers.new-one]\ncommand = "uvx"\nargs = ["mcp-server-time"]\n\n[mcp_servers.new-one.env]\nTZ = "UTC"\n\n[profiles.fast]'],
    check: (s) => assert.deepEqual(s['new-one'], { command: 'uvx', args: ['mcp-server-time'], env: { TZ: 'UTC' } }),
  },
  {
    title: 'replace a server in place (codex mcp add semantics), keeping the comment above it',
    file: 'commented.toml',
    edit: { kind: 'add', name: 'github', replace: true, table: { command: 'docker', args: ['run', 'gh'] } },
    regions: [{ block: ['[mcp_servers.github]', '[mcp_servers.filesystem]'] }],
    contains: ["# GitHub's server, token from the environment\n[mcp_servers.github]\ncommand = \"docker\""],
    check: (s) => assert.deepEqual(s.github, { command: 'docker', args: ['run', 'gh'] }),
  },

  // dotted-root.toml: mcp_servers.NAME.key = ... at the top level.
  {
    title: 'update a top-level dotted key',
    file: 'dotted-root.toml',
    edit: { kind: 'update', name: 'time', set: { command: 'uv' } },
    regions: [{ line: 'mcp_servers.time.command' }],
    check: (s) => assert.equal(s.time?.command, 'uv'),
  },
  {
    title: 'add a key to a server written as top-level dotted keys',
    file: 'dotted-root.toml',
    edit: { kind: 'update', name: 'time', set: { env: { TZ: 'UTC' } } },
    regions: [{ after: 'mcp_servers.time.args' }],
    contains: ['mcp_servers.time.env = { TZ = "UTC" }'],
    check: (s) => assert.deepEqual(s.time?.env, { TZ: 'UTC' }),
  },
  {
    title: 'rename a quoted dotted name, keeping the quoting style',
    file: 'dotted-root.toml',
    edit: { kind: 'rename', from: 'quoted.dotted', to: 'renamed' },
    regions: [{ line: 'mcp_servers."quoted.dotted"' }],
    contains: ['mcp_servers."renamed".command = "node"'],
    check: (s) => assert.equal(s.renamed?.command, 'node'),
  },
  {
    title: 'remove a server written as dotted keys',
    file: 'dotted-root.toml',
    edit: { kind: 'remove', name: 'time' },
    regions: [{ line: 'mcp_servers.time.command' }, { line: 'mcp_servers.time.args' }],
    check: (s) => assert.deepEqual(Object.keys(s), ['quoted.dotted']),
  },
  {
    title: 'add a server to a file with only dotted MCP keys (at the end)',
    file: 'dotted-root.toml',
    edit: { kind: 'add', name: 'added', table: { url: 'http://127.0.0.1:9/mcp' } },
    regions: [{ eof: true }],
    check: (s) => assert.equal(s.added?.url, 'http://127.0.0.1:9/mcp'),
  },

  // dotted-header.toml: NAME.key = ... under [mcp_servers].
  {
    title: 'merge dotted env keys under [mcp_servers]',
    file: 'dotted-header.toml',
    edit: { kind: 'update', name: 'fetch', set: { env: { USER_AGENT: 'codex', X: '1' } } },
    regions: [{ after: 'fetch.env.USER_AGENT' }],
    contains: ['fetch.env.X = "1"'],
    check: (s) => assert.deepEqual(s.fetch?.env, { USER_AGENT: 'codex', X: '1' }),
  },
  {
    title: 'disable an indented dotted server, keeping the indentation',
    file: 'dotted-header.toml',
    edit: { kind: 'setEnabled', name: 'indented', enabled: false },
    regions: [{ after: 'indented.command' }],
    contains: ['  indented.command = "node"\n  indented.enabled = false\n'],
    check: (s) => assert.equal(s.indented?.enabled, false),
  },
  {
    title: 'rename a server written as dotted keys',
    file: 'dotted-header.toml',
    edit: { kind: 'rename', from: 'fetch', to: 'web' },
    regions: [{ line: 'fetch.command' }, { line: 'fetch.args' }, { line: 'fetch.env' }],
    contains: ['web.args = ["mcp-server-fetch"]   # fetch pages'],
    check: (s) => assert.deepEqual(s.web, { command: 'uvx', args: ['mcp-server-fetch'], env: { USER_AGENT: 'codex' } }),
  },
  {
    title: 'remove a server written as dotted keys under [mcp_servers]',
    file: 'dotted-header.toml',
    edit: { kind: 'remove', name: 'fetch' },
    regions: [{ line: 'fetch.command' }, { line: 'fetch.args' }, { line: 'fetch.env' }],
    check: (s) => assert.deepEqual(Object.keys(s), ['indented']),
  },
  {
    title: 'add a server after [mcp_servers]',
    file: 'dotted-header.toml',
    edit: { kind: 'add', name: 'n', table: { command: 'n' } },
    regions: [{ before: '[history]' }],
    check: (s) => assert.equal(s.n?.command, 'n'),
  },

  // quoted-names.toml
  {
    title: 'update a server with a quoted dotted name',
    file: 'quoted-names.toml',
    edit: { kind: 'update', name: 'my.server', set: { args: ['server.js', '--port', '0'] } },
    regions: [{ line: 'args = ["server.js"]' }],
    check: (s) => assert.deepEqual(s['my.server']?.args, ['server.js', '--port', '0']),
  },
  {
    title: 'rename a literal-quoted name',
    file: 'quoted-names.toml',
    edit: { kind: 'rename', from: 'literal-name', to: 'lit2' },
    regions: [{ line: "[mcp_servers.'literal-name']" }],
    contains: ["[mcp_servers.'lit2']"],
    check: (s) => assert.equal(s.lit2?.command, 'python3'),
  },
  {
    title: 'update a literal string, keeping the literal quotes',
    file: 'quoted-names.toml',
    edit: { kind: 'update', name: 'literal-name', set: { command: 'python3.12' } },
    regions: [{ line: "command = 'python3'" }],
    contains: ["command = 'python3.12'"],
  },
  {
    title: 'rename a server whose header quotes "mcp_servers"',
    file: 'quoted-names.toml',
    edit: { kind: 'rename', from: 'plain', to: 'plain2' },
    regions: [{ line: '["mcp_servers".plain]' }],
    contains: ['["mcp_servers".plain2]'],
  },
  {
    title: 'disable a server whose header has spaces around the dot',
    file: 'quoted-names.toml',
    edit: { kind: 'setEnabled', name: 'spaced', enabled: false },
    regions: [{ after: 'command = "y"' }],
    contains: ['[ mcp_servers . spaced ]   # spaces around the dot\ncommand = "y"\nenabled = false\n'],
  },
  {
    title: 'remove the last server of the file',
    file: 'quoted-names.toml',
    edit: { kind: 'remove', name: '@scope/pkg:tool' },
    regions: [{ block: ['[mcp_servers."@scope/pkg:tool"]', null] }],
    check: (s) => assert.equal(s['@scope/pkg:tool'], undefined),
  },
  {
    title: 'remove a quoted-name server and its sub-table',
    file: 'quoted-names.toml',
    edit: { kind: 'remove', name: 'my.server' },
    regions: [{ block: ['[mcp_servers."my.server"]', "[mcp_servers.'literal-name']"] }],
  },

  // inline.toml: servers as inline tables, one of them multi-line (TOML 1.1).
  {
    title: 'disable a server written as an inline table',
    file: 'inline.toml',
    edit: { kind: 'setEnabled', name: 'time', enabled: false },
    regions: [{ line: 'time = {' }],
    check: (s) => assert.deepEqual(s.time, { command: 'uvx', args: ['mcp-server-time'], env: { TZ: 'UTC' }, enabled: false }),
  },
  {
    title: 'update a multi-line inline table',
    file: 'inline.toml',
    edit: { kind: 'update', name: 'memory', set: { args: ['-y', 'mem'] } },
    regions: [{ lines: ['memory = {', '}'] }],
    check: (s) => assert.deepEqual(s.memory?.args, ['-y', 'mem']),
  },
  {
    title: 'update one entry of an inline env table',
    file: 'inline.toml',
    edit: { kind: 'update', name: 'search', set: { env: { API_BASE: 'https://api.example.com', RETRIES: '5' } } },
    regions: [{ line: 'env = { API_BASE' }],
    check: (s) => assert.deepEqual(s.search?.env, { API_BASE: 'https://api.example.com', RETRIES: '5' }),
  },
  {
    title: 'remove an inline-table server',
    file: 'inline.toml',
    edit: { kind: 'remove', name: 'time' },
    regions: [{ line: 'time = {' }],
  },
  {
    title: 'rename an inline-table server',
    file: 'inline.toml',
    edit: { kind: 'rename', from: 'memory', to: 'mem' },
    regions: [{ line: 'memory = {' }],
    check: (s) => assert.equal(s.mem?.command, 'npx'),
  },

  // arrays-of-tables.toml
  {
    title: 'update a server between arrays of tables',
    file: 'arrays-of-tables.toml',
    edit: { kind: 'update', name: 'a', set: { args: ['x'] } },
    regions: [{ after: 'command = "a"' }],
    check: (s) => assert.deepEqual(s.a, { command: 'a', args: ['x'] }),
  },
  {
    title: 'remove a server between arrays of tables',
    file: 'arrays-of-tables.toml',
    edit: { kind: 'remove', name: 'a' },
    regions: [{ block: ['[mcp_servers.a]', '[[x_custom_rules.steps]]'] }],
  },

  // multiline.toml: multi-line strings and arrays, strings that look like tables, a date-time.
  {
    title: 'update a string containing #',
    file: 'multiline.toml',
    edit: { kind: 'update', name: 'py', set: { cwd: '/srv/other' } },
    regions: [{ line: 'cwd = "/srv/with # hash"' }],
    check: (s) => assert.equal(s.py?.cwd, '/srv/other'),
  },
  {
    title: 'replace a multi-line array holding strings with brackets and quotes',
    file: 'multiline.toml',
    edit: { kind: 'update', name: 'py', set: { args: ['--new'] } },
    regions: [{ block: ['args = [', 'cwd = "/srv/with # hash"'] }],
    check: (s) => assert.deepEqual(s.py?.args, ['--new']),
  },
  {
    title: 'update a multi-line string',
    file: 'multiline.toml',
    edit: { kind: 'update', name: 'py', set: { env: { MULTI: 'one line' } } },
    regions: [{ lines: ['MULTI = """line1', 'line2"""'] }],
    check: (s) => assert.deepEqual(s.py?.env, { MULTI: 'one line' }),
  },
  {
    title: 'disable after a space-separated date-time value',
    file: 'multiline.toml',
    edit: { kind: 'setEnabled', name: 'py', enabled: false },
    regions: [{ after: 'when = 1979-05-27 07:32:00Z' }],
  },
  {
    title: 'rename without touching look-alike text inside strings',
    file: 'multiline.toml',
    edit: { kind: 'rename', from: 'py', to: 'python' },
    regions: [{ line: '[mcp_servers.py]' }, { line: '[mcp_servers.py.env]' }],
  },
  {
    title: 'remove the last server with a multi-line string in it',
    file: 'multiline.toml',
    edit: { kind: 'remove', name: 'py' },
    regions: [{ block: ['[mcp_servers.py]', null] }],
    check: (s) => assert.deepEqual(s, {}),
  },

  // out-of-order.toml: a server's sub-table after other sections.
  {
    title: 'update a sub-table that sits after other sections',
    file: 'out-of-order.toml',
    edit: { kind: 'update', name: 'a', set: { env: { K: 'v2' } } },
    regions: [{ line: 'K = "v"' }],
  },
  {
    title: 'remove a server whose tables are apart',
    file: 'out-of-order.toml',
    edit: { kind: 'remove', name: 'a' },
    regions: [{ block: ['[mcp_servers.a]', '[profiles.p]'] }, { block: ['[mcp_servers.a.env]', '[mcp_servers.b]'] }],
    check: (s) => assert.deepEqual(Object.keys(s), ['b']),
  },
  {
    title: 'rename a server whose tables are apart',
    file: 'out-of-order.toml',
    edit: { kind: 'rename', from: 'a', to: 'z' },
    regions: [{ line: '[mcp_servers.a]' }, { line: '[mcp_servers.a.env]' }],
  },

  // no-trailing-newline.toml
  {
    title: 'add a key at the end of a file without a final line break',
    file: 'no-trailing-newline.toml',
    edit: { kind: 'update', name: 'a', set: { args: ['x'] } },
    regions: [{ eof: true }],
    check: (s) => assert.deepEqual(s.a, { command: 'a', args: ['x'] }),
  },
  {
    title: 'update the last line of a file without a final line break',
    file: 'no-trailing-newline.toml',
    edit: { kind: 'update', name: 'a', set: { command: 'b' } },
    regions: [{ line: 'command = "a"' }],
  },
  {
    title: 'add a server to a file without a final line break',
    file: 'no-trailing-newline.toml',
    edit: { kind: 'add', name: 'b', table: { command: 'b' } },
    regions: [{ eof: true }],
  },

  // tools.toml: per-tool sub-tables and HTTP keys.
  {
    title: 'change one per-tool approval mode',
    file: 'tools.toml',
    edit: { kind: 'update', name: 'shell', set: { tools: { exec: { approval_mode: 'prompt' }, 'read.file': { approval_mode: 'auto' } } } },
    regions: [{ line: 'approval_mode = "approve"' }],
  },
  {
    title: 'drop one per-tool table',
    file: 'tools.toml',
    edit: { kind: 'update', name: 'shell', set: { tools: { 'read.file': { approval_mode: 'auto' } } } },
    regions: [{ block: ['[mcp_servers.shell.tools.exec]', '[mcp_servers.shell.tools."read.file"]'] }],
    check: (s) => assert.deepEqual(s.shell?.tools, { 'read.file': { approval_mode: 'auto' } }),
  },
  {
    title: 'clear disabled_tools',
    file: 'tools.toml',
    edit: { kind: 'setToolFilter', name: 'shell', disabled_tools: null },
    regions: [{ line: 'disabled_tools = ["rm"]' }],
  },
  {
    title: 'switch startup_timeout_ms to startup_timeout_sec',
    file: 'tools.toml',
    edit: { kind: 'update', name: 'remote', set: { startup_timeout_ms: null, startup_timeout_sec: 20 } },
    regions: [{ block: ['startup_timeout_ms = 15000', null] }],
    check: (s) => {
      assert.equal(s.remote?.startup_timeout_ms, undefined);
      assert.equal(s.remote?.startup_timeout_sec, 20);
    },
  },

  // crlf.toml: Windows line endings everywhere, inserted lines included.
  {
    title: 'update a key in a CRLF file',
    file: 'crlf.toml',
    edit: { kind: 'update', name: 'win', set: { args: ['/c', 'other.bat'] } },
    regions: [{ line: 'args = ["/c"' }],
    contains: ['args = ["/c", "other.bat"]  # batch\r\n'],
  },
  {
    title: 'add an env entry in a CRLF file',
    file: 'crlf.toml',
    edit: { kind: 'update', name: 'win', set: { env: { A: '1', B: '2' } } },
    regions: [{ after: 'A = "1"' }],
  },
  {
    title: 'add a server to a CRLF file',
    file: 'crlf.toml',
    edit: { kind: 'add', name: 'n', table: { command: 'n', env: { K: 'V' } } },
    regions: [{ before: '[profiles.w]' }],
  },
  {
    title: 'remove a server from a CRLF file',
    file: 'crlf.toml',
    edit: { kind: 'remove', name: 'win' },
    regions: [{ block: ['[mcp_servers.win]', '[profiles.w]'] }],
  },

  // bom.toml: the byte order mark survives every edit.
  {
    title: 'update a key in a file with a BOM',
    file: 'bom.toml',
    edit: { kind: 'update', name: 'bom', set: { command: 'deno' } },
    regions: [{ line: 'command = "node"' }],
  },
  {
    title: 'remove the only server of a file with a BOM (its comment goes, the BOM stays)',
    file: 'bom.toml',
    edit: { kind: 'remove', name: 'bom' },
    regions: [{ block: ['# saved by', null] }],
  },
  {
    title: 'add a server to a file with a BOM',
    file: 'bom.toml',
    edit: { kind: 'add', name: 'b', table: { command: 'b' } },
    regions: [{ eof: true }],
  },

  // empty.toml
  {
    title: 'add a server to an empty file',
    file: 'empty.toml',
    edit: { kind: 'add', name: 'first', table: { command: 'npx', args: ['-y', 'x'] } },
    regions: [{ eof: true }],
    contains: ['[mcp_servers.first]\ncommand = "npx"\nargs = ["-y", "x"]\n'],
  },
];

describe('config edits on the real-world corpus', () => {
  for (const c of cases) {
    it(`${c.file}: ${c.title}`, () => {
      const before = fixture(`corpus/${c.file}`);
      const after = applyEdit(before, c.edit);
      assertOnlyWithin(before, after, c.regions);
      for (const s of c.contains ?? []) assert.ok(after.includes(s), `result lacks ${JSON.stringify(s)}:\n${after}`);
      if (before.includes('\r\n')) assert.ok(!/(^|[^\r])\n/.test(after), `a bare LF was written into a CRLF file:\n${JSON.stringify(after)}`);
      if (before.startsWith('\uFEFF')) assert.ok(after.startsWith('\uFEFF'), 'the BOM was lost');
      // Plain objects (smol-toml returns null-prototype ones) so deepEqual compares values only.
      const parsed = JSON.parse(JSON.stringify(parse(after))) as { mcp_servers?: Record<string, Record<string, unknown>> };
      c.check?.(parsed.mcp_servers ?? {});
    });
  }
});
