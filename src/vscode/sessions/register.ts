/**
 * Wires the Sessions view, the Session panels and the session commands into the extension:
 * - view `codexGovernance.sessions` (rows from sessions-model.ts, live on the `sessions` topic while visible);
 * - `codexGovernance.newSession`, `.sessions.open`, `.sessions.reply`, `.sessions.cancel`,
 *   `.cleanUpSessions`, `.sessions.copyThreadId`, `.showSessions`, `.refreshSessions`.
 * Commands taking a session accept a tree row, its click target or a session id; from the palette
 * they ask with a quick pick.
 */
import * as vscode from 'vscode';
import { cancelSession, cleanUpSessions, getSession, replyToSession } from '../../client/sessions';
import type { GovernanceClient, SessionSummary } from '../../client/types';
import { SESSION_VIEW_TYPE, type SessionHeader, type SessionPageState } from '../../webviews/session/protocol';
import { writeClipboard } from '../apis/env.apis';
import { showInformationMessage, showInputBox, showQuickPick, showWarningMessage } from '../apis/window.apis';
import type { ExtensionHost } from '../host';
import { ago } from '../views/node';
import { targetOf } from '../views/targets';
import { ClientTreeView } from '../views/tree-provider';
import { PanelHost } from '../panels/panel-host';
import { startSession } from './new-session';
import { askSessionOptions, type GivenOptions } from './new-session-ui';
import { sessionFiles } from './session-files';
import { SessionPanelHandler, type PendingApprovals } from './session-handler';
import { loadSessions, sessionTitle } from './sessions-model';

export const SESSIONS_VIEW_ID = 'codexGovernance.sessions';

export const SESSION_COMMANDS = {
  newSession: 'codexGovernance.newSession',
  open: 'codexGovernance.sessions.open',
  reply: 'codexGovernance.sessions.reply',
  cancel: 'codexGovernance.sessions.cancel',
  cleanUp: 'codexGovernance.cleanUpSessions',
  copyThreadId: 'codexGovernance.sessions.copyThreadId',
  show: 'codexGovernance.showSessions',
  refresh: 'codexGovernance.refreshSessions',
} as const;

/** The button of the confirmation shown before cancelling a running turn. */
export const CONFIRM_CANCEL = 'Cancel Session';

const NOT_RUNNING = 'The governance server is not running. Run "Codex Governance: Start Server" first.';

export interface Sessions {
  view: ClientTreeView;
  /** One Session panel per session id. */
  panels: PanelHost<SessionPanelHandler>;
}

/** A session id from a tree row, its click target, or a plain id string. */
export function sessionIdOf(arg: unknown): string | undefined {
  if (typeof arg === 'string' && arg) return arg;
  const t = targetOf(arg);
  return t?.kind === 'session' ? t.sessionId : undefined;
}

/**
 * @param approvals this window's open approval requests (the Session panel shows a session's as
 *   cards and answers them as the Approvals view does)
 */
export function registerSessions(ctx: ExtensionHost, approvals?: PendingApprovals): Sessions {
  const source = ctx.clients;
  const client = (): GovernanceClient => {
    const c = source.current;
    if (!c) throw new Error(NOT_RUNNING);
    return c;
  };
  const view = ctx.push(new ClientTreeView({ viewId: SESSIONS_VIEW_ID, topics: ['sessions', 'agents'], load: (c) => loadSessions(c), source }));
  const confirmCancel = async (h: Pick<SessionHeader, 'title'>): Promise<boolean> =>
    (await showWarningMessage(`Codex session "${h.title}" is running a turn. Cancel it? The turn stops and its Codex process and commands are ended.`, CONFIRM_CANCEL)) === CONFIRM_CANCEL;
  const files = ctx.push(sessionFiles());
  // One panel per session (revealed when already open), restored after a reload from the page's
  // saved `{sessionId}`; an open one that has not drawn yet is waited for when revealed.
  const panels = ctx.push(
    new PanelHost<SessionPanelHandler>(
      {
        viewType: SESSION_VIEW_TYPE,
        title: 'Codex Session',
        page: 'session',
        // The transcript keeps its scroll position and the reply box its draft across tab switches.
        retainContextWhenHidden: true,
        restoredKey: (state) => {
          const sessionId = (state as Partial<SessionPageState> | undefined)?.sessionId;
          return typeof sessionId === 'string' && sessionId ? sessionId : undefined;
        },
        revealWaitsForFirstRender: true,
        createHandler: ({ key, post, setTitle }) =>
          new SessionPanelHandler(key, {
            clients: source,
            post,
            ...(approvals ? { approvals } : {}),
            copy: (text) => Promise.resolve(writeClipboard(text)),
            saveMarkdown: (markdown, name) => files.saveMarkdown(markdown, name),
            openDiff: (change) => files.openDiff(change),
            onHeader: (h) => setTitle(`Codex: ${h.title.length > 40 ? `${h.title.slice(0, 39)}…` : h.title}`),
          }),
      },
      ctx.extensionUri,
      (err) => ctx.reportError(err),
    ),
  );
  const showSession = (sessionId: string) => panels.showKey(sessionId);

  const pickSession = async (title: string, filter: (s: SessionSummary) => boolean, none: string): Promise<string | undefined> => {
    const now = Date.now();
    const list = (await client().listSessions()).filter(filter);
    if (list.length === 0) {
      void showInformationMessage(`Codex Governance: ${none}`);
      return undefined;
    }
    const pick = await showQuickPick(
      list.map((s) => ({ label: sessionTitle(s), description: `${s.status} · ${ago(s.lastActivityAt, now)}`, detail: s.threadId ? `thread ${s.threadId}` : `session ${s.session_id}`, id: s.session_id })),
      { title: `Codex Governance: ${title}`, matchOnDescription: true, matchOnDetail: true },
    );
    return pick?.id;
  };
  const isActive = (s: SessionSummary) => s.status === 'starting' || s.status === 'running' || s.status === 'idle';

  // Optional argument: a prompt string, or { prompt?, sandbox?, model?, approvalPolicy?, cwd? } (keybindings, tests); what is missing is asked.
  ctx.registerCommand(SESSION_COMMANDS.newSession, async (arg?: unknown) => {
    const c = client();
    const given = typeof arg === 'string' ? { prompt: arg } : arg && typeof arg === 'object' ? (arg as GivenOptions & { prompt?: unknown }) : {};
    const prompt =
      typeof given.prompt === 'string' && given.prompt.trim()
        ? given.prompt
        : await showInputBox({
            title: 'New Codex Session (1/2): prompt',
            prompt: 'What should Codex do? It runs under governance in the first workspace folder.',
            placeHolder: 'e.g. Explain the structure of this project',
            ignoreFocusOut: true,
            validateInput: (v) => (v.trim() ? undefined : 'Type a prompt for Codex.'),
          });
    if (!prompt?.trim()) return undefined;
    const options = await askSessionOptions(given);
    if (!options) return undefined;
    const started = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: options.sandbox === 'danger-full-access' ? 'Codex session waits for approval of full access' : 'Starting Codex session' },
      () => startSession(c, { prompt, ...options }),
    );
    started.turn.catch((err: unknown) => ctx.logger.warn(`Codex session ${started.sessionId}: first turn failed: ${err instanceof Error ? err.message : String(err)}`));
    await showSession(started.sessionId);
    return started.sessionId;
  });

  ctx.registerCommand(SESSION_COMMANDS.open, async (arg?: unknown) => {
    const id = sessionIdOf(arg) ?? (await pickSession('open a session', () => true, 'no Codex session yet.'));
    if (!id) return undefined;
    return showSession(id);
  });

  // Optional second argument: the prompt (tests, keybindings); without it an input box asks.
  ctx.registerCommand(SESSION_COMMANDS.reply, async (arg?: unknown, text?: unknown) => {
    const c = client();
    const id = sessionIdOf(arg) ?? (await pickSession('reply to a session', (s) => s.status === 'idle', 'no Codex session is idle (waiting for a reply).'));
    if (!id) return undefined;
    const session = await getSession(c, id);
    const prompt =
      typeof text === 'string' && text.trim()
        ? text
        : await showInputBox({ title: `Reply to "${sessionTitle(session, 50)}"`, prompt: 'The next prompt for Codex in this session', ignoreFocusOut: true, validateInput: (v) => (v.trim() ? undefined : 'Type a reply.') });
    if (!prompt?.trim()) return undefined;
    const answer = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Codex is answering' }, () => replyToSession(c, id, prompt));
    if (!panels.panels.handler(id)) {
      void showInformationMessage(`Codex: ${answer.content.length > 200 ? `${answer.content.slice(0, 199)}…` : answer.content}`, 'Open Session').then((choice) => {
        if (choice) void showSession(id);
      });
    }
    return answer.content;
  });

  ctx.registerCommand(SESSION_COMMANDS.cancel, async (arg?: unknown) => {
    const c = client();
    const id = sessionIdOf(arg) ?? (await pickSession('cancel a session', isActive, 'no Codex session is active.'));
    if (!id) return false;
    const session = await getSession(c, id);
    if ((session.status === 'running' || session.status === 'starting') && !(await confirmCancel({ title: sessionTitle(session) }))) return false;
    return cancelSession(c, id);
  });

  // Optional argument: 'idle' or 'all' (tests, keybindings); without it a quick pick asks.
  ctx.registerCommand(SESSION_COMMANDS.cleanUp, async (arg?: unknown) => {
    const c = client();
    let which: 'idle' | 'all' | undefined = arg === 'idle' || arg === 'all' ? arg : undefined;
    if (!which) {
      const pick = await showQuickPick(
        [
          { label: 'Close idle sessions', detail: 'Ends the sessions waiting for a reply; running turns go on.', which: 'idle' as const },
          { label: 'End every session', detail: 'Ends all sessions and their processes; running turns fail.', which: 'all' as const },
        ],
        { title: 'Codex Governance: Clean Up Sessions' },
      );
      which = pick?.which;
    }
    if (!which) return undefined;
    const closed = await cleanUpSessions(c, which);
    void showInformationMessage(`Codex Governance: ${closed.length} session${closed.length === 1 ? '' : 's'} ended.`);
    return closed;
  });

  ctx.registerCommand(SESSION_COMMANDS.copyThreadId, async (arg?: unknown) => {
    const t = targetOf(arg);
    let threadId = t?.kind === 'session' ? t.threadId : null;
    const id = sessionIdOf(arg);
    if (!threadId && id) threadId = (await getSession(client(), id)).threadId;
    if (!threadId) throw new Error('This session has no Codex thread id yet (its first turn has not started).');
    await writeClipboard(threadId);
    void showInformationMessage(`Codex Governance: thread id "${threadId}" copied.`);
    return threadId;
  });

  ctx.registerCommand(SESSION_COMMANDS.show, () => vscode.commands.executeCommand(`${SESSIONS_VIEW_ID}.focus`));
  ctx.registerCommand(SESSION_COMMANDS.refresh, () => view.refresh());
  return { view, panels };
}
