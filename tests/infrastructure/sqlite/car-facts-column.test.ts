/**
 * The `facts` column of the embedded store: written by the repository in the same transaction
 * as the record (a write that fails changes neither), backfilled by migration 6 on a database
 * file written before it existed, and dropped when the record is changed without it.
 */
import { testAudit } from '../../support/audit-seal.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import BetterSqlite3 from 'better-sqlite3';
import { decodeCarFacts, encodeCarFacts } from '../../../src/application/ports/car-facts.js';
import { carFactsOf, type ScannedCar } from '../../../src/application/ports/car-scan.js';
import type { CarState } from '../../../src/domain/car/lifecycle.js';
import { parseCarRecord } from '../../../src/infrastructure/sqlite/car-record.schema.js';
import { openDatabase, type Database } from '../../../src/infrastructure/sqlite/database.js';
import {
  LATEST_SCHEMA_VERSION,
  MIGRATIONS,
  migrate,
  schemaVersion,
} from '../../../src/infrastructure/sqlite/migrations.js';
import { SqliteCarRepository } from '../../../src/infrastructure/sqlite/sqlite-car-repository.js';
import { SqliteCarScan } from '../../../src/infrastructure/sqlite/sqlite-car-scan.js';
import {
  THE_MR,
  aReportedCar,
  anOperationContext,
  auditFor,
  changeWithAudit,
  storeCarInState,
} from '../../support/car-mother.js';

const STATES: CarState[] = ['reported', 'recorded', 'implementing', 'verifying', 'closed'];

const folders: string[] = [];
function aFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'rectify-facts-column-'));
  folders.push(folder);
  return folder;
}
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

interface CarRow {
  id: string;
  version: number;
  body: string;
  facts: string | null;
}
const rowOf = (db: Database, id: string): CarRow | undefined =>
  db.prepare<[string], CarRow>('SELECT id, version, body, facts FROM cars WHERE id = ?').get(id);

/** What the write path must have stored: the text of the record's facts. */
const factsOfBody = (row: CarRow): string =>
  encodeCarFacts(carFactsOf(parseCarRecord(row.id, row.body)));

/**
 * The message a promise fails with, or null. SQLite's errors are made by the native module,
 * in whichever test context loaded it first, so `instanceof Error` cannot be relied on here.
 */
const failureOf = (work: Promise<unknown>): Promise<string | null> =>
  work.then(
    () => null,
    (e: unknown) => String((e as { message?: unknown }).message),
  );

async function scanAll(file: string): Promise<ScannedCar[]> {
  const opened = SqliteCarScan.open(file);
  try {
    const out: ScannedCar[] = [];
    for await (const batch of opened.scan.scan()) out.push(...batch);
    return out;
  } finally {
    opened.close();
  }
}

/** The columns of `cars` as migrations 1 to 5 left them. */
const V5_COLUMNS =
  'id, number, number_year, number_seq, state, type, classification, confidential, reporter_id, reported_at, updated_at, next_due_date, search_text, version, body';

describe('migration 6 on a database file written before it', () => {
  it('backfills the facts of every CAR from its record, skipping a record that does not parse', async () => {
    const folder = aFolder();
    // CARs written by this release, copied into a file that stopped at version 5.
    const source = openDatabase(join(folder, 'source.db'));
    const repository = new SqliteCarRepository(source, testAudit());
    const ids: string[] = [];
    for (const state of STATES) ids.push((await storeCarInState(repository, state)).car.id);
    const broken = (await storeCarInState(repository, 'investigating')).car.id;
    source.close();

    const file = join(folder, 'rectify.db');
    const old = new BetterSqlite3(file);
    migrate(
      old,
      MIGRATIONS.filter((m) => m.version <= 5),
    );
    expect(schemaVersion(old)).toBe(5);
    old.exec(`ATTACH DATABASE '${join(folder, 'source.db')}' AS source`);
    old.exec(`INSERT INTO cars (${V5_COLUMNS}) SELECT ${V5_COLUMNS} FROM source.cars`);
    old
      .prepare("UPDATE cars SET body = json_set(body, '$.state', 'lost') WHERE id = ?")
      .run(broken);
    old.exec('DETACH DATABASE source');
    old.close();

    const db = openDatabase(file);
    const sourceDb = new BetterSqlite3(join(folder, 'source.db'), { readonly: true });
    try {
      expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);
      for (const id of ids) {
        const row = rowOf(db, id) as CarRow;
        expect(row.facts).not.toBeNull();
        // The backfill writes what the repository writes.
        expect(row.facts).toBe(rowOf(sourceDb, id)?.facts);
        expect(row.facts).toBe(factsOfBody(row));
      }
      // A record that does not parse does not stop the upgrade; it keeps no facts...
      expect(rowOf(db, broken)?.facts).toBeNull();
      // ...and the scan still fails on it, naming it, as before the facts existed.
      await expect(scanAll(file)).rejects.toThrow(broken);
    } finally {
      sourceDb.close();
      db.close();
    }
  });

  it('lets the scan answer from the backfilled facts alone', async () => {
    const folder = aFolder();
    const source = openDatabase(join(folder, 'source.db'));
    const repository = new SqliteCarRepository(source, testAudit());
    for (const state of STATES) await storeCarInState(repository, state);
    const expected = new Map(
      source
        .prepare<[], CarRow>('SELECT id, version, body, facts FROM cars')
        .all()
        .map((r) => [
          r.id,
          { car: carFactsOf(parseCarRecord(r.id, r.body)), etag: `"${r.version}"` },
        ]),
    );
    source.close();

    const file = join(folder, 'rectify.db');
    const old = new BetterSqlite3(file);
    migrate(
      old,
      MIGRATIONS.filter((m) => m.version <= 5),
    );
    old.exec(`ATTACH DATABASE '${join(folder, 'source.db')}' AS source`);
    old.exec(`INSERT INTO cars (${V5_COLUMNS}) SELECT ${V5_COLUMNS} FROM source.cars`);
    old.exec('DETACH DATABASE source');
    old.close();

    const db = openDatabase(file);
    // The records are now unreadable: only the facts can answer the scan.
    db.exec(`DROP TRIGGER cars_facts_follow_body`);
    db.exec(`UPDATE cars SET body = '{}'`);
    db.close();
    const scanned = await scanAll(file);
    expect(new Map(scanned.map((s) => [s.car.id, s]))).toEqual(expected);
    // Opening again applies nothing more.
    const again = openDatabase(file);
    expect(migrate(again)).toEqual([]);
    again.close();
  });
});

describe('the facts in the write path', () => {
  const aStore = (): { db: Database; repository: SqliteCarRepository; file: string } => {
    const file = join(aFolder(), 'rectify.db');
    const db = openDatabase(file);
    return { db, repository: new SqliteCarRepository(db, testAudit()), file };
  };

  it('writes the facts of every CAR it creates and updates', async () => {
    const { db, repository } = aStore();
    for (const state of STATES) {
      const stored = await storeCarInState(repository, state);
      const row = rowOf(db, stored.car.id) as CarRow;
      expect(row.facts).toBe(factsOfBody(row));
      expect(decodeCarFacts(row.id, row.facts ?? '').state).toBe(state);
    }
    db.close();
  });

  it('changes neither record nor facts when the write fails inside its transaction', async () => {
    const { db, repository } = aStore();
    const stored = await storeCarInState(repository, 'recorded');
    const before = rowOf(db, stored.car.id);
    // The audit append is in the same transaction as the CAR's row: make it fail.
    db.exec(`CREATE TRIGGER fail_audit BEFORE INSERT ON audit_trail
             BEGIN SELECT RAISE(ABORT, 'the disk said no'); END`);
    const car = stored.car;
    const audit = changeWithAudit(car, 'startInvestigation', (c) =>
      c.startInvestigation(anOperationContext()),
    );
    expect(await failureOf(repository.update(car, stored.etag, audit))).toContain(
      'the disk said no',
    );
    expect(rowOf(db, stored.car.id)).toEqual(before);

    const fresh = aReportedCar();
    expect(
      await failureOf(repository.create(fresh, auditFor(fresh, 'report', fresh.reporter))),
    ).toContain('the disk said no');
    expect(rowOf(db, fresh.id)).toBeUndefined();
    db.close();
  });

  it('keeps the facts through a repository write that does not change them', async () => {
    const { db, repository } = aStore();
    const stored = await storeCarInState(repository, 'investigating');
    const before = rowOf(db, stored.car.id) as CarRow;
    const car = stored.car;
    const audit = changeWithAudit(car, 'recordContainment', (c) =>
      c.recordContainment(anOperationContext({ actor: THE_MR }), { description: 'Port closed' }),
    );
    await repository.update(car, stored.etag, audit);
    const after = rowOf(db, stored.car.id) as CarRow;
    expect(after.version).toBe(before.version + 1);
    expect(after.body).not.toBe(before.body);
    expect(after.facts).toBe(before.facts);
    db.close();
  });

  it('drops the facts of a record changed without them, and the scan reads the record', async () => {
    const { db, repository, file } = aStore();
    const stored = await storeCarInState(repository, 'implementing');
    db.prepare(
      "UPDATE cars SET body = json_set(body, '$.report.title', 'Edited by hand') WHERE id = ?",
    ).run(stored.car.id);
    expect(rowOf(db, stored.car.id)?.facts).toBeNull();
    const [scanned] = await scanAll(file);
    expect(scanned?.car.report.title).toBe('Edited by hand');
    db.close();
  });
});
