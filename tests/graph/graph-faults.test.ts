import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { StoredCar } from '../../src/domain/car/car-repository.js';
import { A, AUDIT_LIST, CARS_LIST } from '../../src/infrastructure/graph/rectify-lists.js';
import {
  THE_MR,
  aReportedCar,
  anIdempotencyClaim,
  anOperationContext,
  auditFor,
  changeWithAudit,
  storeCarInState,
} from '../support/car-mother.js';
import { startGraphFixture, type GraphFixture } from './graph-fixture.js';

const itemsIn = (fixture: GraphFixture, list: string): number =>
  fixture.emulator.listByName(list)?.items.size ?? -1;

const reviewed = async (fixture: GraphFixture, stored: StoredCar): Promise<StoredCar> => {
  const car = stored.car;
  const audit = changeWithAudit(car, 'addCommitteeReview', (c) => {
    c.addCommitteeReview(anOperationContext(), {
      id: `review-${String(Math.random()).slice(2)}`,
      meetingDate: anOperationContext().today,
      minutesRef: 'SC-2026-03',
      decision: 'Noted',
    });
  });
  return fixture.repository.update(car, stored.etag, audit);
};

/** The CAR's trail is one unbroken hash chain ending at the head the CAR item holds. */
const chainOf = async (fixture: GraphFixture, carId: string): Promise<{ ok: boolean }> => {
  const verdict = await fixture.repository.verifyCar(carId);
  return { ok: verdict.problems.length === 0 };
};

describe('GraphListCarRepository under Graph faults', () => {
  let fixture: GraphFixture;

  beforeEach(async () => {
    fixture = await startGraphFixture({ retry: { baseDelayMs: 20 } });
  });

  afterEach(async () => {
    await fixture.close();
  });

  describe('a 504 returned after the write happened', () => {
    it('makes no duplicate of a report created with an idempotency key', async () => {
      fixture.emulator.fail({
        status: 504,
        pathIncludes: '/$batch',
        where: 'top',
        afterWrite: true,
      });
      const car = aReportedCar();

      const { stored, replayed } = await fixture.repository.create(
        car,
        auditFor(car, 'report'),
        anIdempotencyClaim(),
      );

      expect(replayed).toBe(false);
      expect(stored.car.id).toBe(car.id);
      expect(itemsIn(fixture, CARS_LIST.displayName)).toBe(1);
      expect(itemsIn(fixture, AUDIT_LIST.displayName)).toBe(1);
      expect(fixture.emulator.faults[0]?.times).toBe(0);
    });

    it('makes no duplicate of a report created without a key', async () => {
      fixture.emulator.fail({
        status: 504,
        pathIncludes: '/$batch',
        where: 'top',
        afterWrite: true,
      });
      const car = aReportedCar();

      await fixture.repository.create(car, auditFor(car, 'report'));

      expect(itemsIn(fixture, CARS_LIST.displayName)).toBe(1);
      expect((await fixture.repository.findById(car.id))?.car.toPrimitives()).toEqual(
        car.toPrimitives(),
      );
    });

    it('reports an update that landed as saved, not as a conflict, and numbers it once', async () => {
      const stored = await storeCarInState(fixture.repository, 'reported');
      fixture.emulator.fail({
        status: 504,
        pathIncludes: '/$batch',
        where: 'top',
        afterWrite: true,
      });
      const car = stored.car;
      const audit = changeWithAudit(car, 'record', (c) => {
        c.record(anOperationContext(), { classification: 'major_nc', severity: 'high' });
      });

      const updated = await fixture.repository.update(car, stored.etag, audit);

      expect(updated.car.number).toBe('CAR-2026-0001');
      const next = await storeCarInState(fixture.repository, 'recorded');
      expect(next.car.number).toBe('CAR-2026-0002');
      expect((await chainOf(fixture, car.id)).ok).toBe(true);
    });

    it('never sends a create again that is not keyed', async () => {
      fixture.emulator.fail({
        status: 504,
        method: 'POST',
        pathIncludes: '/lists',
        where: 'top',
        afterWrite: true,
      });

      await expect(
        fixture.lists.createList({ displayName: 'Scratch', list: { template: 'genericList' } }),
      ).rejects.toMatchObject({ status: 504 });

      expect(fixture.emulator.site.lists.filter((l) => l.displayName === 'Scratch')).toHaveLength(
        1,
      );
      expect(
        fixture.emulator.log.filter((r) => r.path.endsWith('/lists') && r.method === 'POST'),
      ).toHaveLength(1);
    });
  });

  describe('a Graph call that hangs', () => {
    let slow: GraphFixture;

    beforeEach(async () => {
      slow = await startGraphFixture({ timeoutMs: 400, retry: { baseDelayMs: 10, maxRetries: 2 } });
    });

    afterEach(async () => {
      await slow.close();
    });

    it('fails with a clear error once the timeout has passed, after trying the read again', async () => {
      const stored = await storeCarInState(slow.repository, 'reported');
      const hang = slow.emulator.hang({ method: 'GET' });
      const started = Date.now();

      const failure = await slow.repository.findById(stored.car.id).then(
        () => null,
        (e: unknown) => e,
      );

      expect(failure).toMatchObject({ status: 504, code: 'timeout' });
      expect((failure as Error).message).toMatch(
        /querying list items: Graph did not answer GET \/v1\.0\/sites\/.+ within 400 ms/,
      );
      expect(hang.caught).toBe(3);
      expect(Date.now() - started).toBeGreaterThanOrEqual(3 * 400);
    });

    it('makes no duplicate of a report whose write happened before the answer hung', async () => {
      const hang = slow.emulator.hang({ pathIncludes: '/$batch', afterWrite: true, times: 1 });
      const car = aReportedCar();

      const { stored, replayed } = await slow.repository.create(car, auditFor(car, 'report'));

      expect(replayed).toBe(false);
      expect(stored.car.id).toBe(car.id);
      expect(hang.caught).toBe(1);
      expect(itemsIn(slow, CARS_LIST.displayName)).toBe(1);
      expect(itemsIn(slow, AUDIT_LIST.displayName)).toBe(1);
      expect((await chainOf(slow, car.id)).ok).toBe(true);
    });

    it('reports an update whose write happened before the answer hung as saved, numbered once', async () => {
      const stored = await storeCarInState(slow.repository, 'reported');
      slow.emulator.hang({ pathIncludes: '/$batch', afterWrite: true, times: 1 });
      const car = stored.car;
      const audit = changeWithAudit(car, 'record', (c) => {
        c.record(anOperationContext(), { classification: 'major_nc', severity: 'high' });
      });

      const updated = await slow.repository.update(car, stored.etag, audit);

      expect(updated.car.number).toBe('CAR-2026-0001');
      expect((await slow.repository.findById(car.id))?.etag).toBe(updated.etag);
      const next = await storeCarInState(slow.repository, 'recorded');
      expect(next.car.number).toBe('CAR-2026-0002');
      expect((await chainOf(slow, car.id)).ok).toBe(true);
      const auditItems = [
        ...(slow.emulator.listByName(AUDIT_LIST.displayName)?.items.values() ?? []),
      ].filter((i) => i.fields[A.carId] === car.id);
      expect(auditItems.map((i) => i.fields.Title)).toEqual(['report', 'record']);
    });
  });

  describe('throttling', () => {
    it('waits out a 429 storm with Retry-After and loses nothing', async () => {
      fixture.emulator.fail({ status: 429, retryAfterSeconds: 0.2, where: 'top', times: 4 });
      fixture.emulator.fail({ status: 429, retryAfterSeconds: 0.1, where: 'inner', times: 6 });
      const started = Date.now();

      const stored = await Promise.all(
        Array.from({ length: 8 }, () => storeCarInState(fixture.repository, 'recorded')),
      );

      expect(Date.now() - started).toBeGreaterThanOrEqual(200);
      expect(fixture.emulator.faults.every((f) => f.times === 0)).toBe(true);
      expect(itemsIn(fixture, CARS_LIST.displayName)).toBe(8);
      const numbers = stored.map((s) => s.car.number).sort();
      expect(numbers).toEqual(Array.from({ length: 8 }, (_, i) => `CAR-2026-000${i + 1}`));
      for (const s of stored) expect(await chainOf(fixture, s.car.id)).toMatchObject({ ok: true });
    });

    it('sends again only the inner requests that were throttled, after their own Retry-After', async () => {
      const stored = await storeCarInState(fixture.repository, 'reported');
      fixture.emulator.resetLog();
      fixture.emulator.fail({
        status: 429,
        retryAfterSeconds: 0.3,
        where: 'inner',
        method: 'PATCH',
        times: 1,
      });
      const started = Date.now();

      await reviewed(fixture, stored);

      expect(Date.now() - started).toBeGreaterThanOrEqual(300);
      const inner = fixture.emulator.log.filter((r) => r.inner);
      expect(inner.filter((r) => r.method === 'PATCH').map((r) => r.status)).toEqual([429, 200]);
      expect(fixture.emulator.counts().http).toBe(2);
    });
  });

  describe('an outage', () => {
    it('rides out 503s for a while and loses nothing once Graph recovers', async () => {
      const before = await storeCarInState(fixture.repository, 'reported');
      fixture.emulator.fail({ status: 503, retryAfterSeconds: 0.1, times: Infinity });
      setTimeout(() => {
        fixture.emulator.clearFaults();
      }, 500);

      const [closed, second] = await Promise.all([
        storeCarInState(fixture.repository, 'closed'),
        reviewed(fixture, before),
      ]);

      expect(closed.car.state).toBe('closed');
      expect((await fixture.repository.findById(closed.car.id))?.etag).toBe(closed.etag);
      expect((await fixture.repository.findById(before.car.id))?.etag).toBe(second.etag);
      expect((await chainOf(fixture, closed.car.id)).ok).toBe(true);
      expect(itemsIn(fixture, CARS_LIST.displayName)).toBe(2);
    });
  });

  describe('concurrent writers', () => {
    it('gives one of two writers of the same version a conflict, and no number twice', async () => {
      const stored = await storeCarInState(fixture.repository, 'reported');
      const other = await fixture.anotherRepository();
      const seenByOther = await other.findById(stored.car.id);
      if (!seenByOther) throw new Error('both instances see the CAR');
      const record = (s: StoredCar, repo = fixture.repository): Promise<StoredCar> => {
        const car = s.car;
        return repo.update(
          car,
          s.etag,
          changeWithAudit(
            car,
            'record',
            (c) => {
              c.record(anOperationContext(), { classification: 'minor_nc', severity: 'low' });
            },
            THE_MR,
          ),
        );
      };

      const outcomes = await Promise.allSettled([record(stored), record(seenByOther, other)]);

      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      const rejected = outcomes.find((o) => o.status === 'rejected');
      expect(rejected?.reason).toMatchObject({ code: 'CAR.CONFLICT' });
      const next = await storeCarInState(fixture.repository, 'recorded');
      expect(next.car.number).toBe('CAR-2026-0002');
    });
  });

  describe('a missing site, list or permission', () => {
    it('says which list is missing and how to create it', async () => {
      fixture.emulator.site.lists.splice(
        fixture.emulator.site.lists.findIndex((l) => l.displayName === AUDIT_LIST.displayName),
        1,
      );
      const { resolveRectifyLists } =
        await import('../../src/infrastructure/graph/graph-list-car-repository.js');

      await expect(resolveRectifyLists(fixture.lists)).rejects.toThrow(
        /'CAR Audit Trail' does not exist .*npm run provision/,
      );
    });
  });
});
