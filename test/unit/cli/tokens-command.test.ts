/** `codex-governance tokens create|list|revoke` against a temp data directory (the real SQLite store). */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTokensCommand } from '../../../src/cli/tokens';
import { sha256Hex, parseToken } from '../../../src/auth/token-format';
import { openStore } from '../../../src/store/store';

describe('codex-governance tokens', () => {
  let dir: string;
  const NOW = Date.UTC(2026, 11, 1, 12);
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'cg-tokens-cli-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const code = await runTokensCommand(args, { stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t) }, env: {}, defaultDataDir: join(dir, 'default'), now: () => NOW });
    return { code, out, err };
  }

  it('create prints the token once, stores only its hash; list shows no secret; revoke marks it and says so again', async () => {
    const created = await run('create', '--agent', 'alice', '--expires', '30d', '--data-dir', dir);
    assert.equal(created.code, 0, created.err);
    const token = created.out.trim();
    const parsed = parseToken(token)!;
    assert.ok(parsed, `one token line: ${created.out}`);
    assert.match(created.err, new RegExp(`Created token ${parsed.id} for agent "alice", expires 2026-12-31T12:00:00.000Z`));
    const admin = await run('create', '--admin', '--data-dir', dir);
    assert.equal(admin.code, 0);
    assert.match(admin.err, /Created admin token [0-9a-f]{12}, never expires/);

    const store = await openStore(dir);
    const row = (await store.tokens.get(parsed.id))!;
    await store.close();
    assert.equal(row.secretSha256, sha256Hex(parsed.secret));
    assert.equal(row.agentId, 'alice');

    const listed = await run('list', '--data-dir', dir);
    assert.equal(listed.code, 0);
    assert.match(listed.out, /^ID\s+AGENT\s+CREATED\s+EXPIRES\s+REVOKED\s+LAST USED$/m);
    assert.match(listed.out, new RegExp(`^${parsed.id}\\s+alice\\s+2026-12-01T12:00:00.000Z\\s+2026-12-31T12:00:00.000Z\\s+-\\s+-$`, 'm'));
    assert.match(listed.out, /\* \(admin\)\s+.*never/);
    assert.doesNotMatch(listed.out, new RegExp(parsed.secret));
    const json = await run('list', '--json', '--data-dir', dir);
    assert.doesNotMatch(json.out, /secret|sha256/i);
    assert.equal((JSON.parse(json.out) as { tokens: unknown[] }).tokens.length, 2);

    const revoked = await run('revoke', parsed.id, '--data-dir', dir);
    assert.equal(revoked.code, 0);
    assert.match(revoked.out, new RegExp(`Revoked token ${parsed.id} \\(agent "alice"\\) at 2026-12-01T12:00:00.000Z`));
    assert.match((await run('revoke', parsed.id, '--data-dir', dir)).out, /was already revoked at 2026-12-01T12:00:00.000Z/);
    assert.match((await run('list', '--data-dir', dir)).out, new RegExp(`^${parsed.id}\\s+alice\\s+\\S+\\s+\\S+\\s+2026-12-01T12:00:00.000Z`, 'm'));
  });

  it('usage errors exit 2 naming the fix; an unknown id exits 1', async () => {
    const noAgent = await run('create', '--data-dir', dir);
    assert.equal(noAgent.code, 2);
    assert.match(noAgent.err, /needs --agent NAME/);
    const badExpiry = await run('create', '--agent', 'a', '--expires', 'tomorrow', '--data-dir', dir);
    assert.equal(badExpiry.code, 2);
    assert.match(badExpiry.err, /--expires "tomorrow" is neither a duration/);
    assert.equal((await run('create', '--agent', 'a', '--expires', '2020-01-01', '--data-dir', dir)).code, 2);
    assert.match((await run('revoke', 'nope', '--data-dir', dir)).err, /"nope" is not a token id/);
    const unknown = await run('revoke', 'aaaaaaaaaaaa', '--data-dir', dir);
    assert.equal(unknown.code, 1);
    assert.match(unknown.err, /No token aaaaaaaaaaaa in this store/);
    assert.equal((await run('list', '--agent', 'x', '--data-dir', dir)).code, 2);
    assert.equal((await run('frobnicate')).code, 2);
    const bad = await run('list', '--database', 'mysql://x');
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--database must be a PostgreSQL URL/);
  });
});
