/**
 * The Reviews view: every open dialectic review (`list_dialectic_sessions`), soonest deadline
 * first: who asked, the reviewer (or the open slot), the phase, whose turn it is and the time left
 * before the deadline fails it. Rows where the person may act come first in attention: their icon
 * is a bell. Context values (package.json menus): every row `codexGovernance.review...` (Open,
 * Nudge); an open slot also `.openSlot` (Step In as Reviewer); the person's turn `.yourTurn`.
 */
import type { GovernanceClient } from '../../client/types';
import { errorNode, escapeMarkdown, oneLine, type ViewContent, type ViewNode } from './node';
import { PHASE_WORDS, isOpenSlot, personTurn, reviewerText, timeLeft, turnText, who, type ReviewSummary } from './review-text';

export const REVIEW_CONTEXT = 'codexGovernance.review';
export const OPEN_REVIEW_COMMAND = 'codexGovernance.reviews.open';
/** Most reviews listed (the tool's largest page). */
export const REVIEWS_LIMIT = 100;

const PHASE_ICONS: Readonly<Record<string, string>> = { thesis: 'edit', antithesis: 'comment-discussion', synthesis: 'git-merge' };

/** Rows of the Reviews view; `now` (ms) for the time left. Nothing without a server or reviews (the welcome content explains). */
export async function loadReviews(client: GovernanceClient | undefined, now: number = Date.now()): Promise<ViewContent> {
  if (!client) return { nodes: [] };
  let sessions: ReviewSummary[];
  try {
    sessions = (await client.callTool('list_dialectic_sessions', { limit: REVIEWS_LIMIT })).sessions;
  } catch (err) {
    return { nodes: [errorNode('reviews', err)] };
  }
  const yours = sessions.filter((s) => personTurn(s) !== null && !isOpenSlot(s)).length;
  const slots = sessions.filter(isOpenSlot).length;
  const parts = [`${sessions.length} open`, ...(yours ? [`${yours} waiting on you`] : []), ...(slots ? [`${slots} open slot${slots === 1 ? '' : 's'}`] : [])];
  return { nodes: sessions.map((s) => reviewNode(s, now)), description: sessions.length ? parts.join(', ') : undefined };
}

export function reviewNode(s: ReviewSummary, now: number): ViewNode {
  const left = timeLeft(s.deadlines.next_timeout_at, now);
  const turn = turnText(s);
  const slot = isOpenSlot(s);
  const mine = personTurn(s) !== null && !slot;
  const lines = [
    `**${escapeMarkdown(who(s.paused_agent_id))}** asked for review${s.reason ? `: ${escapeMarkdown(oneLine(s.reason, 300))}` : ''}`,
    `Reviewer: ${escapeMarkdown(reviewerText(s))} (mode ${escapeMarkdown(s.reviewer_mode)})${slot ? ' — any eligible agent may claim the slot by answering; you can step in as reviewer.' : ''}`,
    `Phase: ${escapeMarkdown(PHASE_WORDS[s.phase] ?? s.phase)}${s.phase === 'synthesis' ? `, round ${s.synthesis_round} of ${s.max_synthesis_rounds}` : ''} · ${s.message_count} message${s.message_count === 1 ? '' : 's'}`,
    `Whose turn: ${escapeMarkdown(turn)}${s.next_tool ? ` (${s.next_tool})` : ''}`,
  ];
  if (s.deadlines.next_timeout_at) lines.push(`Deadline: ${escapeMarkdown(s.deadlines.next_timeout_at)} (${left}); the session fails if nobody acts by then.`);
  lines.push(`Session ${escapeMarkdown(s.session_id)}`);
  const target = { kind: 'review' as const, sessionId: s.session_id, requesterId: s.paused_agent_id };
  return {
    id: `review:${s.session_id}`,
    label: who(s.paused_agent_id),
    description: [`reviewer ${reviewerText(s)}`, s.phase, turn, left].filter(Boolean).join(' · '),
    tooltip: lines.join('\n\n'),
    icon: mine ? { id: 'bell-dot', color: 'list.warningForeground' } : slot ? { id: 'person-add' } : { id: PHASE_ICONS[s.phase] ?? 'comment-discussion' },
    contextValue: `${REVIEW_CONTEXT}${slot ? '.openSlot' : mine ? '.yourTurn' : ''}`,
    command: { command: OPEN_REVIEW_COMMAND, title: 'Open Review', arguments: [target] },
    target,
  };
}
