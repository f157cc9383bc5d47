/**
 * The session gate: before any Codex process is asked for a new thread, judge the configuration
 * Codex will really run it with (./effective-config) and say what needs a person's yes.
 *
 * Rules (issue "Nothing walks around the approval gate", DESIGN.md "Risk and approvals"):
 * - the `config` argument is an allowlist (./config-keys): keys that choose the model pass; any
 *   other key is refused with an error naming it and the setting that allows it, unless the
 *   person's policy lists it in `askForConfigKeys`, which turns it into a reason to ask;
 * - a trusted project's `.codex/config.toml` (which an agent may have written) that sets a key
 *   needing review is a reason to ask, with what it would run;
 * - `workspace-write` whose writable folders (the cwd, writable roots from the call or the project)
 *   lie outside the person's workspace folders is a reason to ask, like full access. Roots from the
 *   person's own config.toml are theirs and count as inside;
 * - a permission profile (`default_permissions`, `permissions`) in any layer is a reason to ask:
 *   Codex Governance cannot tell what it allows, so it is treated like full access;
 * - the effective sandbox (from any layer, not only the argument) sets the risk, so a
 *   `danger-full-access` from config.toml asks exactly as the argument does.
 */
import type { SandboxMode } from '../backend';
import { askListCovers, classifyConfigPath, CONFIG_KEYS, flattenOverrides, type ClassifiedKey } from './config-keys';
import { effectiveCodexConfig, isWithin, realPath, type EffectiveCodexConfig, type ProgramEntry } from './effective-config';

/** The setting that lets a person decide on a refused key (VS Code), and its policy-file key (headless). */
export const ASK_FOR_CONFIG_KEYS_SETTING = 'codexGovernance.approvals.askForConfigKeys';
export const ASK_FOR_CONFIG_KEYS_POLICY_KEY = 'askForConfigKeys';
/** The setting naming the folders a session may write without asking (headless: `--workspace-root`). */
export const WORKSPACE_ROOTS_HINT = 'the folders open in VS Code (headless: codex-governance serve --workspace-root DIR, repeatable)';

export interface GateInput {
  cwd: string;
  sandbox?: SandboxMode;
  approvalPolicy?: string;
  overrides?: Record<string, unknown>;
  env: NodeJS.ProcessEnv;
  /** The folders the person works in. */
  workspaceRoots: readonly string[];
  /** Policy `askForConfigKeys`: override keys that go to a person instead of being refused. */
  askForConfigKeys: readonly string[];
  systemConfigPath?: string;
}

export interface GateVerdict {
  effective: EffectiveCodexConfig;
  /** Why a person must say yes first (empty: only the sandbox's own risk applies). */
  reasons: string[];
  /** Programs and servers the session would start, for the prompt (every layer). */
  programs: ProgramEntry[];
}

/** The `config` argument holds keys that are neither allowed nor listed for asking. Nothing started. */
export class ConfigOverrideRefusedError extends Error {
  readonly code = 'forbidden';
  constructor(readonly keys: ClassifiedKey[], message: string) {
    super(message);
    this.name = 'ConfigOverrideRefusedError';
  }
}

function refusalMessage(keys: ClassifiedKey[]): string {
  const list = keys.map((k) => `\`${k.key}\` (${k.why})`).join('; ');
  return (
    `Refused: the codex call's config argument sets ${list}. Codex Governance passes only config keys that choose the model and how it talks ` +
    `(model, model_provider, model_providers, model_reasoning_effort, model_verbosity, instructions, ...). ` +
    `To let a person decide on such a key instead, add it to the setting ${ASK_FOR_CONFIG_KEYS_SETTING} ` +
    `(headless: "${ASK_FOR_CONFIG_KEYS_POLICY_KEY}" in the --approval-policy-file), e.g. ["${keys[0]?.key ?? ''}"].`
  );
}

const fromText = (p: ProgramEntry) => `${p.key}: ${p.run} (from ${p.from.source})`;

/**
 * Judges one new session.
 * @throws ConfigOverrideRefusedError naming every refused key and the setting that allows it
 * @throws CodexConfigFileError naming a configuration file that cannot be read or parsed
 */
export async function judgeSession(input: GateInput): Promise<GateVerdict> {
  const reasons: string[] = [];
  const refused: ClassifiedKey[] = [];
  for (const { path } of flattenOverrides(input.overrides ?? {})) {
    const c = classifyConfigPath(path);
    if (c.class === 'model') continue;
    if (askListCovers(input.askForConfigKeys, c)) reasons.push(`the config argument sets \`${c.path}\`, which ${c.why}`);
    else if (!refused.some((r) => r.key === c.key)) refused.push(c);
  }
  if (refused.length) throw new ConfigOverrideRefusedError(refused, refusalMessage(refused));

  const effective = await effectiveCodexConfig({
    cwd: input.cwd,
    ...(input.sandbox ? { sandbox: input.sandbox } : {}),
    ...(input.approvalPolicy ? { approvalPolicy: input.approvalPolicy } : {}),
    ...(input.overrides ? { overrides: input.overrides } : {}),
    env: input.env,
    ...(input.systemConfigPath ? { systemConfigPath: input.systemConfigPath } : {}),
  });

  for (const layer of effective.layers) {
    if (layer.kind !== 'project' || !layer.applied) continue;
    for (const key of Object.keys(layer.config)) {
      const c = classifyConfigPath(key);
      if (c.class === 'model' && key !== 'model_providers') continue;
      if (key === 'model_providers') {
        const bad = flattenOverrides({ model_providers: layer.config.model_providers }).map((f) => classifyConfigPath(f.path)).filter((k) => k.class !== 'model');
        for (const b of bad) reasons.push(`${layer.source} sets \`${b.key}\`, which ${b.why}`);
        continue;
      }
      if (key === 'notify') continue; // Codex ignores notify in project layers
      reasons.push(`${layer.source} sets \`${key}\`, which ${c.why}`);
    }
  }

  for (const layer of effective.layers) {
    if (!layer.applied) continue;
    for (const key of ['default_permissions', 'permissions'] as const) {
      if (layer.config[key] !== undefined && layer.kind !== 'project' && layer.kind !== 'override') {
        reasons.push(`${layer.source} sets \`${key}\` (a permission profile); Codex Governance cannot tell what it allows, so it is treated like full access`);
      }
    }
  }

  if (effective.sandbox === 'workspace-write') {
    const roots = input.workspaceRoots.map(realPath);
    for (const w of effective.writableRoots) {
      if (w.from.kind === 'user' || w.from.kind === 'system' || w.from.kind === 'profile') continue;
      if (roots.some((r) => isWithin(w.path, r))) continue;
      const what = w.from.source === 'cwd' ? 'its working folder' : `a writable root from ${w.from.source}`;
      reasons.push(
        `workspace-write may write ${w.path} (${what}), outside the workspace folders (${roots.length ? roots.join(', ') : 'none open'}; set by ${WORKSPACE_ROOTS_HINT})`,
      );
    }
  }
  if (effective.sandbox === 'danger-full-access' && effective.sandboxFrom.kind !== 'argument') {
    reasons.push(`danger-full-access comes from ${effective.sandboxFrom.source}`);
  }
  return { effective, reasons, programs: effective.programs };
}

/** One display line per program, for the prompt's "what would run". */
export function programsText(programs: readonly ProgramEntry[]): string {
  return programs.map(fromText).join('\n');
}

/** True when every top-level key Codex has is classified; the names missing otherwise. */
export function unclassifiedKeys(codexKeys: readonly string[]): string[] {
  return codexKeys.filter((k) => !Object.hasOwn(CONFIG_KEYS, k));
}
