/**
 * The text "connect codex" adds to a Codex `config.toml`, and how "disconnect codex" takes it out.
 *
 * Everything added is one block at the end of the file, between two marker comments, so the rest of
 * the file (comments, layout) is never touched and the block can be found and removed later:
 * `[mcp_servers.codex-governance]` (a stdio command: the bridge, no URL, port or token), and with
 * hooks the `[[hooks.<Event>]]` groups and, with trust, their `[hooks.state."<key>"]` tables (see
 * ./hooks-toml.ts). An older `codex-governance` entry elsewhere in the file (the HTTP one that needed
 * `CODEX_GOVERNANCE_TOKEN`) is removed, and the diff shows it.
 *
 * Byte-for-byte restore: the caller keeps the text before and after the write (./connect-state.ts);
 * when the file still holds exactly what was written, disconnect writes the old text back; otherwise
 * it removes only the block and keeps every other change.
 */
import { createTwoFilesPatch } from 'diff';
import { applyEdit } from './edit';
import { ConfigEditError, ConfigParseError, parseToml } from './errors';
import { renderServerTable } from './edit';
import { isTable, type TomlValue } from './toml-emit';
import { commandHookHash, existingGroupCount, GOVERNANCE_HOOK_EVENTS, hookStateKey, renderHookGroup, renderHookTrust, type CommandHook } from './hooks-toml';

/** Name of the MCP server entry. */
export const GOVERNANCE_SERVER_NAME = 'codex-governance';
export const BLOCK_BEGIN = '# >>> codex-governance connect';
export const BLOCK_END = '# <<< codex-governance connect';

/** How Codex starts the bridge: an absolute program, its arguments and extra environment (no secrets). */
export interface LaunchCommand {
  command: string;
  args: string[];
  env?: Record<string, string>;
}

/** Per-event hook timeouts in seconds: a PermissionRequest waits for a person, the others do not. */
export const HOOK_TIMEOUTS_SEC: Record<string, number> = { SessionStart: 30, PreToolUse: 30, PermissionRequest: 600, PostToolUse: 30, Stop: 30 };
const HOOK_STATUS = 'Codex Governance';

export interface ConnectOptions {
  bridge: LaunchCommand;
  /** Shell command line of `codex-governance hook ...`; null: no hooks. */
  hookCommand: string | null;
  /** Record trust for the hooks added, as Codex does when a person trusts them. */
  trust: boolean;
  /** The config file's path as Codex names it in hook keys (absolute, symlinks resolved). */
  codexPath: string;
}

export interface InstalledHook {
  event: string;
  /** The `[hooks.state]` key Codex gives it. */
  key: string;
  /** The trust hash Codex computes for it. */
  hash: string;
  timeoutSec: number;
}

export interface ConnectPlan {
  before: string;
  after: string;
  changed: boolean;
  /** What was removed besides an earlier block of ours, e.g. an old HTTP entry (human-readable). */
  replaced: string[];
  hooks: InstalledHook[];
  trusted: boolean;
}

function eolOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/** Offsets of our block: from the start of the begin line to the end of the end line (its line break included). */
export function findBlock(text: string): { start: number; end: number } | undefined {
  const begin = lineStartOf(text, BLOCK_BEGIN);
  if (begin === undefined) return undefined;
  const endLine = lineStartOf(text, BLOCK_END, begin);
  if (endLine === undefined) return undefined;
  const nl = text.indexOf('\n', endLine);
  return { start: begin, end: nl === -1 ? text.length : nl + 1 };
}

function lineStartOf(text: string, marker: string, from = 0): number | undefined {
  let i = text.indexOf(marker, from);
  while (i !== -1) {
    if (i === 0 || text[i - 1] === '\n') return i;
    i = text.indexOf(marker, i + 1);
  }
  return undefined;
}

/**
 * `text` without our block and the blank line put before it. Without a block, `text` unchanged.
 */
export function removeBlock(text: string): string {
  const block = findBlock(text);
  if (!block) return text;
  let head = text.slice(0, block.start);
  const eol = eolOf(text);
  if (head.endsWith(eol + eol)) head = head.slice(0, -eol.length);
  else if (head === eol) head = '';
  return head + text.slice(block.end);
}

/**
 * Plans the connect edit of `text` (the file's current content; '' for a new file).
 * @param previous the text written by the last connect and the text before it, when known: if the file
 *   still holds exactly that, the new block is planned on the original text.
 * @throws ConfigParseError when `text` is not valid TOML.
 * @throws ConfigEditError (code `unsupported-form`) when the result would not be valid TOML, e.g. the
 *   file writes `hooks.PreToolUse` as an inline array, which `[[hooks.PreToolUse]]` cannot extend.
 */
export function planConnect(text: string, file: string, options: ConnectOptions, previous?: { before: string; after: string }): ConnectPlan {
  parseToml(text, file);
  let base = previous && previous.after === text ? previous.before : removeBlock(text);
  const replaced: string[] = [];
  const parsedBase = parseToml(base, file);
  const servers = isTable(parsedBase.mcp_servers) ? parsedBase.mcp_servers : {};
  const old = servers[GOVERNANCE_SERVER_NAME];
  if (old !== undefined) {
    base = applyEdit(base, { kind: 'remove', name: GOVERNANCE_SERVER_NAME });
    replaced.push(isTable(old) && typeof old.url === 'string' ? `the HTTP entry for ${old.url}` : `the earlier [mcp_servers.${GOVERNANCE_SERVER_NAME}] entry`);
  }
  const eol = eolOf(base || text);
  const parsed = parseToml(base, file);
  const hooks: InstalledHook[] = [];
  const parts: string[] = [
    `${BLOCK_BEGIN}: added by "codex-governance connect codex"; "codex-governance disconnect codex" removes this block.${eol}`,
    `# The bridge finds the running governance server (port and token) in its data directory, so no URL or token is written here.${eol}`,
    renderServerTable(GOVERNANCE_SERVER_NAME, serverTable(options.bridge), eol),
  ];
  if (options.hookCommand) {
    parts.push(`${eol}# Hooks: tool calls, permission requests and sessions go through the governance server; when it does not answer, Codex's own approvals apply.${eol}`);
    for (const event of GOVERNANCE_HOOK_EVENTS) {
      const hook: CommandHook = { event, command: options.hookCommand, timeoutSec: HOOK_TIMEOUTS_SEC[event] ?? 30, statusMessage: HOOK_STATUS };
      hooks.push({ event, key: hookStateKey(options.codexPath, event, existingGroupCount(parsed, event)), hash: commandHookHash(hook), timeoutSec: hook.timeoutSec });
      parts.push(eol + renderHookGroup(hook, eol));
    }
    if (options.trust) {
      parts.push(`${eol}# Trust for the hooks above, recorded as Codex records it when a person trusts them.${eol}`);
      for (const h of hooks) parts.push(renderHookTrust(h.key, h.hash, eol));
    }
  }
  parts.push(`${eol}${BLOCK_END}${eol}`);
  const block = parts.join('');
  const sep = base === '' ? '' : base.endsWith(eol) ? eol : eol + eol;
  const after = base + sep + block;
  try {
    parseToml(after, file);
  } catch (e) {
    if (!(e instanceof ConfigParseError)) throw e;
    throw new ConfigEditError(
      'unsupported-form',
      `${file}: the governance block cannot be appended (${e.reason} at line ${e.line}). If the file writes [hooks] events or mcp_servers as inline tables or arrays, ` +
        'rewrite them as [[hooks.<Event>]] / [mcp_servers.<name>] tables, or connect without --hooks.',
    );
  }
  return { before: text, after, changed: after !== text, replaced, hooks, trusted: options.trust && hooks.length > 0 };
}

function serverTable(bridge: LaunchCommand): Record<string, TomlValue> {
  const table: Record<string, TomlValue> = { command: bridge.command, args: bridge.args };
  // Why "approve": Codex otherwise asks before every governance tool not annotated read-only (see src/vscode/snippets.ts).
  table.default_tools_approval_mode = 'approve';
  if (bridge.env && Object.keys(bridge.env).length) table.env = bridge.env;
  return table;
}

export interface DisconnectPlan {
  before: string;
  after: string;
  /** `restored`: the text from before connect, byte for byte; `removed`: only our block went; `absent`: nothing of ours. */
  how: 'restored' | 'removed' | 'absent';
}

/**
 * Plans the disconnect edit of `text`.
 * @param previous what the last connect wrote and the text before it (from the state file), if known.
 */
export function planDisconnect(text: string, previous?: { before: string; after: string }): DisconnectPlan {
  if (previous && previous.after === text) return { before: text, after: previous.before, how: 'restored' };
  if (!findBlock(text)) return { before: text, after: text, how: 'absent' };
  return { before: text, after: removeBlock(text), how: 'removed' };
}

/** The `--data-dir` the block's bridge was given, if any (so disconnect finds the state file). */
export function blockDataDir(text: string): string | undefined {
  const block = findBlock(text);
  if (!block) return undefined;
  let parsed: Record<string, unknown>;
  try {
    parsed = parseToml(text.slice(block.start, block.end));
  } catch {
    return undefined;
  }
  const servers = isTable(parsed.mcp_servers) ? parsed.mcp_servers : {};
  const entry = servers[GOVERNANCE_SERVER_NAME];
  const args = isTable(entry) && Array.isArray(entry.args) ? entry.args : [];
  const i = args.indexOf('--data-dir');
  const dir = i === -1 ? undefined : args[i + 1];
  return typeof dir === 'string' ? dir : undefined;
}

/** A unified diff of the change (3 lines of context), '' when nothing changes. */
export function unifiedDiff(file: string, before: string, after: string, label = 'after'): string {
  if (before === after) return '';
  return createTwoFilesPatch(file, file, before, after, 'current', label, { context: 3 });
}
