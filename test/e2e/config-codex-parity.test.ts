/**
 * Validation parity with the real Codex: the same files go to this module and to `codex mcp list`
 * (the current Codex and 0.153.4) and `codex mcp-server --strict-config` (0.153.4). Both must reject the same
 * files; our message must name the key, and carry Codex's own wording of the problem.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { analyzeConfigText } from '../../src/config';
import { assertCodexInstalled, CODEX_CURRENT, CODEX_CURRENT_VERSION, CODEX_LEGACY, runCodex } from '../fixtures/config/codex-bin';
import { fixture, FIXTURES } from '../unit/config/helpers';

function files(dir: string): string[] {
  return readdirSync(path.join(FIXTURES, dir)).filter((f) => f.endsWith('.toml'));
}

function expectedKey(text: string): string {
  return /^# expect-(?:strict-)?error: (.+)$/m.exec(text)?.[1]?.trim() ?? '';
}

async function verdicts(text: string) {
  const [current, legacy, strict] = await Promise.all([
    runCodex(CODEX_CURRENT, ['mcp', 'list', '--json'], { configText: text }),
    runCodex(CODEX_LEGACY, ['mcp', 'list', '--json'], { configText: text }),
    runCodex(CODEX_LEGACY, ['mcp-server', '--strict-config'], { configText: text }),
  ]);
  return { current, legacy, strict };
}

describe('config validation parity with the real Codex', function () {
  this.timeout(120_000);
  before(assertCodexInstalled);

  describe('files Codex rejects', () => {
    for (const file of files('bad')) {
      it(`${file}: rejected by Codex and by us, with the key named`, async () => {
        const text = fixture(`bad/${file}`);
        const { current, legacy, strict } = await verdicts(text);
        assert.equal(current.code, 1, `codex ${CODEX_CURRENT_VERSION} accepted it: ${current.stdout}`);
        assert.equal(legacy.code, 1, 'codex 0.153 accepted it');
        assert.equal(strict.code, 1, 'codex 0.153 --strict-config accepted it');

        const ours = analyzeConfigText(text, 'config.toml');
        const errors = ours.issues.filter((i) => i.severity === 'error');
        assert.ok(errors.length > 0, 'we accepted a file Codex rejects');
        const key = expectedKey(text);
        if (key === '@syntax') {
          // Codex: "<file>:LINE:COL: <reason>"; the line must agree.
          const m = /config\.toml:(\d+):(\d+): /.exec(current.stderr);
          assert.ok(m, current.stderr);
          assert.equal(ours.parseError?.line, Number(m[1]));
          return;
        }
        const hit = errors.find((i) => i.key === key);
        assert.ok(hit, `our errors (${errors.map((e) => e.key).join(', ')}) do not name ${key}`);
        assert.ok(hit.message.includes(key));
        // Codex stops at its first error; that one must be among ours, in Codex's words.
        const codexReason = /Caused by:\n\s+(.+)\n/.exec(current.stderr)?.[1]?.trim();
        assert.ok(codexReason, current.stderr);
        assert.ok(
          errors.some((e) => e.codexMessage === codexReason),
          `Codex said ${JSON.stringify(codexReason)}; ours: ${JSON.stringify(errors.map((e) => e.codexMessage))}`,
        );
      });
    }
  });

  describe('files only --strict-config rejects', () => {
    for (const file of files('strict-bad')) {
      it(`${file}: accepted by codex mcp list, rejected by --strict-config; same for our two modes`, async () => {
        const text = fixture(`strict-bad/${file}`);
        const { current, legacy, strict } = await verdicts(text);
        assert.deepEqual([current.code, legacy.code, strict.code], [0, 0, 1]);
        assert.equal(analyzeConfigText(text, 'c.toml').issues.filter((i) => i.severity === 'error').length, 0);
        const ours = analyzeConfigText(text, 'c.toml', { strict: true }).issues.filter((i) => i.severity === 'error');
        const key = expectedKey(text);
        const hit = ours.find((i) => i.key === key);
        assert.ok(hit);
        assert.ok(strict.stderr.includes(hit.codexMessage ?? '<none>'), `${strict.stderr} vs ${hit.codexMessage}`);
      });
    }
  });

  describe('unusual files Codex accepts', () => {
    for (const file of files('edge-ok')) {
      it(`${file}: accepted by Codex and by us`, async () => {
        const text = fixture(`edge-ok/${file}`);
        const { current, legacy, strict } = await verdicts(text);
        assert.deepEqual([current.code, legacy.code, strict.code], [0, 0, 0], current.stderr + legacy.stderr + strict.stderr);
        assert.deepEqual(
          analyzeConfigText(text, 'c.toml', { strict: true }).issues.filter((i) => i.severity === 'error').map((i) => i.message),
          [],
        );
      });
    }
  });
});
