/**
 * Nothing walks around the approval gate (issue 10), with every tested Codex (0.153.4 on
 * mcp-server, 0.169.0 and the current one on app-server) and the fake model: every way a `codex` call could change what Codex runs with is tried. For each
 * one the marker file (written by the command the fake model asks for, or by the program the
 * configuration would start) exists only after a yes; a refusal is exactly one audit line and
 * reaches no prompt; a prompt shows the effective sandbox, folder and what would run.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { stringify } from 'smol-toml';
import { parseApprovalPolicy } from '../../src/approvals/policy';
import { ScriptedPrompter } from '../../src/approvals/prompters';
import type { RunningGovernanceServer } from '../../src/server/api';
import { startGovernanceServer } from '../../src/server/server';
import type { AuditRecord } from '../../src/store/audit';
import { killAllSpawned } from '../fakes/child-process';
import { createCodexHome, type CodexHome } from '../fakes/codex-home';
import { codexMatrix } from '../fakes/codex-processes';
import { replyExec, replyMessage, startFakeModelServer, type FakeModelServer } from '../fakes/fake-model-server';
import { connectMcp } from '../helpers/governance-server';

const TOKEN = 'approval-gate-token-0123456789abcdef';

interface World {
  home: CodexHome;
  /** A folder outside the workspace roots. */
  outside: string;
  marker: string;
  fake: FakeModelServer;
}

/** One way around the gate, as an outside tester would try it. */
interface Attempt {
  name: string;
  /** `refused`: an error naming the key before anyone is asked; `asks`: a person must say yes. */
  expect: 'refused' | 'asks';
  /** Writes files (config.toml, project layers) before the call. */
  setup?(w: World): void;
  args(w: World): Record<string, unknown>;
  /** The key that a refusal names and that askForConfigKeys can send to a person instead. */
  key?: string;
  /** For refused keys: after the person's policy lists the key, a yes runs the session (and the marker appears). */
  allowRuns?: boolean;
  /** What the prompt must show. */
  prompt?(w: World): { sandbox: string; cwd?: string; wouldRun?: RegExp; why: RegExp };
}

const touchServer = (marker: string) => ({ m: { command: 'sh', args: ['-c', `touch ${marker}`] } });

const ATTEMPTS: Attempt[] = [
  { name: 'full access through config sandbox_mode', expect: 'refused', key: 'sandbox_mode', allowRuns: true, args: () => ({ config: { sandbox_mode: 'danger-full-access' } }) },
  { name: 'a program through config mcp_servers', expect: 'refused', key: 'mcp_servers', allowRuns: true, args: (w) => ({ config: { mcp_servers: touchServer(w.marker) } }) },
  { name: 'a program through config notify', expect: 'refused', key: 'notify', args: (w) => ({ config: { notify: ['sh', '-c', `touch ${w.marker}`] } }) },
  { name: 'a program through config hooks', expect: 'refused', key: 'hooks', args: (w) => ({ config: { hooks: { PreToolUse: [{ hooks: [{ type: 'command', command: `touch ${w.marker}` }] }] } } }) },
  { name: 'LD_PRELOAD through shell_environment_policy', expect: 'refused', key: 'shell_environment_policy', args: () => ({ config: { shell_environment_policy: { set: { LD_PRELOAD: '/tmp/x.so' } } } }) },
  { name: 'a wider sandbox through dotted writable_roots', expect: 'refused', key: 'sandbox_workspace_write', args: (w) => ({ sandbox: 'workspace-write', config: { 'sandbox_workspace_write.writable_roots': [w.outside] } }) },
  { name: 'network through sandbox_workspace_write.network_access', expect: 'refused', key: 'sandbox_workspace_write', args: () => ({ sandbox: 'workspace-write', config: { sandbox_workspace_write: { network_access: true } } }) },
  {
    name: 'trust for a project whose .codex/config.toml starts a program',
    expect: 'refused',
    key: 'projects',
    setup: (w) => projectLayer(w.home.workDir, { mcp_servers: touchServer(w.marker) }),
    args: (w) => ({ config: { projects: { [w.home.workDir]: { trust_level: 'trusted' } } } }),
  },
  { name: 'a permission profile', expect: 'refused', key: 'default_permissions', args: () => ({ config: { default_permissions: 'full' } }) },
  { name: 'approvals sent to another reviewer', expect: 'refused', key: 'approvals_reviewer', args: () => ({ config: { approvals_reviewer: 'auto_review' } }) },
  { name: 'a key Codex Governance does not know', expect: 'refused', key: 'brand_new_codex_key', args: () => ({ config: { brand_new_codex_key: true } }) },
  { name: 'a provider credential from the environment', expect: 'refused', key: 'model_providers.fake.env_key', args: () => ({ config: { model_providers: { fake: { env_key: 'HOME' } } } }) },
  {
    name: "full access from the person's config.toml, no sandbox argument",
    expect: 'asks',
    setup: (w) => userConfig(w, { sandbox_mode: 'danger-full-access' }),
    args: () => ({}),
    prompt: (w) => ({ sandbox: 'danger-full-access', cwd: w.home.workDir, why: /danger-full-access comes from .*config\.toml/ }),
  },
  {
    name: "a trusted project's .codex/config.toml that starts a program",
    expect: 'asks',
    setup: (w) => {
      mkdirSync(join(w.home.workDir, '.git'));
      projectLayer(w.home.workDir, { mcp_servers: touchServer(w.marker) });
      userConfig(w, { projects: { [w.home.workDir]: { trust_level: 'trusted' } } });
    },
    args: () => ({}),
    prompt: (w) => ({ sandbox: 'read-only', cwd: w.home.workDir, wouldRun: new RegExp(`mcp_servers\\.m\\.command: sh -c touch ${w.marker}`), why: /\.codex\/config\.toml sets `mcp_servers`/ }),
  },
  {
    name: 'workspace-write in a folder outside the workspace',
    expect: 'asks',
    args: (w) => ({ sandbox: 'workspace-write', cwd: w.outside }),
    prompt: (w) => ({ sandbox: 'workspace-write', cwd: w.outside, why: new RegExp(`workspace-write may write ${w.outside}`) }),
  },
];

function projectLayer(dir: string, config: Record<string, unknown>): void {
  mkdirSync(join(dir, '.codex'), { recursive: true });
  writeFileSync(join(dir, '.codex', 'config.toml'), stringify(config));
}

/** Adds keys to the test's config.toml (which holds the fake provider). */
function userConfig(w: World, extra: Record<string, unknown>): void {
  writeFileSync(w.home.configPath, stringify({ ...w.home.config, ...extra }));
}

const textOf = (r: CallToolResult) => r.content.map((c) => (c.type === 'text' ? c.text : '')).join('');

for (const { backend, located, title } of codexMatrix()) {
  describe(`approval gate with real Codex (${title})`, function () {
    this.timeout(120_000);
    let w: World;
    let dataDir: string;
    let server: RunningGovernanceServer;
    let client: Client;
    const tally = { tried: 0, ran: 0 };

    beforeEach(async () => {
      const fake = await startFakeModelServer({});
      const home = await createCodexHome({ modelBaseUrl: fake.baseUrl });
      const outside = join(home.root, 'outside');
      mkdirSync(outside);
      // Where the model's command (or the configured program) would leave its mark: outside the workspace.
      w = { home, outside, marker: join(outside, 'marker'), fake };
      dataDir = mkdtempSync(join(tmpdir(), 'cg-gate-'));
      server = await startGovernanceServer({
        port: 0,
        dataDir,
        token: TOKEN,
        rateLimitPerMinute: 100_000,
        hostKind: 'test',
        codex: { located, env: home.env, defaultCwd: home.workDir, warmSpares: 0, systemConfigPath: join(home.root, 'no-system-config.toml') },
        approvals: { policy: parseApprovalPolicy({ timeoutSeconds: 10 }) },
        workspaceRoots: [home.workDir],
      });
      client = await connectMcp(server.url, TOKEN, 'approval-gate');
    });
    afterEach(async () => {
      await client.close();
      await server.close();
      await w.fake.close();
      await w.home.cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    });
    after(async () => {
      await killAllSpawned();
      // The closing note's count: attempts tried, and how many ran without a yes (the goal is 0).
      console.log(`      bypass attempts (${title}): ${tally.tried} tried, ${tally.ran} ran without a yes`);
    });

    const codex = async (args: Record<string, unknown>) => (await client.callTool({ name: 'codex', arguments: { prompt: 'make the marker', cwd: w.home.workDir, ...args } })) as CallToolResult;
    const denials = async (): Promise<AuditRecord[]> => {
      const res = await fetch(`${server.url}/audit?type=approval.answered&decision=deny`, { headers: { authorization: `Bearer ${TOKEN}` } });
      return ((await res.json()) as { entries: AuditRecord[] }).entries;
    };
    const queueMarkerTurn = () => w.fake.enqueue(replyExec(`touch ${w.marker}`), replyMessage('done'));

    for (const a of ATTEMPTS) {
      if (a.expect === 'refused') {
        it(`${a.name}: refused naming \`${a.key}\`, one audit line, nobody asked, nothing runs; with askForConfigKeys a yes is needed`, async () => {
          a.setup?.(w);
          const prompter = new ScriptedPrompter([{ decision: 'deny', reason: 'not this one' }, { decision: 'allow_once' }]);
          server.app.approvals.setPrompter(prompter);
          queueMarkerTurn();
          tally.tried++;
          const r = await codex(a.args(w));
          if (existsSync(w.marker)) tally.ran++;
          assert.equal(r.isError, true, textOf(r));
          assert.match(textOf(r), new RegExp(`\`${a.key!.replace(/\./g, '\\.')}\``));
          assert.match(textOf(r), /codexGovernance\.approvals\.askForConfigKeys/);
          assert.equal(prompter.seen.length, 0, 'a refusal reaches no prompt');
          assert.equal(existsSync(w.marker), false);
          assert.equal(w.fake.responsesRequests().length, 0, 'Codex was never asked');
          const lines = await denials();
          assert.equal(lines.length, 1);
          assert.equal(lines[0]?.decided_by, 'policy');
          assert.equal(lines[0]?.source, 'codex-session');

          // The person's policy can send the key to a prompt instead: still nothing without a yes.
          server.app.approvals.setPolicy(parseApprovalPolicy({ timeoutSeconds: 10, askForConfigKeys: [a.key!] }));
          tally.tried++;
          const denied = await codex(a.args(w));
          if (existsSync(w.marker)) tally.ran++;
          assert.equal(denied.isError, true);
          assert.match(textOf(denied), /not this one/);
          assert.equal(prompter.seen.length, 1);
          assert.ok(['high', 'critical'].includes(prompter.seen[0]!.risk));
          assert.equal(existsSync(w.marker), false);
          if (a.allowRuns) {
            const allowed = await codex(a.args(w));
            assert.ok(!allowed.isError, textOf(allowed));
            assert.equal(existsSync(w.marker), true, 'after a yes the session runs with the key');
            assert.match(prompter.seen[1]?.command ?? '', a.key === 'mcp_servers' ? /mcp_servers\.m\.command: sh -c touch/ : /^$/);
          }
        });
      } else {
        it(`${a.name}: asks; Deny runs nothing, Allow runs; the prompt shows the effective sandbox, folder and what would run`, async () => {
          a.setup?.(w);
          const prompter = new ScriptedPrompter([{ decision: 'deny', reason: 'not this one' }, { decision: 'allow_once' }]);
          server.app.approvals.setPrompter(prompter);
          queueMarkerTurn();
          tally.tried++;
          const denied = await codex(a.args(w));
          if (existsSync(w.marker)) tally.ran++;
          assert.equal(denied.isError, true, textOf(denied));
          assert.match(textOf(denied), /not approved: not this one/);
          assert.equal(existsSync(w.marker), false);
          assert.equal(w.fake.responsesRequests().length, 0, 'Codex was never asked');
          const shown = prompter.seen[0]!;
          const want = a.prompt!(w);
          assert.equal(shown.sandbox, want.sandbox);
          if (want.cwd) assert.equal(shown.cwd, want.cwd);
          if (want.wouldRun) assert.match(shown.command ?? '', want.wouldRun);
          assert.match(((shown.details?.why as string[] | undefined) ?? []).join('\n'), want.why);
          assert.ok(['high', 'critical'].includes(shown.risk));

          const allowed = await codex(a.args(w));
          assert.ok(!allowed.isError, textOf(allowed));
          assert.equal(existsSync(w.marker), true, 'after a yes the session runs');
        });
      }
    }

    if (backend === 'app-server') {
      it('a resumed thread is judged again: a project config written since the start asks before the new process starts', async () => {
        const prompter = new ScriptedPrompter([{ decision: 'deny', reason: 'not after the fact' }]);
        server.app.approvals.setPrompter(prompter);
        w.fake.enqueue(replyMessage('first'));
        const first = await codex({});
        assert.equal(textOf(first), 'first');
        const threadId = (first.structuredContent as { threadId: string }).threadId;
        await client.callTool({ name: 'codex-cleanup', arguments: { idle: true } });
        // What an agent could write during the session: trust comes from the person's config, the program from the project.
        mkdirSync(join(w.home.workDir, '.git'));
        projectLayer(w.home.workDir, { mcp_servers: touchServer(w.marker) });
        userConfig(w, { projects: { [w.home.workDir]: { trust_level: 'trusted' } } });
        w.fake.enqueue(replyMessage('second'));
        const again = (await client.callTool({ name: 'codex-reply', arguments: { threadId, prompt: 'go on' } })) as CallToolResult;
        assert.equal(again.isError, true, textOf(again));
        assert.match(textOf(again), /not after the fact/);
        assert.equal(prompter.seen.length, 1);
        assert.match(prompter.seen[0]?.command ?? '', /mcp_servers\.m\.command: sh -c touch/);
        assert.equal(existsSync(w.marker), false);
      });
    }

    it('a model-only config (the provider, reasoning effort) passes without a prompt', async () => {
      const prompter = new ScriptedPrompter([]);
      server.app.approvals.setPrompter(prompter);
      w.fake.enqueue(replyMessage('plain'));
      const r = await codex({ config: { model_reasoning_effort: 'low', model_verbosity: 'low', model_providers: { fake: { stream_max_retries: 0 } } } });
      assert.equal(textOf(r), 'plain');
      assert.equal(prompter.seen.length, 0);
    });
  });
}
