/**
 * ObservedSessionRepository (../hooks/repository) over node:sqlite: tables `observed_sessions` and
 * `observed_events` (migration 8). One durable write per hook event: upsert the session with its
 * counters, append the event, drop the session's events past the kept number.
 */
import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import { durableWrite, StatementCache } from './sqlite';
import { iso, num, type Row } from './rows';
import { toObservedEvent, toObservedSession } from './records';
import { OBSERVED_LIMITS, type ObservedEvent, type ObservedEventWrite, type ObservedSession, type ObservedSessionRepository } from '../hooks/repository';
import type { ObservedSource } from '../hooks/source';

const INSERT_SESSION = `INSERT INTO observed_sessions (session_id, agent_id, first_seen_at, last_event_at, last_event) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT(session_id) DO UPDATE SET last_event_at = excluded.last_event_at, last_event = excluded.last_event`;
const COUNT = `UPDATE observed_sessions SET tool_calls = tool_calls + ?, tool_calls_denied = tool_calls_denied + ?, approvals = approvals + ?,
  approvals_denied = approvals_denied + ?, turns = turns + ? WHERE session_id = ?`;
const FACT_COLUMNS = { source: 'source', originator: 'originator', codexVersion: 'codex_version', cwd: 'cwd', model: 'model', permissionMode: 'permission_mode', transcriptPath: 'transcript_path' } as const;
const INSERT_EVENT = 'INSERT INTO observed_events (session_id, at, event, tool_name, summary, decision, reason) VALUES (?, ?, ?, ?, ?, ?, ?)';
const PRUNE = `DELETE FROM observed_events WHERE session_id = ? AND seq <= (
  SELECT seq FROM observed_events WHERE session_id = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)`;

const cut = (s: string | undefined) => (s === undefined ? null : s.length > OBSERVED_LIMITS.summary ? `${s.slice(0, OBSERVED_LIMITS.summary - 1)}…` : s);

export class SqliteObservedSessionRepository implements ObservedSessionRepository {
  private readonly sql: StatementCache;

  constructor(private readonly db: DatabaseSync) {
    this.sql = new StatementCache(db);
  }

  record(w: ObservedEventWrite): Promise<ObservedSession> {
    return durableWrite(this.db, () => {
      const at = iso(w.atMs);
      this.sql.get(INSERT_SESSION).run(w.sessionId, w.agentId, at, at, w.event);
      const denied = w.decision === 'deny' ? 1 : 0;
      const tool = w.event === 'PreToolUse' ? 1 : 0;
      const approval = w.event === 'PermissionRequest' ? 1 : 0;
      this.sql.get(COUNT).run(tool, tool * denied, approval, approval * denied, w.event === 'Stop' ? 1 : 0, w.sessionId);
      for (const [key, column] of Object.entries(FACT_COLUMNS) as Array<[keyof typeof FACT_COLUMNS, string]>) {
        const value = w.facts?.[key];
        if (value !== undefined && value !== '') this.sql.get(`UPDATE observed_sessions SET ${column} = ? WHERE session_id = ?`).run(value.slice(0, 1000), w.sessionId);
      }
      this.sql.get(INSERT_EVENT).run(w.sessionId, at, w.event, w.toolName ?? null, cut(w.summary), w.decision ?? null, cut(w.reason));
      this.sql.get(PRUNE).run(w.sessionId, w.sessionId, OBSERVED_LIMITS.eventsPerSession);
      return this.read(w.sessionId)!;
    });
  }

  list(options: { limit: number; source?: ObservedSource }): Promise<{ sessions: ObservedSession[]; total: number }> {
    return durableWrite(this.db, () => {
      const where = options.source ? 'WHERE source = ?' : '';
      const params: SQLInputValue[] = options.source ? [options.source] : [];
      const rows = this.sql.get(`SELECT * FROM observed_sessions ${where} ORDER BY last_event_at DESC, rowid DESC LIMIT ?`).all(...params, options.limit);
      const total = num((this.sql.get(`SELECT count(*) AS n FROM observed_sessions ${where}`).get(...params) as Row).n);
      return { sessions: rows.map((r) => toObservedSession(r as Row)), total };
    });
  }

  get(sessionId: string): Promise<ObservedSession | undefined> {
    return durableWrite(this.db, () => this.read(sessionId));
  }

  events(sessionId: string, options: { limit: number; afterSeq: number }): Promise<ObservedEvent[]> {
    return durableWrite(this.db, () =>
      this.sql
        .get('SELECT * FROM observed_events WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ?')
        .all(sessionId, options.afterSeq, options.limit)
        .map((r) => toObservedEvent(r as Row)),
    );
  }

  private read(sessionId: string): ObservedSession | undefined {
    const row = this.sql.get('SELECT * FROM observed_sessions WHERE session_id = ?').get(sessionId);
    return row ? toObservedSession(row) : undefined;
  }
}
