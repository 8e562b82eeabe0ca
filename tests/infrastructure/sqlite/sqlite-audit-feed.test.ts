import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { AuditFeed, CarChange } from '../../../src/application/ports/audit-feed.js';
import { openDatabase, type Database } from '../../../src/infrastructure/sqlite/database.js';
import { SqliteAuditFeed } from '../../../src/infrastructure/sqlite/sqlite-audit-feed.js';
import { SqliteCarRepository } from '../../../src/infrastructure/sqlite/sqlite-car-repository.js';
import { stepsTo, storeCarInState } from '../../support/car-mother.js';

/** Reads the whole feed `limit` changes at a time. */
async function readAll(feed: AuditFeed, limit: number, from: string | null = null) {
  const changes: CarChange[] = [];
  let position = from;
  for (;;) {
    const page = await feed.read(position, limit);
    if (page.next === null) return { changes, position };
    changes.push(...page.changes);
    position = page.next;
  }
}

describe('SqliteAuditFeed', () => {
  let dir: string;
  let db: Database;
  let feed: SqliteAuditFeed;
  let repository: SqliteCarRepository;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'rectify-feed-'));
    db = openDatabase(path.join(dir, 'rectify.db'));
    feed = new SqliteAuditFeed(db);
    repository = new SqliteCarRepository(db);
  });

  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers each write once, in the order written, whatever the page size', async () => {
    const first = await storeCarInState(repository, 'investigating');
    const second = await storeCarInState(repository, 'recorded');
    const expected = [
      ...['report', ...stepsTo('investigating').map((s) => s.operation)].map((op) => [
        first.car.id,
        op,
      ]),
      ...['report', 'record'].map((op) => [second.car.id, op]),
    ];
    const rows = (db.prepare('SELECT count(*) AS n FROM audit_log').get() as { n: number }).n;

    const whole = await readAll(feed, 1000);
    const paged = await readAll(feed, 1);

    expect(rows).toBeGreaterThan(expected.length);
    expect(whole.changes.map((c) => [c.carId, c.operation])).toEqual(expected);
    expect(paged.changes).toEqual(whole.changes);
    expect(new Set(whole.changes.map((c) => c.id)).size).toBe(expected.length);
  });

  it('starts a new reader at the head and then answers only later writes', async () => {
    await storeCarInState(repository, 'recorded');
    const head = await feed.head();

    expect(await feed.read(head, 10)).toEqual({ changes: [], next: null });
    const later = await storeCarInState(repository, 'reported');
    const page = await feed.read(head, 10);

    expect(page.changes.map((c) => [c.carId, c.operation])).toEqual([[later.car.id, 'report']]);
    expect(page.next).toBe(await feed.head());
  });

  it('answers an empty store from the beginning and refuses a position it never gave', async () => {
    expect(await feed.head()).toBeNull();
    expect(await feed.read(null, 10)).toEqual({ changes: [], next: null });
    await expect(feed.read('not-a-position', 10)).rejects.toThrow(/position/);
  });
});
