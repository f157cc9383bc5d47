import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

interface CycleCheck {
  findCycles(root: string): string[][];
}

describe('architecture', () => {
  let check: CycleCheck;
  before(async () => {
    check = (await import(path.join(ROOT, 'scripts', 'check-import-cycles.mjs'))) as CycleCheck;
  });

  it('src/ has no import cycle (type imports included, as madge --circular counts them)', () => {
    assert.deepEqual(check.findCycles(path.join(ROOT, 'src')), []);
  });

  it('no registrar imports ctx.ts: they get the ExtensionHost interface (src/vscode/host.ts)', () => {
    for (const file of ['commands.ts', 'panels/register.ts', 'approvals/panel-register.ts', 'sessions/register.ts', 'reviews/register.ts', 'mcp-settings/commands.ts', 'views/register.ts', 'approvals/register.ts', 'mcp-provider.ts']) {
      const text = readFileSync(path.join(ROOT, 'src', 'vscode', file), 'utf8');
      assert.ok(!/from '\.\.?\/(\.\.\/)?ctx'/.test(text), `${file} imports ctx.ts`);
    }
  });

  it('only ServerController holds the running server: nothing reaches into it with a cast', () => {
    const offenders: string[] = [];
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
    for (const file of walk(path.join(ROOT, 'src', 'vscode'))) {
      if (/as unknown as \{ server\?/.test(readFileSync(file, 'utf8'))) offenders.push(path.relative(ROOT, file));
    }
    assert.deepEqual(offenders, []);
  });

  const sourceFiles = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [path.join(dir, e.name)] : []));

  it('no source file is over 450 lines (the cited EISV model may stay whole)', () => {
    const long = sourceFiles(path.join(ROOT, 'src'))
      .map((file) => ({ file: path.relative(ROOT, file), lines: readFileSync(file, 'utf8').split('\n').length - 1 }))
      .filter((f) => f.lines > 450 && f.file !== path.join('src', 'core', 'eisv.ts'));
    assert.deepEqual(long, [], 'split these files by job');
  });

  it('src/client and src/vscode cast nothing through unknown (results are typed from the tool catalog)', () => {
    const offenders = [...sourceFiles(path.join(ROOT, 'src', 'client')), ...sourceFiles(path.join(ROOT, 'src', 'vscode'))].filter((f) => readFileSync(f, 'utf8').includes('as unknown as'));
    assert.deepEqual(offenders.map((f) => path.relative(ROOT, f)), []);
  });

  it('finds a cycle when there is one (the check itself)', () => {
    const cycles = check.findCycles(path.join(ROOT, 'test', 'fixtures', 'import-cycle'));
    assert.deepEqual(cycles, [['import-cycle/a.ts', 'import-cycle/b.ts']]);
  });
});
