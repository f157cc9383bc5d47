/**
 * Messages between the MCP Servers settings page and its host (src/vscode/mcp-settings/): types and
 * constants only, so the page bundle carries no validation code. The host checks every page message
 * with the schemas of ./schema (zod/mini, host only); the page trusts the host. Requests (`validate`,
 * `save`, `remove`, `test`) and their answers carry the id of ../shared/requests (`seq`).
 *
 * Secrets: values of `env`, `http_headers` (and the variable names of `env_http_headers`) reach the
 * page only as {@link MapRow}s without `value` (shown as `*****`) until the user asks to reveal one
 * row; a row still without `value` at save time keeps the value the file has.
 */
import type { RequestId } from '../shared/requests';

export const MCP_SETTINGS_VIEW_TYPE = 'codexGovernance.mcpSettings';

/** Shown instead of a masked value. */
export const MASK = '*****';

export const MAP_FIELDS = ['env', 'http_headers', 'env_http_headers'] as const;
export type MapField = (typeof MAP_FIELDS)[number];

/** Longest values the host accepts (characters, items). */
export const FORM_LIMITS = { name: 200, text: 10_000, envVar: 500, timeout: 100, mapKey: 500, mapValue: 100_000, items: 1000 } as const;

export interface MapRow {
  key: string;
  /** Absent: unchanged (and masked); the host keeps the file's value for `key`. */
  value?: string;
}

/** The form of one server, as typed (timeouts are text so bad input can be reported, not lost). */
export interface ServerForm {
  name: string;
  transport: 'stdio' | 'streamable_http';
  command: string;
  args: string[];
  env: MapRow[];
  env_vars: string[];
  cwd: string;
  url: string;
  bearer_token_env_var: string;
  http_headers: MapRow[];
  env_http_headers: MapRow[];
  /** Seconds as typed; '' = Codex default (10 s). */
  startup_timeout_sec: string;
  /** Seconds as typed; '' = Codex default (60 s). */
  tool_timeout_sec: string;
  enabled: boolean;
  /** null = every tool allowed. */
  enabled_tools: string[] | null;
  disabled_tools: string[] | null;
}

/** Which server of which file a form edits; `originalName` null = a new server. */
export interface FormTarget {
  file: string;
  originalName: string | null;
}

/** The page's requests: each is answered by a host message with the same `seq` (see {@link McpAnswer}). */
export type McpRequest =
  /** Inline validation of an unsaved form; answered by `validation`. */
  | ({ type: 'validate'; form: ServerForm } & FormTarget & RequestId)
  /** Answered by `saved` or `saveFailed`. */
  | ({ type: 'save'; form: ServerForm } & FormTarget & RequestId)
  /** Answered by `saved` (with `removed`) or `saveFailed`. */
  | ({ type: 'remove'; file: string; name: string } & RequestId)
  /** Starts or connects to the server as the form describes and lists its tools; answered by `testResult`. */
  | ({ type: 'test'; form: ServerForm } & FormTarget & RequestId);

export type McpPageMessage =
  /** The page listens; the host answers with `state`. */
  | { type: 'ready' }
  /** Re-read every file (after "changed on disk: Reload"). */
  | { type: 'reload' }
  | McpRequest
  /** Asks for the real value of one masked row; answered by `revealed`. */
  | { type: 'reveal'; file: string; name: string; field: MapField; key: string }
  | { type: 'openFile'; file: string };

/** One finding, placed on a form field when `field` is set. */
export interface FormIssue {
  /** Form field name (`command`, `startup_timeout_sec`, ...) or '' for the whole server. */
  field: string;
  message: string;
  severity: 'error' | 'warning';
  line?: number;
  column?: number;
}

export interface ServerView {
  name: string;
  /** 'stdio' | 'streamable_http', or 'invalid' when the table has no usable transport. */
  transport: 'stdio' | 'streamable_http' | 'invalid';
  enabled: boolean;
  /** 'ok' | 'warning' | 'error' from the file's validation. */
  status: 'ok' | 'warning' | 'error';
  form: ServerForm;
  issues: FormIssue[];
}

export interface FileView {
  path: string;
  /** e.g. "user (~/.codex/config.toml)". */
  label: string;
  kind: 'user' | 'workspace' | 'standalone';
  exists: boolean;
  /** Workspace files: whether Codex reads it (project trusted). */
  trusted?: boolean;
  /** Set when the file is not valid TOML: nothing can be edited until it is fixed. */
  parseError?: { line: number; column: number; message: string };
  servers: ServerView[];
}

/** The host's answers to {@link McpRequest}s, each with the request's `seq`. */
export type McpAnswer =
  | { type: 'validation'; seq: number; issues: FormIssue[] }
  | { type: 'saved'; seq: number; file: string; name: string; /** The server was removed rather than written. */ removed?: boolean }
  | { type: 'saveFailed'; seq: number; issues: FormIssue[]; /** Set when the file changed on disk since it was read. */ conflict?: boolean; message: string }
  | {
      type: 'testResult';
      seq: number;
      ok: boolean;
      tools: { name: string; description?: string }[];
      serverInfo?: { name: string; version: string };
      error?: string;
      stderrTail?: string;
      /** ms */
      durationMs: number;
    }
  /** The host failed on the request (or on a message that was no request: no `seq`). */
  | { type: 'error'; message: string; seq?: number };

export type McpHostMessage =
  | { type: 'state'; files: FileView[]; /** Server file to select first (e.g. after Add / Connect). */ focus?: { file: string; name: string | null } }
  | McpAnswer
  | { type: 'revealed'; file: string; name: string; field: MapField; key: string; value: string }
  | { type: 'changedOnDisk'; file: string };

/** What the page keeps across reloads (WebviewPanelSerializer). */
export interface McpPageState {
  selected?: { file: string; name: string | null };
}
