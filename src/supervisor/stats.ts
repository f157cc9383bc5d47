/**
 * Running performance figures of the supervisor for `codex://stats/performance`: turn counts by
 * outcome, turn latency (mean, p50, p95 over the last 500 turns, ms), tokens, and spawn-to-ready
 * time of children per backend (mean over the last 100, ms).
 */
import type { TokenUsage } from './backend';
import { emptyUsage } from './session';

const TURN_WINDOW = 500;
const READY_WINDOW = 100;

function percentile(sorted: number[], p: number): number | null {
  if (!sorted.length) return null;
  // Nearest-rank method.
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? null;
}

const round = (n: number | null) => (n === null ? null : Math.round(n * 10) / 10);

export class SupervisorStats {
  private readonly outcomes = new Map<string, number>();
  private readonly latencies: number[] = [];
  private readonly ready = new Map<string, number[]>();
  private readonly tokens: TokenUsage = emptyUsage();
  private readonly since = new Date().toISOString();

  turn(kind: string, ms: number): void {
    this.outcomes.set(kind, (this.outcomes.get(kind) ?? 0) + 1);
    this.latencies.push(ms);
    if (this.latencies.length > TURN_WINDOW) this.latencies.shift();
  }

  usage(u: TokenUsage): void {
    this.tokens.input += u.input;
    this.tokens.cachedInput += u.cachedInput;
    this.tokens.output += u.output;
    this.tokens.reasoningOutput += u.reasoningOutput;
    this.tokens.total += u.total;
  }

  childReady(backend: string, ms: number): void {
    const list = this.ready.get(backend) ?? [];
    list.push(ms);
    if (list.length > READY_WINDOW) list.shift();
    this.ready.set(backend, list);
  }

  snapshot(): Record<string, unknown> {
    const turns = [...this.outcomes.values()].reduce((a, b) => a + b, 0);
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const mean = sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : null;
    return {
      since: this.since,
      turns,
      ok: this.outcomes.get('ok') ?? 0,
      success_rate: turns ? (this.outcomes.get('ok') ?? 0) / turns : null,
      outcomes: Object.fromEntries(this.outcomes),
      turn_ms: { mean: round(mean), p50: round(percentile(sorted, 50)), p95: round(percentile(sorted, 95)), window: sorted.length },
      tokens: { ...this.tokens },
      child_ready_ms: Object.fromEntries([...this.ready].map(([b, l]) => [b, round(l.reduce((a, x) => a + x, 0) / l.length)])),
    };
  }
}
