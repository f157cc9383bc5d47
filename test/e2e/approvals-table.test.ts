/**
 * Issue 4's table: every entry point x every answer. Entry points: the `codex` tool asking for
 * danger-full-access over MCP Streamable HTTP, MCP stdio and POST /v1/tools/call (decided before
 * any Codex child is asked), and Codex's own escalated-exec requests from the real mcp-server
 * backend (elicitation, Codex 0.153.4) and the real app-server backend (requestApproval, the
 * current Codex), with the fake model. Answers: allow once, allow for session, deny, timeout, malformed,
 * prompter throws, prompter absent. The action must run only after a yes, and the audit log must
 * hold one line per request and one per answer.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { parseApprovalPolicy } from '../../src/approvals/policy';
import { ScriptedPrompter, type ScriptedStep } from '../../src/approvals/prompters';
import type { GovernanceApp } from '../../src/server/app';
import { startGovernanceServer } from '../../src/server/server';
import { runStdioServer } from '../../src/server/stdio';
import type { AuditRecord } from '../../src/store/audit';
import type { CodexBackend, LocatedCodex } from '../../src/supervisor/locate';
import type { ChildHandle } from '../../src/supervisor/process';
import { ChildStdioTransport } from '../../src/supervisor/stdio-transport';
import { nullLogger } from '../../src/util/log';
import { killAllSpawned } from '../fakes/child-process';
import { createCodexHome, type CodexHome } from '../fakes/codex-home';
import { locatedCodex } from '../fakes/codex-processes';
import { functionCallOutput, replyExec, replyMessage, startFakeModelServer, type FakeModelServer } from '../fakes/fake-model-server';
import { connectMcp } from '../helpers/governance-server';

const TOKEN = 'approvals-table-token-0123456789';
const LOCATED: Record<CodexBackend, LocatedCodex> = { 'mcp-server': locatedCodex('mcp-server'), 'app-server': locatedCodex('app-server') };

type Answer = 'once' | 'session' | 'deny' | 'timeout' | 'malformed' | 'throws' | 'absent';
const ANSWERS: Array<{ name: Answer; step: ScriptedStep | undefined; yes: boolean }> = [
  { name: 'once', step: { decision: 'allow_once' }, yes: true },
  { name: 'session', step: { decision: 'allow_session' }, yes: true },
  { name: 'deny', step: { decision: 'deny', reason: 'table says no' }, yes: false },
  { name: 'timeout', step: 'hang', yes: false },
  { name: 'malformed', step: { raw: { decision: 'approve' } }, yes: false },
  { name: 'throws', step: { throw: 'prompt window crashed' }, yes: false },
  { name: 'absent', step: undefined, yes: false },
];

/** One server + way to call `codex` on it. */
interface Entry {
  app: GovernanceApp;
  fake: FakeModelServer;
  home: CodexHome;
  call(args: Record<string, unknown>): Promise<{ ok: boolean; text: string }>;
  close(): Promise<void>;
}

function textOf(r: CallToolResult): string {
  return r.content.map((c) => (c.type === 'text' ? c.text : '')).join('');
}

async function base(backend: CodexBackend): Promise<{ fake: FakeModelServer; home: CodexHome; dataDir: string; codex: Record<string, unknown> }> {
  const fake = await startFakeModelServer({});
  const home = await createCodexHome({ modelBaseUrl: fake.baseUrl });
  const dataDir = mkdtempSync(join(tmpdir(), 'cg-approvals-table-'));
  return { fake, home, dataDir, codex: { located: LOCATED[backend], env: home.env, defaultCwd: home.workDir, warmSpares: 0, interruptGraceMs: 1500 } };
}

async function httpEntry(kind: 'mcp-http' | 'v1', backend: CodexBackend): Promise<Entry> {
  const b = await base(backend);
  const server = await startGovernanceServer({ port: 0, dataDir: b.dataDir, token: TOKEN, rateLimitPerMinute: 100_000, hostKind: 'test', codex: b.codex });
  let client: Client | undefined;
  if (kind === 'mcp-http') {
    client = await connectMcp(server.url, TOKEN, 'approvals-table');
  }
  return {
    app: server.app,
    fake: b.fake,
    home: b.home,
    async call(args) {
      if (client) {
        const r = (await client.callTool({ name: 'codex', arguments: args })) as CallToolResult;
        return { ok: !r.isError, text: textOf(r) };
      }
      const res = await fetch(`${server.url}/v1/tools/call`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'codex', arguments: args }) });
      const body = (await res.json()) as { success: boolean; result?: { content?: string }; error?: { message: string } };
      return { ok: body.success, text: body.success ? String(body.result?.content ?? JSON.stringify(body.result)) : (body.error?.message ?? '') };
    },
    async close() {
      await client?.close();
      await server.close();
      await b.fake.close();
      await b.home.cleanup();
      rmSync(b.dataDir, { recursive: true, force: true });
    },
  };
}

async function stdioEntry(backend: CodexBackend): Promise<Entry> {
  const b = await base(backend);
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  const server = await runStdioServer({ dataDir: b.dataDir, logger: nullLogger, stdin: toServer, stdout: toClient, codex: b.codex });
  const proc = { child: { stdin: toServer, stdout: toClient }, exited: new Promise(() => undefined), alive: () => true, kill: () => Promise.resolve() } as unknown as ChildHandle;
  const client = new Client({ name: 'approvals-table-stdio', version: '0' });
  await client.connect(new ChildStdioTransport(proc));
  return {
    app: server.app,
    fake: b.fake,
    home: b.home,
    async call(args) {
      const r = (await client.callTool({ name: 'codex', arguments: args })) as CallToolResult;
      return { ok: !r.isError, text: textOf(r) };
    },
    async close() {
      await server.close();
      await b.fake.close();
      await b.home.cleanup();
      rmSync(b.dataDir, { recursive: true, force: true });
    },
  };
}

interface Row {
  entry: string;
  answer: Answer;
  ran: boolean;
  yes: boolean;
}

describe('approvals: every entry point x every answer', function () {
  this.timeout(120_000);
  const rows: Row[] = [];
  after(async () => {
    await killAllSpawned();
    const unapproved = rows.filter((r) => r.ran && !r.yes).length;
    console.log(`      full access or escalated actions that ran without a yes: ${unapproved} of ${rows.length}`);
  });

  /** Sets the case's prompter and a short timeout; returns the audit lines written by `body`. */
  async function runCase(app: GovernanceApp, answer: (typeof ANSWERS)[number], body: () => Promise<void>): Promise<AuditRecord[]> {
    app.approvals.setPolicy(parseApprovalPolicy({ timeoutSeconds: 0.4 }));
    app.approvals.setPrompter(answer.step === undefined ? undefined : new ScriptedPrompter(() => answer.step!));
    const start = (await app.audit.read({ limit: 1000 })).next_cursor;
    await body();
    return (await app.audit.read({ cursor: start, limit: 1000 })).entries;
  }

  function assertAudit(lines: AuditRecord[], source: string, yes: boolean, answer: Answer): void {
    const requested = lines.filter((l) => l.type === 'approval.requested');
    const answered = lines.filter((l) => l.type === 'approval.answered');
    assert.equal(requested.length, 1, JSON.stringify(lines));
    assert.equal(answered.length, 1, JSON.stringify(lines));
    assert.equal(requested[0]?.id, answered[0]?.id);
    assert.equal(answered[0]?.source, source);
    assert.equal(answered[0]?.decision === 'deny', !yes);
    const by: Record<Answer, string> = { once: 'person', session: 'person', deny: 'person', timeout: 'timeout', malformed: 'error', throws: 'error', absent: 'policy' };
    assert.equal(answered[0]?.decided_by, by[answer]);
  }

  for (const kind of ['mcp-http', 'stdio', 'v1'] as const) {
    describe(`codex with danger-full-access over ${kind}`, () => {
      let e: Entry;
      before(async () => {
        e = kind === 'stdio' ? await stdioEntry('app-server') : await httpEntry(kind, 'app-server');
      });
      after(async () => e?.close());

      for (const answer of ANSWERS) {
        it(`${answer.name}: ${answer.yes ? 'runs' : 'nothing starts, the reason reaches the caller'}`, async () => {
          const before = e.fake.responsesRequests().length;
          e.fake.enqueue(replyMessage('full access turn ran'));
          let result: { ok: boolean; text: string } = { ok: false, text: '' };
          const lines = await runCase(e.app, answer, async () => {
            result = await e.call({ prompt: 'do it', sandbox: 'danger-full-access', 'approval-policy': 'on-request', cwd: e.home.workDir });
          });
          const ran = e.fake.responsesRequests().length > before;
          rows.push({ entry: kind, answer: answer.name, ran, yes: answer.yes });
          assert.equal(ran, answer.yes, result.text);
          assert.equal(result.ok, answer.yes, result.text);
          if (!answer.yes) {
            assert.match(result.text, /danger-full-access was not approved/);
          }
          assertAudit(lines, 'codex-full-access', answer.yes, answer.name);
        });
      }
    });
  }

  for (const backend of ['mcp-server', 'app-server'] as const) {
    describe(`escalated exec requested by Codex (${backend} backend)`, () => {
      let e: Entry;
      before(async () => {
        e = await httpEntry('mcp-http', backend);
      });
      after(async () => e?.close());

      for (const answer of ANSWERS) {
        it(`${answer.name}: ${answer.yes ? 'the command runs' : 'the command does not run'}`, async () => {
          const target = join(e.home.root, `escalated-${answer.name}.txt`);
          e.fake.enqueue(replyExec(`touch ${target}`, { escalateWithJustification: `create ${answer.name}` }), (req) => replyMessage(`tool said: ${functionCallOutput(req) ?? 'nothing'}`));
          let result: { ok: boolean; text: string } = { ok: false, text: '' };
          const lines = await runCase(e.app, answer, async () => {
            result = await e.call({ prompt: 'escalate', sandbox: 'read-only', 'approval-policy': 'on-request', cwd: e.home.workDir });
          });
          const ran = existsSync(target);
          rows.push({ entry: backend, answer: answer.name, ran, yes: answer.yes });
          assert.ok(result.ok, result.text);
          assert.equal(ran, answer.yes, result.text);
          assertAudit(lines, 'codex-exec', answer.yes, answer.name);
        });
      }
    });
  }
});
