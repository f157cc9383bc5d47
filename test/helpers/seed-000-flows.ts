/**
 * Seed 000's flows that call OpenAI, written in TypeScript with the npm `openai` package (the
 * Python `openai` package is not in Debian bookworm, and the project installs only apt and npm
 * packages). Each function follows its Python original statement by statement, same HTTP requests
 * to the governance server (`GET /v1/tools`, `POST /v1/tools/call` with `X-Session-ID`), same
 * Chat Completions requests, same prints (emoji left out; booleans and None printed the Python way).
 * The only additions are the ones the Python runs get too: the server's URL and the bearer token.
 *
 * Python originals (../shared/seeds/000_9a6c53fb2021edfc.txt):
 * - {@link quickStartCallOpenAi}: "3. Call OpenAI with Governance Tools";
 * - {@link GovernedCodexAgent}: "Complete Example: Governed Codex Agent" (`get_governance_tools`,
 *   `call_governance_tool`, `log_work`, `check_governance`, `search_knowledge_graph`,
 *   `run_governed_codex`, the `__main__` part as {@link GovernedCodexAgent.completeExampleMain}),
 *   Pattern 1 (`autonomous_agent_loop`), Pattern 2 (`check_for_duplicate_work` and its usage),
 *   "Advanced: Streaming Responses" (`run_codex_with_streaming`).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type OpenAI from 'openai';

type ChatCompletion = OpenAI.Chat.Completions.ChatCompletion;
type FunctionTool = OpenAI.Chat.Completions.ChatCompletionFunctionTool;

/** Python's `print(*values, end=...)`: `end` defaults to a newline. */
export type Print = (text: string, end?: string) => void;

/** The `{success, result}` / `{success: false, error}` body of `POST /v1/tools/call`. */
export interface ToolCallBody {
  success?: boolean;
  result?: Record<string, any>;
  error?: { code: string; message: string };
}

/** Python's str() of a JSON value where it differs from JavaScript's: True, False, None. */
export function pyStr(value: unknown): string {
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (value === null || value === undefined) return 'None';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** requests' `raise_for_status()`: 4xx and 5xx throw, naming the status and the URL. */
async function raiseForStatus(response: Response): Promise<void> {
  if (response.status >= 400) throw new Error(`${response.status} Error for url: ${response.url}: ${await response.text()}`);
}

/** "3. Call OpenAI with Governance Tools": one completion with the governance tools offered. */
export async function quickStartCallOpenAi(client: OpenAI, governanceTools: FunctionTool[], print: Print): Promise<ChatCompletion> {
  const response = await client.chat.completions.create({
    model: 'gpt-4',
    messages: [
      { role: 'system', content: 'You are a helpful coding assistant.' },
      { role: 'user', content: 'Help me refactor this function' },
    ],
    tools: governanceTools, // Governance tools available to GPT
    tool_choice: 'auto',
  });
  print(JSON.stringify(response.choices[0]!.message));
  return response;
}

/** A task of Pattern 1's queue: `{"id", "description", "complexity"}`. */
export interface QueuedTask {
  id: string;
  description: string;
  complexity: number;
}

export interface GovernedCodexAgentOptions {
  /** The seed's GOVERNANCE_URL, here the test server's. */
  governanceUrl: string;
  /** Sent as `Authorization: Bearer`, as the Python runs' prelude does. */
  token: string;
  /** The seed's AGENT_ID (`codex_refactor_agent`), sent as `X-Session-ID`. */
  agentId: string;
  /** The npm client, pointed at the fake Chat Completions server. */
  client: OpenAI;
  print: Print;
}

/** The Complete Example's functions, and the patterns and the streaming example built on them. */
export class GovernedCodexAgent {
  constructor(private readonly o: GovernedCodexAgentOptions) {}

  /** `get_governance_tools()`: GET /v1/tools, the `tools` list (Chat Completions function tools). */
  async getGovernanceTools(): Promise<FunctionTool[]> {
    const response = await fetch(`${this.o.governanceUrl}/v1/tools`, { headers: { Authorization: `Bearer ${this.o.token}` } });
    await raiseForStatus(response);
    return ((await response.json()) as { tools: FunctionTool[] }).tools;
  }

  /** `call_governance_tool(tool_name, arguments)`: POST /v1/tools/call with X-Session-ID = AGENT_ID. */
  async callGovernanceTool(toolName: string, args: unknown): Promise<ToolCallBody> {
    const response = await fetch(`${this.o.governanceUrl}/v1/tools/call`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Session-ID': this.o.agentId, Authorization: `Bearer ${this.o.token}` },
      body: JSON.stringify({ name: toolName, arguments: args }),
    });
    await raiseForStatus(response);
    return (await response.json()) as ToolCallBody;
  }

  /** `log_work(description, complexity=0.5)`. */
  logWork(description: string, complexity = 0.5): Promise<ToolCallBody> {
    return this.callGovernanceTool('process_agent_update', { agent_id: this.o.agentId, operation: description, complexity });
  }

  /** `check_governance()`: `(action, reason)` of a low-complexity update. */
  async checkGovernance(): Promise<[string | undefined, string | undefined]> {
    const result = await this.logWork('Checking governance status', 0.1);
    const decision = (result.result?.governance_decision ?? {}) as { action?: string; reason?: string };
    return [decision.action, decision.reason];
  }

  /** `search_knowledge_graph(query)`. */
  searchKnowledgeGraph(query: string): Promise<ToolCallBody> {
    return this.callGovernanceTool('search_knowledge_graph', { query });
  }

  /** `run_governed_codex(task, complexity=0.5)`: the message content, or null when governance says PAUSE. */
  async runGovernedCodex(task: string, complexity = 0.5): Promise<string | null> {
    const { print } = this.o;
    print(`\nAgent: ${this.o.agentId}`);
    print(`Task: ${task}`);

    let [action, reason] = await this.checkGovernance();
    print(`Governance: ${pyStr(action)} - ${pyStr(reason)}`);
    if (action === 'PAUSE') {
      print('Governance suggests pausing. Exiting.');
      return null;
    }

    print('\nSearching knowledge graph for related work...');
    const kgResults = await this.searchKnowledgeGraph(task.slice(0, 50)); // First 50 chars as query
    if (kgResults.success) {
      const discoveries = (kgResults.result?.discoveries ?? []) as Array<Record<string, unknown>>;
      if (discoveries.length) {
        print(`   Found ${discoveries.length} related discoveries:`);
        for (const d of discoveries.slice(0, 3)) print(`   - ${pyStr(d.summary)} (by ${pyStr(d.agent_id)})`);
      }
    }

    const governanceTools = await this.getGovernanceTools();
    print(`\nCalling GPT-4 with ${governanceTools.length} governance tools...`);
    const response = await this.o.client.chat.completions.create({
      model: 'gpt-4',
      messages: [
        { role: 'system', content: 'You are a helpful coding assistant with access to governance tools.' },
        { role: 'user', content: task },
      ],
      tools: governanceTools,
      tool_choice: 'auto',
    });
    const message = response.choices[0]!.message;

    if (message.tool_calls?.length) {
      print(`\nExecuting ${message.tool_calls.length} tool calls...`);
      for (const toolCall of message.tool_calls) {
        if (toolCall.type !== 'function') throw new Error(`The model made a ${toolCall.type} tool call; the seed only handles function calls.`);
        const args: unknown = JSON.parse(toolCall.function.arguments);
        const result = await this.callGovernanceTool(toolCall.function.name, args);
        print(`   ${toolCall.function.name}: ${pyStr(result.success)}`);
      }
    }

    await this.logWork(`Completed: ${task}`, complexity);

    [action, reason] = await this.checkGovernance();
    print('\nComplete!');
    print(`Final governance: ${pyStr(action)} - ${pyStr(reason)}`);
    return message.content;
  }

  /** The Complete Example's `if __name__ == "__main__":` part: example 1 (a refactoring task), example 2 (store a discovery). */
  async completeExampleMain(): Promise<void> {
    const result = await this.runGovernedCodex(
      'Refactor this Python function to use list comprehension:\n' +
        'def square_evens(nums):\n' +
        '    result = []\n' +
        '    for n in nums:\n' +
        '        if n % 2 == 0:\n' +
        '            result.append(n**2)\n' +
        '    return result',
      0.3,
    );
    this.o.print(`\nResult:\n${pyStr(result)}`);

    await this.callGovernanceTool('store_discovery_graph', {
      agent_id: this.o.agentId,
      discovery_type: 'pattern',
      summary: 'List comprehension pattern for filtering and mapping',
      details: 'Use [f(x) for x in items if condition(x)] instead of for-loop with append',
      tags: ['python', 'refactoring', 'comprehension'],
    });
    this.o.print('\nStored discovery in knowledge graph');
  }

  /**
   * Pattern 1 `autonomous_agent_loop()`. `getNextTask` and `storeResult` are the reader's (the seed
   * leaves them undefined). On PAUSE it waits 60 s and checks again, as the seed does.
   */
  async autonomousAgentLoop(getNextTask: () => QueuedTask | null, storeResult: (taskId: string, result: string | null) => void): Promise<void> {
    for (;;) {
      const [action, reason] = await this.checkGovernance();
      if (action === 'PAUSE') {
        this.o.print(`Pausing due to governance: ${pyStr(reason)}`);
        await sleep(60_000); // Wait before retrying
        continue;
      }
      const task = getNextTask();
      if (!task) break;
      const result = await this.runGovernedCodex(task.description, task.complexity);
      storeResult(task.id, result);
    }
  }

  /** Pattern 2 `check_for_duplicate_work(task_description)`: true when the knowledge graph already holds related work. */
  async checkForDuplicateWork(taskDescription: string): Promise<boolean> {
    const results = await this.searchKnowledgeGraph(taskDescription);
    if (results.success) {
      const discoveries = results.result!.discoveries as Array<Record<string, unknown>>;
      if (discoveries.length) {
        this.o.print(`Found ${discoveries.length} similar discoveries`);
        this.o.print(`   Most recent: ${pyStr(discoveries[0]!.summary)}`);
        this.o.print(`   By: ${pyStr(discoveries[0]!.agent_id)}`);
        return true;
      }
    }
    return false;
  }

  /** Pattern 2's usage: skip the task another agent already worked on, else run it. */
  async pattern2Usage(): Promise<void> {
    if (!(await this.checkForDuplicateWork('Refactor user authentication'))) {
      await this.runGovernedCodex('Refactor user authentication', 0.7);
    } else {
      this.o.print('Skipping - another agent already worked on this');
    }
  }

  /** "Advanced: Streaming Responses" `run_codex_with_streaming(task)`: prints the deltas as they come, then logs the work. */
  async runCodexWithStreaming(task: string): Promise<string> {
    const response = await this.o.client.chat.completions.create({ model: 'gpt-4', messages: [{ role: 'user', content: task }], stream: true });
    let fullResponse = '';
    for await (const chunk of response) {
      const content = chunk.choices[0]!.delta.content;
      if (content) {
        this.o.print(content, '');
        fullResponse += content;
      }
    }
    await this.logWork(`Streamed completion: ${task.slice(0, 50)}...`, 0.5);
    return fullResponse;
  }
}
