/**
 * What "Run Governed Agent..." asks: the task (free text, or a pending task of the queue), then
 * Start with the settings' model, base URL and API, or More options (each asked, prefilled with its
 * setting). A command argument may give any of them; what it gives is not asked.
 */
import type { GovernanceClient } from '../../client/types';
import { showInputBox, showQuickPick } from '../apis/window.apis';
import { checkBaseUrl, settingName, type AgentRunSettings } from './run-settings';

/** What a command argument may give (tests, keybindings, the Tasks view). */
export interface GivenRun {
  prompt?: string;
  taskId?: string;
  model?: string;
  baseUrl?: string;
  api?: 'chat' | 'responses';
}

export interface RunRequest {
  prompt?: string;
  taskId?: string;
  /** The settings with the person's choices for this run. */
  settings: AgentRunSettings;
}

/** The argument as a {@link GivenRun}; throws naming a field of the wrong type. */
export function givenRun(arg: unknown): GivenRun {
  if (typeof arg === 'string') return arg.trim() ? { prompt: arg } : {};
  if (!arg || typeof arg !== 'object') return {};
  const a = arg as Record<string, unknown>;
  const out: GivenRun = {};
  for (const k of ['prompt', 'taskId', 'model', 'baseUrl'] as const) {
    if (a[k] === undefined) continue;
    if (typeof a[k] !== 'string') throw new Error(`Run Governed Agent: "${k}" must be a string.`);
    if (a[k].trim()) out[k] = a[k].trim();
  }
  if (a.api !== undefined) {
    if (a.api !== 'chat' && a.api !== 'responses') throw new Error('Run Governed Agent: "api" must be "chat" or "responses".');
    out.api = a.api;
  }
  return out;
}

/** Asks what `given` leaves open; undefined when the person cancels. */
export async function askRun(client: GovernanceClient, given: GivenRun, settings: AgentRunSettings): Promise<RunRequest | undefined> {
  let { prompt, taskId } = given;
  const fromArgument = prompt !== undefined || taskId !== undefined;
  if (!fromArgument) {
    const picked = await pickTask(client);
    if (!picked) return undefined;
    ({ prompt, taskId } = picked);
  }
  let s: AgentRunSettings = { ...settings, ...(given.model ? { model: given.model } : {}), ...(given.baseUrl ? { baseUrl: checkBaseUrl(given.baseUrl) } : {}), ...(given.api ? { api: given.api } : {}) };
  if (!fromArgument) {
    const more = await showQuickPick(
      [
        { label: '$(play) Start', description: `${s.model} · ${s.baseUrl} · ${s.api}`, more: false },
        { label: '$(settings) More options...', description: 'model, base URL, API for this run', more: true },
      ],
      { title: 'Run Governed Agent (2/2)', placeHolder: 'Start with the settings, or choose other ones for this run' },
    );
    if (!more) return undefined;
    if (more.more) {
      const chosen = await moreOptions(s);
      if (!chosen) return undefined;
      s = chosen;
    }
  }
  return { ...(prompt ? { prompt } : {}), ...(taskId ? { taskId } : {}), settings: s };
}

async function pickTask(client: GovernanceClient): Promise<{ prompt?: string; taskId?: string } | undefined> {
  const { tasks } = await client.callTool('list_tasks', { status: 'pending', limit: 50 });
  const items = [
    { label: '$(edit) Type a task...', description: 'the agent works on text you type', taskId: undefined as string | undefined },
    ...tasks.map((t) => ({ label: t.description.replace(/\s+/g, ' ').slice(0, 100), description: t.task_id, detail: `${t.priority} priority${t.due_date ? ` · due ${t.due_date}` : ''}${t.tags.length ? ` · ${t.tags.join(', ')}` : ''}`, taskId: t.task_id })),
  ];
  const pick = await showQuickPick(items, { title: 'Run Governed Agent (1/2): task', placeHolder: tasks.length ? 'Type a task, or pick a pending task of the queue (claimed, then completed or released)' : 'No pending task in the queue: type one', matchOnDescription: true });
  if (!pick) return undefined;
  if (pick.taskId) return { taskId: pick.taskId };
  const prompt = await showInputBox({
    title: 'Run Governed Agent: task',
    prompt: 'What should the agent do? It works with the governance tools and your Codex MCP servers; every step is governed.',
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() ? undefined : 'Type what the agent should do.'),
  });
  return prompt?.trim() ? { prompt: prompt.trim() } : undefined;
}

async function moreOptions(s: AgentRunSettings): Promise<AgentRunSettings | undefined> {
  const model = await showInputBox({ title: 'Run Governed Agent: model', prompt: `Model name (default: the setting ${settingName('model')})`, value: s.model, ignoreFocusOut: true, validateInput: (v) => (v.trim() ? undefined : 'Type a model name.') });
  if (!model?.trim()) return undefined;
  const baseUrl = await showInputBox({
    title: 'Run Governed Agent: base URL',
    prompt: `OpenAI-compatible base URL (default: the setting ${settingName('baseUrl')})`,
    value: s.baseUrl,
    ignoreFocusOut: true,
    validateInput: (v) => {
      try {
        checkBaseUrl(v);
        return undefined;
      } catch (err) {
        return err instanceof Error ? err.message : String(err);
      }
    },
  });
  if (!baseUrl) return undefined;
  const api = await showQuickPick(
    [
      { label: 'chat', description: 'Chat Completions (/chat/completions)', picked: s.api === 'chat' },
      { label: 'responses', description: 'Responses API (/responses)', picked: s.api === 'responses' },
    ],
    { title: 'Run Governed Agent: API' },
  );
  if (!api) return undefined;
  return { ...s, model: model.trim(), baseUrl: checkBaseUrl(baseUrl), api: api.label === 'responses' ? 'responses' : 'chat' };
}
