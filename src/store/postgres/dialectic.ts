/**
 * DialecticRepository over PostgreSQL (tables `dialectic_sessions`, `dialectic_messages`,
 * `agent_conditions`, `agent_tags`). Every write is one transaction that first takes one
 * transaction-scoped advisory lock shared by all dialectic writes of every server: the checks
 * (requester busy, reviewer busy, version) and the write then see no concurrent change, as under
 * SQLite's single writer. Dialectic writes are a few per review, so one lock costs nothing.
 */
import type { CommitOutcome, DialecticRepository, InsertOutcome, StoredStep } from '../../dialectic/repository';
import type { ReviewerCandidate } from '../../dialectic/reviewer';
import type { DialecticMessage, DialecticSession, ParsedCondition, SessionSnapshot } from '../../dialectic/types';
import { num, numOrNull, parseJson, str, strOrNull, type Row } from '../rows';
import { int, type PgPool, type Queryable } from './pool';

const OPEN = `('thesis', 'antithesis', 'synthesis')`;
const FINAL = `('resolved', 'escalated', 'failed')`;
/** Arbitrary advisory lock key ("cg" + "dia"). */
const DIALECTIC_LOCK = 0x6367646961;
const TAG_SEPARATOR = '\u001f';

const AGENTS = `SELECT a.id, a.status, a.last_seen_at, (a.last_metrics::jsonb ->> 'risk_score')::double precision AS risk,
    (SELECT string_agg(t.tag, chr(31)) FROM agent_tags t WHERE t.agent_id = a.id) AS tags
  FROM agents a WHERE a.id <> $1`;
const REVIEWS = `SELECT reviewer_id, count(*) AS total, sum(CASE WHEN phase = 'resolved' THEN 1 ELSE 0 END) AS resolved
  FROM dialectic_sessions WHERE phase IN ${FINAL} GROUP BY reviewer_id`;
const BUSY = `SELECT requester_id AS id FROM dialectic_sessions WHERE phase IN ${OPEN} UNION SELECT reviewer_id FROM dialectic_sessions WHERE phase IN ${OPEN} AND reviewer_id IS NOT NULL`;
const REVIEWED = `SELECT reviewer_id, max(created_at) AS at FROM dialectic_sessions WHERE requester_id = $1 AND reviewer_id IS NOT NULL GROUP BY reviewer_id`;

export class PgDialecticRepository implements DialecticRepository {
  constructor(private readonly db: PgPool) {}

  insert(step: StoredStep, options: { freeReviewer?: string } = {}): Promise<InsertOutcome> {
    const s = { ...step.session, version: 1 };
    return this.db.transaction(async (c): Promise<InsertOutcome> => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [DIALECTIC_LOCK]);
      const open = (await c.query(`SELECT id FROM dialectic_sessions WHERE requester_id = $1 AND phase IN ${OPEN} LIMIT 1`, [s.requesterId])).rows[0] as Row | undefined;
      if (open) return { ok: false, reason: 'requester_busy', sessionId: str(open.id) };
      if (options.freeReviewer && (await openSessionOf(c, options.freeReviewer, s.id))) return { ok: false, reason: 'reviewer_busy' };
      await c.query(
        `INSERT INTO dialectic_sessions (id, version, requester_id, reviewer_id, phase, created_at, updated_at, deadline_at, record)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [s.id, s.version, s.requesterId, s.reviewerId, s.phase, s.createdAt, s.updatedAt, s.deadlineAt, JSON.stringify(s)],
      );
      await writeEffects(c, step, s.id, 0);
      return { ok: true };
    });
  }

  async get(id: string): Promise<SessionSnapshot | undefined> {
    const row = (await this.db.query('SELECT record FROM dialectic_sessions WHERE id = $1', [id])).rows[0] as Row | undefined;
    const session = row ? parseJson<DialecticSession | null>(row.record, null) : null;
    if (!session) return undefined;
    const messages = (await this.db.query('SELECT record FROM dialectic_messages WHERE session_id = $1 ORDER BY seq', [id])).rows
      .map((m) => parseJson<DialecticMessage | null>((m as Row).record, null))
      .filter((m): m is DialecticMessage => m !== null);
    return { session, messages };
  }

  commit(step: StoredStep, expectedVersion: number, options: { freeReviewer?: string } = {}): Promise<CommitOutcome> {
    const s = { ...step.session, version: expectedVersion + 1 };
    return this.db.transaction(async (c): Promise<CommitOutcome> => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [DIALECTIC_LOCK]);
      const current = (await c.query('SELECT version FROM dialectic_sessions WHERE id = $1', [s.id])).rows[0] as Row | undefined;
      if (!current || num(current.version) !== expectedVersion) return 'stale';
      if (options.freeReviewer && (await openSessionOf(c, options.freeReviewer, s.id))) return 'reviewer_busy';
      const changed = await c.query(
        'UPDATE dialectic_sessions SET version = $1, reviewer_id = $2, phase = $3, updated_at = $4, deadline_at = $5, record = $6 WHERE id = $7 AND version = $8',
        [s.version, s.reviewerId, s.phase, s.updatedAt, s.deadlineAt, JSON.stringify(s), s.id, expectedVersion],
      );
      if (changed.rowCount !== 1) return 'stale';
      const seq = int(((await c.query('SELECT count(*) AS n FROM dialectic_messages WHERE session_id = $1', [s.id])).rows[0] as Row).n);
      await writeEffects(c, step, s.id, seq);
      return 'ok';
    });
  }

  async listByAgent(agentId: string, options: { limit: number }): Promise<DialecticSession[]> {
    const r = await this.db.query('SELECT record FROM dialectic_sessions WHERE requester_id = $1 OR reviewer_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2', [agentId, options.limit]);
    return r.rows.map((row) => parseJson<DialecticSession | null>((row as Row).record, null)).filter((s): s is DialecticSession => s !== null);
  }

  async due(nowIso: string, limit: number): Promise<string[]> {
    const r = await this.db.query(`SELECT id FROM dialectic_sessions WHERE deadline_at IS NOT NULL AND deadline_at <= $1 AND phase IN ${OPEN} ORDER BY deadline_at LIMIT $2`, [nowIso, limit]);
    return r.rows.map((row) => str((row as Row).id));
  }

  async candidates(requesterId: string, onlyAgentId?: string): Promise<{ candidates: ReviewerCandidate[]; requesterTags: string[] }> {
    const [agents, reviewRows, busyRows, reviewedRows, tagRows] = await Promise.all([
      onlyAgentId === undefined ? this.db.query(AGENTS, [requesterId]) : this.db.query(`${AGENTS} AND a.id = $2`, [requesterId, onlyAgentId]),
      this.db.query(REVIEWS),
      this.db.query(BUSY),
      this.db.query(REVIEWED, [requesterId]),
      this.db.query('SELECT tag FROM agent_tags WHERE agent_id = $1', [requesterId]),
    ]);
    const reviews = new Map(reviewRows.rows.map((r) => [str((r as Row).reviewer_id), { total: int((r as Row).total), successful: int((r as Row).resolved) }]));
    const busy = new Set(busyRows.rows.map((r) => str((r as Row).id)));
    const reviewed = new Map(reviewedRows.rows.map((r) => [str((r as Row).reviewer_id), Date.parse(str((r as Row).at))]));
    const candidates = agents.rows.map((raw): ReviewerCandidate => {
      const row = raw as Row;
      const agentId = str(row.id);
      return {
        agentId,
        status: str(row.status),
        risk: numOrNull(row.risk),
        lastSeenMs: Date.parse(str(row.last_seen_at)),
        tags: row.tags == null ? [] : str(row.tags).split(TAG_SEPARATOR),
        reviews: reviews.get(agentId) ?? { total: 0, successful: 0 },
        inOpenSession: busy.has(agentId),
        reviewedRequesterAtMs: reviewed.get(agentId) ?? null,
      };
    });
    return { candidates, requesterTags: tagRows.rows.map((r) => str((r as Row).tag)) };
  }

  async conditions(agentId: string): Promise<ParsedCondition[]> {
    const r = await this.db.query('SELECT action, target, value, unit, original FROM agent_conditions WHERE agent_id = $1 ORDER BY id', [agentId]);
    return r.rows.map((row) => conditionOf(row as Row));
  }
}

/** One `agent_conditions` row (action, target, value, unit, original) as a ParsedCondition. */
export function conditionOf(row: Row): ParsedCondition {
  return { action: str(row.action), target: str(row.target), value: numOrNull(row.value), unit: strOrNull(row.unit), original: str(row.original) };
}

/** Messages from `seq` on and the requester's resumption, inside the caller's transaction. */
async function writeEffects(c: Queryable, step: StoredStep, sessionId: string, seq: number): Promise<void> {
  for (const [i, m] of step.messages.entries()) {
    await c.query('INSERT INTO dialectic_messages (session_id, seq, phase, agent_id, at, record) VALUES ($1, $2, $3, $4, $5, $6)', [sessionId, seq + i, m.phase, m.agentId, m.at, JSON.stringify(m)]);
  }
  if (!step.resume) return;
  await c.query(`UPDATE agents SET status = 'active' WHERE id = $1 AND status = 'paused'`, [step.resume.agentId]);
  for (const cond of step.resume.conditions) {
    await c.query(
      'INSERT INTO agent_conditions (agent_id, session_id, action, target, value, unit, original, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
      [step.resume.agentId, sessionId, cond.action, cond.target, cond.value, cond.unit, cond.original, step.session.updatedAt],
    );
  }
  // Every server's next update of the agent then decides again under the new cap (src/store/postgres/agents.ts).
  if (step.resume.conditions.length) await c.query('UPDATE agents SET conditions_version = conditions_version + 1 WHERE id = $1', [step.resume.agentId]);
}

async function openSessionOf(c: Queryable, agentId: string, exceptId: string): Promise<string | undefined> {
  const r = await c.query(`SELECT id FROM dialectic_sessions WHERE phase IN ${OPEN} AND (requester_id = $1 OR reviewer_id = $1) AND id <> $2 LIMIT 1`, [agentId, exceptId]);
  return r.rows[0] ? str((r.rows[0] as Row).id) : undefined;
}
