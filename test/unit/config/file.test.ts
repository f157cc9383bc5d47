/** Reading and writing config files on a real disk: exact bytes, atomic replace, backup, conflicts. */
import assert from 'node:assert/strict';
import { promises as fs, readdirSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  ConfigConflictError,
  ConfigEditError,
  ConfigParseError,
  ConfigValidationError,
  editConfigFile,
  findConfigFiles,
  loadConfigFile,
  writeConfigFile,
} from '../../../src/config';
import { fixture } from './helpers';

describe('config files on disk', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cg-config-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  async function put(name: string, text: string | Buffer): Promise<string> {
    const file = path.join(dir, name);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, text);
    return file;
  }

  it('reads the exact text (BOM, CRLF) and reports the servers', async () => {
    const file = await put('config.toml', fixture('corpus/crlf.toml'));
    const loaded = await loadConfigFile(file);
    assert.equal(loaded.text, fixture('corpus/crlf.toml'));
    assert.equal(loaded.servers.map((s) => s.name).join(), 'win');
    assert.match(loaded.hash ?? '', /^[0-9a-f]{64}$/);
    const bom = await loadConfigFile(await put('bom.toml', fixture('corpus/bom.toml')));
    assert.ok(bom.text.startsWith('\uFEFF'));
    assert.equal(bom.servers[0]?.name, 'bom');
  });

  it('treats a missing file as empty and creates it (and its folder) on first write', async () => {
    const file = path.join(dir, 'project', '.codex', 'config.toml');
    const loaded = await loadConfigFile(file, { kind: 'workspace' });
    assert.equal(loaded.exists, false);
    assert.deepEqual(loaded.servers, []);
    const after = await editConfigFile(loaded, { kind: 'add', name: 'gov', table: { url: 'http://127.0.0.1:8765/mcp' } });
    assert.equal(after.servers[0]?.name, 'gov');
    assert.equal(after.kind, 'workspace');
    assert.equal(await fs.readFile(file, 'utf8'), '[mcp_servers.gov]\nurl = "http://127.0.0.1:8765/mcp"\n');
    assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(path.dirname(file)), ['config.toml']);
  });

  it('writes atomically, keeps one backup and the file mode, and leaves no temp files', async () => {
    const file = await put('config.toml', fixture('corpus/commented.toml'));
    await fs.chmod(file, 0o640);
    const first = await loadConfigFile(file);
    const second = await editConfigFile(first, { kind: 'setEnabled', name: 'docs', enabled: false });
    assert.equal(await fs.readFile(`${file}.bak`, 'utf8'), fixture('corpus/commented.toml'));
    const third = await editConfigFile(second, { kind: 'remove', name: 'docs' });
    assert.equal(await fs.readFile(`${file}.bak`, 'utf8'), second.text, 'the backup holds the previous version only');
    assert.equal(third.servers.some((s) => s.name === 'docs'), false);
    assert.equal((await fs.stat(file)).mode & 0o777, 0o640);
    assert.deepEqual(readdirSync(dir).sort(), ['config.toml', 'config.toml.bak']);
  });

  it('refuses to overwrite a file that changed on disk since it was read', async () => {
    const file = await put('config.toml', fixture('corpus/tools.toml'));
    const loaded = await loadConfigFile(file);
    const theirs = loaded.text.replace('scopes = ["read"]', 'scopes = ["read", "write"]');
    await fs.writeFile(file, theirs);
    await assert.rejects(editConfigFile(loaded, { kind: 'remove', name: 'shell' }), ConfigConflictError);
    assert.equal(await fs.readFile(file, 'utf8'), theirs, 'the other change was kept');
    await assert.rejects(fs.stat(`${file}.bak`));
  });

  it('refuses to write when a missing file appeared meanwhile', async () => {
    const file = path.join(dir, 'config.toml');
    const loaded = await loadConfigFile(file);
    await fs.writeFile(file, 'model = "o3"\n');
    await assert.rejects(writeConfigFile(loaded, '[mcp_servers.a]\ncommand = "a"\n'), ConfigConflictError);
    assert.equal(await fs.readFile(file, 'utf8'), 'model = "o3"\n');
  });

  it('shows invalid TOML with line and column and writes nothing', async () => {
    const broken = '[mcp_servers.a]\ncommand = "a"\nargs = ["x",\n';
    const file = await put('config.toml', broken);
    const loaded = await loadConfigFile(file);
    assert.ok(loaded.parseError instanceof ConfigParseError);
    assert.equal(loaded.parseError.line, 4);
    assert.ok(loaded.parseError.column >= 1);
    assert.match(loaded.issues[0]?.message ?? '', new RegExp(`config\\.toml:4:\\d+: `));
    await assert.rejects(editConfigFile(loaded, { kind: 'remove', name: 'a' }), ConfigParseError);
    await assert.rejects(writeConfigFile({ ...loaded, parseError: null }, 'x = ['), ConfigParseError);
    assert.equal(await fs.readFile(file, 'utf8'), broken);
    assert.deepEqual(readdirSync(dir), ['config.toml']);
  });

  it('reports a file that is not UTF-8 instead of mangling it', async () => {
    const file = await put('config.toml', Buffer.from([0x5b, 0x61, 0x5d, 0x0a, 0x78, 0x20, 0x3d, 0x20, 0x22, 0xff, 0x22, 0x0a]));
    const loaded = await loadConfigFile(file);
    assert.match(loaded.parseError?.message ?? '', /not valid UTF-8/);
  });

  it('refuses an edit that Codex would reject, naming the key', async () => {
    const file = await put('config.toml', fixture('corpus/commented.toml'));
    const loaded = await loadConfigFile(file);
    await assert.rejects(editConfigFile(loaded, { kind: 'update', name: 'docs', set: { env: { A: '1' } } }), (e: unknown) => {
      assert.ok(e instanceof ConfigValidationError);
      assert.match(e.message, /mcp_servers\.docs\.env: env is not supported for streamable_http/);
      return true;
    });
    assert.equal(await fs.readFile(file, 'utf8'), fixture('corpus/commented.toml'));
  });

  it('writes through a symlinked config instead of replacing the link', async () => {
    const real = await put('dotfiles/codex.toml', '[mcp_servers.a]\ncommand = "a"\n');
    const link = path.join(dir, 'config.toml');
    await fs.symlink(real, link);
    await editConfigFile(await loadConfigFile(link), { kind: 'update', name: 'a', set: { command: 'b' } });
    assert.ok((await fs.lstat(link)).isSymbolicLink());
    assert.equal(await fs.readFile(real, 'utf8'), '[mcp_servers.a]\ncommand = "b"\n');
  });

  it('rejects edits with a clear code', async () => {
    const file = await put('config.toml', fixture('corpus/commented.toml'));
    const loaded = await loadConfigFile(file);
    const code = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch (e) {
        assert.ok(e instanceof ConfigEditError, String(e));
        return e.code;
      }
      return 'no error';
    };
    assert.equal(await code(editConfigFile(loaded, { kind: 'update', name: 'nope', set: { command: 'x' } })), 'not-found');
    assert.equal(await code(editConfigFile(loaded, { kind: 'add', name: 'github', table: { command: 'x' } })), 'exists');
    assert.equal(await code(editConfigFile(loaded, { kind: 'rename', from: 'github', to: 'docs' })), 'exists');
    assert.equal(await code(editConfigFile(loaded, { kind: 'add', name: 'bad name', table: { command: 'x' } })), 'invalid-name');
    assert.equal(await code(editConfigFile(loaded, { kind: 'rename', from: 'github', to: '' })), 'invalid-name');
    assert.equal(await fs.readFile(file, 'utf8'), fixture('corpus/commented.toml'));
  });

  it('refuses to edit servers inside one root inline table', async () => {
    const text = 'mcp_servers = { a = { command = "a" }, b = { command = "b" } }\n';
    const loaded = await loadConfigFile(await put('config.toml', text));
    assert.equal(loaded.servers.length, 2);
    await assert.rejects(editConfigFile(loaded, { kind: 'setEnabled', name: 'a', enabled: false }), (e: unknown) => {
      assert.ok(e instanceof ConfigEditError);
      assert.equal(e.code, 'unsupported-form');
      assert.match(e.message, /Convert it to \[mcp_servers\.NAME\] tables/);
      return true;
    });
  });

  it('finds the user, workspace and standalone files and marks trusted workspaces', async () => {
    const home = path.join(dir, 'home');
    const ws = path.join(dir, 'ws');
    await put('home/.codex/config.toml', `[projects."${ws}"]\ntrust_level = "trusted"\n`);
    await put('ws/.codex/config.toml', '[mcp_servers.p]\ncommand = "p"\n');
    const refs = await findConfigFiles({ env: { HOME: home }, workspaceFolders: [ws, path.join(dir, 'other')], extraFiles: ['tools/mcp_servers.toml'] });
    assert.deepEqual(
      refs.map((r) => [r.kind, path.relative(dir, r.path), r.exists, r.trusted]),
      [
        ['user', 'home/.codex/config.toml', true, undefined],
        ['workspace', 'ws/.codex/config.toml', true, true],
        ['workspace', 'other/.codex/config.toml', false, false],
        ['standalone', 'ws/tools/mcp_servers.toml', false, undefined],
      ],
    );
    const viaCodexHome = await findConfigFiles({ env: { HOME: home, CODEX_HOME: path.join(dir, 'ch') } });
    assert.equal(viaCodexHome[0]?.path, path.join(dir, 'ch', 'config.toml'));
  });
});
