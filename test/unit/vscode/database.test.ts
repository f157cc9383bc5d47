/**
 * Team mode in VS Code without VS Code: the `codexGovernance.server.database` setting (a password in
 * it is refused and never shown), the password kept in secret storage for one account, and the
 * server controller starting the real governance server on a real PostgreSQL database that asks
 * for a password (scram-sha-256), with every failure named, masked and shown as state.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startGovernanceServer } from '../../../src/server/server';
import type { Logger } from '../../../src/util/log';
import { databaseAccount, DatabasePasswords, describeDatabaseFailure, withPassword, type DatabaseSecretStore } from '../../../src/vscode/database';
import { ServerController } from '../../../src/vscode/server-controller';
import { presentStatus, type ServerState } from '../../../src/vscode/server-state';
import { DATABASE_SETTING, maskDatabaseUrl, readDatabaseSetting, readServerSettings, RESTART_SETTINGS, SettingsError, type ServerSettings } from '../../../src/vscode/settings';
import { generateToken } from '../../../src/vscode/token';
import { testDatabase } from '../../helpers/postgres';
import { passwordDatabase } from '../../helpers/postgres-password';

/** SecretStorage in memory (the extension's is VS Code's; only the three calls matter). */
function memorySecrets(): DatabaseSecretStore & { values: Map<string, string> } {
  const values = new Map<string, string>();
  return {
    values,
    get: (k) => Promise.resolve(values.get(k)),
    store: (k, v) => Promise.resolve(void values.set(k, v)),
    delete: (k) => Promise.resolve(void values.delete(k)),
  };
}

/** Every line logged, for checking that no password reaches the log. */
function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (m: string | Error, ...args: unknown[]) => void lines.push([m instanceof Error ? `${m.message}\n${m.stack ?? ''}` : m, ...args.map(String)].join(' '));
  return { lines, debug: push, info: push, warn: push, error: push };
}

describe('vscode: team database setting and password', function () {
  this.timeout(180_000);

  describe('the setting', () => {
    it('is empty for the SQLite file, else a postgres:// URL without password (kept as typed, parameters too); a change asks for a restart', () => {
      assert.equal(readDatabaseSetting(undefined), undefined);
      assert.equal(readDatabaseSetting('  '), undefined);
      assert.equal(readDatabaseSetting(' postgres://gov@db.example:5432/governance?sslmode=require '), 'postgres://gov@db.example:5432/governance?sslmode=require');
      assert.equal(readDatabaseSetting('postgresql://gov@db/governance'), 'postgresql://gov@db/governance');
      assert.equal(readServerSettings((k) => ({ 'server.database': 'postgres://gov@db/g' })[k]).database, 'postgres://gov@db/g');
      assert.equal('database' in readServerSettings(() => undefined), false);
      assert.ok((RESTART_SETTINGS as readonly string[]).includes(DATABASE_SETTING));
    });

    it('refuses a password in the URL (user part or ?password=), naming the setting and the command, with the password masked', () => {
      for (const [value, masked] of [
        ['postgres://gov:hunter2-secret@db.example:5432/governance', 'postgres://gov:****@db.example:5432/governance'],
        ['postgres://gov:p@ss/w?rd-hunter2-secret@db.example/governance', 'postgres://gov:****@db.example/governance'],
        ['postgres://gov@db.example/governance?sslmode=require&password=hunter2-secret', 'postgres://gov@db.example/governance?sslmode=require&password=****'],
      ]) {
        assert.throws(
          () => readDatabaseSetting(value),
          (e: Error) =>
            e instanceof SettingsError &&
            e.setting === DATABASE_SETTING &&
            e.message.includes(masked!) &&
            /Set Database Password/.test(e.message) &&
            !/hunter2|secret@|ss\/w/.test(e.message.replace(/secret storage/g, '')),
          value,
        );
      }
    });

    it('refuses what is not a PostgreSQL URL or not a string, masked as well', () => {
      assert.throws(() => readDatabaseSetting('mysql://root:hunter2@db/x'), (e: Error) => e instanceof SettingsError && /mysql:\/\/root:\*\*\*\*@db\/x/.test(e.message) && !/hunter2/.test(e.message));
      assert.throws(() => readDatabaseSetting('postgres://'), SettingsError);
      assert.throws(() => readDatabaseSetting(42), /must be a URL/);
      assert.equal(maskDatabaseUrl('postgres://gov@db/x'), 'postgres://gov@db/x');
    });
  });

  describe('the password', () => {
    it('is stored for one user@host:port and given only for that account; clear removes it', async () => {
      const secrets = memorySecrets();
      const passwords = new DatabasePasswords(secrets);
      await passwords.set('postgres://gov@db.example/governance', 's3cret');
      assert.equal(databaseAccount('postgres://gov@db.example/governance'), 'gov@db.example:5432');
      assert.equal(await passwords.get('postgres://gov@db.example:5432/other_db?sslmode=require'), 's3cret', 'same account, another database');
      assert.equal(await passwords.get('postgres://gov@evil.example/governance'), undefined, 'another host never gets it');
      assert.equal(await passwords.get('postgres://admin@db.example/governance'), undefined, 'another user neither');
      assert.equal(await passwords.account(), 'gov@db.example:5432');
      assert.ok(![...secrets.values.keys()].some((k) => k.includes('s3cret')));
      await passwords.clear();
      assert.equal(await passwords.get('postgres://gov@db.example/governance'), undefined);
      secrets.values.set('codexGovernance.databasePassword', 'not json');
      assert.equal(await passwords.account(), undefined, 'a damaged entry is as if none were stored');
    });

    it('is combined with the URL percent-encoded, the rest of the URL unchanged', () => {
      assert.equal(withPassword('postgres://gov@db:5432/g?sslmode=require', 'a b@c:d/e%f'), 'postgres://gov:a%20b%40c%3Ad%2Fe%25f@db:5432/g?sslmode=require');
      assert.equal(withPassword('postgres://gov@db/g', undefined), 'postgres://gov@db/g');
    });

    it('is masked in a failure message even if a driver repeated it', () => {
      const text = describeDatabaseFailure(Object.assign(new Error('boom near hunter2-x and hunter2-x'), { code: 'XX000' }), 'postgres://gov@db/g', { password: 'hunter2-x' });
      assert.match(text, /^Could not open the team database postgres:\/\/gov@db\/g \(setting codexGovernance\.server\.database\): boom near \*\*\*\* and \*\*\*\*$/);
    });
  });

  describe('the server on a PostgreSQL database that asks for a password (real cluster, scram-sha-256)', () => {
    const PASSWORD = 'p@ss w:rd/%41-ü';
    const token = generateToken();
    let dbUrl: string;
    let account: string;
    const dirs: string[] = [];
    const controllers: ServerController[] = [];

    before(async () => {
      ({ url: dbUrl, account } = await passwordDatabase('vsc_team', 'vsc_team_user', PASSWORD));
    });

    afterEach(async () => {
      await Promise.all(controllers.splice(0).map((c) => c.dispose()));
      for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    });

    function make(database: string, secret: { password?: string; storedFor?: string }, logger = recordingLogger()) {
      const dir = mkdtempSync(join(tmpdir(), 'cg-vsc-team-'));
      dirs.push(dir);
      let settings: ServerSettings = { ...readServerSettings(() => undefined), port: 0, database, codex: { backend: 'auto', maxSessions: 1, sessionIdleTimeoutMs: 60_000, toolTimeoutMs: 60_000, codexPath: '/nonexistent/codex' } };
      const c = new ServerController({ dataDir: dir, token: () => Promise.resolve(token), settings: () => settings, databasePassword: () => Promise.resolve(secret), logger, startServer: startGovernanceServer });
      controllers.push(c);
      return { c, logger, setSettings: (s: Partial<ServerSettings>) => (settings = { ...settings, ...s }) };
    }

    const noPassword = (logger: { lines: string[] }, state: ServerState) => {
      const all = [...logger.lines, JSON.stringify(state)].join('\n');
      assert.ok(!all.includes(PASSWORD) && !all.includes(encodeURIComponent(PASSWORD)), 'the password appears nowhere');
    };

    it('starts with the stored password (combined in memory only): /health names the database without it; a new URL needs a restart', async () => {
      const { c, logger, setSettings } = make(dbUrl, { password: PASSWORD });
      const state = await c.start();
      assert.equal(state.kind, 'running', JSON.stringify(state));
      const health = (await (await fetch(`${(state as { url: string }).url}/health`, { headers: { authorization: `Bearer ${token}` } })).json()) as { database?: { kind?: string; url?: string } };
      assert.equal(health.database?.kind, 'postgres', JSON.stringify(health));
      assert.match(JSON.stringify(health), new RegExp(`postgres://vsc_team_user@127\\.0\\.0\\.1:\\d+/vsc_team_`));
      assert.equal(c.needsRestartFor({ ...readServerSettings(() => undefined), port: 0, database: dbUrl, codex: { backend: 'auto', maxSessions: 1, sessionIdleTimeoutMs: 60_000, toolTimeoutMs: 60_000, codexPath: '/nonexistent/codex' } }), false);
      setSettings({ database: undefined });
      assert.equal(c.needsRestartFor({ ...readServerSettings(() => undefined), port: 0, codex: { backend: 'auto', maxSessions: 1, sessionIdleTimeoutMs: 60_000, toolTimeoutMs: 60_000, codexPath: '/nonexistent/codex' } }), true, 'back to SQLite needs a restart');
      noPassword(logger, state);
    });

    it('a wrong password: not running, the reason names the database and the command, the status bar says database, nothing shows the password', async () => {
      const { c, logger } = make(dbUrl, { password: `${PASSWORD}-wrong` });
      const state = await c.start();
      assert.equal(state.kind, 'error');
      assert.equal((state as { reason: string }).reason, 'database');
      const message = (state as { message: string }).message;
      assert.match(message, /^The team database postgres:\/\/vsc_team_user@127\.0\.0\.1:\d+\/vsc_team_\w+ \(setting codexGovernance\.server\.database\) refused the login \(password authentication failed for user "vsc_team_user"\)\. Check the user in the setting and the password: run "Codex Governance: Set Database Password"/);
      assert.deepEqual(presentStatus(state).text, '$(error) Governance: database');
      assert.match(presentStatus(state).tooltip, /not running: The team database postgres:\/\/vsc_team_user@/);
      noPassword(logger, state);
      assert.ok(![...logger.lines, message].some((l) => l.includes(`${PASSWORD}-wrong`)));
    });

    it('no password stored, or one stored for another account: says which', async () => {
      const none = await make(dbUrl, {}).c.start();
      assert.match((none as { message: string }).message, new RegExp(`refused the login .*No password is stored for ${account.replace(/\./g, '\\.')}: run "Codex Governance: Set Database Password"`));
      const other = await make(dbUrl, { storedFor: 'gov@db.example:5432' }).c.start();
      assert.match((other as { message: string }).message, new RegExp(`The stored password is for gov@db\\.example:5432, not ${account.replace(/\./g, '\\.')}`));
    });

    it('an unreachable database and a newer schema are named too; the extension host keeps running and can start again', async () => {
      const { c } = make('postgres://vsc_team_user@127.0.0.1:1/nowhere', { password: PASSWORD });
      const down = await c.start();
      assert.equal((down as { reason?: string }).reason, 'database');
      assert.match((down as { message: string }).message, /^The team database postgres:\/\/vsc_team_user@127\.0\.0\.1:1\/nowhere \(setting codexGovernance\.server\.database\) did not answer \(.*ECONNREFUSED.*\)\. Check the host and port/);

      const newer = await testDatabase('vsc_newer');
      const admin = new pg.Client({ connectionString: newer });
      await admin.connect();
      await admin.query('CREATE TABLE schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL, applied_by TEXT NOT NULL)');
      await admin.query("INSERT INTO schema_version VALUES (999, 'future', 'x', '9.9.9')");
      await admin.end();
      const { c: c2 } = make(newer, {});
      const tooNew = await c2.start();
      assert.equal((tooNew as { reason?: string }).reason, 'database');
      assert.match((tooNew as { message: string }).message, /schema version 999.*Install Codex Governance 9\.9\.9 or later/);
      assert.equal((await c2.start()).kind, 'error', 'a second try fails the same way, no crash');
    });
  });
});
