/** `tasks generate|list` argument handling and the dry run, in process (nothing here reaches a network). */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTasksCommand } from '../../../src/cli/tasks';

interface Result {
  code: number;
  out: string;
  err: string;
}

describe('codex-governance tasks (arguments, dry run)', () => {
  let dataDir: string;
  before(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'cg-tasks-cli-'));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  async function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Result> {
    let out = '';
    let err = '';
    const code = await runTasksCommand(args, {
      stdout: { write: (t: string) => (out += t) },
      stderr: { write: (t: string) => (err += t) },
      env,
      defaultDataDir: dataDir,
      now: () => Date.UTC(2026, 10, 20, 12),
    });
    return { code, out, err };
  }

  it('refuses bad usage with exit 2 and a message naming the flag', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['generate'], /--count is required/],
      [['generate', '--count', '0'], /--count must be a whole number from 1 to 50, got "0"/],
      [['generate', '--count', '51'], /from 1 to 50/],
      [['generate', '--count', '2.5'], /--count must be a whole number/],
      [['generate', '--count', '2', '--dry-run', '--post'], /--dry-run posts nothing/],
      [['generate', '--count', '2', '--topic', 'a', '--prompt', 'b'], /--topic and --prompt both set/],
      [['generate', '--count', '2', '--timeout-seconds', '0'], /--timeout-seconds must be a whole number from 1/],
      [['generate', '--count', '2', '--base-url', 'localhost:1234'], /--base-url must be an http\(s\) URL/],
      [['generate', '--count', '2', '--bogus'], /Unknown option '--bogus'/],
      [['list', '--status', 'done'], /--status must be one of pending, claimed, completed, failed/],
      [['frobnicate'], /Unknown tasks command "frobnicate"/],
    ];
    for (const [args, message] of cases) {
      const r = await run(args, { OPENAI_API_KEY: 'sk-test' });
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.err, message, args.join(' '));
      assert.match(r.err, /tasks --help/);
    }
  });

  it('without the API key: exit 2 naming the variable (and --api-key-env), before anything else', async () => {
    const r = await run(['generate', '--count', '2']);
    assert.equal(r.code, 2);
    assert.match(r.err, /No API key: set OPENAI_API_KEY/);
    const other = await run(['generate', '--count', '2', '--api-key-env', 'MY_KEY'], { OPENAI_API_KEY: 'sk-wrong-var' });
    assert.equal(other.code, 2);
    assert.match(other.err, /No API key: set MY_KEY/);
    const blank = await run(['generate', '--count', '2'], { OPENAI_API_KEY: '  ' });
    assert.equal(blank.code, 2);
  });

  it('--post or list with no server for the data directory, or no token anywhere: exit 1 naming the fix; no token file is created', async () => {
    const r = await run(['generate', '--count', '1', '--post'], { OPENAI_API_KEY: 'sk-test' });
    assert.equal(r.code, 1);
    assert.match(r.err, /not running for the data directory/);
    assert.ok(r.err.includes(`codex-governance serve --data-dir ${dataDir}`));
    const l = await run(['list', '--server', 'http://127.0.0.1:9']);
    assert.equal(l.code, 1);
    assert.match(l.err, /No token for the Codex Governance server: .* CODEX_GOVERNANCE_TOKEN is not set/);
    assert.ok(l.err.includes(join(dataDir, 'token')));
    assert.ok(!existsSync(join(dataDir, 'token')), 'a client never creates the token file');
    const bad = await run(['list', '--server', 'localhost:8765']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--server must be an http\(s\) URL/);
  });

  it('--dry-run needs no key and prints the messages, the JSON Schema and labelled samples', async () => {
    const r = await run(['generate', '--count', '2', '--dry-run', '--topic', 'docs']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^Dry run: no model call, nothing posted\./);
    assert.match(r.out, /Would ask gpt-4\.1-mini at https:\/\/api\.openai\.com\/v1 \(API key from OPENAI_API_KEY\)/);
    assert.match(r.out, /\[system\]\n {2}.*exactly 2 task/);
    assert.match(r.out, /\[user\]\n {2}Propose 2 task\(s\) about: docs/);
    assert.match(r.out, /"additionalProperties": false/);
    assert.match(r.out, /SAMPLE tasks \(made up for illustration, not from a model; never posted\):\n {2}1\. \[medium\] due 2026-11-27 #docs #release\n/);
    assert.match(r.out, /\n {2}2\. \[high\]/);
    assert.ok(!/ {2}3\. /.test(r.out));
  });

  it('--dry-run --json prints the exact request body and the samples', async () => {
    const r = await run(['generate', '--count', '3', '--dry-run', '--json', '--model', 'gpt-test', '--base-url', 'http://127.0.0.1:9/v1']);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out) as { dry_run: boolean; base_url: string; request: { model: string; messages: unknown[]; response_format: { json_schema: { strict: boolean; schema: { properties: { tasks: { minItems: number } } } } } }; samples: unknown[] };
    assert.equal(j.dry_run, true);
    assert.equal(j.base_url, 'http://127.0.0.1:9/v1');
    assert.equal(j.request.model, 'gpt-test');
    assert.equal(j.request.messages.length, 2);
    assert.equal(j.request.response_format.json_schema.strict, true);
    assert.equal(j.request.response_format.json_schema.schema.properties.tasks.minItems, 3);
    assert.equal(j.samples.length, 3);
  });

  it('--help prints the usage with exit 0; no subcommand exits 2', async () => {
    const h = await run(['--help']);
    assert.equal(h.code, 0);
    assert.match(h.out, /tasks generate --count N/);
    assert.equal((await run(['generate', '--help'])).code, 0);
    assert.equal((await run([])).code, 2);
  });
});
