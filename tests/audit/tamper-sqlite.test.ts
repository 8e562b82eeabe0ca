import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { localDate } from '../../src/domain/calendar/local-date.js';
import type { StoredCar } from '../../src/domain/car/car-repository.js';
import { AuditSeal } from '../../src/infrastructure/audit/audit-seal.js';
import { sealEntry } from '../../src/infrastructure/audit/audit-trail.js';
import { openDatabase, type Database } from '../../src/infrastructure/sqlite/database.js';
import {
  SqliteCarRepository,
  verifyStore,
  type StoreVerification,
} from '../../src/infrastructure/sqlite/sqlite-car-repository.js';
import { testAudit, testSeal } from '../support/audit-seal.js';
import { storeCarInState } from '../support/car-mother.js';

/**
 * Every kind of change made to the SQLite file behind Rectify's back, each detected by the
 * verification audit:verify runs and refused by the repository the API reads through.
 */

const folders: string[] = [];
afterAll(() => {
  for (const f of folders) rmSync(f, { recursive: true, force: true });
});

interface World {
  readonly db: Database;
  readonly repository: SqliteCarRepository;
  readonly checkpoints: string;
  readonly closed: StoredCar;
  readonly other: StoredCar;
  verify(): StoreVerification;
  /** The kinds of problem found for a CAR. */
  kindsOf(carId: string): string[];
}

async function aWorld(): Promise<World> {
  const folder = mkdtempSync(join(tmpdir(), 'rectify-tamper-'));
  folders.push(folder);
  const db = openDatabase(join(folder, 'data', 'rectify.db'));
  const checkpoints = join(folder, 'checkpoints');
  const repository = new SqliteCarRepository(db, testAudit(checkpoints));
  const closed = await storeCarInState(repository, 'investigating');
  const other = await storeCarInState(repository, 'recorded');
  const verify = (): StoreVerification => verifyStore(db, testSeal(), checkpoints);
  return {
    db,
    repository,
    checkpoints,
    closed,
    other,
    verify,
    kindsOf: (carId) =>
      verify()
        .broken.filter((v) => v.carId === carId)
        .flatMap((v) => v.problems.map((p) => p.kind)),
  };
}

const refused = async (world: World, carId: string): Promise<void> => {
  await expect(world.repository.findById(carId)).rejects.toMatchObject({
    code: 'CAR.INTEGRITY_FAILED',
    details: { id: carId },
  });
};

const dropGuards = (db: Database): void => {
  db.exec('DROP TRIGGER audit_trail_no_update; DROP TRIGGER audit_trail_no_delete;');
};

describe('tampering with the SQLite store', () => {
  it('finds nothing when nobody touched it', async () => {
    const world = await aWorld();

    expect(world.verify()).toMatchObject({ cars: 2, broken: [], other: [], checkpoints: true });
    expect((await world.repository.findById(world.closed.car.id))?.car.state).toBe('investigating');
    world.db.close();
  });

  it('an edited record (cars.body): detected and refused', async () => {
    const world = await aWorld();
    world.db
      .prepare(
        "UPDATE cars SET body = json_set(body, '$.report.title', 'Nothing happened') WHERE id = ?",
      )
      .run(world.closed.car.id);

    expect(world.kindsOf(world.closed.car.id)).toContain('record_mismatch');
    expect(world.kindsOf(world.other.car.id)).toEqual([]);
    await refused(world, world.closed.car.id);
    await expect(
      world.repository.update(world.closed.car, world.closed.etag, {
        carId: world.closed.car.id,
        operation: 'acknowledge',
        actor: { id: 'mr', name: 'MR' },
        at: '2026-03-05T09:00:00.000Z',
        reason: null,
        changes: [],
      }),
    ).rejects.toMatchObject({ code: 'CAR.INTEGRITY_FAILED' });
    world.db.close();
  });

  it('an edited indexed column (cars.state set to closed): detected, refused in a list too', async () => {
    const world = await aWorld();
    world.db.prepare("UPDATE cars SET state = 'closed' WHERE id = ?").run(world.closed.car.id);

    expect(world.kindsOf(world.closed.car.id)).toContain('column_mismatch');
    await refused(world, world.closed.car.id);
    await expect(
      world.repository.list({
        states: ['closed'],
        sort: 'reportedAt',
        order: 'asc',
        limit: 10,
        today: localDate('2026-03-05'),
        visibility: { kind: 'all' },
      }),
    ).rejects.toMatchObject({ code: 'CAR.INTEGRITY_FAILED' });
    world.db.close();
  });

  it('an edited entry: detected as not matching its MAC', async () => {
    const world = await aWorld();
    dropGuards(world.db);
    world.db
      .prepare(
        `UPDATE audit_trail SET entry = replace(entry, '"operation":"report"', '"operation":"import"')
          WHERE car_id = ? AND car_seq = 1`,
      )
      .run(world.closed.car.id);

    const verdict = world.verify().broken.find((v) => v.carId === world.closed.car.id);
    expect(verdict?.problems).toContainEqual(
      expect.objectContaining({ sequence: 1, kind: 'entry_forged' }),
    );
    world.db.close();
  });

  it('a deleted entry: detected as a gap', async () => {
    const world = await aWorld();
    dropGuards(world.db);
    world.db
      .prepare('DELETE FROM audit_trail WHERE car_id = ? AND car_seq = 2')
      .run(world.closed.car.id);

    expect(world.kindsOf(world.closed.car.id)).toContain('sequence_gap');
    world.db.close();
  });

  it('reordered entries: detected', async () => {
    const world = await aWorld();
    dropGuards(world.db);
    const rows = world.db
      .prepare<[string], { position: number; entry: string; mac: string }>(
        'SELECT position, entry, mac FROM audit_trail WHERE car_id = ? AND car_seq IN (2, 3) ORDER BY car_seq',
      )
      .all(world.closed.car.id);
    const [two, three] = rows;
    if (!two || !three) throw new Error('the CAR has entries 2 and 3');
    const set = world.db.prepare('UPDATE audit_trail SET entry = ?, mac = ? WHERE position = ?');
    set.run(three.entry, three.mac, two.position);
    set.run(two.entry, two.mac, three.position);

    expect(world.kindsOf(world.closed.car.id)).toContain('sequence_gap');
    world.db.close();
  });

  it('a truncated trail (last entries deleted): detected at the head', async () => {
    const world = await aWorld();
    dropGuards(world.db);
    world.db
      .prepare(
        'DELETE FROM audit_trail WHERE car_id = ? AND car_seq > (SELECT audit_seq - 2 FROM cars WHERE id = ?)',
      )
      .run(world.closed.car.id, world.closed.car.id);

    expect(world.kindsOf(world.closed.car.id)).toContain('head_mismatch');
    await refused(world, world.closed.car.id);
    world.db.close();
  });

  it('a trail cut back with its record and head as they were: caught by the checkpoint', async () => {
    const world = await aWorld();
    const id = world.closed.car.id;
    // The CAR as an attacker's old copy has it: row and head before two later operations.
    const before = world.db
      .prepare<[string], { audit_seq: number; audit_mac: string; version: number }>(
        'SELECT audit_seq, audit_mac, version FROM cars WHERE id = ?',
      )
      .get(id);
    if (!before) throw new Error('the CAR is stored');
    let current = world.closed;
    for (const at of ['2026-03-06T09:00:00.000Z', '2026-03-07T09:00:00.000Z'])
      current = await world.repository.update(current.car, current.etag, {
        carId: id,
        operation: 'acknowledge',
        actor: { id: 'mr', name: 'MR' },
        at,
        reason: 'seen',
        changes: [],
      });
    dropGuards(world.db);
    world.db
      .prepare('DELETE FROM audit_trail WHERE car_id = ? AND car_seq > ?')
      .run(id, before.audit_seq);
    world.db
      .prepare(
        'UPDATE cars SET audit_seq = ?, audit_mac = ?, version = ?, updated_at = ? WHERE id = ?',
      )
      .run(before.audit_seq, before.audit_mac, before.version, world.closed.updatedAt, id);

    // Everything in the store agrees with itself; only the checkpoint remembers.
    expect(verifyStore(world.db, testSeal(), null).broken).toEqual([]);
    expect(world.kindsOf(id)).toEqual(['truncated']);
    world.db.close();
  });

  it('a forged entry appended (closed by someone), with the head moved to it: detected', async () => {
    const world = await aWorld();
    const id = world.closed.car.id;
    const row = world.db
      .prepare<[string], { audit_seq: number; audit_mac: string; body: string }>(
        'SELECT audit_seq, audit_mac, body FROM cars WHERE id = ?',
      )
      .get(id);
    if (!row) throw new Error('the CAR is stored');
    const body = JSON.stringify({ ...(JSON.parse(row.body) as object), state: 'closed' });
    const store = world.db
      .prepare<[], { value: string }>("SELECT value FROM store_meta WHERE key = 'store_id'")
      .get()?.value;
    // Sealed with a key of the forger's own, since the store holds none.
    const forged = sealEntry(AuditSeal.fromText('c3'.repeat(32)), {
      store: store ?? '',
      head: { seq: row.audit_seq, mac: row.audit_mac },
      audit: {
        carId: id,
        operation: 'close',
        actor: { id: 'jordan', name: 'Jordan Lee' },
        at: '2026-03-09T09:00:00.000Z',
        reason: null,
        changes: [{ field: 'state', oldValue: 'investigating', newValue: 'closed' }],
      },
      extra: [],
      recordText: body,
    });
    world.db
      .prepare(
        `INSERT INTO audit_trail (car_id, car_seq, operation, actor_id, at, entry, mac)
         VALUES (?, ?, 'close', 'jordan', '2026-03-09T09:00:00.000Z', ?, ?)`,
      )
      .run(id, forged.entry.seq, forged.text, forged.mac);
    world.db
      .prepare(
        "UPDATE cars SET body = ?, state = 'closed', audit_seq = ?, audit_mac = ? WHERE id = ?",
      )
      .run(body, forged.entry.seq, forged.mac, id);

    expect(world.kindsOf(id)).toContain('other_key');
    await refused(world, id);
    world.db.close();
  });

  it('a CAR deleted with its whole trail: caught by the checkpoint', async () => {
    const world = await aWorld();
    const id = world.other.car.id;
    dropGuards(world.db);
    world.db.exec('PRAGMA foreign_keys = OFF');
    world.db.prepare('DELETE FROM audit_trail WHERE car_id = ?').run(id);
    world.db.prepare('DELETE FROM car_actions WHERE car_id = ?').run(id);
    world.db.prepare('DELETE FROM cars WHERE id = ?').run(id);

    expect(world.kindsOf(id)).toEqual(['car_missing']);
    world.db.close();
  });

  it('a forged checkpoint line: reported, never trusted', async () => {
    const world = await aWorld();
    const [file] = (await import('node:fs')).readdirSync(world.checkpoints);
    if (!file) throw new Error('a checkpoint file');
    const path = join(world.checkpoints, file);
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    const last = lines.at(-1) ?? '';
    writeFileSync(path, `${lines.join('\n')}\n${last.replace('"seq":', '"seq":9')}\n`);

    expect(world.verify().other).toContainEqual(
      expect.objectContaining({ kind: 'checkpoint_forged' }),
    );
    world.db.close();
  });
});
