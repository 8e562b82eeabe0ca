import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { GENESIS_HASH } from '../../src/infrastructure/audit/hash-chain.js';
import { localDate } from '../../src/domain/calendar/local-date.js';
import { formatCarNumber } from '../../src/domain/car/car-number.js';
import { Car } from '../../src/domain/car/car.js';
import { RectifyError } from '../../src/domain/errors.js';
import { auditItemFields, carFields } from '../../src/infrastructure/graph/car-list-mapper.js';
import {
  GraphListCarRepository,
  resolveRectifyLists,
} from '../../src/infrastructure/graph/graph-list-car-repository.js';
import { AUDIT_LIST, CARS_LIST } from '../../src/infrastructure/graph/rectify-lists.js';
import { describeCarRepositoryContract } from '../contract/car-repository.contract.js';
import { DEFAULT_TODAY, carInState, storeCarInState } from '../support/car-mother.js';
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
    it('verifies as one unbroken chain per CAR, ending at the head the CAR holds', async () => {
      const stored = await storeCarInState(fixture.repository, 'closed');

      expect(await fixture.repository.verifyTrail(stored.car.id)).toEqual({
        ok: true,
        count: (await fixture.repository.history(stored.car.id)).length,
      });
    });

    it('reports an entry altered in SharePoint', async () => {
      const stored = await storeCarInState(fixture.repository, 'investigating');
      const first = auditItems()[0];
      if (!first) throw new Error('the report has an audit item');
      first.fields.Entries = String(first.fields.Entries).replace('"report"', '"edited"');

      const verdict = await fixture.repository.verifyTrail(stored.car.id);

      expect(verdict).toMatchObject({
        ok: false,
        firstBroken: { sequence: 1, reason: 'hash_mismatch' },
      });
    });

    it('reports a deleted audit item, also the last one', async () => {
      const stored = await storeCarInState(fixture.repository, 'investigating');
      const list = fixture.emulator.listByName(AUDIT_LIST.displayName);
      const last = auditItems().at(-1);
      if (!list || !last) throw new Error('the CAR has audit items');
      list.items.delete(last.id);

      expect(await fixture.repository.verifyTrail(stored.car.id)).toMatchObject({
        ok: false,
        firstBroken: { reason: 'sequence_gap' },
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
      expect(await fixture.repository.verifyTrail(stored.car.id)).toMatchObject({ ok: true });
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
      const repo = new GraphListCarRepository(fixture.lists, ids);
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
      const fields = Array.from({ length: 6000 }, (_, i) => {
        const template = templates[i % 3];
        if (!template) throw new Error('a template per state');
        const car = Car.fromPrimitives({
          ...template,
          id: `car-seed-${i}`,
          reportedAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
          number: template.number === null ? null : formatCarNumber(2026, i + 1),
        });
        const rows = [
          {
            sequence: 1,
            carId: car.id,
            operation: 'import',
            field: '*',
            oldValue: 'null',
            newValue: 'null',
            reason: null,
            actorId: 'x',
            actorName: 'X',
            at: '2026-03-02T09:00:00.000Z',
            prevHash: GENESIS_HASH,
            hash: 'f'.repeat(64),
          },
        ];
        return carFields(car, {
          updatedAt: '2026-03-02T09:00:00.000Z',
          writeId: `w-${i}`,
          auditHead: { sequence: 1, hash: 'f'.repeat(64) },
          lastAudit: auditItemFields(`w-${i}`, rows),
        });
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
