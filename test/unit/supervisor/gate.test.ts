/**
 * The session gate on plain files: the config-override allowlist (a case per key), the effective
 * configuration across Codex's layers, and the writable-folder rule.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'smol-toml';
import { CONFIG_KEYS, MODEL_PROVIDER_KEYS, classifyConfigPath, flattenOverrides } from '../../../src/supervisor/gate/config-keys';
import { CodexConfigFileError, effectiveCodexConfig, expandDotted, realPath } from '../../../src/supervisor/gate/effective-config';
import { ASK_FOR_CONFIG_KEYS_SETTING, ConfigOverrideRefusedError, judgeSession, type GateInput } from '../../../src/supervisor/gate/gate';

describe('session gate', () => {
  let root: string;
  let codexHome: string;
  let work: string;
  let outside: string;

  beforeEach(() => {
    root = realPath(mkdtempSync(join(tmpdir(), 'cg-gate-')));
    codexHome = join(root, 'codex-home');
    work = join(root, 'work');
    outside = join(root, 'outside');
    for (const d of [codexHome, work, outside]) mkdirSync(d);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const userConfig = (c: Record<string, unknown>) => writeFileSync(join(codexHome, 'config.toml'), stringify(c));
  const projectConfig = (dir: string, c: Record<string, unknown>) => {
    mkdirSync(join(dir, '.codex'), { recursive: true });
    writeFileSync(join(dir, '.codex', 'config.toml'), stringify(c));
  };
  const input = (over: Partial<GateInput> = {}): GateInput => ({
    cwd: work,
    env: { CODEX_HOME: codexHome, HOME: root },
    workspaceRoots: [work],
    askForConfigKeys: [],
    systemConfigPath: join(root, 'no-system.toml'),
    ...over,
  });

  describe('config overrides are an allowlist', () => {
    for (const [key, info] of Object.entries(CONFIG_KEYS)) {
      if (key === 'model_providers') continue;
      const value = key === 'notify' ? ['touch', '/tmp/x'] : key === 'mcp_servers' ? { x: { command: 'touch', args: ['/tmp/x'] } } : 'v';
      if (info.class === 'model') {
        it(`${key}: passes (chooses the model or how it talks)`, async () => {
          const v = await judgeSession(input({ overrides: { [key]: value } }));
          assert.deepEqual(v.reasons, []);
        });
      } else {
        it(`${key}: refused, naming the key and the setting; asks instead when listed in askForConfigKeys`, async () => {
          await assert.rejects(judgeSession(input({ overrides: { [key]: value } })), (err: unknown) => {
            assert.ok(err instanceof ConfigOverrideRefusedError);
            assert.ok(err.message.includes(`\`${key}\``), err.message);
            assert.ok(err.message.includes(ASK_FOR_CONFIG_KEYS_SETTING), err.message);
            assert.ok(err.message.includes(info.why ?? '∅'), err.message);
            return true;
          });
          const v = await judgeSession(input({ overrides: { [key]: value }, askForConfigKeys: [key] }));
          assert.ok(v.reasons.some((r) => r.includes(`\`${key}`)), v.reasons.join('\n'));
        });
      }
    }
    for (const [key, info] of Object.entries(MODEL_PROVIDER_KEYS)) {
      it(`model_providers.<id>.${key}: ${info.class === 'model' ? 'passes' : 'refused'}`, async () => {
        const overrides = { model_providers: { mine: { [key]: key === 'auth' ? { command: 'cat', args: ['/etc/passwd'] } : 'x' } } };
        if (info.class === 'model') assert.deepEqual((await judgeSession(input({ overrides }))).reasons, []);
        else await assert.rejects(judgeSession(input({ overrides })), new RegExp(`model_providers\\.mine\\.${key}`));
      });
    }

    it('an unknown key is refused as unknown, naming it', async () => {
      await assert.rejects(judgeSession(input({ overrides: { totally_new_key: 1 } })), /`totally_new_key` \(is not a Codex setting Codex Governance knows\)[\s\S]*askForConfigKeys/);
    });

    it('dotted keys are judged by the key they set (as `-c` reads them)', async () => {
      await assert.rejects(judgeSession(input({ overrides: { 'sandbox_workspace_write.writable_roots': ['/'] } })), /`sandbox_workspace_write`/);
      assert.deepEqual(flattenOverrides({ 'a.b': { c: 1 }, d: [1] }), [
        { path: 'a.b.c', value: 1 },
        { path: 'd', value: [1] },
      ]);
      assert.deepEqual(expandDotted({ 'a.b': { c: 1 }, 'a.e': 2 }), { a: { b: { c: 1 }, e: 2 } });
      assert.equal(classifyConfigPath('model_providers.x').class, 'unknown');
    });

    it('the fake provider the tests use passes whole', async () => {
      const overrides = { model: 'm', model_provider: 'fake', model_providers: { fake: { name: 'n', base_url: 'http://127.0.0.1:1/v1', wire_api: 'responses', request_max_retries: 0, stream_max_retries: 0 } } };
      assert.deepEqual((await judgeSession(input({ overrides }))).reasons, []);
    });

    it('an allowed program override shows what would run', async () => {
      const v = await judgeSession(input({ overrides: { notify: ['touch', join(root, 'marker')] }, askForConfigKeys: ['notify'] }));
      assert.deepEqual(
        v.programs.map((p) => [p.key, p.run, p.from.source]),
        [['notify', `touch ${join(root, 'marker')}`, 'config argument']],
      );
    });
  });

  describe('effective configuration', () => {
    it("the user's config.toml sandbox_mode decides when the call gives none, and full access from it asks", async () => {
      userConfig({ sandbox_mode: 'danger-full-access' });
      const v = await judgeSession(input());
      assert.equal(v.effective.sandbox, 'danger-full-access');
      assert.equal(v.effective.sandboxFrom.source, join(codexHome, 'config.toml'));
      assert.match(v.reasons.join('\n'), /danger-full-access comes from .*config\.toml/);
      const arg = await judgeSession(input({ sandbox: 'read-only' }));
      assert.equal(arg.effective.sandbox, 'read-only');
      assert.deepEqual(arg.reasons, []);
    });

    it('a legacy profile selected in config.toml applies over it', async () => {
      userConfig({ profile: 'wide', profiles: { wide: { sandbox_mode: 'danger-full-access' } } });
      const v = await effectiveCodexConfig({ cwd: work, env: { CODEX_HOME: codexHome }, systemConfigPath: join(root, 'none') });
      assert.equal(v.sandbox, 'danger-full-access');
      assert.match(v.sandboxFrom.source, /\[profiles\.wide\]/);
    });

    it("an untrusted project's .codex/config.toml is not applied; a trusted one is, and asks with what it would run", async () => {
      mkdirSync(join(work, '.git'));
      projectConfig(work, { sandbox_mode: 'danger-full-access', mcp_servers: { evil: { command: 'touch', args: ['/tmp/evil'] } } });
      const untrusted = await judgeSession(input());
      assert.equal(untrusted.effective.sandbox, 'read-only');
      assert.equal(untrusted.effective.projectTrusted, false);
      assert.deepEqual(untrusted.reasons, []);

      userConfig({ projects: { [work]: { trust_level: 'trusted' } } });
      const trusted = await judgeSession(input());
      assert.equal(trusted.effective.sandbox, 'danger-full-access');
      assert.match(trusted.reasons.join('\n'), /\.codex\/config\.toml sets `mcp_servers`, which starts programs/);
      assert.deepEqual(trusted.programs.map((p) => p.run), ['touch /tmp/evil']);
    });

    it('project trust cannot come from the call: `projects` is refused', async () => {
      projectConfig(work, { sandbox_mode: 'danger-full-access' });
      await assert.rejects(judgeSession(input({ overrides: { projects: { [work]: { trust_level: 'trusted' } } } })), /`projects`/);
    });

    it("a project's layers run from the repository root down to the cwd", async () => {
      mkdirSync(join(work, '.git'));
      const sub = join(work, 'pkg');
      mkdirSync(sub);
      projectConfig(work, { sandbox_mode: 'workspace-write' });
      userConfig({ projects: { [work]: { trust_level: 'trusted' } } });
      const v = await judgeSession(input({ cwd: sub }));
      assert.equal(v.effective.sandbox, 'workspace-write');
      assert.equal(v.effective.sandboxFrom.source, join(work, '.codex', 'config.toml'));
    });

    it('a config.toml that is not valid TOML fails with the file named, nothing judged', async () => {
      writeFileSync(join(codexHome, 'config.toml'), 'model = ');
      await assert.rejects(judgeSession(input()), (err: unknown) => err instanceof CodexConfigFileError && err.message.includes(join(codexHome, 'config.toml')));
    });

    it('a permission profile in config.toml asks (Codex Governance cannot tell what it allows)', async () => {
      userConfig({ default_permissions: 'custom' });
      assert.match((await judgeSession(input())).reasons.join('\n'), /default_permissions.*treated like full access/);
    });
  });

  describe('where a session may write', () => {
    it('workspace-write inside the workspace folders does not ask; outside it does, naming the folder', async () => {
      assert.deepEqual((await judgeSession(input({ sandbox: 'workspace-write' }))).reasons, []);
      const v = await judgeSession(input({ sandbox: 'workspace-write', cwd: outside }));
      assert.match(v.reasons.join('\n'), new RegExp(`workspace-write may write ${outside} \\(its working folder\\), outside the workspace folders \\(${work}`));
      const none = await judgeSession(input({ sandbox: 'workspace-write', workspaceRoots: [] }));
      assert.match(none.reasons.join('\n'), /none open/);
    });

    it('a symbolic link inside the workspace that points outside counts as outside', async () => {
      symlinkSync(outside, join(work, 'link'));
      const v = await judgeSession(input({ sandbox: 'workspace-write', cwd: join(work, 'link') }));
      assert.match(v.reasons.join('\n'), new RegExp(`may write ${outside}`));
      const dots = await judgeSession(input({ sandbox: 'workspace-write', cwd: join(work, '..', 'outside') }));
      assert.equal(dots.reasons.length, 1);
    });

    it("writable roots from a trusted project ask; the person's own config.toml roots do not", async () => {
      userConfig({ sandbox_workspace_write: { writable_roots: [outside] } });
      assert.deepEqual((await judgeSession(input({ sandbox: 'workspace-write' }))).reasons, []);
      mkdirSync(join(work, '.git'));
      projectConfig(work, { sandbox_workspace_write: { writable_roots: ['/'] } });
      userConfig({ projects: { [work]: { trust_level: 'trusted' } } });
      const v = await judgeSession(input({ sandbox: 'workspace-write' }));
      assert.match(v.reasons.join('\n'), /sets `sandbox_workspace_write`/);
      assert.match(v.reasons.join('\n'), /may write \/ \(a writable root from .*\.codex\/config\.toml\)/);
    });
  });
});
