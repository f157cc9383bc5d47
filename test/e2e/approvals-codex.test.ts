/**
 * Approvals with the real Codex binaries (both backends) and the fake model: an escalated command
 * that would create a file is denied -> no file, and the model sees the reason; "allow for this
 * session" -> the second escalation of the same session is not asked again. Also the audit trail
 * through `GET /audit` and the `audit_log` resource, and the approval metrics.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { parseApprovalPolicy } from '../../src/approvals/policy';
import { ScriptedPrompter } from '../../src/approvals/prompters';
import type { RunningGovernanceServer } from '../../src/server/api';
import { startGovernanceServer } from '../../src/server/server';
import type { AuditRecord } from '../../src/store/audit';
import { killAllSpawned } from '../fakes/child-process';
import { createCodexHome, type CodexHome } from '../fakes/codex-home';
import { codexPerBackend } from '../fakes/codex-processes';
import { functionCallOutput, replyExec, replyMessage, startFakeModelServer, type FakeModelServer } from '../fakes/fake-model-server';
import { connectMcp } from '../helpers/governance-server';

const TOKEN = 'approvals-codex-token-0123456789';

function textOf(r: CallToolResult): string {
  return r.content.map((c) => (c.type === 'text' ? c.text : '')).join('');
}

for (const { backend, located, title } of codexPerBackend()) {
  describe(`approvals with real Codex (${title})`, function () {
    this.timeout(60_000);
    let fake: FakeModelServer;
    let home: CodexHome;
    let dataDir: string;
    let server: RunningGovernanceServer;
    let client: Client;

    beforeEach(async () => {
      fake = await startFakeModelServer({});
      home = await createCodexHome({ modelBaseUrl: fake.baseUrl });
      dataDir = mkdtempSync(join(tmpdir(), 'cg-approvals-codex-'));
      server = await startGovernanceServer({
        port: 0,
        dataDir,
        token: TOKEN,
        rateLimitPerMinute: 100_000,
        hostKind: 'test',
        codex: { located, env: home.env, defaultCwd: home.workDir, warmSpares: 0 },
        approvals: { policy: parseApprovalPolicy({ timeoutSeconds: 5 }) },
      });
      client = await connectMcp(server.url, TOKEN, 'approvals-codex');
    });
    afterEach(async () => {
      await client.close();
      await server.close();
      await fake.close();
      await home.cleanup();
      rmSync(dataDir, { recursive: true, force: true });
    });
    after(() => killAllSpawned());

    const codex = async (args: Record<string, unknown>) => (await client.callTool({ name: 'codex', arguments: { cwd: home.workDir, ...args } })) as CallToolResult;
    const audit = async (query = ''): Promise<{ entries: AuditRecord[]; next_cursor: string; has_more: boolean }> => {
      const res = await fetch(`${server.url}/audit${query}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(res.status, 200);
      return (await res.json()) as { entries: AuditRecord[]; next_cursor: string; has_more: boolean };
    };

    it('denied: the file is not created and the model sees the reason', async () => {
      const prompter = new ScriptedPrompter([{ decision: 'deny', reason: 'no writes outside the workspace today' }]);
      server.app.approvals.setPrompter(prompter);
      const target = join(home.root, 'denied.txt');
      fake.enqueue(replyExec(`touch ${target}`, { escalateWithJustification: 'write the marker' }), (req) => replyMessage(`tool said: ${functionCallOutput(req) ?? 'nothing'}`));
      const r = await codex({ prompt: 'make the file', sandbox: 'read-only', 'approval-policy': 'on-request' });
      assert.ok(!r.isError, textOf(r));
      assert.equal(existsSync(target), false);
      assert.equal(prompter.seen.length, 1);
      // app-server forwards the model's justification; mcp-server 0.153.4 sends only its own question about the command.
      assert.match(prompter.seen[0]?.reason ?? '', backend === 'app-server' ? /^write the marker$/ : /Allow Codex to run .*denied\.txt/);
      assert.match(prompter.seen[0]?.command ?? '', /touch .*denied\.txt/);
      const seenByModel = functionCallOutput(fake.responsesRequests().at(-1)!) ?? '';
      // mcp-server passes our reason through; app-server's decline has no reason field, so the model sees Codex's own rejection.
      if (backend === 'mcp-server') assert.match(seenByModel, /no writes outside the workspace today/);
      else assert.match(seenByModel, /reject|declin|denied|not approved/i);
      const page = await audit('?decision=deny');
      assert.equal(page.entries.length, 1);
      assert.equal(page.entries[0]?.reason, 'no writes outside the workspace today');
      assert.equal(page.entries[0]?.decided_by, 'person');
    });

    it('allowed for this session: the second escalation of the same session is not asked again', async () => {
      const prompter = new ScriptedPrompter([{ decision: 'allow_session' }, { decision: 'deny', reason: 'asked twice' }]);
      server.app.approvals.setPrompter(prompter);
      const first = join(home.root, 'first.txt');
      const second = join(home.root, 'second.txt');
      fake.enqueue(
        replyExec(`touch ${first}`, { escalateWithJustification: 'first marker' }),
        replyExec(`touch ${second}`, { escalateWithJustification: 'second marker' }),
        replyMessage('both done'),
      );
      const r = await codex({ prompt: 'make both files', sandbox: 'read-only', 'approval-policy': 'on-request' });
      assert.equal(textOf(r), 'both done');
      assert.equal(existsSync(first), true);
      assert.equal(existsSync(second), true);
      assert.equal(prompter.seen.length, 1);
      const answers = (await audit('?type=approval.answered')).entries;
      assert.deepEqual(answers.map((a) => a.decided_by), ['person', 'session-grant']);
      // The grant ends with the session: a new session is asked again.
      fake.enqueue(replyExec(`touch ${join(home.root, 'third.txt')}`, { escalateWithJustification: 'third' }), replyMessage('third turn'));
      await codex({ prompt: 'again', sandbox: 'read-only', 'approval-policy': 'on-request' });
      assert.equal(prompter.seen.length, 2);
      assert.equal(existsSync(join(home.root, 'third.txt')), false);
    });

    if (backend === 'app-server') {
      it('GET /audit pages and filters, needs the token; the audit_log resource pages too; metrics count approvals', async () => {
        server.app.approvals.setPrompter(new ScriptedPrompter([{ decision: 'deny', reason: 'no' }, { decision: 'deny', reason: 'no again' }]));
        fake.enqueue(replyMessage('unused'));
        await codex({ prompt: 'one', sandbox: 'danger-full-access' });
        await codex({ prompt: 'two', sandbox: 'danger-full-access', mode: 'ci', 'approval-policy': 'never' });
        const p1 = await audit('?limit=3');
        assert.equal(p1.entries.length, 3);
        assert.equal(p1.has_more, true);
        const p2 = await audit(`?cursor=${p1.next_cursor}&limit=3`);
        assert.deepEqual(p2.entries.map((e) => e.type), ['approval.answered']);
        assert.equal(p2.entries[0]?.risk, 'critical');
        assert.equal((await audit('?source=codex-exec')).entries.length, 0);
        const noToken = await fetch(`${server.url}/audit`);
        assert.equal(noToken.status, 401);
        const bad = await fetch(`${server.url}/audit?limit=0`, { headers: { authorization: `Bearer ${TOKEN}` } });
        assert.equal(bad.status, 400);
        assert.match(await bad.text(), /limit must be an integer from 1 to 1000/);

        const first = JSON.parse(((await client.readResource({ uri: 'audit://log' })).contents[0] as { text: string }).text) as { entries: AuditRecord[]; next_uri: string };
        assert.equal(first.entries.length, 4);
        assert.match(first.next_uri, /^audit:\/\/log\/page\/\d+$/);
        const next = JSON.parse(((await client.readResource({ uri: first.next_uri })).contents[0] as { text: string }).text) as { entries: AuditRecord[] };
        assert.equal(next.entries.length, 0);

        const metrics = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
        assert.match(metrics, /governance_approvals_total\{risk="high",decision="deny",decided_by="person"\} 1/);
        assert.match(metrics, /governance_approvals_total\{risk="critical",decision="deny",decided_by="person"\} 1/);
        assert.match(metrics, /governance_approval_decision_seconds_count\{decided_by="person"\} 2/);
      });
    }
  });
}
