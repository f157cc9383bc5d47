/**
 * Storage of the Codex sessions seen through hooks ("observed sessions"): one row per Codex
 * session id with its counters, and the list of hook events it sent. Implemented on node:sqlite by
 * ../store/sqlite-observed (migration 8).
 */
import type { ObservedSource } from './source';

/** One observed session as stored and listed. Times are ISO-8601 UTC. */
export interface ObservedSession {
  /** Codex's session (thread) id. */
  session_id: string;
  /** The governance agent of this session (`codex-<8 hex>`, ./events agentIdForSession). */
  agent_id: string;
  source: ObservedSource;
  /** The rollout's `originator` (who started Codex), when known. */
  originator: string | null;
  codex_version: string | null;
  cwd: string | null;
  model: string | null;
  permission_mode: string | null;
  transcript_path: string | null;
  first_seen_at: string;
  last_event_at: string;
  /** `hook_event_name` of the latest event. */
  last_event: string;
  /** PreToolUse events (tool calls Codex was about to make). */
  tool_calls: number;
  /** Tool calls blocked by governance (PreToolUse deny). */
  tool_calls_denied: number;
  /** PermissionRequest events answered through the approval broker. */
  approvals: number;
  approvals_denied: number;
  /** Stop events (turns ended). */
  turns: number;
}

/** One hook event of a session, as the Session panel lists it. */
export interface ObservedEvent {
  seq: number;
  at: string;
  event: string;
  tool_name: string | null;
  /** A one-line summary: the command, the prompt, the last message (cut to {@link OBSERVED_LIMITS.summary}). */
  summary: string | null;
  /** `allow`, `deny` or null (no decision). */
  decision: 'allow' | 'deny' | null;
  reason: string | null;
}

/** What a handled event changes. */
export interface ObservedEventWrite {
  sessionId: string;
  agentId: string;
  atMs: number;
  event: string;
  toolName?: string;
  summary?: string;
  decision?: 'allow' | 'deny';
  reason?: string;
  /** Session facts, written when given (later values replace earlier ones). */
  facts?: { source?: ObservedSource; originator?: string; codexVersion?: string; cwd?: string; model?: string; permissionMode?: string; transcriptPath?: string };
}

export const OBSERVED_LIMITS = {
  /** Characters kept of an event summary or reason. */
  summary: 500,
  /** Events kept per session; older ones are dropped. */
  eventsPerSession: 1000,
  /** Largest page of sessions or events. */
  page: 500,
} as const;

export interface ObservedSessionRepository {
  /** Inserts the session on first sight, updates its counters and facts, appends the event. */
  record(write: ObservedEventWrite): Promise<ObservedSession>;
  /** Most recent activity first. */
  list(options: { limit: number; source?: ObservedSource }): Promise<{ sessions: ObservedSession[]; total: number }>;
  get(sessionId: string): Promise<ObservedSession | undefined>;
  /** The session's events, oldest first, after `afterSeq` (0 = from the start). */
  events(sessionId: string, options: { limit: number; afterSeq: number }): Promise<ObservedEvent[]>;
}
