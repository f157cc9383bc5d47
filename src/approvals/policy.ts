/**
 * The approval policy a person sets: VS Code settings `codexGovernance.approvals.*` and the
 * headless policy file (JSON, `--approval-policy-file`) use the same keys.
 *
 * Defaults (issue 4): auto-approve low (on), medium (off), high (off; turning it on needs
 * `confirmAutoApproveHigh: true` as well, or the policy is rejected), require a person for ci
 * mode (on), timeout 300 s. Critical is never auto-approved.
 */
import { readFile } from 'node:fs/promises';
import { en } from 'zod/locales';
import * as z from 'zod/mini';
import { ValidationError } from '../core/errors';

export interface ApprovalPolicy {
  autoApproveLow: boolean;
  autoApproveMedium: boolean;
  /** Only honoured together with `confirmAutoApproveHigh`. */
  autoApproveHigh: boolean;
  /** The person's explicit confirmation that high-risk requests may run without a prompt. */
  confirmAutoApproveHigh: boolean;
  /** `mode: ci` callers are never auto-approved: a person must answer (none headless = deny). */
  requirePersonForCi: boolean;
  /** How long a prompt waits before it counts as a denial, seconds (0.01..86400). */
  timeoutSeconds: number;
  /**
   * Codex config keys (top-level like `mcp_servers`, or dotted like `model_providers.x.env_key`) that
   * a `codex` call's `config` argument may set after a person's (or this policy's) yes; any other key
   * that is not a model choice is refused (../supervisor/gate/config-keys).
   */
  askForConfigKeys: string[];
}

export const DEFAULT_APPROVAL_POLICY: Readonly<ApprovalPolicy> = Object.freeze({
  autoApproveLow: true,
  autoApproveMedium: false,
  autoApproveHigh: false,
  confirmAutoApproveHigh: false,
  requirePersonForCi: true,
  timeoutSeconds: 300,
  askForConfigKeys: [],
});

// zod/mini rather than classic zod: the extension bundle parses this at activation, and mini is
// tree-shakable (classic zod with its locales was two thirds of dist/extension.js).
const policySchema = z.strictObject({
  autoApproveLow: z.optional(z.boolean()),
  autoApproveMedium: z.optional(z.boolean()),
  autoApproveHigh: z.optional(z.boolean()),
  confirmAutoApproveHigh: z.optional(z.boolean()),
  requirePersonForCi: z.optional(z.boolean()),
  timeoutSeconds: z.optional(z.number().check(z.gte(0.01), z.lte(86_400))),
  askForConfigKeys: z.optional(z.array(z.string().check(z.minLength(1), z.maxLength(200))).check(z.maxLength(200))),
});

/**
 * Validates a partial policy (settings or a parsed file) and fills the defaults.
 * @param where named in errors, e.g. the file path or `settings`
 * @throws ValidationError naming the key and the fix (unknown key, wrong type, high without confirmation)
 */
export function parseApprovalPolicy(value: unknown, where = 'approval policy'): ApprovalPolicy {
  // mini loads no locale; zod's English messages are asked for here rather than set process-wide.
  const parsed = policySchema.safeParse(value ?? {}, { error: en().localeError });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue?.path.join('.') || (issue && 'keys' in issue ? issue.keys.join(', ') : '') || '(policy)';
    throw new ValidationError(
      key,
      `${where}: ${key}: ${issue?.message ?? 'invalid'}. Allowed keys: ${Object.keys(policySchema.shape).join(', ')} (booleans; timeoutSeconds a number from 0.01 to 86400; askForConfigKeys a list of Codex config keys).`,
    );
  }
  const policy: ApprovalPolicy = { ...DEFAULT_APPROVAL_POLICY, ...stripUndefined(parsed.data) };
  if (policy.autoApproveHigh && !policy.confirmAutoApproveHigh) {
    throw new ValidationError(
      'autoApproveHigh',
      `${where}: autoApproveHigh lets full-access sessions and their escalated commands run without asking anyone. To turn it on, also set confirmAutoApproveHigh: true; otherwise remove autoApproveHigh.`,
    );
  }
  return policy;
}

/**
 * Reads a JSON policy file.
 * @throws ValidationError (field `approval_policy_file`) when the file is missing or not JSON; see {@link parseApprovalPolicy}
 */
export async function loadApprovalPolicyFile(path: string): Promise<ApprovalPolicy> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ValidationError('approval_policy_file', `Cannot read the approval policy file ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)}). Check the path given to --approval-policy-file.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ValidationError('approval_policy_file', `The approval policy file ${path} is not valid JSON (${err instanceof Error ? err.message : String(err)}). Write an object such as {"autoApproveMedium": false}.`);
  }
  return parseApprovalPolicy(json, path);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
