/**
 * Which lifecycle hooks each installed Codex has, asked of the binaries themselves: every tested
 * copy (0.153.4, 0.169.0 and the current one, each through its `codex app-server`) lists the
 * governed events of a config.toml `[hooks]` table through `hooks/list`, and reports the `hooks`
 * feature stable and on in `codex features list`. src/supervisor/capabilities.ts `hookSupport`
 * must agree with what each binary says.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { GOVERNED_HOOK_EVENTS, hookSupport } from '../../src/supervisor/capabilities';
import { killAllSpawned } from '../fakes/child-process';
import { createCodexHome, type CodexHome } from '../fakes/codex-home';
import { codexMatrix, startCodexAppServer } from '../fakes/codex-processes';

interface HooksList {
  data: Array<{ cwd: string; hooks: Array<{ eventName: string; command?: string; source: string }> }>;
}

/** `PreToolUse` -> `preToolUse`, as app-server's `HookEventName` spells it. */
const wireName = (e: string) => e[0]!.toLowerCase() + e.slice(1);

for (const codex of codexMatrix()) {
  describe(`lifecycle hooks of Codex ${codex.version}`, function () {
    this.timeout(60_000);
    let home: CodexHome;
    before(async () => {
      const hooks = Object.fromEntries(GOVERNED_HOOK_EVENTS.map((e) => [e, [{ hooks: [{ type: 'command', command: `echo ${e}` }] }]]));
      home = await createCodexHome({ modelBaseUrl: 'http://127.0.0.1:9/v1', extraConfig: { hooks } });
    });
    after(async () => {
      await killAllSpawned();
      await home?.cleanup();
    });

    it('lists every governed event of config.toml through app-server hooks/list, as hookSupport says', async () => {
      const app = await startCodexAppServer(codex.path, home);
      try {
        const list = await app.rpc.request<HooksList>('hooks/list', { cwds: [home.workDir] });
        // Codex lists them in its own event order, not the file's.
        const listed = (list.data[0]?.hooks ?? []).filter((h) => h.source === 'user').map((h) => `${h.eventName}: ${h.command}`);
        const support = hookSupport(codex.version);
        assert.equal(support.supported, true, support.message);
        assert.deepEqual(listed.sort(), support.events.map((e) => `${wireName(e)}: echo ${e}`).sort());
      } finally {
        await app.close();
      }
    });

    it('has the hooks feature stable and on by default', async () => {
      const { stdout } = await promisify(execFile)(codex.path, ['features', 'list'], { env: home.env, cwd: home.workDir, timeout: 30_000 });
      assert.match(stdout, /^hooks\s+stable\s+true$/m);
    });
  });
}
