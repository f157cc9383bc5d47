import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'smol-toml';
import { codexMatrix } from '../../fakes/codex-processes';
import {
  codexTomlSnippet,
  connectionSnippets,
  curlHealthSnippet,
  MCP_JSON_TOKEN_INPUT_ID,
  vscodeMcpJsonSnippet,
} from '../../../src/vscode/snippets';

const run = promisify(execFile);
/** Every tested Codex (0.153.4, 0.169.0 and the current one) by version. */
const CODEX_BINARIES = Object.fromEntries(codexMatrix().map((c) => [c.version, c.path]));

describe('connection snippets', () => {
  const base = 'http://127.0.0.1:8765';

  it('Codex snippet is TOML with exactly one server table holding url, bearer_token_env_var and the approval mode', () => {
    const parsed: unknown = JSON.parse(JSON.stringify(parse(codexTomlSnippet(base))));
    assert.deepEqual(parsed, {
      mcp_servers: {
        'codex-governance': { url: 'http://127.0.0.1:8765/mcp', bearer_token_env_var: 'CODEX_GOVERNANCE_TOKEN', default_tools_approval_mode: 'approve' },
      },
    });
  });

  it('Codex snippet tells the user how to export the token, in comments only', () => {
    const text = codexTomlSnippet(base);
    const comments = text.split('\n').filter((l) => l.startsWith('#'));
    assert.ok(comments.some((l) => l.includes('export CODEX_GOVERNANCE_TOKEN=')), text);
  });

  it('accepts a base URL with a trailing slash without doubling it', () => {
    const parsed = parse(codexTomlSnippet('http://127.0.0.1:9000/')) as { mcp_servers: Record<string, { url: string }> };
    assert.equal(parsed.mcp_servers['codex-governance']?.url, 'http://127.0.0.1:9000/mcp');
    assert.match(curlHealthSnippet('http://127.0.0.1:9000/'), / http:\/\/127\.0\.0\.1:9000\/health\n$/);
  });

  for (const [version, bin] of Object.entries(CODEX_BINARIES)) {
    it(`real Codex ${version} reads the snippet as a streamable HTTP server with a bearer token env var`, async () => {
      const home = mkdtempSync(join(tmpdir(), 'cg-codex-home-'));
      try {
        writeFileSync(join(home, 'config.toml'), codexTomlSnippet('http://127.0.0.1:8799'));
        const { stdout } = await run(bin, ['mcp', 'get', 'codex-governance', '--json'], { env: { ...process.env, CODEX_HOME: home }, timeout: 20_000 });
        const entry = JSON.parse(stdout) as { enabled: boolean; transport: { type: string; url: string; bearer_token_env_var: string } };
        assert.equal(entry.enabled, true);
        assert.equal(entry.transport.type, 'streamable_http');
        assert.equal(entry.transport.url, 'http://127.0.0.1:8799/mcp');
        assert.equal(entry.transport.bearer_token_env_var, 'CODEX_GOVERNANCE_TOKEN');
      } finally {
        rmSync(home, { recursive: true, force: true });
      }
    });
  }

  it('mcp.json is valid JSON with an http server whose Authorization comes from a password input', () => {
    const config = JSON.parse(vscodeMcpJsonSnippet(base)) as {
      inputs: { type: string; id: string; password: boolean }[];
      servers: Record<string, { type: string; url: string; headers: Record<string, string> }>;
    };
    const server = config.servers['codex-governance'];
    assert.ok(server);
    assert.equal(server.type, 'http');
    assert.equal(server.url, 'http://127.0.0.1:8765/mcp');
    assert.equal(server.headers.Authorization, `Bearer \${input:${MCP_JSON_TOKEN_INPUT_ID}}`);
    const input = config.inputs.find((i) => i.id === MCP_JSON_TOKEN_INPUT_ID);
    assert.deepEqual({ type: input?.type, password: input?.password }, { type: 'promptString', password: true });
  });

  it('curl line reads the token from the environment, never inline', () => {
    assert.equal(curlHealthSnippet(base), 'curl -sS -H "Authorization: Bearer $CODEX_GOVERNANCE_TOKEN" http://127.0.0.1:8765/health\n');
  });

  it('lists the three snippets in quick-pick order', () => {
    assert.deepEqual(connectionSnippets(base).map((s) => s.kind), ['codex', 'vscode', 'curl']);
  });

  it('rejects a base URL that is not http(s), naming it', () => {
    assert.throws(() => codexTomlSnippet('ftp://127.0.0.1:1'), /ftp:\/\/127\.0\.0\.1:1.*http:\/\//);
    assert.throws(() => vscodeMcpJsonSnippet('not a url'), /"not a url" is not a valid URL/);
  });
});
