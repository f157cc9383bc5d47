import assert from 'node:assert/strict';
import { serverMenuRows } from '../../../src/vscode/status-menu';

const labels = (rows: ReturnType<typeof serverMenuRows>) => rows.map((r) => (r.separator ? `-- ${r.label}` : r.label.replace(/^\$\([^)]*\) /, '')));

describe('status bar menu rows', () => {
  it('running: shortcuts first, Stop Server last after a separator (an Enter on the menu stops nothing)', () => {
    const rows = serverMenuRows({ kind: 'running', url: 'http://127.0.0.1:8765', port: 8765 });
    assert.deepEqual(labels(rows), [
      'Show Sessions',
      'Show Approvals',
      'Open MCP Servers Settings',
      'Copy MCP Connection Config...',
      'Copy Server Token',
      'Show Logs',
      '-- Server',
      'Restart Server',
      'Stop Server',
    ]);
    assert.equal(rows.at(-1)?.action, 'stop');
  });

  it('stopped or failed: Start Server first; a port in use offers another port; no Stop or Restart', () => {
    assert.equal(labels(serverMenuRows({ kind: 'stopped' }))[0], 'Start Server');
    const failed = labels(serverMenuRows({ kind: 'error', reason: 'port-in-use', message: 'in use', port: 8765 }));
    assert.deepEqual(failed.slice(0, 3), ['Start Server', 'Use Another Port...', 'Show Sessions']);
    assert.ok(!failed.includes('Stop Server') && !failed.includes('Restart Server'));
  });

  it('failed on the team database: Start Server, then the database setting and its password', () => {
    const rows = serverMenuRows({ kind: 'error', reason: 'database', message: 'The team database postgres://gov@db/g refused the login' });
    assert.deepEqual(labels(rows).slice(0, 4), ['Start Server', 'Open Database Setting', 'Set Database Password...', 'Show Sessions']);
    assert.deepEqual(rows.slice(1, 3).map((r) => r.action), ['openDatabaseSetting', 'setDatabasePassword']);
  });

  it("another window's server and a starting one: only the shortcuts", () => {
    for (const state of [{ kind: 'external', url: 'http://127.0.0.1:9', port: 9 }, { kind: 'starting', port: 9 }] as const) {
      const rows = labels(serverMenuRows(state));
      assert.equal(rows[0], 'Show Sessions');
      assert.ok(!rows.some((r) => /Start|Stop|Restart/.test(r)), rows.join());
    }
  });

  it('shows how many approvals wait beside Show Approvals', () => {
    const row = serverMenuRows({ kind: 'stopped' }, 2).find((r) => r.action === 'showApprovals');
    assert.equal(row?.description, '2 waiting');
  });
});
