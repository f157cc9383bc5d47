/**
 * The two shapes of GET /v1/tools against the `openai` package's own types (checked by
 * `tsc --noEmit`, i.e. `npm run typecheck`): Chat Completions takes the default nested shape, the
 * Responses API takes the flat one (`?format=responses`) and refuses the nested one.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type OpenAI from 'openai';
import { openAiTools, responsesTools } from '../../../src/server/http/openai-adapter';
import { createGovernanceApp } from '../../../src/server/app';
import type { ToolRegistry } from '../../../src/server/tools/registry';
import { nullLogger } from '../../../src/util/log';

// Compile-time checks (never run).
export function shapeChecks(registry: ToolRegistry): unknown[] {
  const chat: OpenAI.Chat.Completions.ChatCompletionTool[] = openAiTools(registry);
  const responses: OpenAI.Responses.Tool[] = responsesTools(registry);
  const request: OpenAI.Responses.ResponseCreateParamsNonStreaming = { model: 'gpt-4.1', input: 'Refactor auth', tools: responsesTools(registry) };
  // @ts-expect-error the Responses API's types refuse the nested Chat Completions shape
  const nested: OpenAI.Responses.Tool[] = openAiTools(registry);
  return [chat, responses, request, nested];
}

describe('OpenAI tool shapes (the openai package\'s types)', () => {
  it('the flat Responses listing has every entry of the nested one, same names, descriptions and schemas, strict false', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cg-openai-shapes-'));
    const app = await createGovernanceApp({ dataDir, logger: nullLogger, hostKind: 'test', port: null, codex: { codexPath: '/nonexistent/codex' } });
    try {
      const flat: OpenAI.Responses.FunctionTool[] = responsesTools(app.registry);
      const nested = openAiTools(app.registry);
      assert.deepEqual(
        flat.map((t) => [t.name, t.description, t.parameters]),
        nested.map((t) => [t.function.name, t.function.description, t.function.parameters]),
      );
      assert.ok(flat.every((t) => t.type === 'function' && t.strict === false));
      assert.ok(flat.some((t) => t.name === 'store_knowledge_graph' && /^Alias of store_discovery_graph\./.test(t.description ?? '')));
    } finally {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
