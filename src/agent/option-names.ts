/**
 * The words the runner's messages (./runner, ./model-errors, ./approvals, ./task-lease,
 * ./mcp-sources) use for the options a person changes to fix a failure. The command line names its
 * flags ({@link CLI_OPTION_NAMES}); VS Code names its settings and commands
 * (src/vscode/agent-run/run-settings.ts `VSCODE_OPTION_NAMES`). Each caller passes its own, so no
 * message has to be reworded afterwards.
 */

export interface OptionNames {
  /** The model server's base URL, as in "Check <baseUrl>". */
  baseUrl: string;
  /** The model name, as in "<model> (gpt-4.1-mini)". */
  model: string;
  /** The model API (Chat Completions or Responses); absent when the caller has only one. */
  api?: string;
  /** One model request's timeout, as in "Raise <requestTimeout>". */
  requestTimeout: string;
  /** The whole run's deadline, as in "raise <runTimeout> for longer work". */
  runTimeout: string;
  /** The most model turns, as in "raise <maxSteps> to let it go on". */
  maxSteps: string;
  /** The Codex config with `[mcp_servers]`, as in "name another file with <mcpConfig>". */
  mcpConfig: string;
  /** Where the API key comes from, as in "refused the API key from <apiKeySource>". */
  apiKeySource: string;
  /** A sentence saying how to give a valid key (ends with a period). */
  setApiKey: string;
  /** Where the queue's pending tasks are seen, as in "Pick a pending task (<taskList>)". */
  taskList: string;
  /** How to name a queued task instead of a task text, as in "give the task text, or <queuedTask>". */
  queuedTask: string;
  /** The option that sets the run's agent id, when the caller has one. */
  agentId?: string;
  /** A sentence saying how to fix a governance server that cannot be asked (ends with a period). */
  fixServer: string;
}

/** The flags of `codex-governance agent run` with the key read from `apiKeyEnv`. */
export function cliOptionNames(apiKeyEnv = 'OPENAI_API_KEY'): OptionNames {
  return {
    baseUrl: '--base-url',
    model: '--model',
    api: '--api',
    requestTimeout: '--request-timeout-seconds',
    runTimeout: '--timeout-seconds',
    maxSteps: '--max-steps',
    mcpConfig: '--mcp-config',
    apiKeySource: apiKeyEnv,
    setApiKey: `Set ${apiKeyEnv} to a valid key, or name another variable with --api-key-env.`,
    taskList: 'codex-governance tasks list',
    queuedTask: '--task-id of a queued task',
    agentId: '--agent-id',
    fixServer: 'Start it (codex-governance serve) or check --server and its token.',
  };
}

/** The command line's words with the key in `OPENAI_API_KEY` (the runner's default). */
export const CLI_OPTION_NAMES: Readonly<OptionNames> = Object.freeze(cliOptionNames());
