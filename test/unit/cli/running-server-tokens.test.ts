/**
 * firstAcceptedToken: the one "try each token" loop of agent run, tasks, bridge and hook.
 */
import assert from 'node:assert/strict';
import { firstAcceptedToken, TokenRefused, TokensRefusedError } from '../../../src/cli/running-server';
import type { TokenSource } from '../../../src/cli/token';

const token = (value: string, source: string): TokenSource => ({ token: value, source, created: false });
const found = { url: 'http://127.0.0.1:9', tokens: [token('stale', 'env:CODEX_GOVERNANCE_TOKEN'), token('good', '/data/token'), token('never', 'env:UNITARES_HTTP_API_TOKEN')] };

describe('firstAcceptedToken', () => {
  it('asks once per token until one is accepted, and never after it', async () => {
    const asked: string[] = [];
    const r = await firstAcceptedToken(found, (t) => {
      asked.push(t.token);
      return Promise.resolve(t.token === 'good' ? { client: t.token } : new TokenRefused('HTTP 401'));
    });
    assert.deepEqual(asked, ['stale', 'good']);
    assert.ok('value' in r);
    assert.equal(r.token.source, '/data/token');
    assert.deepEqual(r.value, { client: 'good' });
    // The happy path is one request.
    let calls = 0;
    await firstAcceptedToken({ url: found.url, tokens: [token('good', '/data/token')] }, () => Promise.resolve(++calls));
    assert.equal(calls, 1);
  });

  it('every token refused: the refusal names the server, each source in order and the last answer', async () => {
    const r = await firstAcceptedToken(found, (t) => Promise.resolve(new TokenRefused(`HTTP ${t.token === 'never' ? 403 : 401}`)));
    assert.ok('refused' in r);
    assert.ok(r.refused instanceof TokensRefusedError);
    assert.equal(r.refused.message, 'the governance server at http://127.0.0.1:9 refused every token (env:CODEX_GOVERNANCE_TOKEN, /data/token, env:UNITARES_HTTP_API_TOKEN): HTTP 403');
    assert.doesNotMatch(r.refused.message, /stale|good|never/, 'never a token itself');
  });

  it('a probe that throws (server down) ends the search with its error', async () => {
    const asked: string[] = [];
    const down = new Error('connect ECONNREFUSED');
    await assert.rejects(
      firstAcceptedToken(found, (t) => {
        asked.push(t.token);
        return Promise.reject(down);
      }),
      (err) => err === down,
    );
    assert.deepEqual(asked, ['stale']);
  });
});
