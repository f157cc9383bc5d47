/**
 * The supervisor's side of the session gate (./gate): judges a new session (or a thread resumed in
 * a new process) and asks the approval broker when the verdict needs a yes. A refusal is recorded
 * as one audited denial and no broker prompt; every path that is not a yes throws, so nothing starts.
 */
import { askBroker, type ApprovalBroker } from '../../approvals/vocabulary';
import type { ThreadSettings } from '../backend';
import { CodexApprovalDeniedError } from '../errors';
import { CodexConfigFileError } from './effective-config';
import { ConfigOverrideRefusedError, judgeSession, programsText, type GateVerdict } from './gate';

export interface SessionGateOptions {
  approvals: ApprovalBroker;
  /** Read on every judgement: the person's workspace folders and the policy's `askForConfigKeys`. */
  settings: () => { workspaceRoots: readonly string[]; askForConfigKeys: readonly string[] };
  /** The environment Codex runs with (CODEX_HOME, HOME, TMPDIR). */
  env: NodeJS.ProcessEnv;
  systemConfigPath?: string;
}

/** Who asks and why: shown in the prompt and the audit line. */
export interface GateCaller {
  prompt: string;
  agentId?: string;
  mode?: string;
}

export class SessionGate {
  constructor(private readonly options: SessionGateOptions) {}

  /**
   * Judges a new session and asks when needed; `settings.sandbox` is set to the sandbox judged, so
   * Codex runs with exactly that, whatever its config layers would pick.
   * @returns the reasons the person (or the policy) said yes to
   * @throws CodexApprovalDeniedError (refused config keys, an unreadable config file, a denial)
   */
  async admit(sessionId: string, settings: ThreadSettings, caller: GateCaller, signal: AbortSignal): Promise<readonly string[]> {
    const verdict = await this.judge(sessionId, settings, caller);
    settings.sandbox = verdict.effective.sandbox;
    if (verdict.effective.sandbox === 'danger-full-access' || verdict.reasons.length) await this.ask(sessionId, caller, verdict, signal);
    return verdict.reasons;
  }

  /**
   * A thread resumed in a new process reads Codex's configuration again (a project's
   * .codex/config.toml may have been written since): asks only for reasons not approved before.
   * @returns every reason now approved
   * @throws CodexApprovalDeniedError
   */
  async readmit(sessionId: string, settings: ThreadSettings, caller: GateCaller, approved: readonly string[] | undefined, signal: AbortSignal): Promise<readonly string[]> {
    const verdict = await this.judge(sessionId, settings, caller);
    const known = new Set(approved ?? []);
    const fresh = verdict.reasons.filter((why) => !known.has(why));
    if (fresh.length) await this.ask(sessionId, caller, { ...verdict, reasons: fresh }, signal);
    return verdict.reasons;
  }

  /** @throws CodexApprovalDeniedError for refused keys and unreadable config files (audited as one denial) */
  private async judge(sessionId: string, settings: ThreadSettings, caller: GateCaller): Promise<GateVerdict> {
    const { workspaceRoots, askForConfigKeys } = this.options.settings();
    try {
      return await judgeSession({
        cwd: settings.cwd,
        ...(settings.sandbox ? { sandbox: settings.sandbox } : {}),
        ...(settings.approvalPolicy ? { approvalPolicy: settings.approvalPolicy } : {}),
        ...(settings.config ? { overrides: settings.config } : {}),
        env: this.options.env,
        workspaceRoots,
        askForConfigKeys,
        ...(this.options.systemConfigPath ? { systemConfigPath: this.options.systemConfigPath } : {}),
      });
    } catch (err) {
      if (!(err instanceof ConfigOverrideRefusedError) && !(err instanceof CodexConfigFileError)) throw err;
      await this.options.approvals.refused?.({
        source: 'codex-session',
        sessionId,
        cwd: settings.cwd,
        ...(settings.sandbox ? { sandbox: settings.sandbox } : {}),
        ...(settings.approvalPolicy ? { approvalPolicy: settings.approvalPolicy } : {}),
        ...(caller.agentId ? { agentId: caller.agentId } : {}),
        ...(caller.mode ? { mode: caller.mode } : {}),
        details: err instanceof ConfigOverrideRefusedError ? { refused_keys: err.keys.map((k) => k.key) } : { file: err.file },
        reason: err.message,
        signal: new AbortController().signal,
      });
      throw new CodexApprovalDeniedError(err.message);
    }
  }

  /** @throws CodexApprovalDeniedError unless the broker allows the session */
  private async ask(sessionId: string, caller: GateCaller, verdict: GateVerdict, signal: AbortSignal): Promise<void> {
    const e = verdict.effective;
    const full = e.sandbox === 'danger-full-access';
    const programs = programsText(verdict.programs);
    const answer = await askBroker(this.options.approvals, {
      source: full && verdict.reasons.length === 0 ? 'codex-full-access' : 'codex-session',
      sessionId,
      cwd: e.cwd,
      sandbox: e.sandbox,
      approvalPolicy: e.approvalPolicy,
      ...(programs ? { command: programs } : {}),
      ...(caller.agentId ? { agentId: caller.agentId } : {}),
      ...(caller.mode ? { mode: caller.mode } : {}),
      reason: caller.prompt.slice(0, 2000),
      details: {
        why: verdict.reasons,
        sandbox_from: e.sandboxFrom.source,
        approval_policy_from: e.approvalPolicyFrom.source,
        writable_roots: e.writableRoots.map((w) => w.path),
        network_access: e.networkAccess,
        would_run: verdict.programs.map((p) => ({ key: p.key, run: p.run, from: p.from.source })),
        layers: e.layers.map((l) => ({ kind: l.kind, source: l.source, applied: l.applied })),
      },
      signal,
    });
    if (answer.decision === 'deny') {
      const what = full ? 'danger-full-access' : `This Codex session (${verdict.reasons.join('; ')})`;
      throw new CodexApprovalDeniedError(`${what} was not approved: ${answer.reason ?? 'denied'}`);
    }
  }
}
