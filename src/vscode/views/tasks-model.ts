/**
 * The Tasks view: the governance task queue (`list_tasks`) grouped by status: Open (pending),
 * Claimed (by whom, lease time left), Done (completed), Failed; a tooltip with the description,
 * priority, tags, due date, author and result. Rows say when this window has an agent run of the
 * task (Open Run). Plain TypeScript (unit tested): ./tree-provider draws the nodes.
 */
import type { GovernanceClient } from '../../client/types';
import type { TaskRecord } from '../../tasks/repository';
import { VSCODE_USER_AGENT } from '../../client/types';
import { ago, errorNode, escapeMarkdown, oneLine, type ViewContent, type ViewNode } from './node';

/** `viewItem` of a task row: `codexGovernance.task.<status>[.mine][.run]`. */
export const TASK_CONTEXT = 'codexGovernance.task';
/** Rows read per status (the queue's page limit is 200). */
export const TASKS_PER_STATUS = 100;
/** A task id from a row's node id. */
const ID_PREFIX = 'task:';

/** What the view knows of this window's runs. */
export interface TaskRuns {
  /** The status of this window's latest run of the task (`running`, `done`, ...), if any. */
  runOf(taskId: string): string | undefined;
}

const GROUPS: Array<{ status: TaskRecord['status']; label: string; expanded: boolean; icon: { id: string; color?: string } }> = [
  { status: 'pending', label: 'Open', expanded: true, icon: { id: 'circle-large-outline' } },
  { status: 'claimed', label: 'Claimed', expanded: true, icon: { id: 'sync', color: 'charts.blue' } },
  { status: 'completed', label: 'Done', expanded: true, icon: { id: 'pass', color: 'testing.iconPassed' } },
  { status: 'failed', label: 'Failed', expanded: true, icon: { id: 'error', color: 'errorForeground' } },
];

/** Rows of the Tasks view. `now` (ms) dates lease time left and ages. */
export async function loadTasks(client: GovernanceClient | undefined, runs: TaskRuns, now: number = Date.now()): Promise<ViewContent> {
  // No server: the view's welcome content explains how to start one.
  if (!client) return { nodes: [] };
  let pages: Array<{ tasks: TaskRecord[]; total: number }>;
  try {
    pages = await Promise.all(
      GROUPS.map(async (g) => {
        const r = await client.callTool('list_tasks', { status: g.status, limit: TASKS_PER_STATUS });
        return { tasks: r.tasks, total: r.total };
      }),
    );
  } catch (err) {
    return { nodes: [errorNode('tasks', err)] };
  }
  if (pages.every((p) => p.total === 0)) return { nodes: [] };
  const nodes: ViewNode[] = GROUPS.map((g, i) => {
    const { tasks, total } = pages[i]!;
    return {
      id: `tasks-group:${g.status}`,
      label: g.label,
      description: total > tasks.length ? `${total} (first ${tasks.length} shown)` : String(total),
      icon: g.icon,
      contextValue: `${TASK_CONTEXT}Group`,
      children: tasks.map((t) => taskNode(t, runs.runOf(t.task_id), now)),
      expanded: g.expanded,
    };
  });
  const open = pages[0]!.total;
  const claimed = pages[1]!.total;
  return { nodes, description: `${open} open, ${claimed} claimed` };
}

/** One task row. */
export function taskNode(t: TaskRecord, run: string | undefined, now: number): ViewNode {
  const mine = t.status === 'claimed' && t.claimed_by === VSCODE_USER_AGENT;
  const bits: string[] = [];
  if (t.status === 'claimed') bits.push(`by ${t.claimed_by ?? '?'}${t.lease_expires_at ? ` · ${leaseLeft(t.lease_expires_at, now)}` : ''}`);
  else if ((t.status === 'completed' || t.status === 'failed') && t.claimed_by) bits.push(`${t.status === 'completed' ? 'done' : 'failed'} by ${t.claimed_by}`);
  if (t.priority !== 'medium') bits.push(t.priority);
  if (t.due_date) bits.push(`due ${t.due_date}`);
  if (run) bits.push(`run ${run}`);
  return {
    id: `${ID_PREFIX}${t.task_id}`,
    label: oneLine(t.description, 80),
    description: bits.join(' · '),
    tooltip: tooltipOf(t, run, now),
    icon: iconOf(t),
    contextValue: `${TASK_CONTEXT}.${t.status}${mine ? '.mine' : ''}${run ? '.run' : ''}`,
  };
}

/** The task id of a Tasks row, or a plain id string (palette, tests). */
export function taskIdOf(arg: unknown): string | undefined {
  if (typeof arg === 'string' && arg) return arg;
  const id = arg && typeof arg === 'object' ? (arg as Partial<ViewNode>).id : undefined;
  return typeof id === 'string' && id.startsWith(ID_PREFIX) ? id.slice(ID_PREFIX.length) : undefined;
}

/** "lease 4 min left", "lease 35 s left", "lease ended". */
export function leaseLeft(iso: string, now: number): string {
  const s = Math.round((Date.parse(iso) - now) / 1000);
  if (Number.isNaN(s) || s <= 0) return 'lease ended';
  if (s < 60) return `lease ${s} s left`;
  if (s < 3600) return `lease ${Math.round(s / 60)} min left`;
  return `lease ${Math.round(s / 360) / 10} h left`;
}

function iconOf(t: TaskRecord): { id: string; color?: string } {
  if (t.status === 'claimed') return { id: 'sync', color: 'charts.blue' };
  if (t.status === 'completed') return { id: 'pass', color: 'testing.iconPassed' };
  if (t.status === 'failed') return { id: 'error', color: 'errorForeground' };
  return t.priority === 'critical' || t.priority === 'high' ? { id: 'circle-large-filled', color: 'charts.orange' } : { id: 'circle-large-outline' };
}

function tooltipOf(t: TaskRecord, run: string | undefined, now: number): string {
  const lines = [
    `**${escapeMarkdown(t.task_id)}** · ${t.status} · ${t.priority}`,
    '',
    escapeMarkdown(t.description.length > 2000 ? `${t.description.slice(0, 1999)}…` : t.description),
    '',
  ];
  if (t.tags.length) lines.push(`Tags: ${t.tags.map(escapeMarkdown).join(', ')}  `);
  if (t.due_date) lines.push(`Due: ${t.due_date}  `);
  lines.push(`Posted by ${escapeMarkdown(t.created_by)} at ${t.created_at}; last change ${ago(t.updated_at, now)}  `);
  if (t.claimed_by) lines.push(`${t.status === 'claimed' ? 'Claimed' : 'Last held'} by ${escapeMarkdown(t.claimed_by)}${t.lease_expires_at ? `, lease until ${t.lease_expires_at}` : ''}  `);
  if (t.result) lines.push('', `${t.status === 'failed' ? 'Reason' : 'Result'}: ${escapeMarkdown(t.result.length > 1000 ? `${t.result.slice(0, 999)}…` : t.result)}`);
  if (run) lines.push('', `An agent run of this task in this window: ${run}.`);
  return lines.join('\n');
}
