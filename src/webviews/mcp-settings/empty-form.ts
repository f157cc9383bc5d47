/** The form of a new server ("Add MCP Server"), shared by the page and the host. */
import type { ServerForm } from './protocol';

/** An empty stdio form, optionally with a name already filled in. */
export function emptyForm(name = ''): ServerForm {
  return {
    name,
    transport: 'stdio',
    command: '',
    args: [],
    env: [],
    env_vars: [],
    cwd: '',
    url: '',
    bearer_token_env_var: '',
    http_headers: [],
    env_http_headers: [],
    startup_timeout_sec: '',
    tool_timeout_sec: '',
    enabled: true,
    enabled_tools: null,
    disabled_tools: null,
  };
}
