/**
 * The analysis scans of both stores: every CAR once, with its etag, the action plan's time
 * carried, in batches, without holding up writers.
 */
import { testAudit } from '../../support/audit-seal.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CarScan, ScannedCar } from '../../../src/application/ports/car-scan.js';
import type { Database } from '../../../src/infrastructure/sqlite/database.js';
import { openDatabase } from '../../../src/infrastructure/sqlite/database.js';
import { SqliteCarRepository } from '../../../src/infrastructure/sqlite/sqlite-car-repository.js';
import { SqliteCarScan } from '../../../src/infrastructure/sqlite/sqlite-car-scan.js';
import { GraphCarScan } from '../../../src/infrastructure/graph/graph-car-scan.js';
import { resolveRectifyLists } from '../../../src/infrastructure/graph/graph-list-car-repository.js';
import type { CarRepository } from '../../../src/domain/car/car-repository.js';
import type { CarState } from '../../../src/domain/car/lifecycle.js';
import { startGraphFixture, type GraphFixture } from '../../graph/graph-fixture.js';
import { DEFAULT_NOW, storeCarInState } from '../../support/car-mother.js';

const STATES: CarState[] = ['reported', 'investigating', 'action_planned', 'verifying', 'closed'];

async function collect(scan: CarScan, batchSize?: number) {
  const batches: (readonly ScannedCar[])[] = [];
  for await (const b of scan.scan(batchSize === undefined ? {} : { batchSize })) batches.push(b);
  return { batches, cars: batches.flat() };
}

async function storeOneOfEach(repository: CarRepository): Promise<Map<string, CarState>> {
  const ids = new Map<string, CarState>();
  for (const state of STATES) {
    const stored = await storeCarInState(repository, state);
    ids.set(stored.car.id, state);
  }
  return ids;
}

/** What a scan must say of a CAR: the same facts as the repository's own read. */
async function expectSameAsRepository(repository: CarRepository, scanned: ScannedCar) {
  const stored = await repository.findById(scanned.car.id);
  const p = stored?.car.toPrimitives();
  expect(scanned.etag).toBe(stored?.etag);
  expect(scanned.car).toEqual({
    id: p?.id,
    number: p?.number,
    state: p?.state,
    report: {
      type: p?.report.type,
      relatesTo: p?.report.relatesTo,
      source: p?.report.source,
      title: p?.report.title,
      confidential: p?.report.confidential,
    },
    reportedAt: p?.reportedAt,
    triage: p?.triage ? { decision: p.triage.decision, at: p.triage.at, on: p.triage.on } : null,
    classification: p?.classification,
    severity: p?.severity,
    investigation: { causeCategory: p?.investigation.causeCategory },
    actions: p?.actions.map((a) => ({
      id: a.id,
      title: a.title,
      owner: a.owner,
      dueDate: a.dueDate,
      status: a.status,
      completedOn: a.completedOn,
    })),
    plannedAt: p?.plannedAt,
    procedureLinks: p?.procedureLinks.map((l) => ({ procedureId: l.procedureId, title: l.title })),
    verifications: p?.verifications.map((v) => ({
      round: v.round,
      at: v.at,
      effective: v.effective,
    })),
    effectivenessDueDate: p?.effectivenessDueDate,
    closure: p?.closure
      ? { at: p.closure.at, feedsManagementReview: p.closure.feedsManagementReview }
      : null,
    reopenings: p?.reopenings.map((r) => ({ at: r.at, reason: r.reason })),
    committeeReviews: p?.committeeReviews.map((r) => ({
      id: r.id,
      meetingDate: r.meetingDate,
      minutesRef: r.minutesRef,
      decision: r.decision,
      followUp: r.followUp,
      at: r.at,
    })),
  });
}

describe('the SQLite scan', () => {
  let dir: string;
  let db: Database;
  let repository: SqliteCarRepository;
  let opened: { scan: SqliteCarScan; close: () => void };

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'rectify-scan-'));
    db = openDatabase(path.join(dir, 'rectify.db'));
    repository = new SqliteCarRepository(db, testAudit());
    opened = SqliteCarScan.open(path.join(dir, 'rectify.db'));
  });
  afterEach(() => {
    opened.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads every CAR once, in batches, as the repository reads it', async () => {
    const ids = await storeOneOfEach(repository);
    const { batches, cars } = await collect(opened.scan, 2);
    expect(batches.map((b) => b.length)).toEqual([2, 2, 1]);
    expect(cars.map((c) => c.car.id).sort()).toEqual([...ids.keys()].sort());
    for (const c of cars) {
      expect(c.car.state).toBe(ids.get(c.car.id));
      await expectSameAsRepository(repository, c);
    }
  });

  it('carries the time of the action plan, and reads older records without it as null', async () => {
    const planned = await storeCarInState(repository, 'action_planned');
    expect(planned.car.toPrimitives().plannedAt).toBe(DEFAULT_NOW);
    expect((await repository.findById(planned.car.id))?.car.toPrimitives().plannedAt).toBe(
      DEFAULT_NOW,
    );
    const older = await storeCarInState(repository, 'implementing');
    db.prepare("UPDATE cars SET body = json_remove(body, '$.plannedAt') WHERE id = ?").run(
      older.car.id,
    );
    // The repository refuses a record changed behind its back; the scan reads it as it is.
    await expect(repository.findById(older.car.id)).rejects.toMatchObject({
      code: 'CAR.INTEGRITY_FAILED',
    });
    const { cars } = await collect(opened.scan);
    const byId = new Map(cars.map((c) => [c.car.id, c.car]));
    expect(byId.get(planned.car.id)?.plannedAt).toBe(DEFAULT_NOW);
    expect(byId.get(older.car.id)?.plannedAt).toBeNull();
  });

  it('lets writers carry on while a scan is paused, and sees one state of the store', async () => {
    await storeOneOfEach(repository);
    const iterator = opened.scan.scan({ batchSize: 2 })[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value).toHaveLength(2);
    // A write on the main connection while the scan holds its read.
    const added = await storeCarInState(repository, 'recorded');
    let rest = 0;
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) rest += r.value.length;
    expect(2 + rest).toBe(STATES.length);
    const again = await collect(opened.scan);
    expect(again.cars.map((c) => c.car.id)).toContain(added.car.id);
  });

  it('frees its connection when the reader stops early', async () => {
    await storeOneOfEach(repository);
    for await (const batch of opened.scan.scan({ batchSize: 1 })) {
      expect(batch).toHaveLength(1);
      break;
    }
    expect((await collect(opened.scan)).cars).toHaveLength(STATES.length);
  });

  it('fails loudly, naming the CAR, on a stored record that does not parse', async () => {
    const stored = await storeCarInState(repository, 'recorded');
    db.prepare("UPDATE cars SET body = json_set(body, '$.state', 'lost') WHERE id = ?").run(
      stored.car.id,
    );
    await expect(collect(opened.scan)).rejects.toThrow(stored.car.id);
  });
});

describe('the Graph scan', () => {
  let fixture: GraphFixture;
  let scan: GraphCarScan;

  beforeAll(async () => {
    fixture = await startGraphFixture();
    scan = new GraphCarScan(fixture.lists, await resolveRectifyLists(fixture.lists));
  });
  afterAll(async () => {
    await fixture.close();
  });

  it('pages through the CARs list: every CAR once, as the repository reads it', async () => {
    const ids = await storeOneOfEach(fixture.repository);
    fixture.emulator.resetLog();
    const { batches, cars } = await collect(scan, 2);
    expect(batches.map((b) => b.length)).toEqual([2, 2, 1]);
    expect(fixture.emulator.counts().http).toBe(3);
    expect(cars.map((c) => c.car.id).sort()).toEqual([...ids.keys()].sort());
    for (const c of cars) await expectSameAsRepository(fixture.repository, c);
    const planned = cars.find((c) => c.car.state === 'action_planned');
    expect(planned?.car.plannedAt).toBe(DEFAULT_NOW);
    expect(cars.find((c) => c.car.state === 'reported')?.car.plannedAt).toBeNull();
  });
});
