import { testAudit } from '../../support/audit-seal.js';
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { openDatabase } from '../../../src/infrastructure/sqlite/database.js';
import {
  MIGRATIONS,
  migrate,
  schemaVersion,
} from '../../../src/infrastructure/sqlite/migrations.js';
import { SqliteCarRepository } from '../../../src/infrastructure/sqlite/sqlite-car-repository.js';
import { SqliteCarScan } from '../../../src/infrastructure/sqlite/sqlite-car-scan.js';
import { storeCarInState } from '../../support/car-mother.js';

const folders: string[] = [];
afterAll(() => {
  for (const f of folders) rmSync(f, { recursive: true, force: true });
});

/** The columns of `cars` as migrations 1 to 6 left them. */
const V6_COLUMNS =
  'id, number, number_year, number_seq, state, type, classification, confidential, reporter_id, reported_at, updated_at, next_due_date, search_text, version, body, facts';

describe('migration 7 on a database file written before it', () => {
  it("gives every CAR the tenant of its record, '' where the record has none", async () => {
    const folder = mkdtempSync(join(tmpdir(), 'rectify-tenant-column-'));
    folders.push(folder);
    const source = openDatabase(join(folder, 'source.db'));
    const repository = new SqliteCarRepository(source, testAudit());
    const ofA = (await storeCarInState(repository, 'recorded', { tenantId: 'tenant-a' })).car.id;
    const older = (await storeCarInState(repository, 'reported')).car.id;
    source
      .prepare("UPDATE cars SET body = json_remove(body, '$.tenantId') WHERE id = ?")
      .run(older);
    source.close();

    const file = join(folder, 'rectify.db');
    const old = new BetterSqlite3(file);
    migrate(
      old,
      MIGRATIONS.filter((m) => m.version <= 6),
    );
    old.exec(`ATTACH DATABASE '${join(folder, 'source.db')}' AS source`);
    old.exec(`INSERT INTO cars (${V6_COLUMNS}) SELECT ${V6_COLUMNS} FROM source.cars`);
    old.exec('DETACH DATABASE source');
    old.close();

    const db = openDatabase(file);
    try {
      expect(schemaVersion(db)).toBeGreaterThanOrEqual(7);
      const tenants = db
        .prepare<[], { id: string; tenant_id: string }>('SELECT id, tenant_id FROM cars')
        .all();
      expect(Object.fromEntries(tenants.map((r) => [r.id, r.tenant_id]))).toEqual({
        [ofA]: 'tenant-a',
        [older]: '',
      });
      const scanned: string[] = [];
      for await (const batch of new SqliteCarScan(db).scan({ tenantIds: ['tenant-a'] }))
        scanned.push(...batch.map((s) => s.car.id));
      expect(scanned).toEqual([ofA]);
      const read = await new SqliteCarRepository(db, testAudit()).findById(older);
      expect(read?.car.tenantId).toBe('');
    } finally {
      db.close();
    }
  });
});
