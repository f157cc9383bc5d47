import assert from 'node:assert/strict';
import { presentStatus, urlOf } from '../../../src/vscode/server-state';

describe('status bar presentation', () => {
  it('shows the host and port while running', () => {
    const p = presentStatus({ kind: 'running', url: 'http://127.0.0.1:8765', port: 8765 });
    assert.equal(p.text, '$(shield) Governance: 127.0.0.1:8765');
    assert.match(p.tooltip, /running at http:\/\/127\.0\.0\.1:8765/);
    assert.equal(p.isError, false);
  });

  it('says stopped, and names the busy port on a port conflict', () => {
    assert.equal(presentStatus({ kind: 'stopped' }).text, '$(circle-slash) Governance stopped');
    const p = presentStatus({ kind: 'error', reason: 'port-in-use', port: 9100, message: 'Port 9100 on 127.0.0.1 is already in use.' });
    assert.equal(p.text, '$(error) Governance: port 9100 in use');
    assert.match(p.tooltip, /Port 9100 on 127\.0\.0\.1 is already in use/);
    assert.equal(p.isError, true);
  });

  it('marks a server run by another window and gives its URL to agents', () => {
    const state = { kind: 'external', url: 'http://127.0.0.1:8765', port: 8765 } as const;
    assert.match(presentStatus(state).text, /127\.0\.0\.1:8765 \(other window\)$/);
    assert.equal(urlOf(state), 'http://127.0.0.1:8765');
    assert.equal(urlOf({ kind: 'stopped' }), undefined);
  });
});
