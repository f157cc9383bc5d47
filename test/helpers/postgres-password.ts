/**
 * A database of the throwaway cluster (./postgres) that asks for a password, as a team's server
 * does: its own login role, and one pg_hba.conf line (scram-sha-256) for that role on that database
 * only, put first (the first matching line wins), so the superuser (`adminUrl`) and the cluster's
 * other databases stay on trust for the other tests.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { testCluster, testDatabase } from './postgres';

export interface PasswordDatabase {
  /** postgres://ROLE@127.0.0.1:PORT/NAME, without the password. */
  url: string;
  /** ROLE@127.0.0.1:PORT */
  account: string;
  /** The same database over trust (the cluster's superuser), to arrange data behind the server's back. */
  adminUrl: string;
}

/** A new database owned by `role`, which logs in with `password` (any characters). */
export async function passwordDatabase(prefix: string, role: string, password: string): Promise<PasswordDatabase> {
  const adminUrl = await testDatabase(prefix);
  const name = new URL(adminUrl).pathname.slice(1);
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
    const literal = `'${password.replace(/'/g, "''")}'`;
    await admin.query(`${exists.rowCount ? 'ALTER' : 'CREATE'} ROLE ${role} LOGIN PASSWORD ${literal}`);
    await admin.query(`ALTER DATABASE ${name} OWNER TO ${role}`);
    await admin.query(`GRANT ALL ON SCHEMA public TO ${role}`);
  } finally {
    await admin.end();
  }
  const cluster = await testCluster();
  const hba = join(cluster.dir, 'data', 'pg_hba.conf');
  writeFileSync(hba, `host ${name} ${role} 127.0.0.1/32 scram-sha-256\n${readFileSync(hba, 'utf8')}`);
  const reload = new pg.Client({ connectionString: cluster.url('postgres') });
  await reload.connect();
  try {
    await reload.query('SELECT pg_reload_conf()');
  } finally {
    await reload.end();
  }
  return { url: `postgres://${role}@127.0.0.1:${cluster.port}/${name}`, account: `${role}@127.0.0.1:${cluster.port}`, adminUrl };
}
