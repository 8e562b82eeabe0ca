import { testSeal } from '../support/audit-seal.js';
import { sealedCarFields } from './support/sealed-items.js';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { CarCommandSchemas } from '../../src/application/car-commands.js';
import { CarService } from '../../src/application/car-service.js';
import { DEFAULT_SERVICE_LEVELS } from '../../src/domain/calendar/service-levels.js';
import { WorkingCalendar } from '../../src/domain/calendar/working-calendar.js';
import type { StoredCar } from '../../src/domain/car/car-repository.js';
import type { Principal } from '../../src/domain/identity.js';
import { localDate } from '../../src/domain/calendar/local-date.js';
import { formatCarNumber } from '../../src/domain/car/car-number.js';
import { Car } from '../../src/domain/car/car.js';
import { RectifyError } from '../../src/domain/errors.js';
import {
  GraphListCarRepository,
  resolveRectifyLists,
} from '../../src/infrastructure/graph/graph-list-car-repository.js';
import { AUDIT_LIST, CARS_LIST } from '../../src/infrastructure/graph/rectify-lists.js';
import { describeCarRepositoryContract } from '../contract/car-repository.contract.js';
import {
  DEFAULT_NOW,
  DEFAULT_TODAY,
  THE_MR,
  anOperationContext,
  carInState,
  changeWithAudit,
  storeCarInState,
} from '../support/car-mother.js';
import { LIST_VIEW_THRESHOLD } from './emulator/graph-emulator.js';
import { startGraphFixture, type GraphFixture } from './graph-fixture.js';

describeCarRepositoryContract('GraphListCarRepository on the Graph emulator', async () => {
  const fixture = await startGraphFixture();
  return { repository: fixture.repository, close: () => fixture.close() };
});

describe('GraphListCarRepository', () => {
  let fixture: GraphFixture;

  beforeEach(async () => {
    fixture = await startGraphFixture();
  });

  afterEach(async () => {
    await fixture.close();
  });

  const auditItems = (): { id: string; fields: Record<string, unknown> }[] => [
    ...(fixture.emulator.listByName(AUDIT_LIST.displayName)?.items.values() ?? []),
  ];

  describe('the audit trail', () => {
    it('verifies as one authenticated entry per operation, numbered 1, 2, 3 ... per CAR', async () => {
      const stored = await storeCarInState(fixture.repository, 'closed');
      const history = await fixture.repository.history(stored.car.id);

      expect(history.map((e) => e.sequence)).toEqual(history.map((_, i) => i + 1));
      expect(await fixture.repository.verifyCar(stored.car.id)).toEqual({
        carId: stored.car.id,
        count: history.length,
        problems: [],
      });
    });

    it('adds back the audit item of the last write when it was lost on the way', async () => {
      const stored = await storeCarInState(fixture.repository, 'investigating');
      const before = await fixture.repository.history(stored.car.id);
      const list = fixture.emulator.listByName(AUDIT_LIST.displayName);
      const last = auditItems().at(-1);
      if (!list || !last) throw new Error('the CAR has audit items');
      list.items.delete(last.id);

      expect(await fixture.repository.history(stored.car.id)).toEqual(before);
      expect(await fixture.repository.verifyCar(stored.car.id)).toMatchObject({ problems: [] });
    });
  });

  describe('the copy of what this instance last read or wrote', () => {
    const reviewed = (
      repository: GraphListCarRepository,
      stored: StoredCar,
      decision = 'Noted',
    ): Promise<StoredCar> => {
      const car = stored.car;
      const audit = changeWithAudit(car, 'addCommitteeReview', (c) => {
        c.addCommitteeReview(anOperationContext(), {
          id: randomUUID(),
          meetingDate: DEFAULT_TODAY,
          minutesRef: 'SC-1',
          decision,
        });
      });
      return repository.update(car, stored.etag, audit);
    };
    const recorded = (
      repository: GraphListCarRepository,
      stored: StoredCar,
    ): Promise<StoredCar> => {
      const car = stored.car;
      const audit = changeWithAudit(car, 'record', (c) => {
        c.record(anOperationContext(), { classification: 'ofi', severity: 'low' });
      });
      return repository.update(car, stored.etag, audit);
    };
    /** POSTs of audit items (each write also POSTs its checkpoint, to its own list). */
    const auditPosts = (): number => {
      const audit = fixture.emulator.listByName(AUDIT_LIST.displayName)?.id ?? '?';
      return fixture.emulator.log.filter(
        (r) => r.inner && r.method === 'POST' && r.path.includes(`/lists/${audit}/`),
      ).length;
    };

    it('answers a caller who holds the ETag of its copy without asking Graph', async () => {
      const stored = await storeCarInState(fixture.repository, 'recorded');
      fixture.emulator.resetLog();

      const byId = await fixture.repository.findById(stored.car.id, { knownEtag: stored.etag });
      const byNumber = await fixture.repository.findByNumber(stored.car.number ?? '', {
        knownEtag: stored.etag,
      });

      expect(fixture.emulator.counts().http).toBe(0);
      expect(byId?.car.toPrimitives()).toEqual(stored.car.toPrimitives());
      expect(byNumber?.etag).toBe(stored.etag);
    });

    it('reads SharePoint when the caller holds another ETag, or none', async () => {
      const stored = await storeCarInState(fixture.repository, 'reported');
      fixture.emulator.resetLog();

      await fixture.repository.findById(stored.car.id);
      await fixture.repository.findById(stored.car.id, { knownEtag: '"other,1"' });

      expect(fixture.emulator.counts().http).toBe(2);
    });

    it('saves an action on a CAR it has just served in one $batch, with nothing after it', async () => {
      const stored = await storeCarInState(fixture.repository, 'reported');
      const served = await fixture.repository.findById(stored.car.id);
      if (!served) throw new Error('the CAR is stored');
      fixture.emulator.resetLog();

      const saved = await reviewed(fixture.repository, served);

      expect(fixture.emulator.counts().http).toBe(1);
      expect(fixture.emulator.log.map((r) => r.path)).toContain('/$batch');
      expect((await fixture.repository.findById(stored.car.id))?.etag).toBe(saved.etag);
    });

    it('records with one $batch when it knows the counter, and numbers right after another instance took one', async () => {
      const other = await fixture.anotherRepository();
      const first = await recorded(
        fixture.repository,
        await storeCarInState(fixture.repository, 'reported'),
      );
      const second = await recorded(other, await storeCarInState(other, 'reported'));
      const third = await storeCarInState(fixture.repository, 'reported');
      fixture.emulator.resetLog();

      // This instance's counter is stale now: the If-Match on it fails and it reads it again.
      const numbered = await recorded(fixture.repository, third);
      const fourth = await storeCarInState(fixture.repository, 'reported');
      fixture.emulator.resetLog();
      const quick = await recorded(fixture.repository, fourth);

      expect([first, second, numbered, quick].map((s) => s.car.number)).toEqual([
        'CAR-2026-0001',
        'CAR-2026-0002',
        'CAR-2026-0003',
        'CAR-2026-0004',
      ]);
      expect(fixture.emulator.counts().http).toBe(1);
    });

    it('turns a stale copy into a conflict, never into a lost write', async () => {
      const stored = await storeCarInState(fixture.repository, 'reported');
      const other = await fixture.anotherRepository();
      const seenByOther = await other.findById(stored.car.id);
      if (!seenByOther) throw new Error('both instances see the CAR');
      const theirs = await reviewed(other, seenByOther, 'Theirs');

      const fromCopy = await fixture.repository.findById(stored.car.id, {
        knownEtag: stored.etag,
      });
      if (!fromCopy) throw new Error('the copy answers');

      await expect(reviewed(fixture.repository, fromCopy, 'Mine')).rejects.toMatchObject({
        code: 'CAR.CONFLICT',
      });
      const now = await fixture.repository.findById(stored.car.id);
      expect(now?.etag).toBe(theirs.etag);
      expect(now?.car.toPrimitives().committeeReviews.map((r) => r.decision)).toEqual(['Theirs']);
      expect(await fixture.repository.verifyCar(stored.car.id)).toMatchObject({ problems: [] });
    });

    it('sends the last audit item again only when it did not see it stored', async () => {
      const stored = await storeCarInState(fixture.repository, 'reported');
      fixture.emulator.resetLog();
      const saved = await reviewed(fixture.repository, stored);
      const postsBySameInstance = auditPosts();

      const other = await fixture.anotherRepository();
      const seenByOther = await other.findById(stored.car.id);
      if (!seenByOther) throw new Error('both instances see the CAR');
      fixture.emulator.resetLog();
      await reviewed(other, seenByOther);

      expect(saved.etag).not.toBe(stored.etag);
      expect(postsBySameInstance).toBe(1);
      expect(auditPosts()).toBe(2);
      // One sequential chain: the CAR, its audit item, its checkpoint, then the previous audit
      // item again (a duplicate write id, which SharePoint answers with 500).
      expect(fixture.emulator.log.filter((r) => r.inner).map((r) => r.status)).toEqual([
        200, 201, 201, 500,
      ]);
      expect(await fixture.repository.verifyCar(stored.car.id)).toMatchObject({ problems: [] });
    });

    it('forgets the CAR used longest ago once it holds as many as it may', async () => {
      const small = new GraphListCarRepository(
        fixture.lists,
        await resolveRectifyLists(fixture.lists),
        testSeal(),
        { copySize: 2 },
      );
      const a = await storeCarInState(small, 'reported');
      const b = await storeCarInState(small, 'reported');
      const c = await storeCarInState(small, 'reported');
      fixture.emulator.resetLog();

      await small.findById(c.car.id, { knownEtag: c.etag });
      await small.findById(b.car.id, { knownEtag: b.etag });
      expect(fixture.emulator.counts().http).toBe(0);
      await small.findById(a.car.id, { knownEtag: a.etag });
      expect(fixture.emulator.counts().http).toBe(1);
    });
  });

  describe('walking every CAR', () => {
    it('lists every CAR id and number, page after page', async () => {
      const numbered = await storeCarInState(fixture.repository, 'recorded');
      fixture.emulator.seedItems(
        CARS_LIST.displayName,
        Array.from({ length: 450 }, (_, i) => ({ Title: `seeded ${i}`, CarId: `seeded-${i}` })),
      );
      fixture.emulator.resetLog();

      const seen: { id: string; number: string | null }[] = [];
      for await (const car of fixture.repository.everyCar()) seen.push(car);

      expect(seen).toHaveLength(451);
      expect(new Set(seen.map((c) => c.id)).size).toBe(451);
      expect(seen.find((c) => c.id === numbered.car.id)?.number).toBe(numbered.car.number);
      expect(fixture.emulator.counts().http).toBe(3);
    });
  });

  describe('CarService on the copy', () => {
    const MR: Principal = {
      id: THE_MR.id,
      name: THE_MR.name,
      tenantId: 't',
      roles: new Set(['mr']),
    };
    const OWNER: Principal = { id: 'owner-7', name: 'Sam Taylor', tenantId: 't', roles: new Set() };
    const serviceOn = (repository: GraphListCarRepository): CarService =>
      new CarService({
        repository,
        clock: { now: () => new Date(DEFAULT_NOW) },
        newId: randomUUID,
        calendar: new WorkingCalendar(),
        serviceLevels: DEFAULT_SERVICE_LEVELS,
        timeZone: 'UTC',
      });
    const review = CarCommandSchemas.addCommitteeReview.parse({
      op: 'addCommitteeReview',
      meetingDate: DEFAULT_TODAY,
      decision: 'Noted',
    });

    it('acts with the ETag the caller viewed in one round trip', async () => {
      const service = serviceOn(fixture.repository);
      const stored = await storeCarInState(fixture.repository, 'reported');
      const viewed = await service.get(MR, stored.car.id);
      fixture.emulator.resetLog();

      const saved = await service.execute(MR, stored.car.id, viewed.etag, review);

      expect(fixture.emulator.counts().http).toBe(1);
      expect(saved.car.toPrimitives().committeeReviews).toHaveLength(1);
    });

    it('answers a conflict on a stale copy with the CAR as stored now', async () => {
      const stored = await storeCarInState(fixture.repository, 'reported');
      const other = await fixture.anotherRepository();
      const theirs = await serviceOn(other).execute(MR, stored.car.id, stored.etag, review);

      const failure = await serviceOn(fixture.repository)
        .execute(MR, stored.car.id, stored.etag, review)
        .then(
          () => null,
          (e: unknown) => e,
        );

      expect(failure).toMatchObject({
        code: 'CAR.CONFLICT',
        details: { currentEtag: theirs.etag, current: theirs.car.toPrimitives() },
      });
    });

    it('keeps the content of a confidential CAR out of the conflict for an action owner', async () => {
      const stored = await storeCarInState(fixture.repository, 'implementing', {
        details: { confidential: true },
        actionOwner: { id: OWNER.id, name: OWNER.name },
      });
      const other = await fixture.anotherRepository();
      const theirs = await serviceOn(other).execute(MR, stored.car.id, stored.etag, review);
      const action = stored.car.actions[0];
      if (!action) throw new Error('the CAR has an action');

      const failure = await serviceOn(fixture.repository)
        .execute(
          OWNER,
          stored.car.id,
          stored.etag,
          CarCommandSchemas.completeAction.parse({ op: 'completeAction', actionId: action.id }),
        )
        .then(
          () => null,
          (e: unknown) => e,
        );

      expect(failure).toMatchObject({
        code: 'CAR.CONFLICT',
        details: { currentEtag: theirs.etag },
      });
      expect((failure as { details: Record<string, unknown> }).details).not.toHaveProperty(
        'current',
      );
    });
  });

  describe('reading', () => {
    it('treats an item whose record does not parse as a bug naming the item', async () => {
      const stored = await storeCarInState(fixture.repository, 'reported');
      const item = [
        ...(fixture.emulator.listByName(CARS_LIST.displayName)?.items.values() ?? []),
      ][0];
      if (!item) throw new Error('the CAR has an item');
      item.fields.CarRecord = String(item.fields.CarRecord).replace('"reported"', '"lost"');

      const failure = await fixture.repository.findById(stored.car.id).then(
        () => null,
        (e: unknown) => e,
      );

      expect(failure).toBeInstanceOf(Error);
      expect(failure).not.toBeInstanceOf(RectifyError);
      expect((failure as Error).message).toContain(`CAR list item ${item.id}`);
    });
  });

  describe('permissions', () => {
    it('says plainly when the app may not use the site', async () => {
      const ids = await resolveRectifyLists(fixture.lists);
      const repo = new GraphListCarRepository(fixture.lists, ids, testSeal());
      // The site owner withdrew the app's Sites.Selected grant.
      fixture.emulator.authorize = () => 403;

      await expect(repo.findById('car-x')).rejects.toThrow(/Sites\.Selected/);
      await expect(resolveRectifyLists(fixture.lists)).rejects.toThrow(
        /may not use the SharePoint site/,
      );
    });
  });

  describe(`a list past the ${LIST_VIEW_THRESHOLD}-item threshold`, () => {
    it('still filters, sorts and pages through 6,000 CARs', async () => {
      const states = ['reported', 'recorded', 'implementing'] as const;
      // One CAR walked through the domain per state, copied 2,000 times each with its own id,
      // number and time of reporting (walking 6,000 would only cost time).
      const templates = states.map((state) =>
        carInState(state, {
          ...(state === 'reported' ? {} : { number: formatCarNumber(2026, 1) }),
          actionDueDate: localDate('2026-02-01'),
        }).toPrimitives(),
      );
      const store = (await resolveRectifyLists(fixture.lists)).cars;
      const fields = Array.from({ length: 6000 }, (_, i) => {
        const template = templates[i % 3];
        if (!template) throw new Error('a template per state');
        const car = Car.fromPrimitives({
          ...template,
          id: `car-seed-${i}`,
          reportedAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
          number: template.number === null ? null : formatCarNumber(2026, i + 1),
        });
        return sealedCarFields(store, car, '2026-03-02T09:00:00.000Z', `w-${i}`);
      });
      fixture.emulator.seedItems(CARS_LIST.displayName, fields);
      fixture.emulator.resetLog();

      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await fixture.repository.list({
          states: ['implementing'],
          today: DEFAULT_TODAY,
          overdue: true,
          visibility: { kind: 'all' },
          sort: 'number',
          order: 'desc',
          limit: 500,
          cursor,
        });
        seen.push(...page.items.map((s) => s.car.number ?? ''));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);

      expect(seen).toHaveLength(2000);
      expect(seen[0]).toBe('CAR-2026-6000');
      expect([...seen].sort().reverse()).toEqual(seen);
      expect(new Set(seen).size).toBe(2000);
      expect(fixture.emulator.log.every((r) => r.status === 200)).toBe(true);
      expect((await fixture.repository.findByNumber('CAR-2026-4241'))?.car.state).toBe('recorded');
    }, 120_000);

    it('is refused a query on a column that is not indexed, as SharePoint refuses it', async () => {
      fixture.emulator.seedItems(
        CARS_LIST.displayName,
        Array.from({ length: LIST_VIEW_THRESHOLD + 1 }, (_, i) => ({ Title: `t${i}` })),
      );
      const url = `${fixture.lists.listPath(
        (await resolveRectifyLists(fixture.lists)).cars,
        '/items',
      )}?$filter=${encodeURIComponent("fields/ReporterName eq 'x'")}`;

      const res = await fetch(`${fixture.emulator.url}${url}`, {
        headers: { Prefer: 'HonorNonIndexedQueriesWarningMayFailRandomly' },
      });

      expect(res.status).toBe(400);
      expect(await res.text()).toMatch(/list view threshold/);
    });
  });
});
