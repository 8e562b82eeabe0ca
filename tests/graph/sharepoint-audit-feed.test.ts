import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { AuditFeed, CarChange } from '../../src/application/ports/audit-feed.js';
import { GraphAuditFeed } from '../../src/infrastructure/graph/graph-audit-feed.js';
import { resolveRectifyLists } from '../../src/infrastructure/graph/graph-list-car-repository.js';
import { A, AUDIT_LIST, C, CARS_LIST } from '../../src/infrastructure/graph/rectify-lists.js';
import { changeWithAudit, stepsTo, storeCarInState } from '../support/car-mother.js';
import { startGraphFixture, type GraphFixture } from './graph-fixture.js';

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

describe('GraphAuditFeed on the emulated site', () => {
  let fixture: GraphFixture;
  let feed: GraphAuditFeed;

  beforeEach(async () => {
    fixture = await startGraphFixture();
    const ids = await resolveRectifyLists(fixture.lists);
    feed = new GraphAuditFeed(fixture.lists, ids);
  });

  afterEach(async () => {
    await fixture.close();
  });

  const auditItems = () => [
    ...(fixture.emulator.listByName(AUDIT_LIST.displayName)?.items.values() ?? []),
  ];
  const now = (): string => new Date().toISOString();

  it('answers each write once, in the order written, whatever the page size', async () => {
    const first = await storeCarInState(fixture.repository, 'investigating', {
      context: { now: '2026-03-02T09:00:00.000Z' },
    });
    const second = await storeCarInState(fixture.repository, 'recorded', {
      context: { now: '2026-03-02T09:05:00.000Z' },
      reportedAt: '2026-03-02T09:05:00.000Z',
    });

    const whole = await readAll(feed, 1000);
    const paged = await readAll(feed, 1);

    expect(whole.changes.map((c) => [c.carId, c.operation])).toEqual([
      ...['report', ...stepsTo('investigating').map((s) => s.operation)].map((op) => [
        first.car.id,
        op,
      ]),
      ...['report', 'record'].map((op) => [second.car.id, op]),
    ]);
    expect(paged.changes.map((c) => c.id)).toEqual(whole.changes.map((c) => c.id));
    expect(new Set(whole.changes.map((c) => c.id)).size).toBe(whole.changes.length);
    expect(new Set(auditItems().map((i) => i.fields[A.writeId]))).toEqual(
      new Set(whole.changes.map((c) => c.id)),
    );
  });

  it('finds a write whose audit item was lost, and answers it once when the item turns up late', async () => {
    const start = await feed.head();
    const at = now();
    const stored = await storeCarInState(fixture.repository, 'recorded', {
      context: { now: at },
      reportedAt: at,
    });
    // The audit item of the last write never made it (the batch answered, the process died).
    const carItem = [
      ...(fixture.emulator.listByName(CARS_LIST.displayName)?.items.values() ?? []),
    ][0];
    const lostWrite = carItem?.fields[C.writeId];
    const list = fixture.emulator.listByName(AUDIT_LIST.displayName);
    const lost = auditItems().find((i) => i.fields[A.writeId] === lostWrite);
    if (!lost || !list) throw new Error('the audit item of the last write exists');
    list.items.delete(lost.id);

    const first = await feed.read(start, 100);
    expect(first.changes.map((c) => c.operation)).toEqual(['report', 'record']);
    expect(first.changes[1]?.id).toBe(lostWrite);

    // A history read puts the lost item back: a new item, with the old time.
    await fixture.repository.history(stored.car.id);
    expect(auditItems().some((i) => i.fields[A.writeId] === lostWrite)).toBe(true);
    const step = stepsTo('investigating')[1];
    if (!step) throw new Error('investigating is two steps away');
    const car = stored.car;
    const audit = changeWithAudit(car, step.operation, step.apply, undefined, { at: now() });
    await fixture.repository.update(car, stored.etag, audit);

    const second = await feed.read(first.next, 100);
    expect(second.changes.map((c) => c.operation)).toEqual(['startInvestigation']);
    expect(await feed.read(second.next, 100)).toEqual({ changes: [], next: null });
  });

  it('starts a new reader at the head: writes before it are not answered', async () => {
    const at = now();
    await storeCarInState(fixture.repository, 'recorded', { context: { now: at }, reportedAt: at });

    const head = await feed.head();

    expect(await feed.read(head, 100)).toEqual({ changes: [], next: null });
  });

  it('refuses a position it never gave', async () => {
    await expect(feed.read('bm90IGEgcG9zaXRpb24', 10)).rejects.toThrow(/position/);
  });
});
