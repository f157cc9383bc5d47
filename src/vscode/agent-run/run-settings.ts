/**
 * The `codexGovernance.agents.*` settings of a governed agent run in VS Code, read and checked
 * without `vscode` (unit tested), and the words the runner's messages (shared with the CLI, which
 * names its flags) use for them here.
 */
import type { AgentApi } from '../../agent/events';
import type { OptionNames } from '../../agent/option-names';

export const AGENT_SETTINGS_SECTION = 'codexGovernance.agents';

/** The SecretStorage key of the OpenAI API key (never in settings or logs). */
export const API_KEY_SECRET = 'codexGovernance.openaiApiKey';

/** Where the API key comes from, as messages name it. */
export const API_KEY_SOURCE = 'the key stored by "Codex Governance: Set OpenAI API Key"';

export interface AgentRunSettings {
  model: string;
  /** No trailing slash. */
  baseUrl: string;
  api: AgentApi;
  /** Most model turns, 1..1000. */
  maxSteps: number;
  /** Deadline of a whole run, s. */
  timeoutSeconds: number;
  /** One model request, s. */
  requestTimeoutSeconds: number;
  /** Retries of a failed model request, 0..5. */
  maxRetries: number;
  /** Offer the tools of the Codex config's MCP servers. */
  useMcpServers: boolean;
  /** The Codex config with `[mcp_servers]`; '' = `<Codex home>/config.toml`. */
  mcpConfig: string;
}

export const AGENT_DEFAULTS: AgentRunSettings = {
  model: 'gpt-4.1-mini',
  baseUrl: 'https://api.openai.com/v1',
  api: 'chat',
  maxSteps: 20,
  timeoutSeconds: 600,
  requestTimeoutSeconds: 120,
  maxRetries: 2,
  useMcpServers: true,
  mcpConfig: '',
};

/** A setting's full name. */
export const settingName = (key: keyof AgentRunSettings): string => `${AGENT_SETTINGS_SECTION}.${key}`;

/**
 * The settings through `get` (VS Code's `WorkspaceConfiguration.get` of the section), defaults for
 * unset ones.
 * @throws Error naming the setting and what it accepts, for a bad value
 */
export function readAgentSettings(get: (key: string) => unknown): AgentRunSettings {
  const text = (key: 'model' | 'baseUrl' | 'mcpConfig'): string => {
    const v = get(key);
    if (v === undefined || v === null) return AGENT_DEFAULTS[key];
    if (typeof v !== 'string') throw new Error(`The setting ${settingName(key)} must be a string.`);
    return v.trim() || AGENT_DEFAULTS[key];
  };
  const int = (key: 'maxSteps' | 'maxRetries', min: number, max: number): number => {
    const v = get(key) ?? AGENT_DEFAULTS[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new Error(`The setting ${settingName(key)} must be an integer from ${min} to ${max}, not ${JSON.stringify(v)}.`);
    return v;
  };
  const seconds = (key: 'timeoutSeconds' | 'requestTimeoutSeconds'): number => {
    const v = get(key) ?? AGENT_DEFAULTS[key];
    if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) throw new Error(`The setting ${settingName(key)} must be a number of seconds > 0, not ${JSON.stringify(v)}.`);
    return v;
  };
  const api = get('api') ?? AGENT_DEFAULTS.api;
  if (api !== 'chat' && api !== 'responses') throw new Error(`The setting ${settingName('api')} must be "chat" or "responses", not ${JSON.stringify(api)}.`);
  const use = get('useMcpServers') ?? AGENT_DEFAULTS.useMcpServers;
  if (typeof use !== 'boolean') throw new Error(`The setting ${settingName('useMcpServers')} must be true or false.`);
  return {
    model: text('model'),
    baseUrl: checkBaseUrl(text('baseUrl')),
    api,
    maxSteps: int('maxSteps', 1, 1000),
    timeoutSeconds: seconds('timeoutSeconds'),
    requestTimeoutSeconds: seconds('requestTimeoutSeconds'),
    maxRetries: int('maxRetries', 0, 5),
    useMcpServers: use,
    mcpConfig: text('mcpConfig'),
  };
}

/**
 * `url` without trailing slashes, when it is an http(s) URL.
 * @throws Error naming {@link settingName}('baseUrl') and an example
 */
export function checkBaseUrl(url: string): string {
  const trimmed = url.trim().replace(/\/+$/, '');
  let parsed: URL | undefined;
  try {
    parsed = new URL(trimmed);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new Error(`The base URL ${JSON.stringify(url)} is not an http(s) URL. Set ${settingName('baseUrl')} to an OpenAI-compatible API, e.g. ${AGENT_DEFAULTS.baseUrl}.`);
  }
  return trimmed;
}

/**
 * How the runner's messages name what a VS Code user changes: these settings by their full ids
 * and the extension's commands and views, where the command line names its flags.
 */
export const VSCODE_OPTION_NAMES: Readonly<OptionNames> = Object.freeze({
  baseUrl: `the setting ${settingName('baseUrl')}`,
  model: `the setting ${settingName('model')}`,
  api: `the setting ${settingName('api')}`,
  requestTimeout: `the setting ${settingName('requestTimeoutSeconds')}`,
  runTimeout: `the setting ${settingName('timeoutSeconds')}`,
  maxSteps: `the setting ${settingName('maxSteps')}`,
  mcpConfig: `the setting ${settingName('mcpConfig')}`,
  apiKeySource: API_KEY_SOURCE,
  setApiKey: 'Run "Codex Governance: Set OpenAI API Key" with a valid key.',
  taskList: 'the Tasks view',
  queuedTask: 'run a task from the Tasks view',
  fixServer: 'Check that the governance server is running (Codex Governance: Start Server).',
});
