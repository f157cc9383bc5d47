/**
 * Wires dialectic peer review into the extension:
 * - view `codexGovernance.reviews` (rows from ../views/reviews-model.ts, live on the `reviews`
 *   topic while visible, the time left recounted every 30 s);
 * - one Review panel per session on the panel host (../panels/review-handler.ts), restored after a
 *   reload from the page's saved `{sessionId}`;
 * - commands `.reviews.open`, `.reviews.nudge`, `.reviews.stepIn`, `.refreshReviews`, `.showReviews`.
 * Commands taking a session accept a Reviews row, its click target or a session id; from the
 * palette they ask with a quick pick of the open reviews.
 */
import * as vscode from 'vscode';
import { VSCODE_USER_AGENT, type GovernanceClient } from '../../client/types';
import { REVIEW_VIEW_TYPE, type ReviewPageState } from '../../webviews/review/protocol';
import { showInformationMessage, showQuickPick } from '../apis/window.apis';
import type { ExtensionHost } from '../host';
import { PanelHost } from '../panels/panel-host';
import { ReviewPanelHandler, type ReviewRenderReport } from '../panels/review-handler';
import { personTurn, reviewerText, timeLeft, turnText, who, type ReviewSummary } from '../views/review-text';
import { loadReviews, OPEN_REVIEW_COMMAND, REVIEWS_LIMIT } from '../views/reviews-model';
import { reviewIdOf } from '../views/targets';
import { ClientTreeView } from '../views/tree-provider';

export const REVIEWS_VIEW_ID = 'codexGovernance.reviews';

export const REVIEW_COMMANDS = {
  open: OPEN_REVIEW_COMMAND,
  nudge: 'codexGovernance.reviews.nudge',
  stepIn: 'codexGovernance.reviews.stepIn',
  refresh: 'codexGovernance.refreshReviews',
  show: 'codexGovernance.showReviews',
} as const;

const NOT_RUNNING = 'The governance server is not running. Run "Codex Governance: Start Server" first.';

export interface Reviews {
  view: ClientTreeView;
  /** One Review panel per dialectic session id. */
  panels: PanelHost<ReviewPanelHandler>;
}

export function registerReviews(ctx: ExtensionHost): Reviews {
  const source = ctx.clients;
  const client = (): GovernanceClient => {
    const c = source.current;
    if (!c) throw new Error(NOT_RUNNING);
    return c;
  };
  const view = ctx.push(new ClientTreeView({ viewId: REVIEWS_VIEW_ID, topics: ['reviews'], load: (c) => loadReviews(c), source, tickMs: 30_000 }));
  const panels = ctx.push(
    new PanelHost<ReviewPanelHandler>(
      {
        viewType: REVIEW_VIEW_TYPE,
        title: 'Review',
        page: 'review',
        // The form keeps what the person typed across tab switches.
        retainContextWhenHidden: true,
        restoredKey: (state) => {
          const sessionId = (state as Partial<ReviewPageState> | undefined)?.sessionId;
          return typeof sessionId === 'string' && sessionId ? sessionId : undefined;
        },
        revealWaitsForFirstRender: true,
        createHandler: ({ key, post, setTitle }) => new ReviewPanelHandler(key, { clients: source, post, onTitle: setTitle }),
      },
      ctx.extensionUri,
      (err) => ctx.reportError(err),
    ),
  );

  const openReviews = async (): Promise<ReviewSummary[]> => (await client().callTool('list_dialectic_sessions', { limit: REVIEWS_LIMIT })).sessions;
  const pickReview = async (title: string, filter: (s: ReviewSummary) => boolean, none: string): Promise<string | undefined> => {
    const now = Date.now();
    const list = (await openReviews()).filter(filter);
    if (list.length === 0) {
      void showInformationMessage(`Codex Governance: ${none}`);
      return undefined;
    }
    const pick = await showQuickPick(
      list.map((s) => ({
        label: `${who(s.paused_agent_id)} · reviewer ${reviewerText(s)}`,
        description: [s.phase, turnText(s), timeLeft(s.deadlines.next_timeout_at, now)].filter(Boolean).join(' · '),
        detail: s.reason,
        id: s.session_id,
      })),
      { title: `Codex Governance: ${title}`, matchOnDescription: true, matchOnDetail: true },
    );
    return pick?.id;
  };

  // Resolves with what the page drew (ReviewRenderReport).
  ctx.registerCommand(REVIEW_COMMANDS.open, async (arg?: unknown): Promise<ReviewRenderReport | undefined> => {
    const id = reviewIdOf(arg) ?? (await pickReview('open a review', () => true, 'no dialectic review is open.'));
    if (!id) return undefined;
    return (await panels.showKey(id)) as ReviewRenderReport | undefined;
  });

  // A person reviews as the agent `vscode-user`: an open slot is taken by their antithesis.
  ctx.registerCommand(REVIEW_COMMANDS.stepIn, async (arg?: unknown): Promise<ReviewRenderReport | undefined> => {
    const id = reviewIdOf(arg) ?? (await pickReview('step in as reviewer', (s) => personTurn(s) === 'submit_antithesis', 'no review has an open reviewer slot.'));
    if (!id) return undefined;
    const s = await client().callTool('get_dialectic_session', { session_id: id });
    if (s.paused_agent_id === VSCODE_USER_AGENT) throw new Error(`You asked for review ${id}; you cannot review yourself.`);
    if (personTurn(s) !== 'submit_antithesis') {
      const why = s.next_actor === null ? 'it has ended' : `its reviewer is ${reviewerText(s)} and it is in phase ${s.phase}`;
      throw new Error(`You cannot step in as reviewer of ${s.paused_agent_id}'s review (${id}): ${why}. Only an open reviewer slot, or a review waiting on you, takes your antithesis.`);
    }
    return (await panels.showKey(id, { stepIn: true })) as ReviewRenderReport | undefined;
  });

  // Optional second argument: a note for the reminder (tests, keybindings).
  ctx.registerCommand(REVIEW_COMMANDS.nudge, async (arg?: unknown, note?: unknown) => {
    const id = reviewIdOf(arg) ?? (await pickReview('nudge a review', () => true, 'no dialectic review is open.'));
    if (!id) return undefined;
    const r = await client().callTool('nudge_dialectic_session', { session_id: id, agent_id: VSCODE_USER_AGENT, ...(typeof note === 'string' && note.trim() ? { note: note.trim() } : {}) });
    const waiting = Array.isArray(r.waiting_on) ? r.waiting_on.filter((x): x is string => typeof x === 'string') : [];
    const tool = typeof r.next_tool === 'string' ? r.next_tool : undefined;
    void showInformationMessage(
      tool
        ? `Codex Governance: reminder recorded for ${waiting.length ? waiting.map(who).join(' or ') : 'any eligible reviewer'} (next step: ${tool}).`
        : 'Codex Governance: this review has ended; there is nobody to remind.',
    );
    return r;
  });

  ctx.registerCommand(REVIEW_COMMANDS.refresh, () => view.refresh());
  ctx.registerCommand(REVIEW_COMMANDS.show, () => vscode.commands.executeCommand(`${REVIEWS_VIEW_ID}.focus`));
  return { view, panels };
}
