import assert from 'node:assert/strict';
import { readServerSettings, SettingsError } from '../../../src/vscode/settings';

const getter = (values: Record<string, unknown>) => (key: string) => values[key];

describe('server settings', () => {
  it('uses the documented defaults when nothing is set', () => {
    assert.deepEqual(readServerSettings(getter({})), {
      port: 8765,
      autoStart: true,
      rateLimitPerMinute: 100,
      rateLimitPerTokenPerMinute: 1000,
      maxMcpSessions: 64,
      codex: { backend: 'auto', maxSessions: 10, sessionIdleTimeoutMs: 300_000, toolTimeoutMs: 600_000 },
      dialectic: { autoReviewOnPause: true },
      agents: { prices: {} },
    });
  });

  it('returns the configured values', () => {
    assert.deepEqual(
      readServerSettings(
        getter({
          'server.port': 0,
          'server.autoStart': false,
          'server.rateLimitPerMinute': 5,
          'server.rateLimitPerTokenPerMinute': 20,
          'server.maxMcpSessions': 3,
          'codex.path': ' /opt/codex/bin/codex ',
          'codex.backend': 'mcp-server',
          'codex.maxSessions': 3,
          'codex.sessionTimeoutSeconds': 60,
          'codex.toolTimeoutSeconds': 30,
          'dialectic.autoReviewOnPause': false,
          'agents.prices': { 'gpt-4.1': { input: 2, output: 8, cached_input: 0.5 }, 'local-model': { input: 0, output: 0 } },
        }),
      ),
      {
        port: 0,
        autoStart: false,
        rateLimitPerMinute: 5,
        rateLimitPerTokenPerMinute: 20,
        maxMcpSessions: 3,
        codex: { codexPath: '/opt/codex/bin/codex', backend: 'mcp-server', maxSessions: 3, sessionIdleTimeoutMs: 60_000, toolTimeoutMs: 30_000 },
        dialectic: { autoReviewOnPause: false },
        agents: { prices: { 'gpt-4.1': { input: 2, output: 8, cached_input: 0.5 }, 'local-model': { input: 0, output: 0 } } },
      },
    );
  });

  it('refuses a non-boolean dialectic.autoReviewOnPause, naming the setting', () => {
    assert.throws(() => readServerSettings(getter({ 'dialectic.autoReviewOnPause': 'yes' })), (e: unknown) => e instanceof SettingsError && e.setting === 'codexGovernance.dialectic.autoReviewOnPause' && /must be true or false/.test(e.message));
  });

  it('refuses a price table it cannot use, naming the setting, the model and the key', () => {
    const setting = (e: unknown) => e instanceof SettingsError && e.setting === 'codexGovernance.agents.prices';
    assert.throws(() => readServerSettings(getter({ 'agents.prices': [] })), (e: unknown) => setting(e) && /Setting codexGovernance\.agents\.prices: the price table must be an object/.test((e as Error).message));
    assert.throws(() => readServerSettings(getter({ 'agents.prices': { 'gpt-4.1': { input: 2 } } })), (e: unknown) => setting(e) && /"gpt-4\.1" needs both input and output/.test((e as Error).message));
    assert.throws(() => readServerSettings(getter({ 'agents.prices': { 'gpt-4.1': { input: -1, output: 8 } } })), (e: unknown) => setting(e) && /"gpt-4\.1"\.input must be a number >= 0/.test((e as Error).message));
    assert.throws(() => readServerSettings(getter({ 'agents.prices': { 'gpt-4.1': { input: 1, output: 8, cache: 1 } } })), (e: unknown) => setting(e) && /"gpt-4\.1"\.cache is not a price key/.test((e as Error).message));
  });

  it('rejects Codex settings the supervisor cannot use, naming the setting', () => {
    assert.throws(() => readServerSettings(getter({ 'codex.backend': 'exec' })), /codexGovernance\.codex\.backend.*auto, mcp-server or app-server/);
    assert.throws(() => readServerSettings(getter({ 'codex.maxSessions': 0 })), /codexGovernance\.codex\.maxSessions/);
    assert.throws(() => readServerSettings(getter({ 'codex.toolTimeoutSeconds': 1.5 })), /codexGovernance\.codex\.toolTimeoutSeconds/);
  });

  for (const bad of [-1, 65536, 80.5, '8765', null]) {
    it(`refuses port ${JSON.stringify(bad)} and names the setting`, () => {
      assert.throws(
        () => readServerSettings(getter({ 'server.port': bad })),
        (err: unknown) => err instanceof SettingsError && err.setting === 'codexGovernance.server.port' && /0 to 65535/.test(err.message),
      );
    });
  }

  it('derives the per-token rate from the per-agent one when left at 0', () => {
    assert.equal(readServerSettings(getter({ 'server.rateLimitPerMinute': 7, 'server.rateLimitPerTokenPerMinute': 0 })).rateLimitPerTokenPerMinute, 70);
  });

  it('refuses a negative per-token rate and an MCP session cap below 1, naming the setting', () => {
    assert.throws(() => readServerSettings(getter({ 'server.rateLimitPerTokenPerMinute': -1 })), /codexGovernance\.server\.rateLimitPerTokenPerMinute is -1/);
    assert.throws(() => readServerSettings(getter({ 'server.maxMcpSessions': 0 })), /codexGovernance\.server\.maxMcpSessions is 0/);
  });

  it('refuses a rate limit below 1 and a non-boolean autoStart', () => {
    assert.throws(() => readServerSettings(getter({ 'server.rateLimitPerMinute': 0 })), /codexGovernance\.server\.rateLimitPerMinute is 0/);
    assert.throws(() => readServerSettings(getter({ 'server.autoStart': 'yes' })), /codexGovernance\.server\.autoStart is "yes"/);
  });
});
