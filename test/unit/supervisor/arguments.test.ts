import assert from 'node:assert/strict';
import { canonicalSandbox, threadSettingsFrom } from '../../../src/supervisor/arguments';
import { codexOptionsFromEnv } from '../../../src/supervisor/options';

describe('codex tool arguments -> thread settings', () => {
  it('keeps Codex\'s own argument names', () => {
    assert.deepEqual(
      threadSettingsFrom({
        prompt: 'p',
        cwd: '/w',
        sandbox: 'workspace-write',
        'approval-policy': 'on-request',
        model: 'm',
        'base-instructions': 'b',
        'developer-instructions': 'd',
        'compact-prompt': 'c',
        config: { model_provider: 'x' },
      }),
      { cwd: '/w', sandbox: 'workspace-write', approvalPolicy: 'on-request', model: 'm', baseInstructions: 'b', developerInstructions: 'd', compactPrompt: 'c', config: { model_provider: 'x' } },
    );
  });

  it('maps the seed aliases: isolated, full-access, full_auto, reasoning_effort, verbosity', () => {
    assert.equal(canonicalSandbox('isolated'), 'workspace-write');
    assert.equal(canonicalSandbox('full-access'), 'danger-full-access');
    assert.equal(canonicalSandbox('read-only'), 'read-only');
    assert.deepEqual(threadSettingsFrom({ prompt: 'p', sandbox: 'full-access', full_auto: true, reasoning_effort: 'high', verbosity: 'low' }), {
      sandbox: 'danger-full-access',
      approvalPolicy: 'never',
      config: { model_reasoning_effort: 'high', model_verbosity: 'low' },
    });
  });

  it('an explicit approval-policy beats full_auto, and an explicit config key beats its alias', () => {
    const s = threadSettingsFrom({ prompt: 'p', full_auto: true, 'approval-policy': 'on-request', reasoning_effort: 'low', config: { model_reasoning_effort: 'medium' } });
    assert.equal(s.approvalPolicy, 'on-request');
    assert.deepEqual(s.config, { model_reasoning_effort: 'medium' });
  });

  it('leaves everything unset when only a prompt is given (Codex defaults apply)', () => {
    assert.deepEqual(threadSettingsFrom({ prompt: 'p' }), {});
  });
});

describe('supervisor settings from the environment', () => {
  it('reads path, backend, limits and timeouts', () => {
    assert.deepEqual(
      codexOptionsFromEnv({
        CODEX_GOVERNANCE_CODEX_PATH: ' /opt/codex ',
        CODEX_GOVERNANCE_CODEX_BACKEND: 'app-server',
        CODEX_GOVERNANCE_CODEX_MAX_SESSIONS: '3',
        CODEX_GOVERNANCE_CODEX_TOOL_TIMEOUT_MS: '1000',
        CODEX_GOVERNANCE_CODEX_SESSION_TIMEOUT_MS: '2000',
      }),
      { codexPath: '/opt/codex', backend: 'app-server', maxSessions: 3, toolTimeoutMs: 1000, sessionIdleTimeoutMs: 2000 },
    );
    assert.deepEqual(codexOptionsFromEnv({ CODEX_GOVERNANCE_CODEX_PATH: '', CODEX_GOVERNANCE_CODEX_MAX_SESSIONS: ' ' }), {});
  });

  it('refuses malformed values, naming the variable and the fix', () => {
    assert.throws(() => codexOptionsFromEnv({ CODEX_GOVERNANCE_CODEX_BACKEND: 'exec' }), /CODEX_GOVERNANCE_CODEX_BACKEND="exec" is not valid: use auto, mcp-server or app-server/);
    assert.throws(() => codexOptionsFromEnv({ CODEX_GOVERNANCE_CODEX_MAX_SESSIONS: '0' }), /CODEX_GOVERNANCE_CODEX_MAX_SESSIONS="0" is not valid: use a whole number >= 1/);
    assert.throws(() => codexOptionsFromEnv({ CODEX_GOVERNANCE_CODEX_TOOL_TIMEOUT_MS: '1.5' }), /TOOL_TIMEOUT_MS="1.5"/);
  });
});
