/**
 * The scanner's ranges, checked against smol-toml on every fixture: the text of each statement's
 * value range must parse to the value smol-toml finds at the statement's path, and header/statement
 * paths must exist in the parsed document.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'smol-toml';
import { applyEdit, renderServerTable } from '../../../src/config';
import { scanToml } from '../../../src/config/toml-scan';
import { fixture, FIXTURES } from './helpers';

function valueAt(root: unknown, p: string[]): unknown {
  let node = root;
  for (const k of p) {
    if (Array.isArray(node)) node = node[node.length - 1]; // [[array]] headers: the last element
    node = (node as Record<string, unknown>)[k];
  }
  return node;
}

function plain(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v, (_k, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : x)));
}

const tricky = `a = """
ends with quotes"""""
b = '''x'''''
c = "esc \\" [not] # a comment"
"key \\u0041" = 1
'lit.key' = { x = [1, { y = "}" }], z = 'a]' }
d = [
  # comment ] with bracket
  "s", # another
  [ 'n', """m""" ],
]
e = 1979-05-27 07:32:00Z
f = 1979-05-27T07:32:00
g = 07:32
h = -inf
[t . "u" . 'v']   # header comment
w = 0x1f
[[arr]]
x = 1
[[arr]]
x = 2
`;

describe('TOML scanner', () => {
  const sources: [string, string][] = [['tricky', tricky]];
  for (const dir of ['corpus', 'edge-ok', 'strict-bad']) {
    for (const f of readdirSync(path.join(FIXTURES, dir)).filter((x) => x.endsWith('.toml'))) sources.push([`${dir}/${f}`, fixture(`${dir}/${f}`)]);
  }
  // The last value then ends the text (toml-eslint-parser gives a final unsigned `0` an empty range).
  for (const [name, text] of [...sources]) if (/\r?\n$/.test(text)) sources.push([`${name} without its final line break`, text.replace(/\r?\n$/, '')]);

  for (const [name, text] of sources) {
    it(`delimits every key and value of ${name}`, () => {
      const doc = scanToml(text);
      const root = parse(text);
      for (const s of doc.statements) {
        const raw = text.slice(s.valueStart, s.valueEnd);
        let expected: unknown;
        const h = s.header;
        if (h?.kind === 'array') {
          // The statement belongs to the n-th [[header]] of that path.
          const n = doc.headers.filter((x) => x.kind === 'array' && x.path.join('\0') === h.path.join('\0') && x.start <= h.start).length - 1;
          const parent = valueAt(root, h.path.slice(0, -1));
          const arr = (Array.isArray(parent) ? parent[parent.length - 1] : parent) as Record<string, unknown[]>;
          expected = valueAt(arr[h.path[h.path.length - 1] as string]?.[n], s.path.slice(h.path.length));
        } else expected = valueAt(root, s.path);
        assert.deepEqual(plain(parse(`v = ${raw}`).v), plain(expected), `${s.path.join('.')} = ${raw}`);
        assert.ok(text.slice(s.start, s.end).startsWith(s.indent + s.parts.map((p) => p.raw)[0]));
        for (const p of s.parts) assert.equal(text.slice(p.start, p.end), p.raw);
      }
      for (const h of doc.headers) {
        assert.notEqual(valueAt(root, h.path), undefined, h.path.join('.'));
        assert.ok(text.slice(h.start, h.end).trimStart().startsWith('['));
      }
      const lines = doc.lines;
      assert.equal(lines[0]?.start ?? doc.bomLength, doc.bomLength);
      for (let i = 1; i < lines.length; i++) assert.equal(lines[i]?.start, lines[i - 1]?.end, 'lines must tile the text');
      assert.equal(lines[lines.length - 1]?.end ?? text.length, text.length);
    });
  }

  it('decodes quoted and escaped keys', () => {
    const doc = scanToml(tricky);
    assert.ok(doc.statements.some((s) => s.path.join('|') === 'key A'));
    assert.ok(doc.statements.some((s) => s.path.join('|') === 'lit.key'));
    assert.ok(doc.headers.some((h) => h.path.join('|') === 't|u|v'));
    assert.equal(doc.headers.filter((h) => h.kind === 'array').length, 2);
  });

  it('edits next to tricky values without touching them', () => {
    const text = `[mcp_servers.s]\ncommand = """x"""""\nargs = [\n  "]", # ]\n]\n`;
    const out = applyEdit(text, { kind: 'setEnabled', name: 's', enabled: false });
    assert.equal(out, `${text}enabled = false\n`);
  });

  it('edits a 0 that ends the file (no final line break)', () => {
    const text = '[mcp_servers.s]\ncommand = "x"\nstartup_timeout_sec = 0';
    assert.equal(applyEdit(text, { kind: 'update', name: 's', set: { startup_timeout_sec: 45 } }), '[mcp_servers.s]\ncommand = "x"\nstartup_timeout_sec = 45');
  });

  it('leaves out null fields of a new server', () => {
    const table = { command: 'x', cwd: null, args: undefined } as unknown as Record<string, string>;
    assert.equal(applyEdit('', { kind: 'add', name: 'n', table }), '[mcp_servers.n]\ncommand = "x"\n');
  });

  it('renders nested tables without empty intermediate headers', () => {
    assert.equal(
      renderServerTable('n', { command: 'x', tools: { t: { approval_mode: 'prompt' } } }, '\n'),
      '[mcp_servers.n]\ncommand = "x"\n\n[mcp_servers.n.tools.t]\napproval_mode = "prompt"\n',
    );
  });
});
