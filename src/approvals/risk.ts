/**
 * Risk assessment in Codex's terms (issue 4, DESIGN.md "Risk and approvals", the seed's matrix):
 * - critical: `danger-full-access` + approval policy `never` + a non-interactive caller
 *   (`mode: ci` / `non-interactive`, or a headless server with no prompter);
 * - high: `danger-full-access`;
 * - medium: `workspace-write`, or approval policy `never`, or a non-interactive caller;
 * - low: `read-only` with approvals on (anything else not matched above).
 * Escalated exec and patch requests from Codex are at least medium, and high when the session
 * itself is high or critical. A PAUSE override is at least medium.
 *
 * A governed OpenAI agent's MCP tool call ({@link toolRisk}) is rated from the tool's MCP
 * annotations, absent hints taking the MCP spec's defaults (destructive, open world).
 */

export type RiskLevel = 'low' | 'medium' | 'high' | 'critical';

/** Lowest to highest, for comparisons and metric labels. */
export const RISK_LEVELS: readonly RiskLevel[] = ['low', 'medium', 'high', 'critical'];

export interface RiskInput {
  /** `read-only` | `workspace-write` | `danger-full-access` (canonical names; aliases mapped already). */
  sandbox?: string;
  /** `untrusted` | `on-failure` | `on-request` | `never`. */
  approvalPolicy?: string;
  /** The `codex` tool's `mode`: `interactive` | `non-interactive` | `ci`. */
  mode?: string;
  /** False when no person can be asked (headless server without a prompter). */
  interactive: boolean;
}

function nonInteractive(input: RiskInput): boolean {
  return !input.interactive || input.mode === 'ci' || input.mode === 'non-interactive';
}

/** The risk of a session's settings (the matrix above). */
export function sessionRisk(input: RiskInput): RiskLevel {
  const full = input.sandbox === 'danger-full-access';
  const never = input.approvalPolicy === 'never';
  if (full && never && nonInteractive(input)) return 'critical';
  if (full) return 'high';
  if (input.sandbox === 'workspace-write' || never || nonInteractive(input)) return 'medium';
  return 'low';
}

/** The risk of an escalated exec/patch/permissions request inside a session: at least medium, high when the session is high or critical. */
export function escalationRisk(input: RiskInput): RiskLevel {
  const session = sessionRisk(input);
  return session === 'high' || session === 'critical' ? 'high' : 'medium';
}

/** The higher of two levels. */
export function maxRisk(a: RiskLevel, b: RiskLevel): RiskLevel {
  return RISK_LEVELS.indexOf(a) >= RISK_LEVELS.indexOf(b) ? a : b;
}

/** MCP tool annotations as a tool lists them (MCP spec 2025-06-18 `ToolAnnotations`). */
export interface ToolRiskInput {
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  openWorldHint?: boolean;
}

/**
 * The risk of calling an MCP tool: low when it only reads (`readOnlyHint`) or changes nothing
 * outside its own closed world without destroying (`destructiveHint: false` and `openWorldHint:
 * false`); medium when it is not destructive but reaches an open world; high when it may destroy
 * (`destructiveHint` true or absent: the spec's default is true).
 */
export function toolRisk(a: ToolRiskInput): RiskLevel {
  if (a.readOnlyHint === true) return 'low';
  if (a.destructiveHint === false) return a.openWorldHint === false ? 'low' : 'medium';
  return 'high';
}
