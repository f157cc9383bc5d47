/**
 * Everything behind the governance server's transports, built once per data directory:
 * the owner lock, the SQLite store, the governance core, the knowledge graph, the event bus, the
 * tool registry and the metrics. Hosts (CLI, extension, tests) create it through
 * `startGovernanceServer` or `runStdioServer`.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { GovernanceService } from '../core/governance';
import { GovernanceEvents } from '../core/events';
import { KnowledgeGraph } from '../knowledge/knowledge';
import { acquireDataDir } from '../store/lock';
import { openConfiguredStore } from '../store/open';
import type { Store } from '../store/types';
import type { Logger } from '../util/log';
import { ServerMetrics } from './metrics';
import { governanceTools } from './tools/governance-tools';
import { knowledgeTools } from './tools/knowledge-tools';
import { observabilityTools } from './tools/observability-tools';
import { ObservabilityService } from '../core/observability-service';
import { ToolRegistry } from './tools/registry';
import { TouchedAgents } from './tools/touched-agents';
import { codexTools } from './tools/codex-tools';
import { attachAuditResource, attachCodexResources } from './resources';
import { codexOptionsFromEnv } from '../supervisor/options';
import type { CodexSupervisorOptions } from '../supervisor/api';
import { CodexSupervisor } from '../supervisor/supervisor';
import { CODEX_VERSION_CACHE_FILE } from '../supervisor/locate-cache';
import { VERSION } from '../version';
import { RiskApprovalBroker } from '../approvals/broker';
import type { ApprovalPolicy } from '../approvals/policy';
import type { ApprovalPrompter } from '../approvals/types';
import { AuditLog } from '../store/audit';
import { isActive } from '../supervisor/session';
import { DialecticService } from '../dialectic/service';
import { AutoReview, autoReviewFromEnv } from '../dialectic/auto-review';
import { dialecticTools } from './tools/dialectic-tools';
import { taskTools } from './tools/task-tools';
import { TaskService } from '../tasks/service';
import { agentTools } from './tools/agent-tools';
import type { PriceTable } from '../agent/prices';
import { CodexHookHandler } from '../hooks/handler';
import { observedTools } from './tools/observed-tools';

/** Approval settings of a server (see ../approvals/broker). */
export interface GovernanceApprovalOptions {
  /** Default {@link DEFAULT_APPROVAL_POLICY}; a function is read on every request (live settings). */
  policy?: ApprovalPolicy | (() => ApprovalPolicy);
  /** Who is asked; absent = headless (policy only; high and critical denied). The extension sets one later with `app.approvals.setPrompter`. */
  prompter?: ApprovalPrompter;
}

/** Dialectic review settings of a server (see ../dialectic). */
export interface GovernanceDialecticOptions {
  /**
   * A PAUSE decision starts an automatic review (`reviewer_mode: "auto"`); a function is read on
   * every PAUSE (live settings). Default: CODEX_GOVERNANCE_AUTO_DIALECTIC (on/off), else on.
   */
  autoReviewOnPause?: boolean | (() => boolean);
  /** How often sessions past their deadline are failed, ms (default 60000). Access checks them too. */
  sweepIntervalMs?: number;
  /** ms since epoch (tests) */
  clock?: () => number;
  /** uniform in [0, 1): reviewer selection (tests seed it) */
  random?: () => number;
}

/** Governed agent run settings (see ../agent). */
export interface GovernanceAgentOptions {
  /** USD per 1M tokens per model (../agent/prices); a function is read on every report (live settings). Default none: tokens counted, cost not. */
  prices?: PriceTable | (() => PriceTable);
}

export interface GovernanceApp {
  readonly dataDir: string;
  readonly store: Store;
  /** True when other servers write the same store (PostgreSQL, team mode): their changes raise no event here. */
  readonly sharedStore: boolean;
  readonly events: GovernanceEvents;
  readonly governance: GovernanceService;
  readonly knowledge: KnowledgeGraph;
  readonly registry: ToolRegistry;
  readonly metrics: ServerMetrics;
  /** Runs the `codex` tools' sessions; closed (every child ended) by `close()`. */
  readonly codex: CodexSupervisor;
  /** Decides every approval (full access, Codex escalations, PAUSE overrides); the supervisor asks it unless `codex.approvals` overrides. */
  readonly approvals: RiskApprovalBroker;
  /** `audit.jsonl` in the data dir: approval requests and answers. */
  readonly audit: AuditLog;
  /** Dialectic peer review (`request_dialectic_review` and the other dialectic tools). */
  readonly dialectic: DialecticService;
  /** The task queue (post_task, claim_task... and the /tasks routes). */
  readonly tasks: TaskService;
  /** Starts a review on PAUSE; `settled()` waits for the ones started so far. */
  readonly dialecticAutoReview: AutoReview;
  /** Codex sessions not started here, governed through their hooks (`POST /v1/hooks/codex`, src/hooks). */
  readonly hooks: CodexHookHandler;
  /** Records the bound port in the data-dir lock so a second server can name it. */
  setPort(port: number): void;
  close(): Promise<void>;
}

/**
 * @throws DataDirLockedError (another live process owns `dataDir`), DataDirError (not writable),
 *   or the store's error when SQLite/FTS5 is unavailable or the schema is newer than this build.
 */
export async function createGovernanceApp(options: {
  dataDir: string;
  /** A `postgres://` URL: the team's shared store instead of `<dataDir>/governance.db` (the data dir is still locked: its audit file and owner.json are this server's). */
  database?: string;
  logger: Logger;
  hostKind: string;
  port: number | null;
  /** Codex supervisor settings, over those from the environment (see ../supervisor/options). */
  codex?: CodexSupervisorOptions;
  approvals?: GovernanceApprovalOptions;
  /**
   * The folders the person works in: a `workspace-write` session that may write outside them needs
   * a yes (../supervisor/gate/gate). A function is read on every new session (VS Code's workspace
   * folders change). Default: the Codex default cwd, else the process's cwd.
   */
  workspaceRoots?: readonly string[] | (() => readonly string[]);
  dialectic?: GovernanceDialecticOptions;
  agents?: GovernanceAgentOptions;
}): Promise<GovernanceApp> {
  // Read before the data dir is locked: a bad value fails the start naming the variable.
  const autoReviewSetting = options.dialectic?.autoReviewOnPause ?? autoReviewFromEnv() ?? true;
  const codexOptions = { ...codexOptionsFromEnv(), logger: options.logger, clientInfo: { name: 'codex-governance', version: VERSION }, versionCacheFile: join(options.dataDir, CODEX_VERSION_CACHE_FILE), ...options.codex };
  // One server per data directory, with PostgreSQL too: servers share the database by design, but
  // the directory's audit.jsonl and owner.json are one server's, and owner.json is how Codex's
  // bridge and hooks (and the CLI) find the server's port (src/cli/running-server).
  const lock = acquireDataDir(options.dataDir, { port: options.port, hostKind: options.hostKind });
  let store: Store;
  try {
    store = await openConfiguredStore({ dataDir: options.dataDir, database: options.database });
  } catch (err) {
    lock.release();
    throw err;
  }
  let audit: AuditLog;
  try {
    audit = await AuditLog.open(options.dataDir);
  } catch (err) {
    await store.close();
    lock.release();
    throw err;
  }
  // A team's servers also write their audit entries to the shared database, each naming the server
  // that wrote it (host:port, what a person recognises; the pid only when the port is chosen at start),
  // and read the trail from there, so every member's history shows every server's answers.
  const appendAudit = store.appendAudit?.bind(store);
  const serverLabel = options.port ? `${hostname()}:${options.port}` : `${hostname()} (pid ${process.pid})`;
  if (appendAudit) audit.mirrorTo((record) => appendAudit(record, serverLabel));
  if (store.readAudit) audit.readSharedFrom(store.readAudit);
  const approvals = new RiskApprovalBroker({ audit, logger: options.logger, ...options.approvals });
  const events = new GovernanceEvents();
  // Updates are capped by the conditions dialectic resolutions stored (called per update, after `dialectic` exists).
  const governance = new GovernanceService(store, events, Date.now, (agentId) => dialectic.complexityCap(agentId));
  const knowledge = new KnowledgeGraph(store, events);
  const dialectic = new DialecticService({
    repository: store.dialectic,
    agents: store.agents,
    events,
    audit,
    logger: options.logger,
    clock: options.dialectic?.clock,
    random: options.dialectic?.random,
    discoveries: {
      owner: async (id) => (await knowledge.getDetails(id)).discovery.agent_id,
      setStatus: async (id, status) => void (await knowledge.updateStatus({ id, status })),
    },
  });
  const dialecticAutoReview = new AutoReview(dialectic, typeof autoReviewSetting === 'function' ? autoReviewSetting : () => autoReviewSetting, options.logger);
  // An invalid policy sends nothing to review: every key that is not a model choice is refused (stricter).
  const askForConfigKeys = (): readonly string[] => {
    try {
      return approvals.currentPolicy().askForConfigKeys;
    } catch {
      return [];
    }
  };
  const roots = options.workspaceRoots;
  const workspaceRoots = typeof roots === 'function' ? roots : () => roots ?? [codexOptions.defaultCwd ?? process.cwd()];
  const codex = new CodexSupervisor({
    repository: store.codexSessions,
    approvals,
    gate: () => ({ workspaceRoots: workspaceRoots(), askForConfigKeys: askForConfigKeys() }),
    ...codexOptions,
  });
  // The `codex` tool offers only what this Codex accepts (see codexTools); the supervisor keeps
  // what it locates, so calls run on the same one. Not found yet: the tool offers every backend's
  // values and checks at call time, where a missing Codex is reported.
  const locating = codex.locate().catch((e: unknown) => {
    options.logger.info(`Codex not located at start (${e instanceof Error ? e.message : String(e)}); the codex tool offers every backend's approval policies and checks each call against the Codex it then locates.`);
    return undefined;
  });
  // Sessions of a previous run show up as lost (their processes ended with that run).
  await codex.restore().catch((e: unknown) => options.logger.warn(`Could not load stored Codex sessions: ${String(e)}`));
  const tasks = new TaskService(store.tasks, events);
  const touched = new TouchedAgents();
  const registry = new ToolRegistry([...governanceTools(governance), ...knowledgeTools(knowledge, governance), ...observabilityTools(new ObservabilityService(store), governance, touched), ...codexTools(codex, await locating), ...dialecticTools(dialectic, governance), ...taskTools(tasks), ...observedTools(store.observedSessions), ...agentTools({ approvals, prices: priceSource(options.agents?.prices), recordUsage: (model, tokens, cost) => metrics.recordModelUsage(model, tokens, cost) })], touched);
  attachCodexResources(registry, codex);
  attachAuditResource(registry, audit);
  const metrics = new ServerMetrics({ processMetrics: false });
  const hooks = new CodexHookHandler({ governance, approvals, observed: store.observedSessions, audit, logger: options.logger });
  registry.onCall((tool, outcome, seconds) => metrics.observeToolCall(tool, outcome, seconds));
  dialectic.start(options.dialectic?.sweepIntervalMs);
  const unsubscribe = [
    dialecticAutoReview.attach(events),
    events.on('agent-updated', (e) => metrics.decisions.inc({ action: e.decision.action })),
    events.on('discovery-stored', () => metrics.discoveries.inc()),
    metrics.observeCodex(codex.events),
    metrics.observeApprovals(approvals.events),
  ];
  // "Allow for this session" ends with the session.
  const onSession = (r: { id: string; status: Parameters<typeof isActive>[0] }) => {
    if (!isActive(r.status)) approvals.endSession(r.id);
  };
  codex.events.on('session-changed', onSession);
  unsubscribe.push(() => codex.events.off('session-changed', onSession));

  let closing: Promise<void> | undefined;
  return {
    dataDir: options.dataDir,
    store,
    sharedStore: Boolean(options.database),
    events,
    governance,
    knowledge,
    registry,
    metrics,
    codex,
    approvals,
    audit,
    dialectic,
    tasks,
    dialecticAutoReview,
    hooks,
    setPort: (port) => lock.update({ port }),
    close: () =>
      (closing ??= (async () => {
        await codex.close();
        for (const off of unsubscribe) off();
        dialectic.stop();
        await dialecticAutoReview.settled();
        await audit.close().catch((e: unknown) => options.logger.warn(`Could not close the audit log: ${String(e)}`));
        await store.close();
        lock.release();
      })()),
  };
}

function priceSource(prices: GovernanceAgentOptions['prices']): () => PriceTable {
  if (typeof prices === 'function') return prices;
  const table = prices ?? {};
  return () => table;
}
