/**
 * A session's side of its child: Codex's events go into the transcript, streamed text into the
 * record's `live` items (and out as deltas), its usage into the session's and the turn's token
 * counts, its thread id into the record, and its approval requests to the broker with the
 * session's context (sandbox, approval policy, agent, mode) filled in; every answer is recorded in
 * the transcript too.
 */
import { APPROVAL_LABELS, askBroker, type ApprovalBroker } from '../approvals/vocabulary';
import { clip, EVENT_OUTPUT_LIMIT, EVENT_TEXT_LIMIT, type ChildHooks, type CodexEvent, type StreamDelta, type StreamingItem, type TokenUsage } from './backend';
import { addUsage } from './session';
import type { SessionEntry } from './session-entry';

/** What the hooks need from the supervisor. */
export interface SessionHooksHost {
  readonly approvals: ApprovalBroker;
  addEvent(entry: SessionEntry, event: CodexEvent): void;
  changed(entry: SessionEntry): void;
  /** Usage of one model response (counts are not cumulative). */
  usage(entry: SessionEntry, usage: TokenUsage): void;
  /** A piece of streamed text, already added to the record's `live` items. */
  delta(entry: SessionEntry, delta: StreamDelta): void;
}

/** Human words for the broker's decisions, in the transcript. */
export function sessionHooks(host: SessionHooksHost, entry: SessionEntry): ChildHooks {
  return {
    onEvent: (event) => {
      // The final event replaces the streamed text of its item.
      if (event.itemId && entry.record.live?.length) entry.record.live = entry.record.live.filter((l) => l.itemId !== event.itemId);
      host.addEvent(entry, event);
    },
    onDelta: (delta) => {
      const offset = entry.record.live?.find((l) => l.itemId === delta.itemId)?.received ?? 0;
      entry.record.live = withDelta(entry.record.live ?? [], delta);
      host.delta(entry, { ...delta, offset });
    },
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
      const words = APPROVAL_LABELS.done[answer.decision].toLowerCase();
      host.addEvent(entry, {
        at: new Date().toISOString(),
        type: 'approval',
        summary: clip(`${req.source} ${words}${req.command ? `: ${req.command}` : ''}`),
        approval: { source: req.source, decision: answer.decision, ...(req.command ? { command: clip(req.command, 2000) } : {}), ...(answer.reason ? { reason: clip(answer.reason, 1000) } : {}) },
      });
      return answer;
    },
  };
}

/**
 * `live` with `delta` added to its item (a new array and item: snapshots handed out keep theirs).
 * Answers stop growing at {@link EVENT_TEXT_LIMIT} characters; command output keeps its last
 * {@link EVENT_OUTPUT_LIMIT}.
 */
export function withDelta(live: readonly StreamingItem[], delta: StreamDelta): StreamingItem[] {
  const i = live.findIndex((l) => l.itemId === delta.itemId);
  const before = i >= 0 ? live[i]!.text : '';
  let text = before + delta.delta;
  if (delta.kind === 'output') {
    if (text.length > EVENT_OUTPUT_LIMIT) text = text.slice(text.length - EVENT_OUTPUT_LIMIT);
  } else if (text.length > EVENT_TEXT_LIMIT) {
    text = text.slice(0, EVENT_TEXT_LIMIT);
  }
  const item: StreamingItem = { itemId: delta.itemId, kind: delta.kind, text, received: (i >= 0 ? live[i]!.received : 0) + delta.delta.length };
  return i >= 0 ? live.map((l, j) => (j === i ? item : l)) : [...live, item];
}
