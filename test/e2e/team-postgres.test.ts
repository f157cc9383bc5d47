/**
 * Team mode on a real PostgreSQL (a throwaway cluster, test/helpers/postgres.ts): two
 * `codex-governance serve --database postgres://...` processes (dist/cli.js) on different ports
 * share one database. A discovery stored through one is found through the other; 16 agents on
 * each race for the same 1,000 tasks and each task is claimed exactly once; kill -9 of one server
 * loses nothing either acknowledged; PostgreSQL restarted under load gives 503s naming the
 * database, then the servers recover by themselves with every acknowledged write kept. Also
 * `migrate`, `copy --from sqlite:... --to postgres://...` and the refusal of a newer schema.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { sessionOwner } from '../../src/store/open';
import { openStore } from '../../src/store/store';
import { emptyUsage } from '../../src/supervisor/session';
import { PG_LATEST_SCHEMA_VERSION, PG_MIGRATIONS } from '../../src/store/postgres/migrations';
import { testCluster, testDatabase, type TestCluster } from '../helpers/postgres';
import { startServe, stopServe, type ServeProcess } from '../helpers/serve-process';

const CLI = resolve(__dirname, '../../dist/cli.js');
const NODE = process.execPath;
const TOKEN = 'team-token-0123456789abcdef';
const PASSWORD = 'not-a-real-secret-pw';

interface Served extends ServeProcess {
  dataDir: string;
}

/** The database URL with a password (trust auth ignores it), so the tests can check it never shows. */
const withPassword = (url: string) => url.replace('postgres://postgres@', `postgres://postgres:${PASSWORD}@`);

async function serve(database: string): Promise<Served> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cg-team-'));
  const served = await startServe(['--port', '0', '--data-dir', dataDir, '--database', database, '--rate-limit', '1000000'], { CODEX_GOVERNANCE_TOKEN: TOKEN, CODEX_GOVERNANCE_AUTO_DIALECTIC: 'off' });
  return { ...served, dataDir };
}

async function stopServed(s: Served): Promise<void> {
  await stopServe(s.proc);
  rmSync(s.dataDir, { recursive: true, force: true });
}

interface CallResult {
  status: number;
  body: { success: boolean; result?: Record<string, unknown>; error?: { code: string; message: string } };
}

async function call(url: string, name: string, args: Record<string, unknown>): Promise<CallResult> {
  const res = await fetch(`${url}/v1/tools/call`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name, arguments: args }),
  });
  return { status: res.status, body: (await res.json()) as CallResult['body'] };
}

async function ok(url: string, name: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
  const r = await call(url, name, args);
  assert.equal(r.status, 200, `${name}: ${JSON.stringify(r.body)}`);
  return r.body.result!;
}

function cli(args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(NODE, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql, params)).rows;
  } finally {
    await c.end();
  }
}

describe('team mode: two servers sharing one PostgreSQL database', function () {
  this.timeout(600_000);
  let cluster: TestCluster;
  let db: string;
  let a: Served;
  let b: Served;

  before(async () => {
    assert.ok(existsSync(CLI), `${CLI} is missing: build first (node esbuild.mjs)`);
    cluster = await testCluster();
    db = await testDatabase('team');
    const migrated = cli(['migrate', '--database', withPassword(db)]);
    assert.equal(migrated.status, 0, migrated.stderr);
    assert.match(migrated.stdout, new RegExp(`schema version ${PG_LATEST_SCHEMA_VERSION} \\(applied ${PG_MIGRATIONS.map((m) => m.version).join(', ')}\\)`));
    assert.doesNotMatch(migrated.stdout + migrated.stderr, new RegExp(PASSWORD));
    assert.match(cli(['migrate'], { CODEX_GOVERNANCE_DATABASE_URL: db }).stdout, /already up to date/);
    [a, b] = await Promise.all([serve(withPassword(db)), serve(withPassword(db))]);
  });

  after(async () => {
    await Promise.all([a, b].filter(Boolean).map(stopServed));
  });

  it('/health names the store kind and the database, never the password', async () => {
    for (const s of [a, b]) {
      const res = await fetch(`${s.url}/health`, { headers: { authorization: `Bearer ${TOKEN}` } });
      const text = await res.text();
      const health = JSON.parse(text) as { ok: boolean; database: { kind: string; path: string; schema_version: number } };
      assert.equal(health.ok, true);
      assert.equal(health.database.kind, 'postgres');
      assert.equal(health.database.path, db);
      assert.equal(health.database.schema_version, PG_LATEST_SCHEMA_VERSION);
      assert.doesNotMatch(text + s.output(), new RegExp(PASSWORD));
    }
  });

  it('a discovery stored through one server is found through the other', async () => {
    const stored = await ok(a.url, 'store_discovery_graph', { agent_id: 'alice', summary: 'Connection pool exhaustion under websocket load', details: 'Raise the pool size', tags: ['postgres', 'Pool'] });
    const found = await ok(b.url, 'search_knowledge_graph', { query: 'websocket pool', limit: 5 });
    const items = found.discoveries as Array<{ id: string; score: number; agent_id: string }>;
    assert.equal(items[0]?.id, stored.discovery_id);
    assert.equal(items[0]?.agent_id, 'alice');
    assert.ok(items[0].score > 0);
    const byTag = await ok(b.url, 'search_knowledge_graph', { query: '', tags: ['pool'], limit: 5 });
    assert.deepEqual((byTag.discoveries as Array<{ id: string }>).map((d) => d.id), [stored.discovery_id]);
  });

  it('16 agents on each server race for the same 1,000 tasks: each is claimed exactly once', async () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `race-${String(i).padStart(4, '0')}`);
    for (let i = 0; i < ids.length; i += 50) {
      await Promise.all(ids.slice(i, i + 50).map((id, j) => ok((i + j) % 2 ? a.url : b.url, 'post_task', { task_id: id, description: `task ${id}`, agent_id: 'poster' })));
    }
    const wins = new Map<string, string[]>();
    let conflicts = 0;
    const started = Date.now();
    const agent = async (server: Served, name: string) => {
      for (;;) {
        const pending = (await ok(server.url, 'list_tasks', { status: 'pending', limit: 40 })).tasks as Array<{ task_id: string }>;
        if (!pending.length) return;
        const pick = pending[Math.floor(Math.random() * pending.length)]!.task_id;
        const r = await call(server.url, 'claim_task', { task_id: pick, agent_id: name, lease_seconds: 3600 });
        if (r.status === 200) wins.set(pick, [...(wins.get(pick) ?? []), name]);
        else if (r.body.error?.code === 'conflict') conflicts++;
        else assert.fail(`claim_task ${pick} by ${name}: ${r.status} ${JSON.stringify(r.body)}`);
      }
    };
    await Promise.all([...Array.from({ length: 16 }, (_, i) => agent(a, `a-agent-${i}`)), ...Array.from({ length: 16 }, (_, i) => agent(b, `b-agent-${i}`))]);
    const seconds = (Date.now() - started) / 1000;
    console.log(`      1,000 tasks claimed by 32 agents on 2 servers in ${seconds.toFixed(1)} s; ${conflicts} claims lost a race (conflict)`);
    assert.equal(wins.size, 1000);
    assert.ok([...wins.values()].every((w) => w.length === 1), 'no task has two winners');
    assert.ok(conflicts > 0, 'the agents did race for the same tasks');
    const rows = await query<{ task_id: string; status: string; claimed_by: string }>(db, "SELECT task_id, status, claimed_by FROM tasks WHERE task_id LIKE 'race-%'");
    assert.equal(rows.length, 1000);
    for (const r of rows) {
      assert.equal(r.status, 'claimed');
      assert.equal(r.claimed_by, wins.get(r.task_id)![0]);
    }
    const winners = new Set([...wins.values()].map((w) => w[0]!.slice(0, 1)));
    assert.deepEqual([...winners].sort(), ['a', 'b'], 'both servers won claims');
  });

  it('updates of one agent through both servers at once lose none', async () => {
    await Promise.all(Array.from({ length: 40 }, (_, i) => ok(i % 2 ? a.url : b.url, 'process_agent_update', { agent_id: 'shared-agent', operation: `op ${i}`, complexity: 0.3, confidence: 0.8 })));
    const [row] = await query<{ update_count: number; dynamics: string }>(db, "SELECT update_count, dynamics FROM agents WHERE id = 'shared-agent'");
    assert.equal(row!.update_count, 40);
    assert.equal((JSON.parse(row!.dynamics) as { updates: number }).updates, 40, 'every update started from the previous one');
    assert.equal((await query(db, "SELECT 1 FROM agent_updates WHERE agent_id = 'shared-agent'")).length, 40);
  });

  it('kill -9 of one server loses nothing either server acknowledged', async () => {
    const acknowledged: string[] = [];
    let stop = false;
    const writer = async (server: Served, n: number) => {
      for (let i = 0; !stop; i++) {
        const r = await call(server.url, 'store_discovery_graph', { agent_id: `writer-${n}`, summary: `kill test ${n} ${i}`, tags: ['kill'] }).catch(() => undefined);
        if (!r) return; // the killed server's connections are cut
        if (r.status === 200) acknowledged.push(String(r.body.result!.discovery_id));
      }
    };
    const writers = [...Array.from({ length: 8 }, (_, i) => writer(a, i)), ...Array.from({ length: 8 }, (_, i) => writer(b, 100 + i))];
    await new Promise((r) => setTimeout(r, 1500));
    a.proc.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 1000));
    stop = true;
    await Promise.all(writers);
    assert.ok(acknowledged.length > 16, `writes were acknowledged (${acknowledged.length})`);
    const stored = new Set((await query<{ id: string }>(db, 'SELECT id FROM discoveries WHERE id = ANY($1)', [acknowledged])).map((r) => r.id));
    assert.deepEqual(acknowledged.filter((id) => !stored.has(id)), []);
    // And the surviving server still answers for them.
    const found = await ok(b.url, 'search_knowledge_graph', { query: '', tags: ['kill'], limit: 1 });
    assert.ok((found.total as number) >= acknowledged.length);
    rmSync(a.dataDir, { recursive: true, force: true });
    a = await serve(withPassword(db));
  });

  it('PostgreSQL restarting under load: 503 naming the database meanwhile, recovery by itself, no acknowledged write lost', async () => {
    const acknowledged: string[] = [];
    const unavailable: string[] = [];
    const other: string[] = [];
    let stop = false;
    const writer = async (server: Served, n: number) => {
      for (let i = 0; !stop; i++) {
        const r = await call(server.url, 'post_task', { task_id: `outage-${n}-${i}`, description: 'written during a restart', agent_id: 'poster' });
        if (r.status === 200) acknowledged.push(`outage-${n}-${i}`);
        else if (r.status === 503) unavailable.push(r.body.error!.message);
        else other.push(`${r.status} ${JSON.stringify(r.body)}`);
        if (r.status !== 200) await new Promise((res) => setTimeout(res, 20));
      }
    };
    const writers = Array.from({ length: 8 }, (_, i) => writer(i % 2 ? a : b, i));
    await new Promise((r) => setTimeout(r, 1000));
    const before = acknowledged.length;
    await cluster.restart(2000);
    const restartedAt = Date.now();
    // Both servers answer again without being restarted.
    for (const s of [a, b]) {
      for (;;) {
        const r = await call(s.url, 'list_tasks', { limit: 1 });
        if (r.status === 200) break;
        assert.ok(Date.now() - restartedAt < 30_000, `${s.url} did not recover: ${JSON.stringify(r.body)}`);
        await new Promise((res) => setTimeout(res, 100));
      }
    }
    const recoveredMs = Date.now() - restartedAt;
    const afterRecovery = acknowledged.length;
    await new Promise((r) => setTimeout(r, 1000));
    stop = true;
    await Promise.all(writers);
    console.log(`      outage: ${unavailable.length} requests answered 503; servers answered again ${recoveredMs} ms after PostgreSQL was back`);
    assert.ok(before > 0 && acknowledged.length > afterRecovery, 'writes went through before and after the outage');
    assert.ok(unavailable.length > 0, 'requests during the outage were answered 503');
    for (const m of unavailable) assert.match(m, new RegExp(`PostgreSQL database ${db.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is unavailable`));
    assert.deepEqual(other, [], 'no other failure');
    const stored = new Set((await query<{ task_id: string }>(db, "SELECT task_id FROM tasks WHERE task_id LIKE 'outage-%'")).map((r) => r.task_id));
    assert.deepEqual(acknowledged.filter((id) => !stored.has(id)), []);
  });
});

describe('team mode: copy, and a schema newer than the server', function () {
  this.timeout(300_000);

  it('copy --from sqlite:DIR --to postgres://... moves every table (ids, search, tasks, per-agent tokens) and refuses a non-empty target', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cg-copy-'));
    try {
      const store = await openStore(dir);
      await store.agents.ensure({ id: 'old-agent', clientName: 'codex', atMs: Date.UTC(2026, 0, 1) });
      await store.discoveries.insert({ id: 'd-old', agentId: 'old-agent', discoveryType: 'bug_found', summary: 'Migrated memory leak in the parser', details: 'x', tags: ['Parser'], status: 'open', severity: 'high', createdAtMs: Date.UTC(2026, 0, 2) }, []);
      await store.discoveries.insert({ id: 'd-new', agentId: 'old-agent', discoveryType: 'note', summary: 'second', details: '', tags: [], status: 'open', severity: null, createdAtMs: Date.UTC(2026, 0, 3) }, [{ toId: 'd-old', relation: 'related_to', agentId: null, createdAtMs: Date.UTC(2026, 0, 3) }]);
      await store.tasks.insert({ taskId: 't-old', description: 'carry me over', status: 'pending', dueDate: null, priority: 'high', tags: ['x'], createdBy: 'p', createdAtMs: Date.UTC(2026, 0, 4) });
      const at = new Date(Date.UTC(2026, 0, 5)).toISOString();
      await store.codexSessions.save({
        id: 's-old', threadId: 't-old', backend: 'app-server', codexVersion: '0.169.0', pid: null, cwd: dir, sandbox: 'read-only', approvalPolicy: 'never', model: null, mode: null,
        agentId: 'old-agent', status: 'closed', createdAt: at, lastActivityAt: at, endedAt: at, turns: 1, tokens: emptyUsage(), lastError: null, transcript: [],
      });
      await store.close();
      const issued = cli(['tokens', 'create', '--agent', 'old-agent', '--data-dir', dir]);
      assert.equal(issued.status, 0, issued.stderr);
      const agentToken = issued.stdout.trim();
      const target = await testDatabase('copy');
      const copied = cli(['copy', '--from', `sqlite:${dir}`, '--to', withPassword(target)]);
      assert.equal(copied.status, 0, copied.stderr);
      assert.match(copied.stdout, /discoveries 2/);
      // The Codex session records belong to the server that will run on the copied data directory.
      assert.deepEqual(await query(target, 'SELECT id, server FROM codex_sessions'), [{ id: 's-old', server: sessionOwner(dir) }]);
      assert.doesNotMatch(copied.stdout + copied.stderr, new RegExp(PASSWORD));
      const server = await serve(target);
      try {
        const found = await ok(server.url, 'search_knowledge_graph', { query: 'leak parser', limit: 5 });
        assert.deepEqual((found.discoveries as Array<{ id: string }>).map((d) => d.id), ['d-old']);
        const details = await ok(server.url, 'get_discovery_details', { discovery_id: 'd-new' });
        assert.match(JSON.stringify(details), /d-old/);
        const task = await ok(server.url, 'claim_task', { task_id: 't-old', agent_id: 'new-agent' });
        assert.equal((task.task as { claimed_by: string }).claimed_by, 'new-agent');
        // Sequences continue after the copied rows.
        const added = await ok(server.url, 'store_discovery_graph', { agent_id: 'new-agent', summary: 'after the copy' });
        const [row] = await query<{ seq: string }>(target, 'SELECT seq FROM discoveries WHERE id = $1', [added.discovery_id]);
        assert.equal(Number(row!.seq), 3);
        // The per-agent token made before the copy still authenticates, and still acts as its agent only.
        const asAgent = (args: Record<string, unknown>) =>
          fetch(`${server.url}/v1/tools/call`, { method: 'POST', headers: { authorization: `Bearer ${agentToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'store_discovery_graph', arguments: args }) });
        assert.equal((await asAgent({ agent_id: 'old-agent', summary: 'stored with a copied token' })).status, 200);
        assert.equal((await asAgent({ agent_id: 'new-agent', summary: 'not mine to store' })).status, 403);
      } finally {
        await stopServed(server);
      }
      const again = cli(['copy', '--from', `sqlite:${dir}`, '--to', target]);
      assert.equal(again.status, 1);
      assert.match(again.stderr, /nothing was written.*already holds rows in agents/s);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a database migrated by a newer version refuses to start, naming the version to install', async () => {
    const url = await testDatabase('newer');
    assert.equal(cli(['migrate', '--database', url]).status, 0);
    await query(url, "INSERT INTO schema_version (version, description, applied_at, applied_by) VALUES (99, 'future', '2030-01-01T00:00:00.000Z', '9.9.9')");
    const dataDir = mkdtempSync(join(tmpdir(), 'cg-newer-'));
    try {
      const r = spawnSync(NODE, [CLI, 'serve', '--port', '0', '--data-dir', dataDir, '--database', url], { encoding: 'utf8', env: { ...process.env, CODEX_GOVERNANCE_TOKEN: TOKEN }, timeout: 60_000 });
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /schema version 99/);
      assert.match(r.stderr, /Install Codex Governance 9\.9\.9 or later/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
    const migrate = cli(['migrate', '--database', url]);
    assert.equal(migrate.status, 1);
    assert.match(migrate.stderr, /9\.9\.9/);
  });

  it('--database refuses what is not a PostgreSQL URL, naming the option', () => {
    const r = cli(['serve', '--port', '0', '--database', 'mysql://u:pw@h/db']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /--database must be a PostgreSQL URL/);
    assert.doesNotMatch(r.stderr, /:pw@/);
  });
});
