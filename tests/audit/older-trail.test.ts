import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import BetterSqlite3 from 'better-sqlite3';
import {
  GENESIS_HASH,
  chainEntry,
  toStoredJson,
} from '../../src/infrastructure/audit/hash-chain.js';
import { openDatabase } from '../../src/infrastructure/sqlite/database.js';
import { MIGRATIONS, migrate } from '../../src/infrastructure/sqlite/migrations.js';
import { SqliteAuditFeed } from '../../src/infrastructure/sqlite/sqlite-audit-feed.js';
import {
  SqliteCarRepository,
  verifyStore,
} from '../../src/infrastructure/sqlite/sqlite-car-repository.js';
import { testAudit, testSeal } from '../support/audit-seal.js';
import { storeCarInState } from '../support/car-mother.js';

/**
 * A store written by the release before the sealed trail (one audit row per field, one SHA-256
 * chain across the store) is carried over on the first start with the key.
 */

const folders: string[] = [];
afterAll(() => {
  for (const f of folders) rmSync(f, { recursive: true, force: true });
});

const COLUMNS =
  'id, number, number_year, number_seq, state, type, classification, confidential, reporter_id, reported_at, updated_at, next_due_date, search_text, version, body, facts';

/** An older store: two CARs, each with two writes of two rows, chained as that release chained. */
async function anOlderStore(tamper = false): Promise<{ file: string; ids: string[] }> {
  const folder = mkdtempSync(join(tmpdir(), 'rectify-older-'));
  folders.push(folder);
  const source = openDatabase(join(folder, 'source.db'));
  const repository = new SqliteCarRepository(source, testAudit());
  const ids = [
    (await storeCarInState(repository, 'recorded')).car.id,
    (await storeCarInState(repository, 'reported')).car.id,
  ];
  source.close();

  const file = join(folder, 'rectify.db');
  const old = new BetterSqlite3(file);
  migrate(
    old,
    MIGRATIONS.filter((m) => m.version <= 6),
  );
  old.exec(`ATTACH DATABASE '${join(folder, 'source.db')}' AS source`);
  old.exec(`INSERT INTO cars (${COLUMNS}) SELECT ${COLUMNS} FROM source.cars`);
  old.exec('DETACH DATABASE source');
  const insert = old.prepare(
    `INSERT INTO audit_log (sequence, car_id, operation, field, old_value, new_value, reason, actor_id, actor_name, at, prev_hash, hash)
     VALUES (@sequence, @carId, @operation, @field, @oldValue, @newValue, @reason, @actorId, @actorName, @at, @prevHash, @hash)`,
  );
  let prev = GENESIS_HASH;
  let sequence = 0;
  for (const [carId, write] of ids.flatMap((id) =>
    [
      { operation: 'report', at: '2026-03-01T08:00:00.000Z' },
      { operation: 'acknowledge', at: '2026-03-02T08:00:00.000Z' },
    ].map((w) => [id, w] as const),
  ))
    for (const field of ['a', 'b']) {
      sequence += 1;
      const row = chainEntry(prev, {
        sequence,
        carId,
        operation: write.operation,
        field,
        oldValue: toStoredJson(null),
        newValue: toStoredJson(`${field}-${sequence}`),
        reason: null,
        actorId: 'p1',
        actorName: 'Priya Shah',
        at: write.at,
      });
      insert.run(row);
      prev = row.hash;
    }
  if (tamper) {
    old.exec('DROP TRIGGER audit_log_no_update');
    old.exec(`UPDATE audit_log SET new_value = '"edited"' WHERE sequence = 3`);
  }
  old.close();
  return { file, ids };
}

describe('a store from the release before the sealed trail', () => {
  it('is carried over once: one entry per write, sealed, keeping its feed positions', async () => {
    const { file, ids } = await anOlderStore();

    const db = openDatabase(file);
    const repository = new SqliteCarRepository(db, testAudit());
    new SqliteCarRepository(db, testAudit());

    expect(verifyStore(db, testSeal(), null)).toMatchObject({ cars: 2, entries: 4, broken: [] });
    const history = await repository.history(ids[0] ?? '');
    expect(history.map((e) => [e.sequence, e.operation, e.changes.map((c) => c.field)])).toEqual([
      [1, 'report', ['a', 'b']],
      [2, 'acknowledge', ['a', 'b']],
    ]);
    const feed = await new SqliteAuditFeed(db).read(null, 10);
    expect(feed.changes.map((c) => c.id)).toEqual(['2', '4', '6', '8']);
    expect((await repository.findById(ids[1] ?? ''))?.car.id).toBe(ids[1]);
    db.close();
  });

  it('is refused when its old chain is broken, so nothing tampered is sealed as good', async () => {
    const { file } = await anOlderStore(true);

    const db = openDatabase(file);
    expect(() => new SqliteCarRepository(db, testAudit())).toThrow(
      'the audit trail of the older release is broken at entry #3',
    );
    db.close();
  });
});
