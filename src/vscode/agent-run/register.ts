/**
 * Wires governed OpenAI agent runs into VS Code:
 * - `codexGovernance.agents.run` "Run Governed Agent..." (./ask-run) opens an Agent run panel per
 *   run (./panel-handler) and runs src/agent/runner through the on-demand bundle (./start-run) with
 *   this window's GovernanceClient, so its approvals reach this window's prompter;
 * - `codexGovernance.agents.setApiKey` / `.clearApiKey`: the OpenAI API key in SecretStorage
 *   (a password input box; never in settings or logs);
 * - the Tasks view `codexGovernance.tasks` (../views/tasks-model) with Post Task, Claim, Run and
 *   Open Run. The queue has no change event of its own: the view reloads on agent updates (every
 *   run step is one), this window's runs starting and ending, and every {@link TASKS_TICK_MS} while
 *   visible (lease time left).
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { AgentEvent } from '../../agent/events';
import { VSCODE_USER_AGENT, type GovernanceClient } from '../../client/types';
import { defaultCodexHome } from '../../config/discover';
import { AGENT_RUN_VIEW_TYPE, type AgentRunPageState } from '../../webviews/agent-run/protocol';
import { showInformationMessage, showInputBox, showQuickPick, showWarningMessage } from '../apis/window.apis';
import type { ExtensionHost } from '../host';
import { loadOnDemand } from '../load-on-demand';
import { PanelHost } from '../panels/panel-host';
import { SETTINGS_SECTION } from '../settings';
import { loadTasks, taskIdOf } from '../views/tasks-model';
import { ClientTreeView } from '../views/tree-provider';
import { askRun, givenRun, type RunRequest } from './ask-run';
import { AgentRunPanelHandler, type RunApprovalsSource } from './panel-handler';
import { AGENT_SETTINGS_SECTION, API_KEY_SECRET, readAgentSettings, settingName } from './run-settings';
import { AgentRunSession, AgentRuns } from './run-session';

export const TASKS_VIEW_ID = 'codexGovernance.tasks';
/** How often the visible Tasks view reloads (ms): lease countdowns and other windows' changes. */
export const TASKS_TICK_MS = 5000;

export const AGENT_COMMANDS = {
  run: 'codexGovernance.agents.run',
  openRun: 'codexGovernance.agents.openRun',
  setApiKey: 'codexGovernance.agents.setApiKey',
  clearApiKey: 'codexGovernance.agents.clearApiKey',
  postTask: 'codexGovernance.tasks.post',
  claimTask: 'codexGovernance.tasks.claim',
  runTask: 'codexGovernance.tasks.run',
  openTaskRun: 'codexGovernance.tasks.openRun',
  refreshTasks: 'codexGovernance.refreshTasks',
  showTasks: 'codexGovernance.showTasks',
} as const;

/** The button of the missing-key message. */
export const SET_KEY_ACTION = 'Set OpenAI API Key';

const NOT_RUNNING = 'The governance server is not running. Run "Codex Governance: Start Server" first.';

export interface AgentRunsUi {
  runs: AgentRuns;
  panels: PanelHost<AgentRunPanelHandler>;
  tasks: ClientTreeView;
}

/**
 * @param approvals this window's open approval requests (a run's show as cards in its panel)
 * @param secrets VS Code's SecretStorage (the API key)
 */
export function registerAgentRuns(host: ExtensionHost, approvals: RunApprovalsSource | undefined, secrets: vscode.SecretStorage): AgentRunsUi {
  const source = host.clients;
  const client = (): GovernanceClient => {
    const c = source.current;
    if (!c) throw new Error(NOT_RUNNING);
    return c;
  };
  const runs = new AgentRuns();
  host.push({ dispose: () => runs.dispose() });
  const taskRuns = { runOf: (id: string) => runs.ofTask(id)?.header().status };
  let shown = '';
  const tasks = host.push(
    new ClientTreeView({
      viewId: TASKS_VIEW_ID,
      topics: ['agents'],
      load: async (c) => {
        const content = await loadTasks(c, taskRuns);
        shown = JSON.stringify(content);
        return content;
      },
      source,
    }),
  );
  host.push({ dispose: runs.onDidChange(() => tasks.refresh()) });
  // Redrawn only when the rows changed: a redraw every tick would hide a row's inline actions
  // under the pointer (and swallow a click on them).
  const ticker = setInterval(() => {
    if (!tasks.view.visible || !source.current) return;
    void loadTasks(source.current, taskRuns).then((content) => {
      if (JSON.stringify(content) !== shown) tasks.refresh();
    });
  }, TASKS_TICK_MS);
  host.push({ dispose: () => clearInterval(ticker) });
  const panels = host.push(
    new PanelHost<AgentRunPanelHandler>(
      {
        viewType: AGENT_RUN_VIEW_TYPE,
        title: 'Agent Run',
        page: 'agent-run',
        // The log keeps its scroll position and expanded results across tab switches.
        retainContextWhenHidden: true,
        restoredKey: (state) => {
          const runId = (state as Partial<AgentRunPageState> | undefined)?.runId;
          return typeof runId === 'string' && runId ? runId : undefined;
        },
        revealWaitsForFirstRender: true,
        createHandler: ({ key, post, setTitle }) => new AgentRunPanelHandler(key, { runs, post, ...(approvals ? { approvals } : {}), onTitle: setTitle }),
      },
      host.extensionUri,
      (err) => host.reportError(err),
    ),
  );

  const settings = () => {
    const config = vscode.workspace.getConfiguration(AGENT_SETTINGS_SECTION);
    return readAgentSettings((k) => config.get(k));
  };
  const mcpConfigFile = (s: ReturnType<typeof settings>): string | undefined => {
    if (!s.useMcpServers) return undefined;
    if (s.mcpConfig) return s.mcpConfig;
    const home = vscode.workspace.getConfiguration(SETTINGS_SECTION).get<string>('mcp.codexHome')?.trim();
    return join(home || defaultCodexHome(), 'config.toml');
  };

  /** The stored key, or undefined after telling the person how to set one. */
  const apiKey = async (): Promise<string | undefined> => {
    const key = (await secrets.get(API_KEY_SECRET))?.trim();
    if (key) return key;
    void showWarningMessage(
      'Codex Governance: no OpenAI API key is set, so a governed agent cannot call its model. Set one with "Set OpenAI API Key" (kept in VS Code\'s secret storage, never in settings).',
      SET_KEY_ACTION,
    ).then((choice) => {
      if (choice === SET_KEY_ACTION) void vscode.commands.executeCommand(AGENT_COMMANDS.setApiKey);
    });
    return undefined;
  };

  /** Starts the run in the background and opens its panel; resolves with the run id once the panel drew. */
  const start = async (c: GovernanceClient, key: string, request: RunRequest, title?: string): Promise<string> => {
    const runId = randomUUID();
    const s = request.settings;
    const run = new AgentRunSession({ runId, agentId: `openai-agent-${runId.slice(0, 8)}`, model: s.model, baseUrl: s.baseUrl, api: s.api, prompt: title ?? request.prompt ?? '', maxSteps: s.maxSteps, ...(request.taskId ? { taskId: request.taskId } : {}) });
    runs.add(run);
    const push = (e: AgentEvent) => run.push(e);
    let ended: Promise<unknown>;
    try {
      ended = loadOnDemand().startAgentRun({
        client: c,
        apiKey: key,
        settings: s,
        ...(request.prompt ? { prompt: request.prompt } : {}),
        ...(request.taskId ? { taskId: request.taskId } : {}),
        agentId: run.meta.agentId,
        runId,
        ...(mcpConfigFile(s) ? { mcpConfigFile: mcpConfigFile(s) } : {}),
        env: process.env,
        signal: run.signal,
        onEvent: push,
      });
    } catch (err) {
      // The runner could not even load (a broken build): the run ends here; no task was claimed.
      push({ type: 'run-ended', runId, at: new Date().toISOString(), reason: 'error', message: `The agent runner could not start: ${err instanceof Error ? err.message : String(err)}`, steps: 0 });
      ended = Promise.resolve();
    }
    void ended.then(() => {
      const end = run.end;
      host.logger.info(`Agent run ${runId} (${run.meta.agentId}) ended ${end?.reason ?? '?'}${end?.task ? `; task ${end.task.taskId} ${end.task.outcome}` : ''}.`);
      tasks.refresh();
      if (end && end.reason !== 'done' && end.reason !== 'aborted' && !panels.panels.handler(runId)) {
        void showWarningMessage(`Codex Governance: agent run ended (${end.reason}): ${end.message}`, 'Open Run').then((choice) => {
          if (choice) void panels.showKey(runId);
        });
      }
    });
    await panels.showKey(runId);
    return runId;
  };

  /** Checks what a run needs before anything is claimed, then starts it. */
  const runWith = async (given: ReturnType<typeof givenRun>): Promise<string | undefined> => {
    const c = client();
    const s = settings();
    const key = await apiKey();
    if (!key) return undefined;
    const request = await askRun(c, given, s);
    if (!request) return undefined;
    return start(c, key, request);
  };

  host.registerCommand(AGENT_COMMANDS.run, (arg?: unknown) => runWith(givenRun(arg)));

  host.registerCommand(AGENT_COMMANDS.openRun, async (arg?: unknown) => {
    const runId = typeof arg === 'string' ? arg : await pickRun(runs);
    if (!runId) return undefined;
    if (!runs.get(runId)) throw new Error(`No agent run ${runId} in this window.`);
    return panels.showKey(runId);
  });

  // Optional argument: the key (other extensions); without it a password input box asks.
  host.registerCommand(AGENT_COMMANDS.setApiKey, async (arg?: unknown) => {
    const key =
      typeof arg === 'string'
        ? arg
        : await showInputBox({
            title: 'Codex Governance: Set OpenAI API Key',
            prompt: 'The API key governed agents send to the model server (kept in VS Code\'s secret storage, never in settings or logs)',
            password: true,
            ignoreFocusOut: true,
            validateInput: (v) => (v.trim() ? (/\s/.test(v.trim()) ? 'An API key has no spaces.' : undefined) : 'Paste the API key.'),
          });
    if (!key?.trim()) return false;
    await secrets.store(API_KEY_SECRET, key.trim());
    void showInformationMessage(`Codex Governance: OpenAI API key stored (…${key.trim().slice(-4)}). Runs use it with the base URL in ${settingName('baseUrl')}.`);
    return true;
  });

  host.registerCommand(AGENT_COMMANDS.clearApiKey, async () => {
    await secrets.delete(API_KEY_SECRET);
    void showInformationMessage('Codex Governance: OpenAI API key removed from the secret storage.');
    return true;
  });

  // Optional argument: { description, priority?, tags?, due_date?, task_id? } (tests); without it input boxes ask.
  host.registerCommand(AGENT_COMMANDS.postTask, async (arg?: unknown) => {
    const c = client();
    const given = arg && typeof arg === 'object' ? (arg as { description?: unknown; priority?: unknown; tags?: unknown; due_date?: unknown; task_id?: unknown }) : {};
    const description =
      typeof given.description === 'string'
        ? given.description
        : await showInputBox({ title: 'Post Task (1/2): description', prompt: 'What should an agent do? Posted to the governance task queue.', ignoreFocusOut: true, validateInput: (v) => (v.trim() ? undefined : 'Say what the task is.') });
    if (!description?.trim()) return undefined;
    let priority = typeof given.priority === 'string' ? given.priority : undefined;
    if (!priority) {
      const pick = await showQuickPick(['medium', 'high', 'critical', 'low'].map((label) => ({ label })), { title: 'Post Task (2/2): priority' });
      if (!pick) return undefined;
      priority = pick.label;
    }
    const r = await c.callTool('post_task', {
      description,
      priority: priority as 'low' | 'medium' | 'high' | 'critical',
      agent_id: VSCODE_USER_AGENT,
      ...(Array.isArray(given.tags) ? { tags: given.tags.filter((t): t is string => typeof t === 'string') } : {}),
      ...(typeof given.due_date === 'string' ? { due_date: given.due_date } : {}),
      ...(typeof given.task_id === 'string' ? { task_id: given.task_id } : {}),
    });
    tasks.refresh();
    void showInformationMessage(`Codex Governance: task ${r.task.task_id} posted.`);
    return r.task.task_id;
  });

  host.registerCommand(AGENT_COMMANDS.claimTask, async (arg?: unknown) => {
    const id = taskIdOf(arg);
    if (!id) throw new Error('Claim needs a task: use it on a row of the Tasks view.');
    const r = await client().callTool('claim_task', { task_id: id, agent_id: VSCODE_USER_AGENT });
    tasks.refresh();
    void showInformationMessage(`Codex Governance: task ${id} claimed by ${VSCODE_USER_AGENT} until ${String(r.task.lease_expires_at ?? '?')}.`);
    return id;
  });

  // Claim, run, then complete or release: the runner's --task-id semantics. A task this window's
  // person claimed is handed over (released, then claimed by the run) once the key is known.
  host.registerCommand(AGENT_COMMANDS.runTask, async (arg?: unknown) => {
    const id = taskIdOf(arg);
    if (!id) throw new Error('Run needs a task: use it on a row of the Tasks view.');
    const c = client();
    const s = settings();
    const key = await apiKey();
    if (!key) return undefined;
    const mine = await c.callTool('list_tasks', { status: 'claimed', claimed_by: VSCODE_USER_AGENT, limit: 200 });
    const held = mine.tasks.find((t) => t.task_id === id);
    if (held) {
      await c.callTool('fail_task', { task_id: id, agent_id: VSCODE_USER_AGENT, reason: 'Handed to a governed agent run from VS Code.', requeue: true });
    }
    const description = held?.description ?? (await c.callTool('list_tasks', { status: 'pending', limit: 200 })).tasks.find((t) => t.task_id === id)?.description;
    return start(c, key, { taskId: id, settings: s }, description);
  });

  host.registerCommand(AGENT_COMMANDS.openTaskRun, async (arg?: unknown) => {
    const id = taskIdOf(arg);
    const run = id ? runs.ofTask(id) : undefined;
    if (!run) throw new Error(`No agent run of task ${id ?? '?'} in this window.`);
    return panels.showKey(run.runId);
  });

  host.registerCommand(AGENT_COMMANDS.refreshTasks, () => tasks.refresh());
  host.registerCommand(AGENT_COMMANDS.showTasks, () => vscode.commands.executeCommand(`${TASKS_VIEW_ID}.focus`));
  return { runs, panels, tasks };
}

async function pickRun(runs: AgentRuns): Promise<string | undefined> {
  const all = [...runs.active()];
  if (!all.length) {
    void showInformationMessage('Codex Governance: no agent run is going on in this window.');
    return undefined;
  }
  const pick = await showQuickPick(
    all.map((r) => ({ label: r.header().title, description: `${r.header().status} · ${r.meta.model}`, runId: r.runId })),
    { title: 'Codex Governance: open an agent run' },
  );
  return pick?.runId;
}
