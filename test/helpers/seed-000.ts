/**
 * Seed 000 ("Connecting OpenAI Codex/GPT to Governance MCP", ../shared/seeds/000_9a6c53fb2021edfc.txt
 * from the repository root) as test input: its fenced ```python blocks, read at test time with the
 * `marked` lexer and named by the heading above them, and a runner that executes them with Debian's
 * /usr/bin/python3 (+ python3-requests) against a test server.
 *
 * What the runner changes in the seed's code, and nothing else:
 * - the literal `"http://127.0.0.1:8765"` (GOVERNANCE_URL) becomes the test server's URL
 *   ({@link withServerUrl}, which fails unless the block holds it exactly as often as expected);
 * - {@link TOKEN_PRELUDE} is prepended: `requests.get` / `requests.post` become those of one
 *   `requests.Session` that sends `Authorization: Bearer <token>`, because the server wants a
 *   token on every request and the seed's code sends none.
 * The test may also append code the seed leaves to the reader (say, Pattern 1's `get_next_task`),
 * or hand a value over from a TypeScript half; each such part is named in the test.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { lexer } from 'marked';

/** The seed's path relative to the repository root. */
export const SEED_000_RELATIVE = '../shared/seeds/000_9a6c53fb2021edfc.txt';
/** The governance URL the seed's code hard-codes. */
export const SEED_GOVERNANCE_URL = 'http://127.0.0.1:8765';
/** The interpreter the test uses: Debian's, with Debian's python3-requests (installed by .ci/run). */
export const PYTHON = '/usr/bin/python3';

/** The seed's python blocks, by the heading they sit under. Every python block of the seed must be here. */
export const SEED_000_BLOCKS = {
  fetchTools: '2. Fetch Governance Tools',
  callOpenAi: '3. Call OpenAI with Governance Tools',
  executeToolCalls: '4. Execute Tool Calls via Governance MCP',
  completeExample: 'Complete Example: Governed Codex Agent',
  pattern1: 'Pattern 1: Autonomous Agent Loop',
  pattern2: 'Pattern 2: Multi-Agent Coordination',
  pattern3: 'Pattern 3: Peer Review via Dialectic',
  sessionIdentity: 'Session Identity (Important!)',
  streaming: 'Advanced: Streaming Responses',
} as const;
export type SeedBlockName = keyof typeof SEED_000_BLOCKS;

export interface Seed000 {
  path: string;
  /** The code of each python block, exactly as in the seed. */
  blocks: Record<SeedBlockName, string>;
}

/** The repository root (this file is test/helpers/seed-000.ts). */
export const REPO_ROOT = resolve(__dirname, '..', '..');

/**
 * Reads and splits the seed.
 * @throws Error naming the path when the seed is absent, and naming the heading when a python
 *         block is missing, doubled, or new (so a changed seed fails instead of running less).
 */
export function readSeed000(repoRoot = REPO_ROOT): Seed000 {
  const path = resolve(repoRoot, SEED_000_RELATIVE);
  if (!existsSync(path)) {
    throw new Error(
      `Seed 000 not found at ${path} (${SEED_000_RELATIVE} from the repository root ${repoRoot}). ` +
        'This test runs the Python code of that seed file itself, so the shared folder with the seeds must sit beside the repository.',
    );
  }
  let heading = '(before any heading)';
  const found = new Map<string, string[]>();
  for (const token of lexer(readFileSync(path, 'utf8'))) {
    if (token.type === 'heading') heading = token.text;
    else if (token.type === 'code' && token.lang === 'python') found.set(heading, [...(found.get(heading) ?? []), token.text]);
  }
  const known = new Set<string>(Object.values(SEED_000_BLOCKS));
  const unknown = [...found.keys()].filter((h) => !known.has(h));
  if (unknown.length) throw new Error(`Seed 000 (${path}) has python blocks under ${unknown.map((h) => JSON.stringify(h)).join(', ')}, which this test does not run: add them to SEED_000_BLOCKS and to the test.`);
  const blocks = {} as Record<SeedBlockName, string>;
  for (const [name, h] of Object.entries(SEED_000_BLOCKS) as Array<[SeedBlockName, string]>) {
    const codes = found.get(h) ?? [];
    if (codes.length !== 1) throw new Error(`Seed 000 (${path}): expected one python block under the heading ${JSON.stringify(h)}, found ${codes.length}.`);
    blocks[name] = codes[0]!;
  }
  return { path, blocks };
}

/**
 * The block with the seed's governance URL replaced by `url`.
 * @throws Error when the block does not hold {@link SEED_GOVERNANCE_URL} exactly `expected` times
 */
export function withServerUrl(code: string, url: string, expected = 1): string {
  const parts = code.split(`"${SEED_GOVERNANCE_URL}"`);
  if (parts.length - 1 !== expected) throw new Error(`Expected the seed block to hold "${SEED_GOVERNANCE_URL}" ${expected} time(s), found ${parts.length - 1}: the seed changed, update the test.`);
  return parts.join(JSON.stringify(url));
}

/** Prepended to every Python run: the token, sent on each request the seed's code makes. */
export const TOKEN_PRELUDE = `# ---- seed 000 test prelude (test/helpers/seed-000.ts); the seed's own code follows ----
# The governance server wants a token on every request; the seed's code sends none. Its only calls,
# requests.get and requests.post, become those of one Session carrying the token (requests merges
# each call's own headers, Content-Type and X-Session-ID, over the session's).
import os as _seed_os
import requests as _seed_requests
_seed_session = _seed_requests.Session()
_seed_session.headers["Authorization"] = "Bearer " + _seed_os.environ["CODEX_GOVERNANCE_TOKEN"]
_seed_requests.get = _seed_session.get
_seed_requests.post = _seed_session.post
# ---- end of prelude ----
`;

/** The folder holding the stand-in `openai` Python module (imports and constructor only; any request raises). */
export const PYTHON_OPENAI_STUB_DIR = join(REPO_ROOT, 'test', 'fixtures', 'seed-000');

export interface PythonRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The script that ran (prelude + parts), for failure messages. */
  script: string;
}

export interface PythonRunOptions {
  /** Seed blocks (already given the server URL) and test-supplied parts, joined in order after {@link TOKEN_PRELUDE}. */
  parts: string[];
  token: string;
  /**
   * `__name__` of the script: `'__main__'` runs `if __name__ == "__main__":` parts; any other
   * name loads the code as a module would be (definitions and top-level statements only).
   */
  runName: string;
  /** Extra environment variables (handovers from a TypeScript half). */
  env?: Record<string, string>;
}

/**
 * Runs the parts with {@link PYTHON} (through `runpy.run_path`, so `runName` applies), with a
 * clean environment: no proxy variables (requests would send 127.0.0.1 through them), the stand-in
 * openai module on PYTHONPATH, UTF-8 output. A guard kills it after 60 s (a hang fails the test,
 * with its output). Resolves whatever the exit code; the caller asserts.
 */
export async function runSeedPython(options: PythonRunOptions): Promise<PythonRun> {
  const script = [TOKEN_PRELUDE, ...options.parts].join('\n');
  const dir = mkdtempSync(join(tmpdir(), 'cg-seed-000-'));
  const file = join(dir, 'seed_000_example.py');
  writeFileSync(file, script);
  const env: Record<string, string> = {
    PATH: '/usr/bin:/bin',
    HOME: dir,
    LANG: 'C.UTF-8',
    PYTHONIOENCODING: 'utf-8',
    PYTHONDONTWRITEBYTECODE: '1',
    PYTHONPATH: PYTHON_OPENAI_STUB_DIR,
    NO_PROXY: '127.0.0.1,localhost',
    CODEX_GOVERNANCE_TOKEN: options.token,
    ...options.env,
  };
  try {
    return await new Promise<PythonRun>((resolvePromise, reject) => {
      const child = spawn(PYTHON, ['-c', 'import runpy, sys; runpy.run_path(sys.argv[1], run_name=sys.argv[2])', file, options.runName], { env, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
      child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
      const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('error', (err) => {
        clearTimeout(guard);
        reject(new Error(`Could not start ${PYTHON}: ${err.message}. Install Debian's python3 and python3-requests (apt; .ci/run does).`));
      });
      child.on('close', (code) => {
        clearTimeout(guard);
        resolvePromise({ code, stdout, stderr, script });
      });
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A failure message showing what ran and what it printed. */
export function describeRun(run: PythonRun): string {
  return `python exited ${run.code}\n--- stdout ---\n${run.stdout}\n--- stderr ---\n${run.stderr}\n--- script ---\n${run.script}`;
}

/**
 * @throws Error with the fix when /usr/bin/python3 or its `requests` module is missing.
 */
export async function assertPythonWithRequests(): Promise<void> {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: install Debian's python3-requests (apt-get install python3-requests; .ci/run does), which brings python3.`);
  const run = await runSeedPython({ parts: ['print(_seed_requests.__version__)'], token: 'x', runName: '__main__' });
  if (run.code !== 0) throw new Error(`${PYTHON} cannot import requests: install Debian's python3-requests (apt-get install python3-requests; .ci/run does).\n${run.stderr}`);
}
