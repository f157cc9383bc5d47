/**
 * What a resolution may not do, and what its conditions mean.
 *
 * `checkHardLimits` ports UNITARES v1 `DialecticSession.check_hard_limits`
 * (CIRWEL/governance-mcp-v1-backup @ e162fb7, `src/dialectic_protocol.py`): it refuses conditions
 * that disable governance, bypass safety, remove monitoring or limits, skip checks, ignore
 * thresholds or disable the circuit breaker; a risk threshold above 0.90; a coherence threshold
 * below 0.1 (or above 1.0); vague conditions (starting with maybe / perhaps / try / consider); no
 * condition at all; and a root cause shorter than 10 characters. One fix: v1's coherence patterns
 * (`coherence.*threshold.*([0-9.]+)`) capture only the last digit of the value ("0.5" read as 5,
 * refused as > 1.0); here the whole number is read.
 *
 * `parseCondition` ports v1 `src/mcp_handlers/condition_parser.py` parse_condition (same file,
 * commit), and `complexityCap` the cap v1 enforces in `src/mcp_handlers/core.py`
 * (process_agent_update): the lowest of the agent's `complexity_limit` values ("set / limit /
 * keep complexity below X") and `reduce` adjustments ("reduce / lower complexity to X"), within 0..1.
 */
import type { ParsedCondition } from './types';

export const HARD_LIMITS = {
  maxRiskThreshold: 0.9,
  minCoherenceThreshold: 0.1,
  maxCoherenceThreshold: 1.0,
  minRootCauseChars: 10,
} as const;

const FORBIDDEN: Array<[RegExp, string]> = [
  [/disable.*governance/, 'Cannot disable governance system'],
  [/bypass.*safety/, 'Cannot bypass safety checks'],
  [/remove.*monitor/, 'Cannot remove monitoring'],
  [/unlimited.*risk/, 'Cannot allow unlimited risk'],
  [/skip.*check/, 'Cannot skip safety checks'],
  [/ignore.*threshold/, 'Cannot ignore thresholds'],
  [/disable.*circuit.*breaker/, 'Cannot disable circuit breaker'],
  [/remove.*limit/, 'Cannot remove safety limits'],
];
const VAGUE = [/^maybe/, /^perhaps/, /^try/, /^consider/];
// v1 requires a decimal point so "every 3 updates" is not read as a threshold.
const RISK_THRESHOLD = /risk.*?threshold.*?([0-9]\.[0-9]+)/g;
const COHERENCE_THRESHOLD = [/coherence[^0-9]*?threshold[^0-9]*?(\d+(?:\.\d+)?)/g, /coherence\s*(?:<|<=|=)\s*(\d+(?:\.\d+)?)/g];

/**
 * @returns null when the resolution is acceptable, else the first violation (v1's wording)
 */
export function checkHardLimits(resolution: { conditions: readonly string[]; rootCause: string }): string | null {
  const text = resolution.conditions.join(' ').toLowerCase();
  for (const [pattern, reason] of FORBIDDEN) if (pattern.test(text)) return reason;
  for (const m of text.matchAll(RISK_THRESHOLD)) {
    const value = Number(m[1]);
    if (value >= 0 && value <= 1 && value > HARD_LIMITS.maxRiskThreshold) return `Risk threshold ${value} exceeds maximum allowed (${HARD_LIMITS.maxRiskThreshold.toFixed(2)})`;
  }
  for (const pattern of COHERENCE_THRESHOLD) {
    for (const m of text.matchAll(pattern)) {
      const value = Number(m[1]);
      if (value < HARD_LIMITS.minCoherenceThreshold) return `Coherence threshold ${value} is too low (minimum ${HARD_LIMITS.minCoherenceThreshold})`;
      if (value > HARD_LIMITS.maxCoherenceThreshold) return `Coherence threshold ${value} exceeds maximum (${HARD_LIMITS.maxCoherenceThreshold.toFixed(1)})`;
    }
  }
  if (resolution.conditions.length === 0) return 'Resolution must include at least one condition';
  for (const c of resolution.conditions) {
    if (VAGUE.some((p) => p.test(c.toLowerCase()))) return `Condition too vague: '${c}'`;
  }
  if (resolution.rootCause.trim().length < HARD_LIMITS.minRootCauseChars) return `Root cause must be at least ${HARD_LIMITS.minRootCauseChars} characters`;
  return null;
}

const TARGETS: Record<string, string> = {
  complexity: 'complexity',
  risk: 'risk_score',
  risk_score: 'risk_score',
  risk_threshold: 'risk_threshold',
  coherence: 'coherence',
  coherence_threshold: 'coherence_threshold',
  monitoring: 'monitoring_duration',
  monitor: 'monitoring_duration',
  duration: 'monitoring_duration',
  time: 'monitoring_duration',
};
const target = (word: string) => TARGETS[word.toLowerCase()] ?? word.toLowerCase();

/** One condition in structured form (v1 parse_condition; `unknown` when no pattern matches). */
export function parseCondition(condition: string): ParsedCondition {
  const parsed = (action: string, tgt: string, value: number | null, unit: string | null = null): ParsedCondition => ({ action, target: tgt, value, unit, original: condition });
  let m = /(reduce|increase|set|lower|raise)\s+(\w+)\s+to\s+([\d.]+)/i.exec(condition);
  if (m) {
    const verb = m[1]!.toLowerCase();
    const action = verb === 'reduce' || verb === 'lower' ? 'reduce' : verb === 'increase' || verb === 'raise' ? 'increase' : 'set';
    return parsed(action, target(m[2]!), numberOrNull(m[3]!));
  }
  m = /monitor\s+for\s+([\d.]+)\s*(hours?|minutes?|h|m)/i.exec(condition);
  if (m) return parsed('monitor', 'monitoring_duration', numberOrNull(m[1]!), m[2]!.toLowerCase().startsWith('h') ? 'hours' : 'minutes');
  m = /keep\s+(\w+)\s+(below|above|under|over)\s+([\d.]+)/i.exec(condition);
  if (m) {
    const dir = m[2]!.toLowerCase();
    return parsed('limit', target(m[1]!), numberOrNull(m[3]!), dir === 'below' || dir === 'under' ? 'below' : 'above');
  }
  m = /limit\s+(\w+)\s+to\s+([\d.]+)/i.exec(condition);
  if (m) return parsed('limit', target(m[1]!), numberOrNull(m[2]!));
  m = /set\s+(\w+)\s+([\d.]+)/i.exec(condition);
  if (m) return parsed('set', target(m[1]!), numberOrNull(m[2]!));
  return parsed('unknown', 'unknown', null);
}

/**
 * The complexity cap the conditions impose, or undefined: the lowest value in 0..1 of
 * set/limit complexity conditions (not "keep complexity above") and "reduce complexity to" ones.
 */
export function complexityCap(conditions: readonly ParsedCondition[]): number | undefined {
  let cap: number | undefined;
  for (const c of conditions) {
    if (c.target !== 'complexity' || c.value === null || c.value < 0 || c.value > 1) continue;
    const caps = c.action === 'set' || c.action === 'reduce' || (c.action === 'limit' && c.unit !== 'above');
    if (caps && (cap === undefined || c.value < cap)) cap = c.value;
  }
  return cap;
}

function numberOrNull(text: string): number | null {
  // "Reduce complexity to 0.3." ends a sentence: the dot is not part of the number.
  const n = Number(text.replace(/\.+$/, ''));
  return Number.isFinite(n) ? n : null;
}
