/** The Session panel's read-only view of a Codex session seen through hooks, from real handled hook events. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RiskApprovalBroker } from '../../../../src/approvals/broker';
import { parseApprovalPolicy } from '../../../../src/approvals/policy';
import { GovernanceEvents } from '../../../../src/core/events';
import { GovernanceService } from '../../../../src/core/governance';
import { agentIdForSession, type CodexHookEvent } from '../../../../src/hooks/events';
import { CodexHookHandler } from '../../../../src/hooks/handler';
import { AuditLog } from '../../../../src/store/audit';
import { openStoreFile } from '../../../../src/store/store';
import type { Store } from '../../../../src/store/types';
import { observedAsSession, observedSessionIdOf, type ObservedSessionOutput } from '../../../../src/vscode/sessions/observed-model';
import { headerOf } from '../../../../src/vscode/sessions/session-handler';

const SID = '01a2342e-8d97-7741-b256-8fd814149664';
const base = { session_id: SID, transcript_path: null, cwd: '/work/project', model: 'gpt-5.5', permission_mode: 'default', turn_id: 't1' };
const ev = (e: Partial<CodexHookEvent> & { hook_event_name: string }): CodexHookEvent => ({ ...base, ...e });

describe('observed session in the Session panel (read-only)', () => {
  let dir: string;
  let store: Store;
  let audit: AuditLog;
  let handler: CodexHookHandler;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cg-observed-view-'));
    store = await openStoreFile(':memory:');
    audit = await AuditLog.open(dir);
    const governance = new GovernanceService(store, new GovernanceEvents());
    // No prompter: the default policy denies an escalation, as for a headless server.
    const approvals = new RiskApprovalBroker({ audit, policy: parseApprovalPolicy({ timeoutSeconds: 0.3 }) });
    handler = new CodexHookHandler({ governance, approvals, observed: store.observedSessions, audit, readOrigin: () => Promise.resolve({ source: 'codex-cli', originator: 'codex_cli_rs', codexVersion: '0.171.0' }) });
  });
  afterEach(async () => {
    await audit.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** What `get_observed_session` answers (the tool returns the repository's session and events). */
  async function toolOutput(): Promise<ObservedSessionOutput> {
    await new Promise((r) => setImmediate(r));
    const session = await store.observedSessions.get(SID);
    assert.ok(session);
    return { session: { ...session }, events: (await store.observedSessions.events(SID, { limit: 500, afterSeq: 0 })).map((e) => ({ ...e })) };
  }

  it('shows the hooks\' events in words: prompt, tool calls, the approval and its decision, the turn; source and folder in the header', async () => {
    await handler.handle(ev({ hook_event_name: 'SessionStart', source: 'startup' }));
    await handler.handle(ev({ hook_event_name: 'UserPromptSubmit', prompt: 'List the files' }));
    await handler.handle(ev({ hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'ls -la' }, tool_use_id: 'c1' }));
    await handler.handle(ev({ hook_event_name: 'PostToolUse', tool_name: 'Bash', tool_input: { command: 'ls -la' }, tool_response: 'a b', tool_use_id: 'c1' }));
    await handler.handle(ev({ hook_event_name: 'PermissionRequest', tool_name: 'Bash', tool_input: { command: 'rm -rf build', description: 'clean' } }));
    await handler.handle(ev({ hook_event_name: 'Stop', stop_hook_active: false, last_assistant_message: 'Done.' }));

    const details = observedAsSession(await toolOutput());
    assert.equal(details.session_id, `observed:${SID}`);
    assert.equal(details.cwd, '/work/project');
    assert.equal(details.codexVersion, '0.171.0');
    assert.equal(details.prompt, 'List the files');
    const rows = details.transcript.map((e) => [e.type, e.summary]);
    assert.equal(rows[0]![0], 'session_configured');
    assert.match(rows[0]![1]!, /session startup in \/work\/project/);
    assert.deepEqual(rows.slice(1, 4), [
      ['user_message', 'List the files'],
      ['exec_command_begin', 'Bash: ls -la'],
      ['exec_command_end', 'Bash: ls -la'],
    ]);
    const approval = details.transcript[4]!;
    assert.equal(approval.type, 'approval');
    assert.deepEqual({ ...approval.approval, reason: undefined }, { source: 'codex-exec', decision: 'deny', command: 'Bash: rm -rf build', reason: undefined });
    assert.ok(approval.approval?.reason, 'the broker\'s reason is shown');
    assert.deepEqual(details.transcript[5], { at: details.transcript[5]!.at, type: 'agent_message', summary: 'Done.', text: 'Done.' });
    const header = headerOf(details, true);
    assert.equal(header.readOnly, true);
    assert.equal(header.canReply, false);
    assert.equal(header.resumable, false);
    assert.equal(header.agentId, agentIdForSession(SID));
  });

  it('a blocked tool call shows governance\'s reason', async () => {
    const out = await (async () => {
      await handler.handle(ev({ hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'ls' }, tool_use_id: 'c1' }));
      return toolOutput();
    })();
    const blocked = { ...out, events: out.events.map((e) => ({ ...e, decision: 'deny' as const, reason: 'Codex Governance paused agent codex-01a2342e' })) };
    assert.deepEqual(observedAsSession(blocked).transcript[0], { at: out.events[0]!.at, type: 'warning', summary: 'Blocked by governance: Bash: ls (Codex Governance paused agent codex-01a2342e)' });
  });

  it('panel keys: observed:<id> is an observed session, a plain id is ours', () => {
    assert.equal(observedSessionIdOf(`observed:${SID}`), SID);
    assert.equal(observedSessionIdOf(SID), undefined);
    assert.equal(observedSessionIdOf('observed:'), undefined);
  });
});
