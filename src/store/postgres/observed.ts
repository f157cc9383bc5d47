/** ObservedSessionRepository over PostgreSQL (tables `observed_sessions`, `observed_events`). */
import { OBSERVED_LIMITS, type ObservedEvent, type ObservedEventWrite, type ObservedSession, type ObservedSessionRepository } from '../../hooks/repository';
import type { ObservedSource } from '../../hooks/source';
import { iso, type Row } from '../rows';
import { toObservedEvent, toObservedSession } from '../records';
import { int, type PgPool, type Queryable } from './pool';

const INSERT_SESSION = `INSERT INTO observed_sessions (session_id, agent_id, first_seen_at, last_event_at, last_event) VALUES ($1, $2, $3, $3, $4)
  ON CONFLICT (session_id) DO UPDATE SET last_event_at = excluded.last_event_at, last_event = excluded.last_event`;
const COUNT = `UPDATE observed_sessions SET tool_calls = tool_calls + $1, tool_calls_denied = tool_calls_denied + $2, approvals = approvals + $3,
  approvals_denied = approvals_denied + $4, turns = turns + $5 WHERE session_id = $6`;
const FACT_COLUMNS = { source: 'source', originator: 'originator', codexVersion: 'codex_version', cwd: 'cwd', model: 'model', permissionMode: 'permission_mode', transcriptPath: 'transcript_path' } as const;
const PRUNE = `DELETE FROM observed_events WHERE session_id = $1 AND seq <= (
  SELECT seq FROM observed_events WHERE session_id = $1 ORDER BY seq DESC LIMIT 1 OFFSET $2)`;

const cut = (s: string | undefined) => (s === undefined ? null : s.length > OBSERVED_LIMITS.summary ? `${s.slice(0, OBSERVED_LIMITS.summary - 1)}…` : s);

export class PgObservedSessionRepository implements ObservedSessionRepository {
  constructor(private readonly db: PgPool) {}

  record(w: ObservedEventWrite): Promise<ObservedSession> {
    return this.db.transaction(async (c) => {
      const at = iso(w.atMs);
      await c.query(INSERT_SESSION, [w.sessionId, w.agentId, at, w.event]);
      const denied = w.decision === 'deny' ? 1 : 0;
      const tool = w.event === 'PreToolUse' ? 1 : 0;
      const approval = w.event === 'PermissionRequest' ? 1 : 0;
      await c.query(COUNT, [tool, tool * denied, approval, approval * denied, w.event === 'Stop' ? 1 : 0, w.sessionId]);
      for (const [key, column] of Object.entries(FACT_COLUMNS) as Array<[keyof typeof FACT_COLUMNS, string]>) {
        const value = w.facts?.[key];
        if (value !== undefined && value !== '') await c.query(`UPDATE observed_sessions SET ${column} = $1 WHERE session_id = $2`, [value.slice(0, 1000), w.sessionId]);
      }
      await c.query('INSERT INTO observed_events (session_id, at, event, tool_name, summary, decision, reason) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
        w.sessionId, at, w.event, w.toolName ?? null, cut(w.summary), w.decision ?? null, cut(w.reason),
      ]);
      await c.query(PRUNE, [w.sessionId, OBSERVED_LIMITS.eventsPerSession]);
      return (await read(c, w.sessionId))!;
    });
  }

  async list(options: { limit: number; source?: ObservedSource }): Promise<{ sessions: ObservedSession[]; total: number }> {
    const where = options.source ? 'WHERE source = $1' : '';
    const params: unknown[] = options.source ? [options.source] : [];
    const [rows, count] = await Promise.all([
      this.db.query(`SELECT * FROM observed_sessions ${where} ORDER BY last_event_at DESC, inserted DESC LIMIT $${params.length + 1}`, [...params, options.limit]),
      this.db.query(`SELECT count(*) AS n FROM observed_sessions ${where}`, params),
    ]);
    return { sessions: rows.rows.map((r) => toObservedSession(r as Row)), total: int((count.rows[0] as Row).n) };
  }

  get(sessionId: string): Promise<ObservedSession | undefined> {
    return read(this.db, sessionId);
  }

  async events(sessionId: string, options: { limit: number; afterSeq: number }): Promise<ObservedEvent[]> {
    const r = await this.db.query('SELECT * FROM observed_events WHERE session_id = $1 AND seq > $2 ORDER BY seq LIMIT $3', [sessionId, options.afterSeq, options.limit]);
    return r.rows.map((row) => toObservedEvent(row as Row));
  }
}

async function read(c: Queryable, sessionId: string): Promise<ObservedSession | undefined> {
  const r = await c.query('SELECT * FROM observed_sessions WHERE session_id = $1', [sessionId]);
  return r.rows[0] ? toObservedSession(r.rows[0] as Row) : undefined;
}
