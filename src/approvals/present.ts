/**
 * How a pending approval is shown to a person (VS Code modal/notification/view, terminal), kept
 * free of `vscode` so it is tested with plain mocha. Also reads the `codexGovernance.approvals.*`
 * settings into a policy (the same keys as the headless policy file).
 */
import type { ApprovalAnswer } from './vocabulary';
import { parseApprovalPolicy, type ApprovalPolicy } from './policy';
import type { PendingApproval } from './types';

/** The buttons, in order, on the modal, the notification and (Approve/Deny) the view. */
export const CHOICE_ALLOW_ONCE = 'Allow Once';
export const CHOICE_ALLOW_SESSION = 'Allow for This Session';
export const CHOICE_DENY = 'Deny';
export const APPROVAL_CHOICES = [CHOICE_ALLOW_ONCE, CHOICE_ALLOW_SESSION, CHOICE_DENY] as const;

const WHAT: Record<string, string> = {
  'codex-full-access': 'wants a Codex session with full access (danger-full-access)',
  'codex-session': 'wants a Codex session that needs your yes',
  'codex-exec': 'wants to run a command outside its sandbox',
  'codex-patch': 'wants to change files outside its sandbox',
  'codex-sandbox': 'wants more sandbox permissions',
  'codex-permissions': 'wants more permissions',
  'codex-mcp-tool': 'wants to call an MCP tool',
  'pause-override': 'wants to go on although governance said PAUSE',
  'openai-agent': 'wants to call an MCP tool (governed OpenAI agent run)',
  'codex-hook': 'asks (Codex hook) to run outside its sandbox',
};

/** One-line title, e.g. `HIGH risk: agent-7 wants a Codex session with full access (danger-full-access)`. */
export function promptTitle(p: PendingApproval): string {
  return `${p.risk.toUpperCase()} risk: ${p.agentId ?? 'an agent'} ${WHAT[p.source] ?? `asks for ${p.source}`}`;
}

/** The detail lines: command, cwd, sandbox, approval policy, mode, risk, justification (only those known). */
export function promptDetail(p: PendingApproval): string {
  const lines: string[] = [];
  for (const w of gateReasons(p)) lines.push(`Why: ${w}`);
  if (p.command) lines.push(p.source === 'codex-session' || p.source === 'codex-full-access' ? `Would run: ${p.command}` : p.source === 'openai-agent' ? `Tool: ${p.command}` : `Command: ${p.command}`);
  if (p.source === 'openai-agent' && typeof p.details?.arguments === 'string') lines.push(`Arguments: ${p.details.arguments}`);
  if (p.cwd) lines.push(`Folder (cwd): ${p.cwd}`);
  if (p.source !== 'openai-agent') lines.push(`Sandbox: ${p.sandbox ?? 'default'}`);
  if (p.approvalPolicy) lines.push(`Approval policy: ${p.approvalPolicy}`);
  if (p.mode) lines.push(`Mode: ${p.mode}`);
  lines.push(`Risk: ${p.risk}`);
  if (p.reason) lines.push(`Justification: ${p.reason.length > 500 ? `${p.reason.slice(0, 500)}…` : p.reason}`);
  if (p.sessionId) lines.push(`Session: ${p.sessionId}`);
  return lines.join('\n');
}

/** Why the session gate asks (`details.why` of a `codex-session` or `codex-full-access` request), one line each. */
export function gateReasons(p: Pick<PendingApproval, 'source' | 'details'>): string[] {
  if (p.source !== 'codex-session' && p.source !== 'codex-full-access') return [];
  const why = p.details?.why;
  return Array.isArray(why) ? why.filter((w): w is string => typeof w === 'string') : [];
}

/** High and critical get a modal; the rest a notification (issue 4). */
export function needsModal(p: Pick<PendingApproval, 'risk'>): boolean {
  return p.risk === 'high' || p.risk === 'critical';
}

/**
 * The answer for a clicked button. `undefined` (the modal cancelled, the notification closed) is no
 * answer yet: the request stays in the Approvals view until someone answers there or the timeout
 * denies it. (VS Code also returns `undefined` when it refuses to show a modal, e.g. in extension tests.)
 */
export function answerForChoice(choice: string | undefined): ApprovalAnswer | undefined {
  if (choice === CHOICE_ALLOW_ONCE) return { decision: 'allow_once' };
  if (choice === CHOICE_ALLOW_SESSION) return { decision: 'allow_session' };
  if (choice === CHOICE_DENY) return { decision: 'deny', reason: 'Denied in VS Code by the person reviewing the request.' };
  return undefined;
}

/** The setting keys under `codexGovernance.approvals.` (the policy file's keys). */
export const APPROVAL_SETTING_KEYS = ['autoApproveLow', 'autoApproveMedium', 'autoApproveHigh', 'confirmAutoApproveHigh', 'requirePersonForCi', 'timeoutSeconds', 'askForConfigKeys'] as const;

/**
 * The policy from settings. @param get returns the value of `approvals.<key>` or undefined
 * @throws ValidationError naming the setting (e.g. autoApproveHigh without confirmAutoApproveHigh)
 */
export function approvalPolicyFromSettings(get: (key: string) => unknown): ApprovalPolicy {
  const raw: Record<string, unknown> = {};
  for (const k of APPROVAL_SETTING_KEYS) {
    const v = get(`approvals.${k}`);
    if (v !== undefined && v !== null) raw[k] = v;
  }
  return parseApprovalPolicy(raw, 'Settings codexGovernance.approvals');
}
