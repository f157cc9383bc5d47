/**
 * Which values of the `codex` tool's enumerated settings the detected Codex accepts, so the tool
 * offers only those and refuses any other as `invalid_arguments` before a Codex process starts
 * (instead of Codex failing the turn, which surfaced as an internal error).
 *
 * Observed with the real binaries this project installs:
 * - Codex 0.153.4 `codex mcp-server`: its own `codex` tool schema lists `approval-policy`
 *   `on-request` | `never`; any other value fails the call with "Failed to parse configuration
 *   for Codex tool: unknown variant `untrusted`, expected `on-request` or `never`".
 * - Codex 0.153.4 and 0.169.0 `codex app-server`, `thread/start` `approvalPolicy`
 *   (`codex app-server generate-json-schema`, `AskForApproval`): `untrusted` | `on-request` |
 *   `never`, or a `{granular: {...}}` object that the tool does not offer; `on-failure` fails
 *   with -32600 "unknown variant `on-failure`, expected one of `untrusted`, `on-request`,
 *   `granular`, `never`".
 * - `on-failure` (listed by older Codex documentation) is accepted by none of them.
 * - Sandbox modes are the same on all three (`read-only` | `workspace-write` |
 *   `danger-full-access`), so they need no per-backend table; see ./arguments for the aliases.
 *
 * The backend decides, not the version: both app-server versions accept the same values, and the
 * mcp-server of 0.153.4 (the newest that has one) is the only mcp-server observed, so older
 * mcp-server versions are given its set too.
 */
import type { CodexBackend, LocatedCodex } from './locate';

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
