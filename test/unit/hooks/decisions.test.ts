import assert from 'node:assert/strict';
import { checkedDecision, codexHookOutput, MAX_REASON_CHARS, offlineDecision } from '../../../src/hooks/decisions';
import { agentIdForSession, HookEventError, parseHookEvent, toolCommand } from '../../../src/hooks/events';
import { classifyOrigin, originFromRolloutHead, readSessionOrigin } from '../../../src/hooks/source';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Payloads as Codex 0.171.0 wrote them to a logging hook (docs/codex-hooks.md).
const PRE = { session_id: '01a2342e-8d97-7741-b256-8fd814149664', turn_id: 't1', transcript_path: '/x/rollout.jsonl', cwd: '/w', hook_event_name: 'PreToolUse', model: 'gpt-5.5', permission_mode: 'default', tool_name: 'Bash', tool_input: { command: 'echo hi' }, tool_use_id: 'call_1' };
const PERMISSION = { session_id: 's', turn_id: 't1', transcript_path: null, cwd: '/w', hook_event_name: 'PermissionRequest', model: 'gpt-5.5', permission_mode: 'default', tool_name: 'Bash', tool_input: { command: 'echo hi > /tmp/x', description: 'need to write' } };

describe('Codex hook decisions (stdout format of Codex 0.153.4..0.171.0)', () => {
  it('PreToolUse: only a deny is written, in hookSpecificOutput with the reason', () => {
    assert.deepEqual(codexHookOutput('PreToolUse', { kind: 'deny', reason: 'paused' }), { hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: 'paused' } });
    assert.equal(codexHookOutput('PreToolUse', { kind: 'allow' }), undefined, 'Codex refuses permissionDecision allow');
    assert.equal(codexHookOutput('PreToolUse', { kind: 'none' }), undefined);
  });

  it('PermissionRequest: allow and deny with a message', () => {
    assert.deepEqual(codexHookOutput('PermissionRequest', { kind: 'allow' }), { hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: { behavior: 'allow' } } });
    assert.deepEqual(codexHookOutput('PermissionRequest', { kind: 'deny', reason: 'no' }), { hookSpecificOutput: { hookEventName: 'PermissionRequest', decision: { behavior: 'deny', message: 'no' } } });
  });

  it('record-only events never print a decision; long reasons are cut', () => {
    for (const e of ['PostToolUse', 'Stop', 'SessionStart', 'UserPromptSubmit', 'SomethingNew']) {
      assert.equal(codexHookOutput(e, { kind: 'deny', reason: 'x' }), undefined, e);
      assert.equal(codexHookOutput(e, { kind: 'allow' }), undefined, e);
    }
    const out = codexHookOutput('PreToolUse', { kind: 'deny', reason: 'r'.repeat(5000) }) as { hookSpecificOutput: { permissionDecisionReason: string } };
    assert.equal(out.hookSpecificOutput.permissionDecisionReason.length, MAX_REASON_CHARS);
  });

  it('a server answer is checked: an allow only counts for PermissionRequest, malformed = none', () => {
    assert.deepEqual(checkedDecision('PermissionRequest', { kind: 'allow' }), { kind: 'allow' });
    assert.deepEqual(checkedDecision('PreToolUse', { kind: 'allow' }), { kind: 'none' });
    assert.deepEqual(checkedDecision('PostToolUse', { kind: 'deny', reason: 'x' }), { kind: 'none' });
    assert.deepEqual(checkedDecision('PreToolUse', { kind: 'deny' }), { kind: 'none' }, 'a deny without a reason is malformed');
    assert.deepEqual(checkedDecision('PreToolUse', { kind: 'deny', reason: 'paused' }), { kind: 'deny', reason: 'paused' });
    for (const bad of [null, 'allow', 1, [], { kind: 'ALLOW' }]) assert.deepEqual(checkedDecision('PermissionRequest', bad), { kind: 'none' });
  });

  it('offline: defer gives no decision, deny blocks only the events that can block', () => {
    assert.deepEqual(offlineDecision('PermissionRequest', 'defer', 'down'), { kind: 'none' });
    assert.deepEqual(offlineDecision('PreToolUse', 'defer', 'down'), { kind: 'none' });
    const d = offlineDecision('PreToolUse', 'deny', 'server down');
    assert.equal(d.kind, 'deny');
    assert.match((d as { reason: string }).reason, /server down.*codexGovernance\.hooks\.offline is "deny"/);
    assert.equal(offlineDecision('PermissionRequest', 'deny', 'x').kind, 'deny');
    assert.deepEqual(offlineDecision('PostToolUse', 'deny', 'x'), { kind: 'none' });
  });
});

describe('Codex hook events', () => {
  it('parses the observed payloads', () => {
    assert.equal(parseHookEvent(PRE).tool_name, 'Bash');
    assert.equal(toolCommand(parseHookEvent(PERMISSION)), 'echo hi > /tmp/x');
  });

  it('names the field of a bad event', () => {
    const field = (v: unknown) => {
      try {
        parseHookEvent(v);
        return 'none';
      } catch (err) {
        assert.ok(err instanceof HookEventError);
        return err.field;
      }
    };
    assert.equal(field([]), '(event)');
    assert.equal(field({ hook_event_name: 'Stop' }), 'session_id');
    assert.equal(field({ session_id: 's' }), 'hook_event_name');
    assert.equal(field({ session_id: 's', hook_event_name: 'x'.repeat(201) }), 'hook_event_name');
    assert.equal(field({ ...PRE, cwd: 3 }), 'cwd');
    assert.equal(field({ ...PRE, tool_input: 'echo' }), 'tool_input');
    assert.equal(field({ ...PRE, transcript_path: 1 }), 'transcript_path');
  });

  it('derives a stable agent id that differs for sessions started in the same minute', () => {
    const a = agentIdForSession('01a2342e-8d97-7741-b256-8fd814149664');
    assert.match(a, /^codex-[0-9a-f]{8}$/);
    assert.equal(agentIdForSession('01a2342e-8d97-7741-b256-8fd814149664'), a);
    assert.notEqual(agentIdForSession('01a2342e-8d97-7741-b256-8fd814149665'), a);
  });
});

describe('Observed session origin (rollout session_meta)', () => {
  it('classifies the originators Codex writes', () => {
    assert.equal(classifyOrigin('codex_exec', 'exec'), 'codex-exec');
    assert.equal(classifyOrigin('codex_cli_rs', 'cli'), 'codex-cli');
    assert.equal(classifyOrigin('codex_vscode', 'vscode'), 'codex-ide');
    assert.equal(classifyOrigin('codex-governance', 'vscode'), 'ours');
    assert.equal(classifyOrigin('some-client', 'vscode'), 'app-server');
    assert.equal(classifyOrigin(undefined, undefined), 'unknown');
  });

  it('reads originator and version from the first line only, and never throws', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cg-rollout-'));
    try {
      const file = join(dir, 'rollout-x.jsonl');
      // The first line as Codex 0.171.0 wrote it for `codex exec` (abridged base_instructions).
      writeFileSync(file, `{"timestamp":"2026-12-02T00:32:49.043Z","ordinal":0,"type":"session_meta","payload":{"session_id":"s","cwd":"/w","originator":"codex_exec","cli_version":"0.171.0","source":"exec","base_instructions":{"text":"${'x'.repeat(30000)}"}}}\n{"type":"event","payload":{"originator":"codex_cli_rs"}}\n`);
      assert.deepEqual(await readSessionOrigin(file), { source: 'codex-exec', originator: 'codex_exec', codexVersion: '0.171.0' });
      assert.deepEqual(await readSessionOrigin(join(dir, 'missing.jsonl')), { source: 'unknown' });
      assert.deepEqual(await readSessionOrigin('/etc/passwd'), { source: 'unknown' }, 'only .jsonl files are opened');
      assert.deepEqual(await readSessionOrigin(null), { source: 'unknown' });
      assert.deepEqual(originFromRolloutHead('{"type":"event","payload":{"originator":"codex_exec"}}'), { source: 'unknown' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
