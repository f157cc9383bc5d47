import assert from 'node:assert/strict';
import {
  acceptedApprovalPolicies,
  approvalPolicyRefusal,
  GOVERNED_HOOK_EVENTS,
  HOOK_EVENT_SINCE,
  HOOKS_MIN_VERSION,
  hookSupport,
} from '../../../src/supervisor/capabilities';
import { compareVersions } from '../../../src/supervisor/locate';

describe('supervisor/capabilities: approval policies by backend', () => {
  it('offers untrusted only on the app-server backend, whatever its version', () => {
    for (const version of ['0.153.4', '0.169.0', '0.171.0']) assert.deepEqual(acceptedApprovalPolicies({ backend: 'app-server', version }), ['untrusted', 'on-request', 'never']);
    assert.deepEqual(acceptedApprovalPolicies({ backend: 'mcp-server', version: '0.153.4' }), ['on-request', 'never']);
  });

  it('names the version, the backend and the accepted values in a refusal', () => {
    assert.equal(approvalPolicyRefusal('untrusted', { backend: 'mcp-server', version: '0.153.4' }), '"untrusted" is not accepted by Codex 0.153.4 (mcp-server backend); use one of on-request, never.');
  });
});

describe('supervisor/capabilities: hookSupport(version)', () => {
  it('supports every governed event in each tested Codex (0.153.4, 0.169.0, 0.171.0) and from 0.124.0 on', () => {
    for (const version of ['0.124.0', '0.153.4', '0.169.0', '0.171.0', '1.0.0']) {
      const s = hookSupport(version);
      assert.equal(s.supported, true, version);
      assert.deepEqual(s.events, ['SessionStart', 'PreToolUse', 'PermissionRequest', 'PostToolUse', 'Stop']);
      assert.deepEqual(s.present, s.events);
      assert.equal(s.message, undefined);
    }
  });

  it('is unsupported before 0.124.0 (pre-releases of 0.124.0 included), with a message naming the version and the fix', () => {
    for (const version of ['0.123.9', '0.124.0-alpha.1', '0.100.0']) {
      const s = hookSupport(version);
      assert.equal(s.supported, false, version);
      assert.deepEqual(s.events, []);
      const message = s.message ?? '';
      assert.ok(message.includes(`Codex ${version} `), message);
      assert.ok(message.includes(`need Codex ${HOOKS_MIN_VERSION} or newer`), message);
      assert.match(message, /npm install -g @openai\/codex@latest/);
      assert.match(message, /the codex tool/);
    }
  });

  it('lists the experimental events an older Codex already had, by the version each appeared in', () => {
    assert.deepEqual(hookSupport('0.113.0').present, []);
    assert.match(hookSupport('0.113.0').message ?? '', /has no lifecycle hooks/);
    assert.deepEqual(hookSupport('0.114.0').present, ['SessionStart', 'Stop']);
    assert.deepEqual(hookSupport('0.118.0').present, ['SessionStart', 'PreToolUse', 'PostToolUse', 'Stop']);
    const s = hookSupport('0.122.0');
    assert.deepEqual(s.present, [...GOVERNED_HOOK_EVENTS]);
    assert.equal(s.supported, false);
    assert.match(s.message ?? '', /experimental hooks \(SessionStart, PreToolUse, PermissionRequest, PostToolUse, Stop; off unless \[features\] codex_hooks/);
  });

  it('fails closed on a version it cannot read, without throwing', () => {
    const s = hookSupport('codex-cli dev');
    assert.equal(s.supported, false);
    assert.deepEqual(s.events, []);
    assert.match(s.message ?? '', /Cannot tell whether Codex "codex-cli dev" has lifecycle hooks.*0\.124\.0/);
  });

  it('has no event newer than the supported floor', () => {
    for (const e of GOVERNED_HOOK_EVENTS) assert.ok(compareVersions(HOOK_EVENT_SINCE[e], HOOKS_MIN_VERSION) <= 0, e);
  });
});
