/**
 * The store: one object holding every repository, implemented on node:sqlite (./store). The
 * repository interfaces live beside the parts that use them (../core/repository,
 * ../knowledge/repository, ../supervisor/session), so the store depends on them and not the other
 * way round.
 */
import type { AgentReadRepository, AgentRepository, StoreInfo } from '../core/repository';
import type { DiscoveryRepository } from '../knowledge/repository';
import type { DialecticRepository } from '../dialectic/repository';
import type { CodexSessionRepository } from '../supervisor/session';
import type { TaskRepository } from '../tasks/repository';
import type { ObservedSessionRepository } from '../hooks/repository';
import type { TokenRepository } from '../auth/repository';
import type { SharedAuditReader } from './audit';

export interface Store {
  readonly agents: AgentRepository;
  /** Fleet-wide reads of agents (observability tools). */
  readonly agentReads: AgentReadRepository;
  readonly discoveries: DiscoveryRepository;
  /** Dialectic review sessions, their messages, the conditions resolutions stored for agents. */
  readonly dialectic: DialecticRepository;
  readonly codexSessions: CodexSessionRepository & Required<Pick<CodexSessionRepository, 'prune'>>;
  /** The task queue (src/tasks). */
  readonly tasks: TaskRepository;
  /** Codex sessions seen through hooks (src/hooks). */
  readonly observedSessions: ObservedSessionRepository;
  /** Per-agent and admin bearer tokens (src/auth, `codex-governance tokens`). */
  readonly tokens: TokenRepository;
  info(): Promise<StoreInfo>;
  /** Stores an audit record in the shared database too (PostgreSQL: table `audit_log`); absent for SQLite. */
  appendAudit?(record: { ts: string; type: string }, server: string): Promise<void>;
  /** Reads the shared audit table (every server's entries, each with its `server`); absent for SQLite. */
  readAudit?: SharedAuditReader;
  /** Closes the database; idempotent. Calls after close reject. */
  close(): Promise<void>;
}
