/**
 * Turns the `codex` tool's arguments into thread settings. Codex's own names (from the removed
 * `codex mcp-server` 0.153.4 tool schema) come first; the seed's aliases map onto them:
 * sandbox `isolated` = `workspace-write`, `full-access` = `danger-full-access`;
 * `full_auto: true` = approval policy `never` (unless one is given explicitly);
 * `reasoning_effort` / `verbosity` = the config.toml keys `model_reasoning_effort` / `model_verbosity`
 * (an explicit `config` value for the same key wins).
 */
import type { ApprovalPolicy, SandboxMode, ThreadSettings } from './backend';
import { APPROVAL_POLICIES } from './capabilities';

export const SANDBOX_VALUES = ['read-only', 'workspace-write', 'danger-full-access', 'isolated', 'full-access'] as const;
/** Every approval policy some backend accepts (`on-failure` none does); per backend see ./capabilities. */
export const APPROVAL_POLICY_VALUES = APPROVAL_POLICIES;
export const MODE_VALUES = ['interactive', 'non-interactive', 'ci'] as const;
export const REASONING_EFFORT_VALUES = ['minimal', 'low', 'medium', 'high', 'xhigh'] as const;
export const VERBOSITY_VALUES = ['low', 'medium', 'high'] as const;

export interface CodexToolArguments {
  prompt: string;
  'approval-policy'?: (typeof APPROVAL_POLICY_VALUES)[number];
  sandbox?: (typeof SANDBOX_VALUES)[number];
  cwd?: string;
  model?: string;
  'base-instructions'?: string;
  'developer-instructions'?: string;
  'compact-prompt'?: string;
  config?: Record<string, unknown>;
  full_auto?: boolean;
  reasoning_effort?: (typeof REASONING_EFFORT_VALUES)[number];
  verbosity?: (typeof VERBOSITY_VALUES)[number];
  mode?: (typeof MODE_VALUES)[number];
}

/** The canonical Codex sandbox mode for a value or alias. */
export function canonicalSandbox(value: (typeof SANDBOX_VALUES)[number]): SandboxMode {
  if (value === 'isolated') return 'workspace-write';
  if (value === 'full-access') return 'danger-full-access';
  return value;
}

/** Thread settings (cwd optional: the supervisor fills its default) for the `codex` tool's arguments. */
export function threadSettingsFrom(args: CodexToolArguments): Omit<ThreadSettings, 'cwd'> & { cwd?: string } {
  const settings: Omit<ThreadSettings, 'cwd'> & { cwd?: string } = {};
  if (args.cwd) settings.cwd = args.cwd;
  if (args.sandbox) settings.sandbox = canonicalSandbox(args.sandbox);
  const policy: ApprovalPolicy | undefined = args['approval-policy'] ?? (args.full_auto ? 'never' : undefined);
  if (policy) settings.approvalPolicy = policy;
  if (args.model) settings.model = args.model;
  if (args['base-instructions']) settings.baseInstructions = args['base-instructions'];
  if (args['developer-instructions']) settings.developerInstructions = args['developer-instructions'];
  if (args['compact-prompt']) settings.compactPrompt = args['compact-prompt'];
  const config: Record<string, unknown> = {};
  if (args.reasoning_effort) config.model_reasoning_effort = args.reasoning_effort;
  if (args.verbosity) config.model_verbosity = args.verbosity;
  Object.assign(config, args.config ?? {});
  if (Object.keys(config).length) settings.config = config;
  return settings;
}
