/**
 * The in-process event bus of the governance core. The core publishes what changed; views, the
 * `/metrics` collectors and the audit writer subscribe. Listeners run synchronously in emit order;
 * one that throws is reported through the `listener-error` event (or logged) instead of breaking
 * the write that emitted it.
 */
import { EventEmitter } from 'node:events';
import type { GovernanceDecision, GovernanceMetrics } from './eisv';

/** A discovery as the knowledge graph returns it (snake_case, the tools' wire shape). */
export interface DiscoveryEventPayload {
  id: string;
  agent_id: string;
  discovery_type: string;
  summary: string;
  details: string;
  tags: string[];
  status: string;
  severity: string | null;
  created_at: string;
  related_to: string[];
}

/** One step of a dialectic session, as views and the audit log see it. */
export interface DialecticTransitionEvent {
  transition: string;
  sessionId: string;
  /** The session's phase after the step. */
  phase: string;
  agentId: string | null;
  requesterId: string;
  /** null while the reviewer slot is open. */
  reviewerId: string | null;
  /** ISO time of the step. */
  at: string;
  /** Why it failed or escalated, or the nudge's note. */
  reason?: string;
}

export interface GovernanceEventMap {
  /** First sight of an agent. */
  'agent-created': { agentId: string; clientName: string | null; clientVersion: string | null };
  /** A stored `process_agent_update`. `updateCount` counts stored updates, this one included. */
  'agent-updated': { agentId: string; metrics: GovernanceMetrics; decision: GovernanceDecision; updateCount: number; at: string };
  'discovery-stored': { discovery: DiscoveryEventPayload };
  /** A discovery's status changed or an edge was added to it. */
  'discovery-updated': { id: string; change: 'status' | 'edge' };
  /**
   * A dialectic review changed (src/dialectic): `transition` is `requested`, `thesis`,
   * `antithesis`, `synthesis`, `resolved`, `escalated`, `failed` or `nudged`; `agentId` is who
   * acted (null for the system: a timeout, a self review's system antithesis).
   */
  'dialectic-transition': DialecticTransitionEvent;
  /** A task was posted to the queue (src/tasks); `task` is its wire shape (TaskRecord). */
  'task-posted': { task: { task_id: string; status: string; created_by: string } & Record<string, unknown> };
  /** A task was claimed, renewed, completed, failed or requeued by `agentId`. */
  'task-changed': { task: { task_id: string; status: string } & Record<string, unknown>; change: 'claimed' | 'renewed' | 'completed' | 'failed' | 'requeued'; agentId: string };
  /** A listener threw; the emitting operation still succeeded. */
  'listener-error': { event: string; error: unknown };
}

export type GovernanceEventName = keyof GovernanceEventMap;
export type GovernanceListener<K extends GovernanceEventName> = (payload: GovernanceEventMap[K]) => void;

export class GovernanceEvents {
  private readonly emitter = new EventEmitter();

  constructor() {
    // Many views and collectors subscribe; the default limit of 10 would warn spuriously.
    this.emitter.setMaxListeners(0);
  }

  /** Subscribes; returns a function that unsubscribes. */
  on<K extends GovernanceEventName>(event: K, listener: GovernanceListener<K>): () => void {
    this.emitter.on(event, listener as (payload: unknown) => void);
    return () => this.off(event, listener);
  }

  once<K extends GovernanceEventName>(event: K, listener: GovernanceListener<K>): () => void {
    this.emitter.once(event, listener as (payload: unknown) => void);
    return () => this.off(event, listener);
  }

  off<K extends GovernanceEventName>(event: K, listener: GovernanceListener<K>): void {
    this.emitter.off(event, listener as (payload: unknown) => void);
  }

  /** Calls every listener of `event`; a throwing listener does not stop the others. */
  emit<K extends GovernanceEventName>(event: K, payload: GovernanceEventMap[K]): void {
    // rawListeners: calling a `once` wrapper also removes it.
    for (const listener of this.emitter.rawListeners(event) as GovernanceListener<K>[]) {
      try {
        listener(payload);
      } catch (error) {
        if (event === 'listener-error' || this.emitter.listenerCount('listener-error') === 0) {
          process.emitWarning(`Codex Governance: a "${event}" listener threw: ${(error as Error)?.message ?? String(error)}`);
        } else {
          this.emit('listener-error', { event, error });
        }
      }
    }
  }

  listenerCount(event: GovernanceEventName): number {
    return this.emitter.listenerCount(event);
  }
}
