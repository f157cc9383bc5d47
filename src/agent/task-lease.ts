/**
 * `--task-id`: the run works on a task of the governance queue. It claims the task (or renews its
 * own claim), takes the description as its prompt, and at the end completes it with the final
 * answer, or fails it with `requeue: true` so the task goes back to pending for another agent:
 * a failed, paused, stopped or refused run never leaves its task half-done under its lease.
 */
import { GovernanceClientError, type GovernanceClient } from '../client/types';
import type { RunEndedEvent } from './events';
import { CLI_OPTION_NAMES, type OptionNames } from './option-names';

/** A task lease cannot be taken: the message names the task and why. */
export class TaskClaimError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TaskClaimError';
  }
}

/** The task's longest result and reason the queue stores (src/tasks/service TASK_LIMITS.result). */
const MAX_RESULT = 20_000;
/** The queue's lease bounds, seconds (src/tasks/service TASK_LIMITS). */
const LEASE_MIN = 10;
const LEASE_MAX = 24 * 3600;

export class TaskLease {
  private constructor(
    private readonly client: GovernanceClient,
    readonly taskId: string,
    private readonly agentId: string,
    /** The task's description: the run's prompt. */
    readonly description: string,
  ) {}

  /**
   * Claims `taskId` for `agentId` with a lease covering the run (its timeout plus a minute).
   * @param runSeconds the run's deadline, s
   * @param names how the message names where pending tasks are seen and the agent id option
   * @throws TaskClaimError naming the task: unknown, held by another agent, not pending, or the server unreachable
   */
  static async claim(client: GovernanceClient, taskId: string, agentId: string, runSeconds: number, names: OptionNames = CLI_OPTION_NAMES): Promise<TaskLease> {
    const lease = Math.min(LEASE_MAX, Math.max(LEASE_MIN, Math.ceil(runSeconds) + 60));
    try {
      const r = await client.callTool('claim_task', { task_id: taskId, agent_id: agentId, lease_seconds: lease });
      return new TaskLease(client, taskId, agentId, r.task.description);
    } catch (err) {
      const why = err instanceof GovernanceClientError ? `${err.code}: ${err.message}` : String(err);
      const holder = names.agentId ? ` or the agent id that holds it (${names.agentId})` : '';
      throw new TaskClaimError(`Cannot claim task ${taskId} as ${agentId} (${why}). Pick a pending task (${names.taskList})${holder}.`);
    }
  }

  /**
   * Completes the task on `done` (with the final text), otherwise fails it back to pending with the
   * run's message as reason. Never throws.
   */
  async finish(end: Pick<RunEndedEvent, 'reason' | 'message' | 'finalText'>): Promise<NonNullable<RunEndedEvent['task']>> {
    try {
      if (end.reason === 'done') {
        await this.client.callTool('complete_task', { task_id: this.taskId, agent_id: this.agentId, result: (end.finalText ?? end.message).slice(0, MAX_RESULT) });
        return { taskId: this.taskId, outcome: 'completed' };
      }
      await this.client.callTool('fail_task', { task_id: this.taskId, agent_id: this.agentId, reason: `Run ended (${end.reason}): ${end.message}`.slice(0, MAX_RESULT), requeue: true });
      return { taskId: this.taskId, outcome: 'released' };
    } catch (err) {
      const why = err instanceof GovernanceClientError ? `${err.code}: ${err.message}` : String(err);
      return { taskId: this.taskId, outcome: 'not_released', message: `Could not ${end.reason === 'done' ? 'complete' : 'release'} task ${this.taskId} (${why}); its lease ends by itself and it returns to pending then.` };
    }
  }
}
