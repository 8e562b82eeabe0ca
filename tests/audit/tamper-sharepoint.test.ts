import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { localDate } from '../../src/domain/calendar/local-date.js';
import type { StoredCar } from '../../src/domain/car/car-repository.js';
import { AuditSeal } from '../../src/infrastructure/audit/audit-seal.js';
import { sealEntry } from '../../src/infrastructure/audit/audit-trail.js';
import { trailItemFields } from '../../src/infrastructure/graph/graph-car-trail.js';
import {
  A,
  AUDIT_LIST,
  C,
  CARS_LIST,
  CHECKPOINTS_LIST,
} from '../../src/infrastructure/graph/rectify-lists.js';
import type { EmulatedItem, EmulatedList } from '../graph/emulator/graph-emulator.js';
import { startGraphFixture, type GraphFixture } from '../graph/graph-fixture.js';
import { storeCarInState } from '../support/car-mother.js';

/**
 * Every kind of change made to the SharePoint lists behind Rectify's back (as a site member
 * with edit rights could make it), on the Graph emulator: each detected by the verification
 * audit:verify runs and refused by the repository the API reads through.
 */

describe('tampering with the SharePoint lists', () => {
  let fixture: GraphFixture;
  let car: StoredCar;
  let other: StoredCar;

  beforeEach(async () => {
    fixture = await startGraphFixture();
    car = await storeCarInState(fixture.repository, 'investigating');
    other = await storeCarInState(fixture.repository, 'recorded');
  });

  afterEach(async () => {
    await fixture.close();
  });

  const list = (name: string): EmulatedList => {
    const found = fixture.emulator.listByName(name);
    if (!found) throw new Error(`no list ${name}`);
    return found;
  };
  const carItem = (id: string): EmulatedItem => {
    const item = [...list(CARS_LIST.displayName).items.values()].find(
      (i) => i.fields[C.carId] === id,
    );
    if (!item) throw new Error(`no item for CAR ${id}`);
    return item;
  };
  const auditItemsOf = (id: string): EmulatedItem[] =>
    [...list(AUDIT_LIST.displayName).items.values()]
      .filter((i) => i.fields[A.carId] === id)
      .sort((a, b) => Number(a.fields[A.firstSequence]) - Number(b.fields[A.firstSequence]));
  /** An edit in the SharePoint UI: the item's version moves on. */
  const edit = (item: EmulatedItem, fields: Record<string, unknown>): void => {
    Object.assign(item.fields, fields);
    item.version += 1;
  };
  const kindsOf = async (id: string): Promise<string[]> => {
    const result = await fixture.repository.verifyAll({ checkpoints: true });
    return result.broken
      .filter((v) => v.carId === id)
      .flatMap((v) => v.problems.map((p) => p.kind));
  };
  const refused = async (id: string): Promise<void> => {
    const fresh = await fixture.anotherRepository();
    await expect(fresh.findById(id)).rejects.toMatchObject({
      code: 'CAR.INTEGRITY_FAILED',
      details: { id },
    });
  };

  it('finds nothing when nobody touched them', async () => {
    const result = await fixture.repository.verifyAll({ checkpoints: true });

    expect(result).toMatchObject({ cars: 2, broken: [], other: [] });
    expect(list(CHECKPOINTS_LIST.displayName).items.size).toBeGreaterThan(0);
  });

  it('the root cause edited inside the "CAR record" column: detected and refused', async () => {
    const item = carItem(car.car.id);
    edit(item, {
      [C.record]: String(item.fields[C.record]).replace('"investigating"', '"investigating" '),
    });

    expect(await kindsOf(car.car.id)).toContain('record_mismatch');
    expect(await kindsOf(other.car.id)).toEqual([]);
    await refused(car.car.id);
  });

  it('the State column set to closed: detected, refused, and ?state=closed does not serve it', async () => {
    edit(carItem(car.car.id), { [C.state]: 'closed' });

    expect(await kindsOf(car.car.id)).toContain('column_mismatch');
    await refused(car.car.id);
    const fresh = await fixture.anotherRepository();
    await expect(
      fresh.list({
        states: ['closed'],
        sort: 'reportedAt',
        order: 'asc',
        limit: 10,
        today: localDate('2026-03-05'),
        visibility: { kind: 'all' },
      }),
    ).rejects.toMatchObject({ code: 'CAR.INTEGRITY_FAILED' });
  });

  it('the "Recorded on" day moved by one day either way: detected and refused', async () => {
    const item = carItem(other.car.id);
    const shown = String(item.fields[C.recordedOn]);
    const day = other.car.toPrimitives().triage?.on ?? '';
    // The site (Pacific, SharePoint's default) shows the day as its midnight there; a site in
    // Tokyo would show the same day's midnight 17 hours earlier: both are that day.
    expect(shown).toBe(`${day}T08:00:00Z`);
    const moved = (hours: number): string =>
      new Date(Date.parse(shown) + hours * 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    edit(item, { [C.recordedOn]: moved(-17) });
    expect(await kindsOf(other.car.id)).toEqual([]);

    for (const hours of [24, -24]) {
      edit(item, { [C.recordedOn]: moved(hours) });
      expect(await kindsOf(other.car.id)).toContain('column_mismatch');
      await refused(other.car.id);
    }
  });

  it('an edited audit item: detected as not matching its MAC', async () => {
    const [first] = auditItemsOf(car.car.id);
    if (!first) throw new Error('the CAR has audit items');
    const text = String(first.fields[A.entries]);
    const name = car.car.toPrimitives().reporter.name;
    const forged = text.replace(name, 'Someone Else');
    expect(forged).not.toBe(text);
    edit(first, { [A.entries]: forged });

    expect(await kindsOf(car.car.id)).toContain('entry_forged');
  });

  it('a deleted audit item: detected as a gap', async () => {
    const [, second] = auditItemsOf(car.car.id);
    if (!second) throw new Error('the CAR has two audit items');
    list(AUDIT_LIST.displayName).items.delete(second.id);

    expect(await kindsOf(car.car.id)).toContain('sequence_gap');
  });

  it('reordered audit items: detected', async () => {
    const [, second, third] = auditItemsOf(car.car.id);
    if (!second || !third) throw new Error('the CAR has three audit items');
    const two = second.fields[A.entries];
    edit(second, { [A.entries]: third.fields[A.entries] });
    edit(third, { [A.entries]: two });

    expect(await kindsOf(car.car.id)).toContain('sequence_gap');
  });

  it('a trail cut back with the CAR item as it was: caught by the checkpoint', async () => {
    const item = carItem(car.car.id);
    const snapshot = { ...item.fields };
    let current = car;
    for (const at of ['2026-03-06T09:00:00.000Z', '2026-03-07T09:00:00.000Z'])
      current = await fixture.repository.update(current.car, current.etag, {
        carId: car.car.id,
        operation: 'acknowledge',
        actor: { id: 'mr', name: 'MR' },
        at,
        reason: 'seen',
        changes: [],
      });
    for (const a of auditItemsOf(car.car.id).slice(-2))
      list(AUDIT_LIST.displayName).items.delete(a.id);
    edit(item, snapshot);

    const unanchored = await fixture.repository.verifyAll({ checkpoints: false });
    expect(unanchored.broken).toEqual([]);
    expect(await kindsOf(car.car.id)).toEqual(['truncated']);
  });

  it('a forged audit item appended and made the head: detected and refused', async () => {
    const item = carItem(car.car.id);
    const [seq = '0', mac = ''] = String(item.fields[C.auditHead]).split(':');
    const record = String(item.fields[C.record]).replace('"investigating"', '"closed"');
    const forged = sealEntry(AuditSeal.fromText('c3'.repeat(32)), {
      store: list(CARS_LIST.displayName).id,
      head: { seq: Number(seq), mac },
      audit: {
        carId: car.car.id,
        operation: 'close',
        actor: { id: 'jordan', name: 'Jordan Lee' },
        at: '2026-03-09T09:00:00.000Z',
        reason: null,
        changes: [{ field: 'state', oldValue: 'investigating', newValue: 'closed' }],
      },
      extra: [],
      recordText: record,
    });
    const fields = trailItemFields('forged-write', forged);
    fixture.emulator.seedItems(AUDIT_LIST.displayName, [fields]);
    edit(item, {
      [C.record]: record,
      [C.state]: 'closed',
      [C.auditHead]: `${forged.entry.seq}:${forged.mac}`,
      [C.lastAudit]: JSON.stringify(fields),
      [C.writeId]: 'forged-write',
    });

    expect(await kindsOf(car.car.id)).toContain('other_key');
    await refused(car.car.id);
  });
});
