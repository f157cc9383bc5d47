/**
 * Runs a store test suite against every store kind: the embedded SQLite file (a fresh temp data
 * dir per test) and PostgreSQL (a throwaway cluster, one database per suite, emptied before each
 * test). Both must behave the same; tests that only make sense for one kind stay in their own files.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore } from '../../../src/store/store';
import { openPostgresStore } from '../../../src/store/postgres/store';
import type { Store } from '../../../src/store/types';
import { testDatabase } from '../../helpers/postgres';

export type StoreKind = 'sqlite' | 'postgres';

export interface StoreHarness {
  kind: StoreKind;
  /** Opens the test's store (again: the same data, as a restart or a second server would). */
  open(): Promise<Store>;
}

/** `describe(`${title} [kind]`)` once per store kind, with a harness valid inside tests and hooks. */
export function describeStores(title: string, body: (h: StoreHarness) => void): void {
  describe(`${title} [sqlite]`, () => {
    let dir = '';
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'cg-store-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));
    body({ kind: 'sqlite', open: () => openStore(dir) });
  });

  describe(`${title} [postgres]`, function () {
    let url = '';
    before(async function () {
      this.timeout(180_000);
      url = await testDatabase('contract');
      // Creates the schema once; each test then starts from empty tables.
      await (await openPostgresStore(url)).close();
    });
    beforeEach(async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        const tables = (await c.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_version'")).rows.map((r: { tablename: string }) => r.tablename);
        await c.query(`TRUNCATE ${tables.join(', ')} RESTART IDENTITY CASCADE`);
      } finally {
        await c.end();
      }
    });
    body({ kind: 'postgres', open: () => openPostgresStore(url) });
  });
}
