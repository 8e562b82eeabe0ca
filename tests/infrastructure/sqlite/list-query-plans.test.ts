/**
 * The first page of every list query and sort is read from an index in the sort's order: no
 * query plan sorts the matching rows (`USE TEMP B-TREE FOR ORDER BY`), so a page costs the same
 * at 1,000 CARs as at 100,000. Checked with EXPLAIN QUERY PLAN on the statements the repository
 * really runs (recorded from the connection), first pages and next pages.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Database, Statement } from 'better-sqlite3';
import type { CarQuery, CarSortField } from '../../../src/domain/car/car-repository.js';
import { localDate } from '../../../src/domain/calendar/local-date.js';
import { SqliteStateStore } from '../../../src/infrastructure/sqlite/sqlite-state-store.js';
import { SqliteCarRepository } from '../../../src/infrastructure/sqlite/sqlite-car-repository.js';
import { seedCars, type SeededData } from '../../support/seeded-cars.js';
import { testAudit } from '../../support/audit-seal.js';

interface Ran {
  readonly sql: string;
  readonly params: unknown[];
}

let dir: string;
let data: SeededData;
let ran: Ran[] = [];
let repository: SqliteCarRepository;

/** Records every statement run through `all` on the connection, with its parameters. */
function recording(db: Database): void {
  const prepare = db.prepare.bind(db);
  (db as { prepare: unknown }).prepare = (sql: string): Statement => {
    const statement = prepare(sql);
    const all = statement.all.bind(statement);
    (statement as { all: unknown }).all = (...params: unknown[]) => {
      ran.push({ sql, params });
      return all(...params);
    };
    return statement;
  };
}

function plan(db: Database, r: Ran): string[] {
  return db
    .prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${r.sql}`)
    .all(...r.params)
    .map((row) => row.detail);
}

const SORTS: readonly CarSortField[] = ['reportedAt', 'updatedAt', 'number', 'dueDate'];
const today = localDate('2026-11-28');
const FILTERS: Record<string, Partial<CarQuery>> = {
  'no filter': {},
  'one state': { states: ['implementing'] },
  'two states': { states: ['implementing', 'verifying'] },
  'a type': { types: ['security_incident'] },
  'a classification': { classifications: ['major_nc'] },
  overdue: { overdue: true },
  'words of text': { text: 'access log' },
  'an action kind': { actionKinds: ['corrective'] },
  'an action owner': { actionOwnerId: 'seed-owner-1' },
};

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'rectify-plans-'));
  data = await seedCars({ file: path.join(dir, 'rectify.db'), count: 80 });
  repository = new SqliteCarRepository(data.db, testAudit());
  recording(data.db);
}, 60_000);

afterAll(() => {
  data.db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the CAR list query plans', () => {
  for (const sort of SORTS)
    for (const order of ['asc', 'desc'] as const)
      for (const [name, filter] of Object.entries(FILTERS))
        it(`reads ${name}, by ${sort} ${order}, first and next pages, without sorting`, async () => {
          const query: CarQuery = {
            today,
            visibility: { kind: 'all' },
            sort,
            order,
            limit: 5,
            ...filter,
          };
          ran = [];
          const first = await repository.list(query);
          const pages = [first];
          // Walk on until the NULLs-last part has been read too, where the sort has one.
          for (let i = 0; i < 40 && pages.at(-1)?.nextCursor; i += 1)
            pages.push(await repository.list({ ...query, cursor: pages.at(-1)?.nextCursor ?? '' }));
          const lists = ran.filter((r) => r.sql.includes('FROM cars c'));
          expect(lists.length).toBeGreaterThan(0);
          for (const r of lists) {
            const steps = plan(data.db, r);
            expect(steps.filter((s) => /TEMP B-TREE/.test(s))).toEqual([]);
            expect(steps.some((s) => /^(SCAN|SEARCH) c USING (COVERING )?INDEX /.test(s))).toBe(
              true,
            );
          }
        });

  it('reads the pages of a sort in one total order, NULLs last, whatever the filter', async () => {
    for (const sort of SORTS)
      for (const order of ['asc', 'desc'] as const) {
        const query: CarQuery = { today, visibility: { kind: 'all' }, sort, order, limit: 7 };
        const ids: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await repository.list({ ...query, cursor });
          ids.push(...page.items.map((s) => s.car.id));
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
        const everything = await repository.list({ ...query, limit: 10_000 });
        expect(ids).toEqual(everything.items.map((s) => s.car.id));
        expect(new Set(ids).size).toBe(80);
      }
  });
});

describe('the outbox claim query plan', () => {
  it('reads due entries in (due_at, key) order from the index', async () => {
    const store = new SqliteStateStore(data.db);
    ran = [];
    await store.due('outbox.reminders', '2026-11-28T12:00:00.000Z', 50);
    const claim = ran.find((r) => r.sql.includes('FROM state_records'));
    expect(claim).toBeDefined();
    const steps = plan(data.db, claim as Ran);
    expect(steps.filter((s) => /TEMP B-TREE/.test(s))).toEqual([]);
    expect(steps.join(' ')).toContain('state_records_due');
  });
});
