import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { parseApprovalPolicy } from '../../../src/approvals/policy';
import { ScriptedPrompter } from '../../../src/approvals/prompters';
import { runHookCommand } from '../../../src/cli/hook';
import { agentIdForSession } from '../../../src/hooks/events';
import type { RunningGovernanceServer } from '../../../src/server/api';
import { startGovernanceServer } from '../../../src/server/server';

const TOKEN = 'hook-command-token-0123456789';
const SID = '01a23430-904d-7373-b926-c491fd1a66f3';
const pre = (command: string) => ({ session_id: SID, transcript_path: null, cwd: '/w', hook_event_name: 'PreToolUse', model: 'm', permission_mode: 'default', turn_id: 't', tool_name: 'Bash', tool_input: { command }, tool_use_id: 'c1' });
const permission = (command: string) => ({ session_id: SID, transcript_path: null, cwd: '/w', hook_event_name: 'PermissionRequest', model: 'm', permission_mode: 'default', turn_id: 't', tool_name: 'Bash', tool_input: { command, description: 'why' } });

async function runHook(args: string[], event: unknown, env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  let stdout = '';
  let stderr = '';
  const t0 = performance.now();
  const code = await runHookCommand(args, {
    stdin: Readable.from([typeof event === 'string' ? event : JSON.stringify(event)]),
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env,
  });
  return { code, stdout, stderr, ms: performance.now() - t0 };
}

describe('codex-governance hook', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'cg-hook-cmd-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe('when no server runs for the data directory', () => {
    it('defer (default): prints nothing and exits 0, so Codex decides', async () => {
      for (const e of [pre('ls'), permission('sudo x')]) {
        const r = await runHook(['--data-dir', dir], e);
        assert.equal(r.code, 0);
        assert.equal(r.stdout, '');
        assert.match(r.stderr, /not running for the data directory.*offline rule "defer"/s);
      }
    });

    it('deny: blocks PreToolUse and denies PermissionRequest, records nothing else', async () => {
      const p = await runHook(['--data-dir', dir, '--offline', 'deny'], pre('ls'));
      assert.equal(JSON.parse(p.stdout).hookSpecificOutput.permissionDecision, 'deny');
      const q = await runHook(['--data-dir', dir, '--offline', 'deny'], permission('x'));
      assert.equal(JSON.parse(q.stdout).hookSpecificOutput.decision.behavior, 'deny');
      const s = await runHook(['--data-dir', dir, '--offline', 'deny'], { ...pre('ls'), hook_event_name: 'PostToolUse' });
      assert.equal(s.stdout, '');
    });

    it('a broken command line applies the strict rule and says why; unreadable stdin gives no decision', async () => {
      const r = await runHook(['--data-dir', dir, '--offline', 'maybe'], pre('ls'));
      assert.match(r.stderr, /--offline must be defer or deny, got "maybe"/);
      assert.equal(JSON.parse(r.stdout).hookSpecificOutput.permissionDecision, 'deny');
      const t = await runHook(['--data-dir', dir, '--timeout-ms', '0'], pre('ls'));
      assert.match(t.stderr, /--timeout-ms must be a whole number/);
      const j = await runHook(['--data-dir', dir], '{not json');
      assert.equal(j.code, 0);
      assert.equal(j.stdout, '');
      assert.match(j.stderr, /could not read the hook event/);
    });
  });

  it('a server that accepts but never answers: falls back within the timeout', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
      const r = await runHook(['--server', url, '--timeout-ms', '250', '--offline', 'deny'], pre('ls'), { CODEX_GOVERNANCE_TOKEN: TOKEN });
      assert.match(r.stderr, /no answer within 250 ms/);
      assert.equal(JSON.parse(r.stdout).hookSpecificOutput.permissionDecision, 'deny');
      assert.ok(r.ms < 1500, `fell back after ${r.ms.toFixed(0)} ms`);
      const d = await runHook(['--server', url, '--timeout-ms', '250'], pre('ls'), { CODEX_GOVERNANCE_TOKEN: TOKEN });
      assert.equal(d.stdout, '', 'defer: no decision');
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });

  describe('with the governance server running', () => {
    let server: RunningGovernanceServer;
    let prompter: ScriptedPrompter;
    beforeEach(async () => {
      server = await startGovernanceServer({ port: 0, dataDir: dir, token: TOKEN, hostKind: 'test', rateLimitPerMinute: 100_000, approvals: { policy: parseApprovalPolicy({ timeoutSeconds: 5 }) } });
      prompter = new ScriptedPrompter([{ decision: 'allow_once' }, { decision: 'deny', reason: 'Not today.' }]);
      server.app.approvals.setPrompter(prompter);
    });
    afterEach(async () => server.close());

    it('finds the server from the data directory, answers PermissionRequest from the person, and gives no decision on PreToolUse', async () => {
      const env = { CODEX_GOVERNANCE_TOKEN: TOKEN };
      const p = await runHook(['--data-dir', dir], pre('ls'), env);
      assert.equal(p.stdout, '');
      assert.equal(p.stderr, '');
      const a = await runHook(['--data-dir', dir], permission('touch /etc/x'), env);
      assert.deepEqual(JSON.parse(a.stdout), { hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: { behavior: 'allow' } } });
      const d = await runHook(['--data-dir', dir], permission('touch /etc/y'), env);
      assert.deepEqual(JSON.parse(d.stdout), { hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: { behavior: 'deny', message: 'Not today.' } } });
      assert.equal(prompter.seen.length, 2);
      assert.equal(prompter.seen[0]!.source, 'codex-hook');
    });

    it('denies a PAUSEd agent with the reason', async () => {
      const agent = agentIdForSession(SID);
      for (let i = 0; i < 40; i++) {
        if ((await server.app.governance.processUpdate({ agentId: agent, operation: `x${i}`, complexity: 1, confidence: 0.05 })).governance_decision.action === 'PAUSE') break;
      }
      const r = await runHook(['--data-dir', dir], pre('rm -rf /'), { CODEX_GOVERNANCE_TOKEN: TOKEN });
      const out = JSON.parse(r.stdout).hookSpecificOutput;
      assert.equal(out.permissionDecision, 'deny');
      assert.match(out.permissionDecisionReason, /paused agent codex-[0-9a-f]{8}/);
    });

    it('a wrong token is "cannot answer": the offline rule applies, never an allow', async () => {
      const r = await runHook(['--data-dir', dir, '--offline', 'deny'], permission('x'), { CODEX_GOVERNANCE_TOKEN: 'wrong-token-0123456789' });
      assert.match(r.stderr, /refused every token/);
      assert.equal(JSON.parse(r.stdout).hookSpecificOutput.decision.behavior, 'deny');
      assert.equal(prompter.seen.length, 0);
    });

    it('an event the server cannot read gives no decision', async () => {
      const r = await runHook(['--data-dir', dir, '--offline', 'deny'], { session_id: SID, hook_event_name: 'PreToolUse', tool_input: 'ls' }, { CODEX_GOVERNANCE_TOKEN: TOKEN });
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /tool_input/);
    });
  });
});
