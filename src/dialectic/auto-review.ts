/**
 * A PAUSE decision starts a review by itself (UNITARES v1 `src/mcp_server_std.py`
 * _auto_initiate_dialectic_recovery, CIRWEL/governance-mcp-v1-backup @ e162fb7): on every
 * `agent-updated` event whose decision is PAUSE, `request_dialectic_review` runs with
 * `reviewer_mode: "auto"` and `auto_progress: true` (the thesis is written from the pause reason),
 * unless it is switched off: VS Code setting `codexGovernance.dialectic.autoReviewOnPause`,
 * headless `CODEX_GOVERNANCE_AUTO_DIALECTIC=off` (v1's `UNITARES_AUTO_DIALECTIC_RECOVERY=0` is
 * read too). An agent that already has an open review, or is in its escalation cooldown, gets
 * no second one.
 */
import type { GovernanceEvents } from '../core/events';
import type { Logger } from '../util/log';
import type { DialecticService } from './service';

export const AUTO_REVIEW_ENV = 'CODEX_GOVERNANCE_AUTO_DIALECTIC';
const V1_ENV = 'UNITARES_AUTO_DIALECTIC_RECOVERY';
const ON = new Set(['on', '1', 'true', 'yes']);
const OFF = new Set(['off', '0', 'false', 'no']);

/**
 * The switch from the environment: CODEX_GOVERNANCE_AUTO_DIALECTIC, else v1's variable;
 * undefined when neither is set (the default, on, applies).
 * @throws Error naming the variable and its accepted values
 */
export function autoReviewFromEnv(env: NodeJS.ProcessEnv = process.env): boolean | undefined {
  for (const name of [AUTO_REVIEW_ENV, V1_ENV]) {
    const raw = env[name]?.trim().toLowerCase();
    if (!raw) continue;
    if (ON.has(raw)) return true;
    if (OFF.has(raw)) return false;
    throw new Error(`${name}=${env[name]} is not understood; use on or off (also 1/0, true/false, yes/no).`);
  }
  return undefined;
}

export class AutoReview {
  private readonly pending = new Set<Promise<unknown>>();

  /** @param enabled read on every PAUSE, so a changed setting applies at once */
  constructor(
    private readonly service: DialecticService,
    private readonly enabled: () => boolean,
    private readonly logger?: Logger,
  ) {}

  /** Listens to `events`; returns the function that stops listening. */
  attach(events: GovernanceEvents): () => void {
    return events.on('agent-updated', (e) => {
      if (e.decision.action !== 'PAUSE' || !this.enabled()) return;
      const started = this.service
        .request({ agentId: e.agentId, reason: `Auto-recovery: ${e.decision.reason}`, reviewerMode: 'auto', autoProgress: true })
        .catch((err: unknown) => {
          // An open review or a cooldown is the expected answer to a second PAUSE.
          if ((err as { code?: unknown } | null)?.code === 'conflict') return;
          this.logger?.warn(`Could not start an automatic dialectic review for ${e.agentId}: ${err instanceof Error ? err.message : String(err)}`);
        });
      this.pending.add(started);
      void started.finally(() => this.pending.delete(started));
    });
  }

  /** Resolves once every review started so far is stored (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }
}
