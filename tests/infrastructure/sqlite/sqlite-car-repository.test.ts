import { testAudit, testSeal } from '../../support/audit-seal.js';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { parseCarNumber } from '../../../src/domain/car/car-number.js';
import type { StoredCar } from '../../../src/domain/car/car-repository.js';
import { RectifyError } from '../../../src/domain/errors.js';
import {
  openDatabase,
  openDatabaseReadOnly,
  type Database,
} from '../../../src/infrastructure/sqlite/database.js';
import { MIGRATIONS, migrate } from '../../../src/infrastructure/sqlite/migrations.js';
import {
  SqliteCarRepository,
  verifyStore,
} from '../../../src/infrastructure/sqlite/sqlite-car-repository.js';
import { describeCarRepositoryContract } from '../../contract/car-repository.contract.js';
import {
  DEFAULT_TODAY,
  THE_MR,
  aReportedCar,
  anOperationContext,
  changeWithAudit,
  storeCarInState,
} from '../../support/car-mother.js';

const folders: string[] = [];

/** A database file in a folder that does not exist yet (openDatabase creates it). */
function aDatabaseFile(): string {
  const folder = mkdtempSync(join(tmpdir(), 'rectify-sqlite-'));
  folders.push(folder);
  return join(folder, 'data', 'rectify.db');
}

afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

describeCarRepositoryContract('SqliteCarRepository on a database file', () => {
  const db = openDatabase(aDatabaseFile());
  return Promise.resolve({
    repository: new SqliteCarRepository(db, testAudit()),
    close: () => {
      db.close();
      return Promise.resolve();
    },
  });
});

function aStore(file = aDatabaseFile()): { db: Database; repository: SqliteCarRepository } {
  const db = openDatabase(file);
  return { db, repository: new SqliteCarRepository(db, testAudit()) };
}

const record = async (
  repository: SqliteCarRepository,
  stored: StoredCar,
  at: string,
): Promise<StoredCar> => {
  const car = stored.car;
  const audit = changeWithAudit(
    car,
    'record',
    (c) => {
      c.record(anOperationContext({ now: at }), {
        classification: 'major_nc',
        severity: 'high',
      });
    },
    THE_MR,
    { at },
  );
  return repository.update(car, stored.etag, audit);
};

let reviews = 0;
const review = async (repository: SqliteCarRepository, stored: StoredCar): Promise<StoredCar> => {
  reviews += 1;
  const car = stored.car;
  const audit = changeWithAudit(car, 'addCommitteeReview', (c) => {
    c.addCommitteeReview(anOperationContext(), {
      id: `review-${reviews}`,
      meetingDate: DEFAULT_TODAY,
      minutesRef: 'SC-2026-03',
      decision: 'Noted',
    });
  });
  return repository.update(car, stored.etag, audit);
};

const auditCount = (db: Database): number =>
  db.prepare<[], { n: number }>('SELECT count(*) AS n FROM audit_trail').get()?.n ?? 0;

describe('SqliteCarRepository', () => {
  describe('durability', () => {
    it('opens the store in WAL mode with every commit synced, creating its folder', () => {
      const file = aDatabaseFile();
      const { db } = aStore(file);

      expect(existsSync(file)).toBe(true);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(2);
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
      db.close();
    });
  });

  describe('migrations', () => {
    it('applies every migration once and nothing when run again', () => {
      const file = aDatabaseFile();
      const { db } = aStore(file);
      const ledger = (): unknown[] =>
        db
          .prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version')
          .all();
      const before = ledger();

      expect(before).toHaveLength(MIGRATIONS.length);
      expect(migrate(db)).toEqual([]);
      expect(ledger()).toEqual(before);
      db.close();

      const reopened = openDatabase(file);
      expect(
        reopened.prepare('SELECT version, name, applied_at FROM schema_migrations').all(),
      ).toEqual(before);
      reopened.close();
    });

    it('refuses to open a database written by a newer release', () => {
      const file = aDatabaseFile();
      const { db } = aStore(file);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        999,
        'from the future',
        '2030-01-01T00:00:00.000Z',
      );
      db.close();

      expect(() => openDatabase(file)).toThrow(/schema version 999, newer than this release/);
      expect(() => openDatabaseReadOnly(file)).toThrow(/schema version 999/);
    });

    it('opens read-only without creating or migrating anything', () => {
      const missing = aDatabaseFile();

      expect(() => openDatabaseReadOnly(missing)).toThrow(/no database at/);
      expect(existsSync(missing)).toBe(false);
    });
  });

  describe('the audit trail', () => {
    const aTrail = async (): Promise<Database> => {
      const { db, repository } = aStore();
      await storeCarInState(repository, 'investigating');
      await storeCarInState(repository, 'rejected');
      return db;
    };

    it('is refused any UPDATE or DELETE by the database itself', async () => {
      const db = await aTrail();
      const count = auditCount(db);

      expect(() =>
        db.prepare("UPDATE audit_trail SET mac = 'edited' WHERE position = 1").run(),
      ).toThrow('audit_trail is append-only');
      expect(() => db.prepare('DELETE FROM audit_trail WHERE position = 1').run()).toThrow(
        'audit_trail is append-only',
      );
      expect(auditCount(db)).toBe(count);
      db.close();
    });

    it('verifies as intact when nobody touched it, one entry per operation', async () => {
      const db = await aTrail();
      const operations = db
        .prepare<[], { n: number }>('SELECT count(*) AS n FROM audit_trail')
        .get()?.n;

      expect(verifyStore(db, testSeal(), null)).toEqual({
        cars: 2,
        entries: operations,
        broken: [],
        other: [],
        checkpoints: false,
      });
      db.close();
    });

    it('verifies an empty trail as intact', () => {
      const { db } = aStore();

      expect(verifyStore(db, testSeal(), null)).toMatchObject({ cars: 0, entries: 0, broken: [] });
      db.close();
    });
  });

  describe('atomic writes', () => {
    it('stores nothing and consumes no number when the audit entries cannot be written', async () => {
      const { db, repository } = aStore();
      const stored = await storeCarInState(repository, 'reported');
      const count = auditCount(db);
      db.exec(
        "CREATE TRIGGER audit_trail_full BEFORE INSERT ON audit_trail BEGIN SELECT RAISE(ABORT, 'disk full'); END",
      );

      // better-sqlite3's SqliteError is not a real Error across jest's realms: match its fields.
      await expect(record(repository, stored, '2026-03-02T09:00:00.000Z')).rejects.toMatchObject({
        name: 'SqliteError',
        message: 'disk full',
      });

      db.exec('DROP TRIGGER audit_trail_full');
      const found = await repository.findById(stored.car.id);
      if (!found) throw new Error('the report is still stored');
      expect(found.etag).toBe(stored.etag);
      expect(found.car.state).toBe('reported');
      // The caller's CAR takes a number only from a committed write.
      expect(stored.car.number).toBeNull();
      expect(auditCount(db)).toBe(count);
      const recorded = await record(repository, found, '2026-03-02T09:00:00.000Z');
      expect(recorded.car.number).toBe('CAR-2026-0001');
      db.close();
    });

    it('turns away the second of two writers on the same file, whatever connection it uses', async () => {
      const file = aDatabaseFile();
      const first = aStore(file);
      const second = aStore(file);
      const stored = await storeCarInState(first.repository, 'reported');
      const seenBySecond = await second.repository.findById(stored.car.id);
      if (!seenBySecond) throw new Error('both connections see the same store');

      await record(first.repository, stored, '2026-03-02T09:00:00.000Z');

      await expect(
        record(second.repository, seenBySecond, '2026-03-02T09:00:00.000Z'),
      ).rejects.toMatchObject({ code: 'CAR.CONFLICT' });
      expect((await second.repository.findById(stored.car.id))?.car.number).toBe('CAR-2026-0001');
      first.db.close();
      second.db.close();
    });
  });

  describe('numbering on create', () => {
    it('numbers a CAR that is created already recorded, and audits the number', async () => {
      const { db, repository } = aStore();
      const car = aReportedCar();
      const audit = changeWithAudit(
        car,
        'record',
        (c) => {
          c.record(anOperationContext({ now: '2027-01-04T08:00:00.000Z' }), {
            classification: 'ofi',
            severity: 'low',
          });
        },
        THE_MR,
        { at: '2027-01-04T08:00:00.000Z' },
      );

      const { stored } = await repository.create(car, audit);

      expect(stored.car.number).toBe('CAR-2027-0001');
      expect(car.number).toBe('CAR-2027-0001');
      expect((await repository.history(car.id)).flatMap((e) => e.changes)).toContainEqual({
        field: 'number',
        oldValue: null,
        newValue: 'CAR-2027-0001',
      });
      db.close();
    });
  });

  describe('reading', () => {
    it('refuses a stored body changed behind the product, naming the CAR', async () => {
      const { db, repository } = aStore();
      const stored = await storeCarInState(repository, 'reported');
      db.prepare(`UPDATE cars SET body = json_set(body, '$.state', 'lost') WHERE id = ?`).run(
        stored.car.id,
      );

      const failure = await repository.findById(stored.car.id).then(
        () => null,
        (e: unknown) => e,
      );

      expect(failure).toBeInstanceOf(RectifyError);
      expect(failure).toMatchObject({
        code: 'CAR.INTEGRITY_FAILED',
        details: { id: stored.car.id },
      });
      db.close();
    });

    it('refuses a cursor issued for another sort order', async () => {
      const { db, repository } = aStore();
      for (let i = 0; i < 3; i += 1) await storeCarInState(repository, 'reported');
      const base = {
        today: DEFAULT_TODAY,
        visibility: { kind: 'all' },
        limit: 1,
      } as const;
      const page = await repository.list({ ...base, sort: 'reportedAt', order: 'asc' });

      await expect(
        repository.list({ ...base, sort: 'number', order: 'asc', cursor: page.nextCursor ?? '' }),
      ).rejects.toMatchObject({ code: 'REQUEST.VALIDATION', details: { field: 'cursor' } });
      await expect(
        repository.list({
          ...base,
          sort: 'reportedAt',
          order: 'desc',
          cursor: page.nextCursor ?? '',
        }),
      ).rejects.toMatchObject({ code: 'REQUEST.VALIDATION', details: { field: 'cursor' } });
      db.close();
    });
  });

  describe('numbering under any interleaving', () => {
    type Command =
      | { readonly kind: 'report' }
      | {
          readonly kind: 'record';
          readonly car: number;
          readonly year: number;
          readonly stale: boolean;
        };

    const command: fc.Arbitrary<Command> = fc.oneof(
      fc.constant<Command>({ kind: 'report' }),
      fc.record({
        kind: fc.constant('record' as const),
        car: fc.nat(),
        year: fc.nat(),
        stale: fc.boolean(),
      }),
    );

    it('numbers each year 1..n with no gap and no duplicate, refusing every stale write', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 2, max: 3 }),
          fc.array(command, { minLength: 1, maxLength: 30 }),
          async (yearCount, commands) => {
            const { db, repository } = aStore();
            try {
              const cars: StoredCar[] = [];
              const recordedPerYear = new Map<number, number>();
              for (const c of commands) {
                if (c.kind === 'report') {
                  cars.push(await storeCarInState(repository, 'reported'));
                  continue;
                }
                const index = cars.length === 0 ? -1 : c.car % cars.length;
                const target = cars[index];
                if (!target || target.car.state !== 'reported') continue;
                const year = 2024 + (c.year % yearCount);
                const at = `${year}-0${(c.year % 9) + 1}-15T12:00:00.000Z`;
                if (c.stale) {
                  // Someone else saves the CAR first; this writer still holds the old etag.
                  cars[index] = await review(repository, target);
                  await expect(record(repository, target, at)).rejects.toMatchObject({
                    code: 'CAR.CONFLICT',
                  });
                } else {
                  cars[index] = await record(repository, target, at);
                  recordedPerYear.set(year, (recordedPerYear.get(year) ?? 0) + 1);
                }
              }

              const page = await repository.list({
                today: DEFAULT_TODAY,
                visibility: { kind: 'all' },
                sort: 'number',
                order: 'asc',
                limit: 1000,
              });
              const numbers = page.items.flatMap((s) => (s.car.number ? [s.car.number] : []));
              const perYear = new Map<number, number[]>();
              for (const n of numbers) {
                const { year, sequence } = parseCarNumber(n);
                perYear.set(year, [...(perYear.get(year) ?? []), sequence]);
              }
              for (const [year, count] of recordedPerYear)
                expect(perYear.get(year)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
              expect(numbers).toHaveLength(
                [...recordedPerYear.values()].reduce((a, b) => a + b, 0),
              );
              expect(verifyStore(db, testSeal(), null).broken).toEqual([]);
            } finally {
              db.close();
            }
          },
        ),
        { numRuns: 40 },
      );
    });
  });
});
