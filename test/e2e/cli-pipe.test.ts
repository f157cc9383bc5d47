/**
 * The built CLI writing into pipes (issue 10 part 7): output far beyond a pipe's 64 KiB buffer reaches a
 * slow reader whole, with the command's exit code; a reader that closes early (`| head -c 100`) ends the
 * CLI quietly. Run `npm run build` first (dist/cli.js).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';

const CLI = resolve(__dirname, '../../dist/cli.js');

type Child = ChildProcessByStdio<null, Readable, Readable>;

function spawnCli(args: string[], codexHome: string): { proc: Child; exited: Promise<number | null> } {
  const proc = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, CODEX_HOME: codexHome }, stdio: ['ignore', 'pipe', 'pipe'] });
  return { proc, exited: new Promise((r) => proc.on('exit', (code) => r(code))) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A slow reader: holds the stream paused until the CLI has written something (so it is past its
 * output and about to exit) and `holdMs` longer, while the pipe stays full; then reads to the end.
 */
async function readSlowly(stream: Readable, holdMs = 500): Promise<string> {
  const chunks: Buffer[] = [];
  stream.pause();
  // Collects also what Node itself drains from the pipe once the child has exited.
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  while (stream.readableLength === 0 && !stream.readableEnded) await sleep(10);
  await sleep(holdMs);
  stream.resume();
  await finished(stream);
  return Buffer.concat(chunks).toString('utf8');
}

function readAll(stream: Readable): Promise<string> {
  return new Promise((r) => {
    let text = '';
    stream.on('data', (d: Buffer) => (text += d.toString()));
    stream.on('end', () => r(text));
  });
}

const serverName = (i: number) => `server_${String(i).padStart(5, '0')}`;

describe('codex-governance output through a pipe (CLI)', function () {
  this.timeout(60_000);
  let codexHome: string;
  before(() => assert.ok(existsSync(CLI), 'run npm run build first'));
  beforeEach(() => {
    codexHome = mkdtempSync(join(tmpdir(), 'cg-cli-pipe-'));
  });
  afterEach(() => rmSync(codexHome, { recursive: true, force: true }));

  function writeServers(count: number, table: (i: number) => string): void {
    let toml = '';
    for (let i = 0; i < count; i++) toml += `[mcp_servers.${serverName(i)}]\n${table(i)}\n`;
    writeFileSync(join(codexHome, 'config.toml'), toml);
  }

  it('`mcp list --json` into a slow reader: all of the JSON (well over 200 KiB), every server, exit 0', async () => {
    const count = 1200;
    writeServers(count, (i) => `command = "node"\nargs = ["/a/fairly/long/path/to/the/mcp/server/number/${i}/index.js", "--flag", "value-${i}"]\n`);
    const { proc, exited } = spawnCli(['mcp', 'list', '--json'], codexHome);
    const stderr = readAll(proc.stderr);
    const stdout = await readSlowly(proc.stdout);
    assert.equal(await exited, 0, await stderr);
    assert.ok(stdout.length > 200 * 1024, `output is ${stdout.length} bytes, expected more than 200 KiB`);
    const servers = JSON.parse(stdout) as { name: string }[];
    assert.deepEqual(
      servers.map((s) => s.name),
      Array.from({ length: count }, (_, i) => serverName(i)),
    );
    assert.equal(await stderr, '');
  });

  it('an error longer than the pipe buffer reaches a slow stderr reader whole, exit code 1 kept', async () => {
    const count = 1000;
    writeServers(count, (i) => `command = 5\nargs = "not-an-array-${i}"\n`);
    const { proc, exited } = spawnCli(['mcp', 'list', '--json'], codexHome);
    const stdout = readAll(proc.stdout);
    const stderr = await readSlowly(proc.stderr);
    assert.equal(await exited, 1);
    assert.equal(await stdout, '');
    assert.ok(stderr.length > 200 * 1024, `stderr is ${stderr.length} bytes, expected more than 200 KiB`);
    assert.match(stderr, /^Error: .*config\.toml would be rejected by Codex:\n/);
    const named = new Set(Array.from(stderr.matchAll(/mcp_servers\.(\w+)\.args:/g), (m) => m[1]));
    for (let i = 0; i < count; i++) assert.ok(named.has(serverName(i)), `the message names ${serverName(i)}`);
    assert.ok(stderr.endsWith('\n'), 'the message ends with its newline');
  });

  it('a reader that closes early (`| head -c 100`) ends the CLI quietly: no stack trace, exit 0', async () => {
    writeServers(1200, (i) => `command = "node"\nargs = ["/a/fairly/long/path/to/the/mcp/server/number/${i}/index.js"]\n`);
    const { proc, exited } = spawnCli(['mcp', 'list', '--json'], codexHome);
    const stderr = readAll(proc.stderr);
    await new Promise((r) => proc.stdout.once('readable', r));
    const head = (proc.stdout.read(100) as Buffer | null) ?? (proc.stdout.read() as Buffer);
    assert.ok(head.toString().startsWith('['));
    proc.stdout.destroy(); // closes the read end: the CLI's next write fails with EPIPE
    const code = await exited;
    assert.equal(await stderr, '', 'nothing on stderr (no EPIPE stack trace)');
    assert.equal(code, 0);
  });
});
