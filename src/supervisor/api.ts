/**
 * The Codex supervisor's public shapes: its options (with defaults), the requests it takes and the
 * events it emits. Kept apart from ./supervisor so callers and the env reader (./options) can name
 * them without loading the supervisor itself.
 */
import type { ApprovalBroker } from '../approvals/vocabulary';
import type { Logger } from '../util/log';
import type { CodexEvent, StreamDelta, ThreadSettings, TokenUsage } from './backend';
import type { CodexBackend, LocatedCodex } from './locate';
import type { CodexSessionRecord, CodexSessionRepository } from './session';

export interface CodexSupervisorOptions {
  /** Explicit Codex binary or npm wrapper (setting `codexGovernance.codex.path`, `--codex-path`). */
  codexPath?: string;
  /** Backend override (setting `codexGovernance.codex.backend`, `--codex-backend`). Default `auto`. */
  backend?: CodexBackend | 'auto';
  /** Skip locating: use this binary/version/backend (tests, hosts that located it already). */
  located?: LocatedCodex;
  /** Environment of the children (and of the PATH lookup). Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Working directory when a call gives none. Default `process.cwd()`. */
  defaultCwd?: string;
  /** Max children at once. Default 10. */
  maxSessions?: number;
  /** Deadline of one turn in ms. Default 600 000. */
  toolTimeoutMs?: number;
  /** Idle sessions older than this (ms) are closed. Default 300 000. */
  sessionIdleTimeoutMs?: number;
  /** Period of the idle sweep in ms. Default 60 000. */
  cleanupIntervalMs?: number;
  /** How long Codex gets to confirm an interrupt before its process tree is killed (ms). Default 3000. */
  interruptGraceMs?: number;
  /** Deadline of a child's handshake in ms. Default 30 000. */
  startupTimeoutMs?: number;
  /** Answers Codex's approval requests. Default {@link DenyAllApprovalBroker}. */
  approvals?: ApprovalBroker;
  /**
   * What the session gate reads on every new session (see ./gate/gate): the folders the person
   * works in (default: `defaultCwd`) and the policy's `askForConfigKeys` (default none).
   */
  gate?: () => { workspaceRoots: readonly string[]; askForConfigKeys: readonly string[] };
  /** Codex's system config layer; default `/etc/codex/config.toml` (tests point it elsewhere). */
  systemConfigPath?: string;
  /** Spare children kept ready once Codex has been used (0 or 1). Default 1. */
  warmSpares?: number;
  /** Events kept per session. Default 2000. */
  transcriptLimit?: number;
  /** Ended sessions kept in memory for `codex-session-info`. Default 200. */
  endedLimit?: number;
  /** Persists records (the store); optional. */
  repository?: CodexSessionRepository;
  logger?: Logger;
  /** Client name/version sent to Codex. */
  clientInfo?: { name: string; version: string };
  /** Cache of `codex --version` answers (see ./locate-cache); the server keeps it in its data directory. Default none. */
  versionCacheFile?: string;
}

/** Arguments of a new session, already normalised (see ./arguments). */
export interface CodexRunRequest {
  prompt: string;
  settings: Omit<ThreadSettings, 'cwd'> & { cwd?: string };
  mode?: string;
  agentId?: string;
  /** Called once the session exists (after the gate, before Codex is started), with its id. */
  onStarted?(sessionId: string): void;
}

export interface CodexReplyRequest {
  prompt: string;
  /** Our session id, or Codex's thread id; one is required. */
  sessionId?: string;
  threadId?: string;
  /** The governance agent sending this prompt (the transcript says who wrote it). */
  agentId?: string;
}

export interface SupervisorEventMap {
  /** A session was created or changed (status, tokens, last activity). A snapshot without the transcript (see 'session-event'). */
  'session-changed': Omit<CodexSessionRecord, 'transcript'>;
  /** One event was added to a session's transcript. */
  'session-event': { sessionId: string; event: CodexEvent };
  /**
   * A piece of text Codex is streaming (answer, reasoning summary, command output); not in the
   * transcript until its final event (same `itemId`). `at`: epoch ms the supervisor got it.
   */
  'session-delta': StreamDelta & { sessionId: string; at: number };
  /** Usage of one model response. */
  usage: { sessionId: string; backend: CodexBackend; usage: TokenUsage };
  /** A call finished; `ok` false for errors, deadlines, cancels. */
  'turn-finished': { sessionId: string; backend: CodexBackend; ok: boolean; seconds: number; kind: string };
  /** A child became ready: spawn-to-ready time in ms. */
  'child-started': { sessionId: string; backend: CodexBackend; pid: number; readyMs: number };
}

/** Defaults of the numeric options (ms, counts). */
export const SUPERVISOR_DEFAULTS = {
  warmSpares: 1,
  maxSessions: 10,
  toolTimeoutMs: 600_000,
  sessionIdleTimeoutMs: 300_000,
  cleanupIntervalMs: 60_000,
  interruptGraceMs: 3_000,
  startupTimeoutMs: 30_000,
  transcriptLimit: 2000,
  endedLimit: 200,
};
