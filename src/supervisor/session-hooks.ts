/**
 * A session's side of its child: Codex's events go into the transcript, its usage into the
 * session's and the turn's token counts, its thread id into the record, and its approval requests
 * to the broker with the session's context (sandbox, approval policy, agent, mode) filled in; every
 * answer is recorded in the transcript too.
 */
import { askBroker, type ApprovalBroker } from '../approvals/vocabulary';
import type { ChildHooks, CodexEvent, TokenUsage } from './backend';
import { addUsage } from './session';
import type { SessionEntry } from './session-entry';

/** What the hooks need from the supervisor. */
export interface SessionHooksHost {
  readonly approvals: ApprovalBroker;
  addEvent(entry: SessionEntry, event: CodexEvent): void;
  changed(entry: SessionEntry): void;
  /** Usage of one model response (counts are not cumulative). */
  usage(entry: SessionEntry, usage: TokenUsage): void;
}

export function sessionHooks(host: SessionHooksHost, entry: SessionEntry): ChildHooks {
  return {
    onEvent: (event) => host.addEvent(entry, event),
    onUsage: (usage) => {
      addUsage(entry.record.tokens, usage);
      addUsage(entry.turnUsage, usage);
      host.usage(entry, usage);
      host.changed(entry);
    },
    onThreadId: (threadId) => {
      if (entry.record.threadId === threadId) return;
      entry.record.threadId = threadId;
      host.changed(entry);
    },
    approve: async (req, signal) => {
      const r = entry.record;
      const answer = await askBroker(host.approvals, {
        ...req,
        sessionId: r.id,
        threadId: req.threadId ?? r.threadId ?? undefined,
        sandbox: r.sandbox ?? undefined,
        approvalPolicy: r.approvalPolicy ?? undefined,
        agentId: r.agentId ?? undefined,
        mode: r.mode ?? undefined,
        signal,
      });
      host.addEvent(entry, { at: new Date().toISOString(), type: 'approval', summary: `${req.source} ${answer.decision}${req.command ? `: ${req.command}` : ''}`.slice(0, 500) });
      return answer;
    },
  };
}
