/**
 * Messages between the MCP Servers settings page and its host (src/vscode/mcp-settings/). The host
 * checks every page message with {@link parseMcpPageMessage}; the page trusts the host.
 *
 * Secrets: values of `env`, `http_headers` (and the variable names of `env_http_headers`) reach the
 * page only as {@link MapRow}s without `value` (shown as `*****`) until the user asks to reveal one
 * row; a row still without `value` at save time keeps the value the file has.
 */
import * as z from 'zod/mini';
import { parseMessage } from '../shared/parse';

export const MCP_SETTINGS_VIEW_TYPE = 'codexGovernance.mcpSettings';

/** Shown instead of a masked value. */
export const MASK = '*****';

export const MAP_FIELDS = ['env', 'http_headers', 'env_http_headers'] as const;
export type MapField = (typeof MAP_FIELDS)[number];

const mapRowSchema = z.strictObject({
  key: z.string().check(z.maxLength(500)),
  /** Absent: unchanged (and masked); the host keeps the file's value for `key`. */
  value: z.optional(z.string().check(z.maxLength(100_000))),
});
export type MapRow = z.output<typeof mapRowSchema>;

const str = (max: number) => z.string().check(z.maxLength(max));
const strings = z.array(str(10_000)).check(z.maxLength(1000));
const mapRows = z.array(mapRowSchema).check(z.maxLength(1000));

/** The form of one server, as typed (timeouts are text so bad input can be reported, not lost). */
export const serverFormSchema = z.strictObject({
  name: str(200),
  transport: z.enum(['stdio', 'streamable_http']),
  command: str(10_000),
  args: strings,
  env: mapRows,
  env_vars: strings,
  cwd: str(10_000),
  url: str(10_000),
  bearer_token_env_var: str(500),
  http_headers: mapRows,
  env_http_headers: mapRows,
  /** Seconds as typed; '' = Codex default (10 s). */
  startup_timeout_sec: str(100),
  /** Seconds as typed; '' = Codex default (60 s). */
  tool_timeout_sec: str(100),
  enabled: z.boolean(),
  /** null = every tool allowed. */
  enabled_tools: z.nullable(strings),
  disabled_tools: z.nullable(strings),
});
export type ServerForm = z.output<typeof serverFormSchema>;

/** Which server of which file a form edits; `originalName` null = a new server. */
const targetSchema = {
  file: z.string().check(z.minLength(1), z.maxLength(10_000)),
  originalName: z.nullable(str(200)),
};
const serverName = z.string().check(z.minLength(1), z.maxLength(200));
const seq = z.number().check(z.int());

export const mcpPageMessageSchema = z.discriminatedUnion('type', [
  /** The page listens; the host answers with `state`. */
  z.strictObject({ type: z.literal('ready') }),
  /** Re-read every file (after "changed on disk: Reload"). */
  z.strictObject({ type: z.literal('reload') }),
  /** Inline validation of an unsaved form; answered by `validation` with the same `seq`. */
  z.strictObject({ type: z.literal('validate'), seq, ...targetSchema, form: serverFormSchema }),
  z.strictObject({ type: z.literal('save'), seq, ...targetSchema, form: serverFormSchema }),
  z.strictObject({ type: z.literal('remove'), seq, file: targetSchema.file, name: serverName }),
  /** Starts or connects to the server as the form describes and lists its tools; answered by `testResult`. */
  z.strictObject({ type: z.literal('test'), seq, ...targetSchema, form: serverFormSchema }),
  /** Asks for the real value of one masked row; answered by `revealed`. */
  z.strictObject({ type: z.literal('reveal'), file: targetSchema.file, name: serverName, field: z.enum(MAP_FIELDS), key: str(500) }),
  z.strictObject({ type: z.literal('openFile'), file: targetSchema.file }),
]);
export type McpPageMessage = z.output<typeof mcpPageMessageSchema>;

/**
 * @throws Error naming each offending field when `raw` is not a valid page message.
 */
export function parseMcpPageMessage(raw: unknown): McpPageMessage {
  return parseMessage(mcpPageMessageSchema, raw, 'MCP servers settings');
}

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

export type McpHostMessage =
  | { type: 'state'; files: FileView[]; /** Server file to select first (e.g. after Add / Connect). */ focus?: { file: string; name: string | null } }
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
  | { type: 'revealed'; file: string; name: string; field: MapField; key: string; value: string }
  | { type: 'changedOnDisk'; file: string }
  | { type: 'error'; message: string };

/** What the page keeps across reloads (WebviewPanelSerializer). */
export interface McpPageState {
  selected?: { file: string; name: string | null };
}
