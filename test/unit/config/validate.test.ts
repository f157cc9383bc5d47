/**
 * Our verdicts on the bad/edge corpora (the same files the e2e parity test gives the real Codex).
 * Each bad file's first line says which key the message must name: `# expect-error: KEY`.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { analyzeConfigText, validateServer } from '../../../src/config';
import { fixture, FIXTURES } from './helpers';

function expectation(text: string, tag: string): string {
  const m = new RegExp(`^# ${tag}: (.+)$`, 'm').exec(text);
  assert.ok(m?.[1], `fixture lacks "# ${tag}:"`);
  return m[1].trim();
}

function files(dir: string): string[] {
  return readdirSync(path.join(FIXTURES, dir)).filter((f) => f.endsWith('.toml'));
}

describe('config validation (Codex verdicts)', () => {
  describe('files Codex rejects', () => {
    for (const file of files('bad')) {
      it(`rejects ${file} and names the key`, () => {
        const text = fixture(`bad/${file}`);
        const key = expectation(text, 'expect-error');
        const result = analyzeConfigText(text, `/x/${file}`);
        const errors = result.issues.filter((i) => i.severity === 'error');
        assert.ok(errors.length > 0, 'no error reported');
        if (key === '@syntax') {
          assert.ok(result.parseError, 'expected a TOML syntax error');
          assert.ok(result.parseError.line > 1 && result.parseError.column >= 1);
          assert.match(errors[0]?.message ?? '', new RegExp(`/x/${file}:${result.parseError.line}:${result.parseError.column}: `));
          return;
        }
        const hit = errors.find((i) => i.key === key);
        assert.ok(hit, `no error for ${key}; got ${errors.map((e) => e.key).join(', ')}`);
        assert.ok(hit.message.startsWith(`${key}: `), hit.message);
        assert.match(hit.message, /Fix: /);
        assert.ok(hit.codexMessage && hit.message.includes(hit.codexMessage));
        assert.ok(hit.line !== undefined && hit.line >= 2, `no line for ${key}`);
      });
    }
  });

  describe('files Codex accepts only without --strict-config', () => {
    for (const file of files('strict-bad')) {
      it(`warns on ${file}, and rejects it in strict mode`, () => {
        const text = fixture(`strict-bad/${file}`);
        const key = expectation(text, 'expect-strict-error');
        const loose = analyzeConfigText(text, file);
        assert.deepEqual(loose.issues.filter((i) => i.severity === 'error'), []);
        assert.ok(loose.issues.some((i) => i.severity === 'warning' && i.key === key));
        const strict = analyzeConfigText(text, file, { strict: true });
        const hit = strict.issues.find((i) => i.severity === 'error' && i.key === key);
        assert.ok(hit, `strict mode did not reject ${key}`);
        assert.match(hit.codexMessage ?? '', new RegExp(`unknown configuration field \`${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\``));
      });
    }
  });

  describe('unusual files Codex accepts', () => {
    for (const file of files('edge-ok')) {
      it(`accepts ${file}`, () => {
        const result = analyzeConfigText(fixture(`edge-ok/${file}`), file);
        assert.deepEqual(
          result.issues.filter((i) => i.severity === 'error').map((i) => i.message),
          [],
        );
      });
    }
  });

  it('reports every problem of a table, not only the first', () => {
    const issues = validateServer('s', { command: 'x', url: 'http://a', enabled: 'yes', startup_timeout_sec: 'abc' });
    // Type errors come first (Codex stops there), transport errors only once types are right.
    assert.deepEqual(issues.map((i) => i.key).sort(), ['mcp_servers.s.enabled', 'mcp_servers.s.startup_timeout_sec']);
    const fixed = validateServer('s', { command: 'x', url: 'http://a', bearer_token_env_var: 'T' });
    assert.deepEqual(fixed.map((i) => i.key).sort(), ['mcp_servers.s.bearer_token_env_var', 'mcp_servers.s.url']);
  });

  it('quotes server names that are not bare keys in the reported key', () => {
    const [issue] = validateServer('my.server', { command: 3 });
    assert.equal(issue?.key, 'mcp_servers."my.server".command');
    assert.deepEqual(issue?.path, ['mcp_servers', 'my.server', 'command']);
  });

  it('warns about names `codex mcp add` would refuse', () => {
    const issues = validateServer('bad name', { command: 'x' });
    assert.equal(issues.length, 1);
    assert.equal(issues[0]?.severity, 'warning');
  });

  it('gives the typed view of valid servers', () => {
    const loaded = analyzeConfigText(fixture('corpus/tools.toml'), '/x/config.toml', { kind: 'workspace' });
    const remote = loaded.servers.find((s) => s.name === 'remote');
    assert.equal(remote?.fileKind, 'workspace');
    assert.equal(remote?.file, '/x/config.toml');
    assert.equal(remote?.startup_timeout_sec, 15);
    assert.equal(remote?.required, true);
    assert.deepEqual(remote?.transport, {
      type: 'streamable_http',
      url: 'http://localhost:9000/mcp',
      bearer_token_env_var: null,
      http_headers: null,
      env_http_headers: { 'X-Api-Key': 'REMOTE_API_KEY' },
      http_headers_helper: null,
    });
    const shell = loaded.servers.find((s) => s.name === 'shell');
    assert.equal(shell?.default_tools_approval_mode, 'prompt');
    assert.deepEqual(shell?.tools, { exec: { approval_mode: 'approve' }, 'read.file': { approval_mode: 'auto' } });
    assert.deepEqual(shell?.disabled_tools, ['rm']);
  });

  it('keeps unknown keys visible', () => {
    const loaded = analyzeConfigText(fixture('corpus/commented.toml'), 'c.toml');
    const fs = loaded.servers.find((s) => s.name === 'filesystem');
    assert.deepEqual(fs?.unknownKeys, ['x_team_owner']);
    assert.ok(loaded.issues.some((i) => i.severity === 'warning' && i.key === 'mcp_servers.filesystem.x_team_owner' && i.line === 37));
  });
});
