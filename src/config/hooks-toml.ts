/**
 * Codex lifecycle hooks in `config.toml`, and the trust Codex records for them. Verified against the
 * Codex 0.171.0 binary (app-server `hooks/list` reports `key`, `currentHash` and `trustStatus`; a
 * `codex exec` runs a hook trusted this way without asking) and its source (openai/codex
 * `codex-rs/hooks/src/engine/discovery.rs`, `config_rules.rs`, `codex-rs/config` `version_for_toml`):
 *
 * - TOML form: `[[hooks.<Event>]]` is one matcher group (`matcher` optional: all tools) and
 *   `[[hooks.<Event>.hooks]]` one handler `{type = "command", command, timeout (s, default 600),
 *   async, statusMessage}`. `command` is a shell command line.
 * - A hook outside managed config runs only once trusted: `[hooks.state."<key>"] trusted_hash =
 *   "<hash>"` in the user config, where key = `<config.toml path, symlinks resolved>:<event in
 *   snake_case>:<group index>:<handler index>` and hash = `sha256:` + hex SHA-256 of the compact JSON,
 *   keys sorted at every level, of `{event_name, matcher?, hooks: [handler with timeout filled in]}`
 *   (absent optional fields left out). This is exactly what Codex writes when a person picks "Trust"
 *   in its hooks review (`config/batchWrite` of `hooks.state."<key>".trusted_hash`).
 * - A changed hook (any field) gets a new hash and is "modified": Codex asks again.
 */
import { createHash } from 'node:crypto';
import { hookSupport } from '../supervisor/capabilities';
import { emitKey, emitValue } from './toml-emit';

/** The events `connect codex --hooks` installs, in the order written. */
export const GOVERNANCE_HOOK_EVENTS = ['SessionStart', 'PreToolUse', 'PermissionRequest', 'PostToolUse', 'Stop'] as const;
export type GovernanceHookEvent = (typeof GOVERNANCE_HOOK_EVENTS)[number];

/** How Codex asks a person to trust new hooks (observed with Codex 0.171.0), printed without --trust. */
export const CODEX_TRUST_HELP = [
  'Codex runs these hooks only after you trust them:',
  '  - the Codex CLI (codex) opens "Hooks need review" at start ("Hooks can run outside the sandbox after you',
  '    trust them."): choose "Trust all and continue"; /hooks in a session reviews them too;',
  '  - until then codex exec and the IDE extension skip them without a word.',
].join('\n');

/** Codex's default per-handler timeout when `timeout` is absent, in seconds. */
export const CODEX_DEFAULT_HOOK_TIMEOUT_SEC = 600;

export interface CommandHook {
  /** Codex event name as written in TOML (`PreToolUse`, ...). */
  event: string;
  /** Shell command line Codex runs (stdin: the event JSON). */
  command: string;
  /** Per-handler timeout in seconds (Codex kills the hook after it). */
  timeoutSec: number;
  statusMessage?: string;
  matcher?: string;
}

/** `PreToolUse` -> `pre_tool_use` (Codex's key label for an event). */
export function hookEventKey(event: string): string {
  return event.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** The `[hooks.state]` key of handler `handlerIndex` in group `groupIndex` of `event` in `configPath`. */
export function hookStateKey(configPath: string, event: string, groupIndex: number, handlerIndex = 0): string {
  return `${configPath}:${hookEventKey(event)}:${groupIndex}:${handlerIndex}`;
}

/** Recursively sorted keys, as Codex's canonical JSON (serde_json map sorted by key). */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return Object.fromEntries(Object.keys(obj).sort().map((k) => [k, canonical(obj[k])]));
  }
  return value;
}

/** The trust hash Codex computes for a single-handler group holding `hook` (`sha256:<64 hex>`). */
export function commandHookHash(hook: CommandHook): string {
  const handler: Record<string, unknown> = { type: 'command', command: hook.command, timeout: Math.max(1, hook.timeoutSec), async: false };
  if (hook.statusMessage !== undefined) handler.statusMessage = hook.statusMessage;
  const identity: Record<string, unknown> = { event_name: hookEventKey(hook.event), hooks: [handler] };
  if (hook.matcher !== undefined) identity.matcher = hook.matcher;
  return `sha256:${createHash('sha256').update(JSON.stringify(canonical(identity))).digest('hex')}`;
}

/** One `[[hooks.<Event>]]` group with one command handler, in the layout Codex itself writes. */
export function renderHookGroup(hook: CommandHook, eol: string): string {
  const group = [`[[hooks.${emitKey(hook.event)}]]`];
  if (hook.matcher !== undefined) group.push(`matcher = ${emitValue(hook.matcher)}`);
  const handler = [`[[hooks.${emitKey(hook.event)}.hooks]]`, 'type = "command"', `command = ${emitValue(hook.command)}`, `timeout = ${hook.timeoutSec}`];
  if (hook.statusMessage !== undefined) handler.push(`statusMessage = ${emitValue(hook.statusMessage)}`);
  return group.join(eol) + eol + handler.join(eol) + eol;
}

/** `[hooks.state."<key>"] trusted_hash = "<hash>"`, as Codex writes it when a person trusts a hook. */
export function renderHookTrust(key: string, hash: string, eol: string): string {
  return `[hooks.state.${emitValue(key)}]${eol}trusted_hash = ${emitValue(hash)}${eol}`;
}

/** How many `[[hooks.<event>]]` groups the parsed config already has (new groups are appended after them). */
export function existingGroupCount(parsed: Record<string, unknown>, event: string): number {
  const hooks = parsed.hooks;
  if (!hooks || typeof hooks !== 'object') return 0;
  const groups = (hooks as Record<string, unknown>)[event];
  return Array.isArray(groups) ? groups.length : 0;
}

/**
 * One argument quoted for a POSIX shell (Codex runs a hook's `command` with the shell); plain words
 * stay bare so the line reads well.
 */
export function shellQuote(arg: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * The warning for hooks written for a Codex that will not run them: `connect` still writes them
 * (they work once that Codex is updated), but the person must know the session is not governed yet.
 * @param codex the Codex that will run the hooks (path and `codex --version` version).
 * @returns undefined when that version runs governance hooks (>= HOOKS_MIN_VERSION of ../supervisor/capabilities).
 */
export function hooksIgnoredMessage(codex: { path: string; version: string }): string | undefined {
  const support = hookSupport(codex.version);
  if (support.supported) return undefined;
  return `the hooks are written, but the Codex that will run them (${codex.path}) ignores them. ${support.message ?? ''}`.trim();
}
