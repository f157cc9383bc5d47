import assert from 'node:assert/strict';
import { parseDashboardPageMessage, parseDashboardSelection } from '../../../src/webviews/agent-dashboard/schema';
import { parseApprovalsPageMessage, parseHistoryFilters } from '../../../src/webviews/approvals/schema';
import { parseGraphFilters, parseKgPageMessage } from '../../../src/webviews/knowledge-graph/schema';
import { type ServerForm } from '../../../src/webviews/mcp-settings/protocol';
import { parseMcpPageMessage } from '../../../src/webviews/mcp-settings/schema';
import { parseSessionPageMessage } from '../../../src/webviews/session/schema';
import { withoutZodLocale } from './without-zod-locale';

const form: ServerForm = {
  name: 'docs',
  transport: 'stdio',
  command: 'npx',
  args: ['-y', 'docs-server'],
  env: [{ key: 'TOKEN' }],
  env_vars: [],
  cwd: '',
  url: '',
  bearer_token_env_var: '',
  http_headers: [],
  env_http_headers: [],
  startup_timeout_sec: '',
  tool_timeout_sec: '20',
  enabled: true,
  enabled_tools: null,
  disabled_tools: ['delete'],
};

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  assert.fail('expected the message to be rejected');
}

describe('webview protocols: page messages (zod/mini)', () => {
  it('errors read in English and name the field even with no zod locale loaded (as in the extension bundle)', () => {
    withoutZodLocale(() => {
      assert.equal(
        message(() => parseKgPageMessage({ type: 'search', filters: { query: 'q'.repeat(1001) } })),
        'Knowledge graph panel: invalid message from the page (filters.query: Too big: expected string to have <=1000 characters).',
      );
      assert.equal(
        message(() => parseApprovalsPageMessage({ type: 'answer', id: 'a1', decision: 'maybe' })),
        'Approvals panel: invalid message from the page (decision: Invalid option: expected one of "allow_once"|"allow_session"|"deny").',
      );
      assert.equal(
        message(() => parseDashboardPageMessage({ type: 'select', agentIds: Array(9).fill('a') })),
        'Agent dashboard panel: invalid message from the page (agentIds: Too big: expected array to have <=8 items).',
      );
      assert.equal(
        message(() => parseMcpPageMessage({ type: 'remove', seq: 1.5, file: 'f', name: 'docs' })),
        'MCP servers settings panel: invalid message from the page (seq: Invalid input: expected int, received number).',
      );
      assert.equal(
        message(() => parseSessionPageMessage({ type: 'cancel', now: true })),
        'Session panel: invalid message from the page ((message): Unrecognized key: "now").',
      );
      assert.equal(message(() => parseKgPageMessage(null)), 'Knowledge graph panel: invalid message from the page ((message): Invalid input: expected object, received null).');
    });
  });

  it('a schema\'s own message wins over the English default', () => {
    withoutZodLocale(() => assert.match(message(() => parseSessionPageMessage({ type: 'reply', prompt: ' \n ' })), /\(prompt: type a prompt first\)/));
  });

  it('lists every offending field of one message', () => {
    const text = message(() =>
      parseMcpPageMessage({ type: 'save', seq: 2, file: '', originalName: 'docs', form: { ...form, transport: 'sse', env: [{ key: 'TOKEN', value: 1 }], extra: true } }),
    );
    assert.match(text, /file: Too small: expected string to have >=1 characters/);
    assert.match(text, /form\.transport: Invalid option/);
    assert.match(text, /form\.env\.0\.value: Invalid input: expected string, received number/);
    assert.match(text, /form: Unrecognized key: "extra"/);
  });

  it('fills defaults, trims the prompt and keeps nulls the way the host expects', () => {
    assert.deepEqual(parseGraphFilters(undefined), { query: '' });
    assert.deepEqual(parseKgPageMessage({ type: 'ready', filters: { tag: 'cache' } }), { type: 'ready', filters: { query: '', tag: 'cache' } });
    assert.deepEqual(parseSessionPageMessage({ type: 'reply', prompt: '  run the tests \n' }), { type: 'reply', prompt: 'run the tests' });
    const saved = parseMcpPageMessage({ type: 'save', seq: 3, file: '/home/u/.codex/config.toml', originalName: null, form });
    assert.deepEqual(saved, { type: 'save', seq: 3, file: '/home/u/.codex/config.toml', originalName: null, form });
    assert.deepEqual(parseDashboardSelection({ agentIds: ['alice', 'bob'] }), { agentIds: ['alice', 'bob'] });
    assert.deepEqual(parseHistoryFilters({ outcome: 'denied', risk: 'high' }), { outcome: 'denied', risk: 'high' });
  });

  it('rejects counts that are not whole non-negative numbers', () => {
    assert.throws(() => parseDashboardPageMessage({ type: 'rendered', agentIds: ['a'], points: 2.5 }), /points: Invalid input: expected int/);
    assert.throws(() => parseApprovalsPageMessage({ type: 'rendered', pending: -1, history: 0, filters: {} }), /pending: Too small: expected number to be >=0/);
    assert.throws(() => parseKgPageMessage({ type: 'rendered', nodes: 3, ms: -0.5 }), /ms: Too small/);
    assert.deepEqual(parseKgPageMessage({ type: 'rendered', nodes: 3, ms: 12.5 }), { type: 'rendered', nodes: 3, ms: 12.5 });
  });
});
