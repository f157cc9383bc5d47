/** The MCP Servers settings page's host handler, driven with page messages as the page sends them. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { findConfigFiles } from '../../../../src/config';
import { testConnection } from '../../../../src/config/connection';
import { nullLogger } from '../../../../src/util/log';
import { emptyForm } from '../../../../src/webviews/mcp-settings/empty-form';
import { McpSettingsHandler } from '../../../../src/vscode/mcp-settings/handler';
import type { FileView, McpHostMessage, ServerForm } from '../../../../src/webviews/mcp-settings/protocol';

const STDIO_SERVER = path.join(__dirname, 'stdio-server.mjs');

const ORIGINAL = `# My Codex config — keep these comments
model = "o3"   # trailing comment

# Filesystem server
[mcp_servers.fs]
command = "npx"   # runs the server
args = ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"]
env = { API_KEY = "sk-secret-value-123", MODE = "fast" }
startup_timeout_ms = 20000
custom_key = "kept"

# Remote
[mcp_servers.remote]
url = "https://example.invalid/mcp"
bearer_token_env_var = "REMOTE_TOKEN"

[profiles.x]
model = "gpt-5"
`;

describe('MCP settings handler', function () {
  let home: string;
  let file: string;
  let sent: McpHostMessage[];
  let handler: McpSettingsHandler;
  let opened: { file: string; line?: number }[];

  beforeEach(async function () {
    home = mkdtempSync(path.join(tmpdir(), 'mcp-settings-'));
    file = path.join(home, 'config.toml');
    writeFileSync(file, ORIGINAL);
    sent = [];
    opened = [];
    handler = new McpSettingsHandler({
      files: () => findConfigFiles({ codexHome: home, env: { HOME: home } }),
      post: (m) => sent.push(m),
      openFile: (f, line) => (opened.push({ file: f, line }), Promise.resolve()),
      logger: nullLogger,
      env: { PATH: process.env.PATH },
      testConnection,
    });
    await handler.handle({ type: 'ready' });
  });

  afterEach(function () {
    rmSync(home, { recursive: true, force: true });
  });

  const last = <T extends McpHostMessage['type']>(type: T): Extract<McpHostMessage, { type: T }> => {
    const m = [...sent].reverse().find((x) => x.type === type);
    assert.ok(m, `no ${type} message; got ${sent.map((x) => x.type).join(', ')}`);
    return m as Extract<McpHostMessage, { type: T }>;
  };
  const userFile = (): FileView => last('state').files.find((f) => f.path === file)!;
  const formOf = (name: string): ServerForm => structuredClone(userFile().servers.find((s) => s.name === name)!.form);

  it('lists the servers with transport, status and file, with env values masked', function () {
    const view = userFile();
    assert.equal(view.kind, 'user');
    assert.deepEqual(view.servers.map((s) => [s.name, s.transport, s.status]), [['fs', 'stdio', 'warning'], ['remote', 'streamable_http', 'ok']]);
    const fs = formOf('fs');
    assert.deepEqual(fs.env, [{ key: 'API_KEY' }, { key: 'MODE' }]);
    assert.equal(fs.startup_timeout_sec, '20');
    assert.ok(!JSON.stringify(sent).includes('sk-secret-value-123'), 'the env value must not reach the page unasked');
  });

  it('reveals one masked value when asked', async function () {
    await handler.handle({ type: 'reveal', file, name: 'fs', field: 'env', key: 'API_KEY' });
    assert.deepEqual(last('revealed'), { type: 'revealed', file, name: 'fs', field: 'env', key: 'API_KEY', value: 'sk-secret-value-123' });
  });

  it('adds a server: only the new table is added, every other byte stays', async function () {
    const form = { ...emptyForm('docs'), command: 'node', args: ['server.js', '--port', '3'], env: [{ key: 'TOKEN', value: 'abc' }], tool_timeout_sec: '30' };
    await handler.handle({ type: 'save', seq: 1, file, originalName: null, form });
    assert.deepEqual(last('saved'), { type: 'saved', seq: 1, file, name: 'docs' });
    const text = readFileSync(file, 'utf8');
    // The new table goes after the last server table; every other byte is the original's.
    const added = '[mcp_servers.docs]\ncommand = "node"\nargs = ["server.js", "--port", "3"]\ntool_timeout_sec = 30\n\n[mcp_servers.docs.env]\nTOKEN = "abc"\n\n';
    assert.equal(text, ORIGINAL.replace('[profiles.x]', `${added}[profiles.x]`));
    assert.equal(readFileSync(`${file}.bak`, 'utf8'), ORIGINAL, 'the previous file is kept as a backup');
    assert.deepEqual(last('state').focus, { file, name: 'docs' });
  });

  it('edits one field of an existing server and keeps masked env values and untouched keys', async function () {
    const form = formOf('fs');
    form.args = ['-y', '@modelcontextprotocol/server-filesystem', '/srv'];
    await handler.handle({ type: 'save', seq: 2, file, originalName: 'fs', form });
    last('saved');
    assert.equal(readFileSync(file, 'utf8'), ORIGINAL.replace('"/tmp"]', '"/srv"]'));
  });

  it('changing the startup timeout replaces startup_timeout_ms with startup_timeout_sec', async function () {
    const form = formOf('fs');
    form.startup_timeout_sec = '45';
    await handler.handle({ type: 'save', seq: 3, file, originalName: 'fs', form });
    last('saved');
    const text = readFileSync(file, 'utf8');
    assert.ok(!text.includes('startup_timeout_ms'), text);
    assert.match(text, /^startup_timeout_sec = 45$/m);
    assert.ok(text.includes('env = { API_KEY = "sk-secret-value-123", MODE = "fast" }'), 'masked env kept');
  });

  it('renames a server and switches it to HTTP: the stdio keys go, its unknown keys and comments stay', async function () {
    const form = formOf('fs');
    form.name = 'files';
    form.transport = 'streamable_http';
    form.url = 'http://127.0.0.1:9000/mcp';
    form.http_headers = [{ key: 'X-Team', value: 'core' }];
    await handler.handle({ type: 'save', seq: 20, file, originalName: 'fs', form });
    assert.deepEqual(last('saved'), { type: 'saved', seq: 20, file, name: 'files' });
    const text = readFileSync(file, 'utf8');
    const table = text.slice(text.indexOf('[mcp_servers.files]'), text.indexOf('# Remote'));
    assert.ok(text.startsWith('# My Codex config — keep these comments\nmodel = "o3"   # trailing comment\n\n# Filesystem server\n[mcp_servers.files]\n'), text);
    assert.ok(!/command|args|env =/.test(table), table);
    assert.match(table, /^url = "http:\/\/127\.0\.0\.1:9000\/mcp"$/m);
    assert.match(table, /X-Team = "core"/);
    assert.match(table, /^startup_timeout_ms = 20000$/m);
    assert.match(table, /^custom_key = "kept"$/m);
    const view = userFile().servers.find((s) => s.name === 'files');
    assert.equal(view?.transport, 'streamable_http');
  });

  it('saving an unchanged form writes nothing', async function () {
    await handler.handle({ type: 'save', seq: 21, file, originalName: 'remote', form: formOf('remote') });
    last('saved');
    assert.equal(readFileSync(file, 'utf8'), ORIGINAL);
    assert.ok(!existsSync(`${file}.bak`));
  });

  it('refuses invalid input inline and writes nothing', async function () {
    const negative = { ...emptyForm('bad'), command: 'node', startup_timeout_sec: '-5' };
    await handler.handle({ type: 'validate', seq: 4, file, originalName: null, form: negative });
    const v = last('validation');
    assert.equal(v.seq, 4);
    assert.deepEqual(v.issues.map((i) => [i.field, i.severity]), [['startup_timeout_sec', 'error']]);
    assert.match(v.issues[0]!.message, /negative/);

    await handler.handle({ type: 'save', seq: 5, file, originalName: null, form: negative });
    assert.equal(last('saveFailed').issues[0]?.field, 'startup_timeout_sec');

    await handler.handle({ type: 'save', seq: 6, file, originalName: null, form: emptyForm('nothing') });
    const f = last('saveFailed');
    assert.equal(f.issues[0]?.field, 'command');
    assert.match(f.issues[0].message, /command|url/);

    await handler.handle({ type: 'save', seq: 7, file, originalName: null, form: { ...emptyForm('x y'), command: 'a' } });
    assert.equal(last('saveFailed').issues[0]?.field, 'name');

    await handler.handle({ type: 'save', seq: 8, file, originalName: null, form: { ...emptyForm('fs'), command: 'a' } });
    assert.match(last('saveFailed').message, /already exists/);
    assert.equal(readFileSync(file, 'utf8'), ORIGINAL);
    assert.ok(!existsSync(`${file}.bak`));
  });

  it('detects a change on disk: tells the page, and a save based on the old bytes is refused', async function () {
    writeFileSync(file, ORIGINAL + '\n# edited elsewhere\n');
    await handler.fileChanged(file);
    assert.deepEqual(last('changedOnDisk'), { type: 'changedOnDisk', file });
    const form = formOf('fs');
    form.command = 'node';
    await handler.handle({ type: 'save', seq: 9, file, originalName: 'fs', form });
    const f = last('saveFailed');
    assert.equal(f.conflict, true);
    assert.match(f.message, /changed on disk/);
    assert.equal(readFileSync(file, 'utf8'), ORIGINAL + '\n# edited elsewhere\n');
  });

  it('shows invalid TOML with line and column, and writes nothing', async function () {
    const broken = '# ok\n[mcp_servers.a]\ncommand = "x\n';
    writeFileSync(file, broken);
    await handler.handle({ type: 'reload' });
    const view = userFile();
    assert.equal(view.parseError?.line, 3);
    assert.ok(view.parseError.column >= 1);
    assert.match(view.parseError.message, /:3:\d+:/);
    await handler.handle({ type: 'save', seq: 10, file, originalName: null, form: { ...emptyForm('b'), command: 'y' } });
    assert.equal(last('saveFailed').issues[0]?.line, 3);
    assert.equal(readFileSync(file, 'utf8'), broken);
    await handler.handle({ type: 'openFile', file });
    assert.deepEqual(opened, [{ file, line: 3 }]);
  });

  it('removes a server and keeps the rest of the file', async function () {
    await handler.handle({ type: 'remove', seq: 11, file, name: 'remote' });
    assert.deepEqual(last('saved'), { type: 'saved', seq: 11, file, name: 'remote', removed: true });
    const text = readFileSync(file, 'utf8');
    assert.ok(!text.includes('mcp_servers.remote'));
    assert.ok(text.includes('[profiles.x]') && text.includes('custom_key = "kept"'));
  });

  it('tests a stdio server and lists its tools; masked env values reach the child', async function () {
    await handler.handle({
      type: 'save',
      seq: 12,
      file,
      originalName: null,
      form: { ...emptyForm('tiny'), command: process.execPath, args: [STDIO_SERVER], env: [{ key: 'GREETING', value: 'hello-there' }] },
    });
    last('saved');
    const form = formOf('tiny');
    assert.deepEqual(form.env, [{ key: 'GREETING' }]);
    await handler.handle({ type: 'test', seq: 13, file, originalName: 'tiny', form });
    const r = last('testResult');
    assert.equal(r.ok, true, r.error);
    assert.deepEqual(r.tools.map((t) => [t.name, t.description]), [['echo', 'Echoes its input'], ['greet', 'Says hello-there']]);
    assert.equal(r.serverInfo?.name, 'tiny-stdio');
  });

  it('a failing server shows its stderr tail, with env values masked', async function () {
    const form = { ...emptyForm('broken'), command: process.execPath, args: [STDIO_SERVER, '--fail'], env: [{ key: 'GREETING', value: 'secret-greeting' }] };
    await handler.handle({ type: 'test', seq: 14, file, originalName: null, form });
    const r = last('testResult');
    assert.equal(r.ok, false);
    assert.match(r.stderrTail ?? '', /tiny-stdio: missing API key \(GREETING=\*\*\*\*\*\)/);
    assert.ok(!JSON.stringify(r).includes('secret-greeting'));
  });

  it('rejects malformed page messages naming the field', async function () {
    await assert.rejects(handler.handle({ type: 'save', seq: 1, file, originalName: null, form: { name: 3 } }), /form\.name/);
  });
});
