/**
 * How a dialectic review reads in the UI (Reviews view, Agents view tooltips, Agent dashboard):
 * who asked, the reviewer or the open slot, whose turn it is, and the time left before the
 * deadline fails the session. Wire shapes are those of `list_dialectic_sessions` (the dialectic
 * tools, src/server/tools/dialectic-tools.ts). The person is the agent id {@link VSCODE_USER_AGENT}.
 */
import { VSCODE_USER_AGENT } from '../../client/types';
import type { ToolOutput } from '../../server/tools/catalog';

/** One open review as `list_dialectic_sessions` lists it. */
export type ReviewSummary = ToolOutput<'list_dialectic_sessions'>['sessions'][number];

/** What a phase waits for, in words. */
export const PHASE_WORDS: Readonly<Record<string, string>> = {
  thesis: 'thesis (the agent explains)',
  antithesis: 'antithesis (the reviewer answers)',
  synthesis: 'synthesis (both negotiate)',
  resolved: 'resolved',
  escalated: 'escalated',
  failed: 'failed',
};

/** An agent id as the person reads it: `you` for their own. */
export function who(agentId: string): string {
  return agentId === VSCODE_USER_AGENT ? 'you' : agentId;
}

/** The reviewer, or `open slot` while any eligible agent (or you) may take it. */
export function reviewerText(s: Pick<ReviewSummary, 'reviewer_agent_id'>): string {
  return s.reviewer_agent_id === null ? 'open slot' : who(s.reviewer_agent_id);
}

/**
 * What the person may do now: `submit_antithesis` (their turn as the reviewer, or an open slot
 * they may step into), `submit_synthesis` (a party in synthesis), or null.
 */
export function personTurn(s: Pick<ReviewSummary, 'next_actor' | 'may_act' | 'paused_agent_id' | 'next_tool'>): 'submit_antithesis' | 'submit_synthesis' | null {
  if (s.next_actor === VSCODE_USER_AGENT && s.next_tool === 'submit_antithesis') return 'submit_antithesis';
  if (s.next_actor === 'any' && s.paused_agent_id !== VSCODE_USER_AGENT) return 'submit_antithesis';
  if (s.next_tool === 'submit_synthesis' && s.may_act.includes(VSCODE_USER_AGENT)) return 'submit_synthesis';
  return null;
}

/** True when the reviewer slot is open (anyone eligible, the person included, may claim it). */
export function isOpenSlot(s: Pick<ReviewSummary, 'next_actor'>): boolean {
  return s.next_actor === 'any';
}

/** Whose turn it is, short: `your turn`, `alice's turn`, `open to any reviewer`, `either side`, `ended`. */
export function turnText(s: Pick<ReviewSummary, 'next_actor' | 'may_act' | 'paused_agent_id' | 'next_tool'>): string {
  const a = s.next_actor;
  if (a === null) return 'ended';
  if (a === 'any') return 'open to any reviewer';
  if (a === 'either') return s.may_act.includes(VSCODE_USER_AGENT) ? 'your turn (either side)' : 'either side';
  return a === VSCODE_USER_AGENT ? 'your turn' : `${a}'s turn`;
}

/** `1 h 5 min`, `12 min`, `40 s` for a duration in ms (whole seconds, rounded down). */
export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  const m = Math.floor((s % 3600) / 60);
  return `${Math.floor(s / 3600)} h${m ? ` ${m} min` : ''}`;
}

/** `1 h 5 min left`, `overdue`, or '' without a deadline; `now` in ms. */
export function timeLeft(deadlineIso: string | null, now: number): string {
  if (!deadlineIso) return '';
  const left = Date.parse(deadlineIso) - now;
  if (Number.isNaN(left)) return '';
  return left <= 0 ? 'overdue' : `${duration(left)} left`;
}

/**
 * One sentence for an agent's open review (Agents view tooltip, dashboard), e.g. `Under peer
 * review (session 3f2a…): antithesis (the reviewer answers), reviewer open slot, open to any
 * reviewer, 1 h 59 min left.`
 */
export function reviewSentence(s: ReviewSummary, now: number): string {
  const left = timeLeft(s.deadlines.next_timeout_at, now);
  return `Under peer review (session ${s.session_id}): ${PHASE_WORDS[s.phase] ?? s.phase}, reviewer ${reviewerText(s)}, ${turnText(s)}${left ? `, ${left}` : ''}.`;
}
