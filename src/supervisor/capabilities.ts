/**
 * What a Codex version can do, by version or backend: the approval policies of the `codex` tool
 * (below) and lifecycle hooks ({@link hookSupport}).
 *
 * Which values of the `codex` tool's enumerated settings the detected Codex accepts, so the tool
 * offers only those and refuses any other as `invalid_arguments` before a Codex process starts
 * (instead of Codex failing the turn, which surfaced as an internal error).
 *
 * Observed with the real binaries this project installs:
 * - Codex 0.153.4 `codex mcp-server`: its own `codex` tool schema lists `approval-policy`
 *   `on-request` | `never`; any other value fails the call with "Failed to parse configuration
 *   for Codex tool: unknown variant `untrusted`, expected `on-request` or `never`".
 * - Codex 0.153.4, 0.169.0 and 0.171.0 `codex app-server`, `thread/start` `approvalPolicy`
 *   (`codex app-server generate-json-schema`, `AskForApproval`): `untrusted` | `on-request` |
 *   `never`, or a `{granular: {...}}` object that the tool does not offer; `on-failure` fails
 *   with -32600 "unknown variant `on-failure`, expected one of `untrusted`, `on-request`,
 *   `granular`, `never`".
 * - `on-failure` (listed by older Codex documentation) is accepted by none of them.
 * - Sandbox modes are the same on all three (`read-only` | `workspace-write` |
 *   `danger-full-access`), so they need no per-backend table; see ./arguments for the aliases.
 *
 * The backend decides, not the version: all app-server versions accept the same values, and the
 * mcp-server of 0.153.4 (the newest that has one) is the only mcp-server observed, so older
 * mcp-server versions are given its set too.
 */
import { compareVersions, type CodexBackend, type LocatedCodex } from './locate';

/** Approval policies some supported Codex backend accepts, in the order the tool lists them. */
export const APPROVAL_POLICIES = ['untrusted', 'on-request', 'never'] as const;
export type AcceptedApprovalPolicy = (typeof APPROVAL_POLICIES)[number];

type NonEmpty<T> = readonly [T, ...T[]];

const APPROVAL_POLICIES_BY_BACKEND: Record<CodexBackend, NonEmpty<AcceptedApprovalPolicy>> = {
  'mcp-server': ['on-request', 'never'],
  'app-server': ['untrusted', 'on-request', 'never'],
};

/** The approval policies the located Codex accepts on its backend (never empty). */
export function acceptedApprovalPolicies(located: Pick<LocatedCodex, 'backend' | 'version'>): NonEmpty<AcceptedApprovalPolicy> {
  return APPROVAL_POLICIES_BY_BACKEND[located.backend];
}

/** Which backend accepts which approval policies, for texts shown before Codex is located. */
export function approvalPoliciesByBackendText(): string {
  return (Object.entries(APPROVAL_POLICIES_BY_BACKEND) as [CodexBackend, NonEmpty<AcceptedApprovalPolicy>][])
    .map(([backend, values]) => `${values.join(', ')} on the ${backend} backend${backend === 'mcp-server' ? ' (Codex 0.153.x and older)' : ''}`)
    .join('; ');
}

/**
 * Why `value` is refused as `approval-policy`, naming the accepted values: those of `located` when
 * Codex has been located, else every backend's.
 */
export function approvalPolicyRefusal(value: unknown, located: Pick<LocatedCodex, 'backend' | 'version'> | undefined): string {
  const shown = typeof value === 'string' ? `"${value}"` : String(JSON.stringify(value));
  if (located) {
    return `${shown} is not accepted by Codex ${located.version} (${located.backend} backend); use one of ${acceptedApprovalPolicies(located).join(', ')}.`;
  }
  return `${shown} is not an approval policy Codex accepts; use ${approvalPoliciesByBackendText()}.`;
}

/**
 * The Codex lifecycle-hook events governance uses (`codex-governance hook`), in the order a session
 * meets them. Codex has more (`UserPromptSubmit`, `PreCompact`, `SessionEnd`, ...) that governance
 * does not need.
 */
export const GOVERNED_HOOK_EVENTS = ['SessionStart', 'PreToolUse', 'PermissionRequest', 'PostToolUse', 'Stop'] as const;
export type GovernedHookEvent = (typeof GOVERNED_HOOK_EVENTS)[number];

/**
 * First Codex release with each event. Sources: openai/codex #13276 (hooks engine with
 * `SessionStart` and `Stop`, 0.114.0, behind `[features] codex_hooks`, read from `hooks.json`),
 * the generated hook schemas of tag rust-v0.118.0 (`PreToolUse`/`PostToolUse`, shell commands
 * only), openai/codex #17563 (`PermissionRequest`, 0.122.0).
 */
export const HOOK_EVENT_SINCE: Readonly<Record<GovernedHookEvent, string>> = Object.freeze({
  SessionStart: '0.114.0',
  PreToolUse: '0.118.0',
  PermissionRequest: '0.122.0',
  PostToolUse: '0.118.0',
  Stop: '0.114.0',
});

/**
 * First release whose hooks governance can rely on: hooks on by default (feature `hooks` stable),
 * read from `[hooks]` tables of config.toml (where `connect codex` writes them), and `PreToolUse`
 * run for `apply_patch` and MCP tools too, not only shell commands (developers.openai.com/codex/hooks:
 * `hooks` is the canonical, default-on feature key, `codex_hooks` a deprecated alias; NVIDIA NeMo
 * Guardrails' Codex hooks guide names 0.124.0 as the first release with all three). Observed: 0.153.4, 0.169.0 and
 * 0.171.0 list all five governed events of a config.toml through app-server `hooks/list`
 * (test/e2e/codex-hook-versions.test.ts).
 */
export const HOOKS_MIN_VERSION = '0.124.0';

/** What the hooks of one Codex version can do for governance. */
export interface HookSupport {
  /** The version asked about, as given. */
  version: string;
  /** True when governance hooks work in this version (>= {@link HOOKS_MIN_VERSION}). */
  supported: boolean;
  /** Governed events that work as `connect codex` installs them: all of them when `supported`, else none. */
  events: GovernedHookEvent[];
  /** Governed events this version has at all (some exist before {@link HOOKS_MIN_VERSION}, behind a feature flag). */
  present: GovernedHookEvent[];
  /** Why hooks do not work and what to do; undefined when `supported`. */
  message?: string;
}

/**
 * Which governance hooks work in Codex `version` (e.g. from `codex --version`), with a message
 * naming the version and the fix for older ones. Never throws: an unreadable version is reported
 * unsupported (fail closed), since nothing can be promised about it.
 */
export function hookSupport(version: string): HookSupport {
  let present: GovernedHookEvent[];
  try {
    present = GOVERNED_HOOK_EVENTS.filter((e) => compareVersions(version, HOOK_EVENT_SINCE[e]) >= 0);
  } catch {
    return {
      version,
      supported: false,
      events: [],
      present: [],
      message: `Cannot tell whether Codex "${version}" has lifecycle hooks (no MAJOR.MINOR.PATCH version); governance hooks need Codex ${HOOKS_MIN_VERSION} or newer.`,
    };
  }
  if (compareVersions(version, HOOKS_MIN_VERSION) >= 0) return { version, supported: true, events: [...GOVERNED_HOOK_EVENTS], present };
  const has = present.length === 0 ? 'has no lifecycle hooks' : `has only experimental hooks (${present.join(', ')}; off unless [features] codex_hooks is set, not read from config.toml, PreToolUse sees shell commands only)`;
  return {
    version,
    supported: false,
    events: [],
    present,
    message:
      `Codex ${version} ${has}; governance hooks need Codex ${HOOKS_MIN_VERSION} or newer. ` +
      'Update Codex (npm install -g @openai/codex@latest); until then only sessions started through the governance server (the codex tool) are governed.',
  };
}
