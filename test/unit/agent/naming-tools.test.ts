import assert from 'node:assert/strict';
import { exposedToolName, MAX_FUNCTION_NAME, plainToolName } from '../../../src/agent/naming';
import { parsePriceTable, costUsd, PriceTableError } from '../../../src/agent/prices';
import { toolAllowed, resultText } from '../../../src/agent/mcp-sources';
import { ToolSet, type AgentTool } from '../../../src/agent/tool-set';
import { toolRisk } from '../../../src/approvals/risk';

function tool(over: Partial<AgentTool> = {}): AgentTool {
  return {
    name: 'fs__write_file',
    server: 'fs',
    tool: 'write_file',
    description: 'write',
    parameters: { type: 'object', properties: { path: { type: 'string', minLength: 1 }, content: { type: 'string' } }, required: ['path'], additionalProperties: false },
    annotations: { destructiveHint: true },
    kind: 'mcp',
    call: () => Promise.resolve({ ok: true, text: '' }),
    ...over,
  };
}

describe('agent: tool names for the model', () => {
  it('<server>__<tool> with characters outside [A-Za-z0-9_-] replaced', () => {
    assert.equal(exposedToolName('fs', 'read_file'), 'fs__read_file');
    assert.equal(exposedToolName('my.gov@x/1', 'do:it'), 'my_gov_x_1__do_it');
    assert.equal(plainToolName('a-b', 'c-d'), 'a-b__c-d');
  });

  it('a name over 64 characters, or one already taken, is cut to 55 and gets a stable 8-hex suffix', () => {
    const long = exposedToolName('server-with-a-rather-long-name', 'tool_with_an_even_longer_name_than_the_server');
    assert.equal(long.length, MAX_FUNCTION_NAME);
    assert.match(long, /^server-with-a-rather-long-name__tool_with_an_even_longe_[0-9a-f]{8}$/);
    assert.equal(exposedToolName('server-with-a-rather-long-name', 'tool_with_an_even_longer_name_than_the_server'), long, 'stable');
    const taken = exposedToolName('a.b', 'x', new Set(['a_b__x']));
    assert.match(taken, /^a_b__x_[0-9a-f]{8}$/);
    assert.notEqual(exposedToolName('a_b', 'x', new Set(['a_b__x'])), taken, 'different sources of a clash get different names');
    for (const n of [long, taken]) assert.match(n, /^[A-Za-z0-9_-]{1,64}$/);
  });

  it("Codex's filters: enabled_tools admits, then disabled_tools removes", () => {
    assert.equal(toolAllowed({ enabled_tools: null, disabled_tools: null }, 'x'), true);
    assert.equal(toolAllowed({ enabled_tools: ['a'], disabled_tools: null }, 'x'), false);
    assert.equal(toolAllowed({ enabled_tools: ['a', 'x'], disabled_tools: ['x'] }, 'x'), false);
    assert.equal(toolAllowed({ enabled_tools: null, disabled_tools: ['y'] }, 'x'), true);
  });
});

describe('agent: arguments, results, risk and prices', () => {
  const set = new ToolSet([tool(), tool({ name: 'gov', server: 'governance', kind: 'governance', annotations: {} }), tool({ name: 'fs__read', annotations: { readOnlyHint: true } })]);

  it('parses the model argument text: not JSON, not an object, failing the schema, or fine', () => {
    const t = set.get('fs__write_file')!;
    assert.match((set.parse(t, '{"path":') as { error: string }).error, /arguments of fs__write_file are not valid JSON/);
    assert.match((set.parse(t, '[1]') as { error: string }).error, /must be a JSON object, got an array/);
    assert.match((set.parse(t, '{"content":"x"}') as { error: string }).error, /do not match its schema: the arguments must have required property 'path'/);
    assert.match((set.parse(t, '{"path":"","content":"x"}') as { error: string }).error, /schema: path must NOT have fewer than 1 characters/);
    assert.match((set.parse(t, '{"path":"p","mode":1}') as { error: string }).error, /additional properties/);
    assert.deepEqual(set.parse(t, '{"path":"p"}'), { ok: true, args: { path: 'p' } });
    assert.deepEqual(set.parse(tool({ parameters: { type: 'object' } }), ''), { ok: true, args: {} });
  });

  it('runs governance and read-only tools unasked, asks for the rest; two tools under one name are refused', () => {
    assert.equal(ToolSet.unasked(set.get('gov')!), true);
    assert.equal(ToolSet.unasked(set.get('fs__read')!), true);
    assert.equal(ToolSet.unasked(set.get('fs__write_file')!), false);
    assert.throws(() => new ToolSet([tool(), tool()]), /Two tools are offered as fs__write_file/);
  });

  it('rates MCP tool calls from their annotations, the spec defaults making an unannotated tool high', () => {
    assert.equal(toolRisk({}), 'high');
    assert.equal(toolRisk({ destructiveHint: true, openWorldHint: false }), 'high');
    assert.equal(toolRisk({ destructiveHint: false }), 'medium');
    assert.equal(toolRisk({ destructiveHint: false, openWorldHint: true }), 'medium');
    assert.equal(toolRisk({ destructiveHint: false, openWorldHint: false }), 'low');
    assert.equal(toolRisk({ readOnlyHint: true }), 'low');
  });

  it('turns MCP results into text: text parts, resources, structured content, errors, cut at 20000 characters', () => {
    assert.deepEqual(resultText({ content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] }), { ok: true, text: 'a\nb' });
    assert.deepEqual(resultText({ content: [], structuredContent: { n: 1 } }), { ok: true, text: '{"n":1}' });
    assert.deepEqual(resultText({ content: [{ type: 'text', text: 'nope' }], isError: true }), { ok: false, text: 'nope' });
    assert.deepEqual(resultText({ content: [{ type: 'image', data: 'AA==', mimeType: 'image/png' }] }), { ok: true, text: '[image image/png]' });
    const big = resultText({ content: [{ type: 'text', text: 'x'.repeat(25_000) }] });
    assert.match(big.text, /\[\.\.\. 5000 more characters cut\]$/);
  });

  it('prices: validated with the model and key named; cost per 1M tokens with cached input at its own price; unknown model null', () => {
    const table = parsePriceTable({ m: { input: 2, output: 8, cached_input: 0.5 }, n: { input: 1, output: 1 } }, 'prices.json');
    assert.equal(costUsd(table, 'm', { input: 1000, output: 100, cachedInput: 400 }), (600 * 2 + 400 * 0.5 + 100 * 8) / 1e6);
    assert.equal(costUsd(table, 'n', { input: 10, output: 0, cachedInput: 10 }), 10 / 1e6);
    assert.equal(costUsd(table, 'other', { input: 1, output: 1, cachedInput: 0 }), null);
    assert.equal(costUsd(table, 'toString', { input: 1, output: 1, cachedInput: 0 }), null);
    assert.throws(() => parsePriceTable([], 'f'), PriceTableError);
    assert.throws(() => parsePriceTable({ m: { input: 1 } }, 'f'), /f: "m" needs both input and output/);
    assert.throws(() => parsePriceTable({ m: { input: 1, output: -1 } }, 'f'), /"m".output must be a number >= 0/);
    assert.throws(() => parsePriceTable({ m: { input: 1, output: 1, cache: 1 } }, 'f'), /"m".cache is not a price key/);
  });
});
