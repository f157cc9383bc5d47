/**
 * Task queue tools (src/tasks): post a task, list the queue, claim one under a lease, complete or
 * fail it. The caller is the agent (its transport identity or `agent_id`). Errors: not_found,
 * conflict (claimed by another agent), invalid_state (not the lease holder, or not claimed),
 * invalid_arguments naming the field.
 */
import { z } from 'zod';
import { TASK_PRIORITIES, TASK_STATUSES } from '../../tasks/repository';
import { DEFAULT_LEASE_SECONDS, DEFAULT_PAGE, TASK_ID_PATTERN, TASK_LIMITS, type TaskService } from '../../tasks/service';
import { defineTool, resolveAgentId } from './types';

const taskId = z.string().min(1).max(TASK_LIMITS.taskId).regex(TASK_ID_PATTERN, 'letters, digits and . _ : - only');
const agentId = z.string().min(1).max(TASK_LIMITS.agentId).optional().describe('Acting agent; defaults to the caller identity.');
const taskItem = z.looseObject({ task_id: z.string(), description: z.string(), status: z.string(), claimed_by: z.string().nullable() });
const taskOut = z.looseObject({ success: z.boolean(), task: taskItem });

export function taskTools(tasks: TaskService) {
  return [
    defineTool({
      name: 'post_task',
      title: 'Post a task',
      description: 'Adds a task to the shared queue (seed 003 task JSON: task_id, description, status, due_date). task_id is generated when absent.',
      input: {
        task_id: taskId.optional().describe('Your id for the task (e.g. T_CHAT_001); generated when absent. A duplicate is a conflict.'),
        description: z.string().min(1).max(TASK_LIMITS.description).describe('What to do.'),
        status: z.enum(['pending', 'completed', 'failed']).default('pending'),
        due_date: z.string().date().optional().describe('YYYY-MM-DD.'),
        priority: z.enum(TASK_PRIORITIES).default('medium'),
        tags: z.array(z.string().min(1).max(TASK_LIMITS.tag)).max(TASK_LIMITS.tags).default([]),
        agent_id: agentId,
      },
      output: taskOut,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
      handler: async (args, ctx) => {
        const task = await tasks.post({ taskId: args.task_id, description: args.description, status: args.status, dueDate: args.due_date, priority: args.priority, tags: args.tags, createdBy: resolveAgentId(args.agent_id, ctx) });
        return { success: true, task_id: task.task_id, task: { ...task } };
      },
    }),
    defineTool({
      name: 'list_tasks',
      title: 'List tasks',
      description: 'The queue by priority (critical first), then due date, then age; filter by status, claimed_by, tag; page with limit + offset (next_offset). Expired leases show as pending.',
      input: {
        status: z.enum(TASK_STATUSES).optional(),
        claimed_by: z.string().min(1).max(TASK_LIMITS.agentId).optional(),
        tag: z.string().min(1).max(TASK_LIMITS.tag).optional(),
        limit: z.number().int().min(1).max(TASK_LIMITS.page).default(DEFAULT_PAGE),
        offset: z.number().int().min(0).default(0),
      },
      output: z.looseObject({ tasks: z.array(taskItem), total: z.number(), next_offset: z.number().nullable() }),
      annotations: { readOnlyHint: true, openWorldHint: false },
      handler: async (args) => ({ ...(await tasks.list({ status: args.status, claimedBy: args.claimed_by, tag: args.tag, limit: args.limit, offset: args.offset })) }),
    }),
    defineTool({
      name: 'claim_task',
      title: 'Claim a task',
      description: `Takes a pending task under a lease (default ${DEFAULT_LEASE_SECONDS} s). Claiming your own task again (or renew: true) renews the lease; when a lease ends the task returns to pending. Claimed by another agent: conflict.`,
      input: {
        task_id: taskId,
        lease_seconds: z.number().int().min(TASK_LIMITS.leaseMinSeconds).max(TASK_LIMITS.leaseMaxSeconds).default(DEFAULT_LEASE_SECONDS),
        renew: z.boolean().default(false).describe('Only renew a lease you hold (invalid_state otherwise).'),
        agent_id: agentId,
      },
      output: taskOut,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
      handler: async (args, ctx) => ({ success: true, task: { ...(await tasks.claim(args.task_id, resolveAgentId(args.agent_id, ctx), { leaseSeconds: args.lease_seconds, renew: args.renew })) } }),
    }),
    defineTool({
      name: 'complete_task',
      title: 'Complete a task',
      description: 'Marks the task you hold completed with a result text. Only the lease holder may (invalid_state otherwise).',
      input: { task_id: taskId, result: z.string().max(TASK_LIMITS.result).default(''), agent_id: agentId },
      output: taskOut,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
      handler: async (args, ctx) => ({ success: true, task: { ...(await tasks.complete(args.task_id, resolveAgentId(args.agent_id, ctx), args.result)) } }),
    }),
    defineTool({
      name: 'fail_task',
      title: 'Fail a task',
      description: 'Marks the task you hold failed with a reason, or returns it to pending with requeue: true. Only the lease holder may.',
      input: { task_id: taskId, reason: z.string().min(1).max(TASK_LIMITS.result), requeue: z.boolean().default(false), agent_id: agentId },
      output: taskOut,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
      handler: async (args, ctx) => ({ success: true, task: { ...(await tasks.fail(args.task_id, resolveAgentId(args.agent_id, ctx), args.reason, args.requeue)) } }),
    }),
  ];
}
