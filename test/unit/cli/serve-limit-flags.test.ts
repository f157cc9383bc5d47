import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/cli/cli';
import { startGovernanceServer } from '../../../src/server/server';

describe('limit flags and options', () => {
  let dataDir: string;
  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'cg-limit-flags-'));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('serve refuses unusable --rate-limit-per-token and --max-mcp-sessions values, naming the flag', async () => {
    const env = { CODEX_GOVERNANCE_DATA_DIR: dataDir };
    await assert.rejects(main(['serve', '--port', '0', '--rate-limit-per-token', '0'], env), /--rate-limit-per-token must be a positive number of requests per minute, got "0"/);
    await assert.rejects(main(['serve', '--port', '0', '--rate-limit-per-token', 'lots'], env), /--rate-limit-per-token/);
    await assert.rejects(main(['serve', '--port', '0', '--max-mcp-sessions', '2.5'], env), /--max-mcp-sessions must be an integer of at least 1, got "2.5"/);
    await assert.rejects(main(['serve', '--port', '0', '--max-mcp-sessions', '0'], env), /--max-mcp-sessions/);
  });

  it('startGovernanceServer refuses unusable limits before touching the data directory, naming the setting', async () => {
    const base = { port: 0, dataDir: join(dataDir, 'never-created'), token: 'limit-flags-token-0123456789' };
    await assert.rejects(startGovernanceServer({ ...base, rateLimitPerTokenPerMinute: -5 }), /rateLimitPerTokenPerMinute is -5.*codexGovernance\.server\.rateLimitPerTokenPerMinute, --rate-limit-per-token/);
    await assert.rejects(startGovernanceServer({ ...base, maxMcpSessions: 0 }), /maxMcpSessions is 0.*codexGovernance\.server\.maxMcpSessions, --max-mcp-sessions/);
    await assert.rejects(startGovernanceServer({ ...base, mcpSessionIdleMs: 0 }), /mcpSessionIdleMs is 0/);
  });
});
