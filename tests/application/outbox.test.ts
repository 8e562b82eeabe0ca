import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { FeedCursor, GAVE_UP, Outbox, type ClaimedEntry } from '../../src/application/outbox.js';
import type { StateStore } from '../../src/application/ports/state-store.js';
import { createGraphConnection } from '../../src/infrastructure/graph/graph-client.js';
import {
  GraphStateStore,
  resolveStateList,
} from '../../src/infrastructure/graph/graph-state-store.js';
import { SharePointListClient } from '../../src/infrastructure/graph/sharepoint-list-client.js';
import { openDatabase, type Database } from '../../src/infrastructure/sqlite/database.js';
import { SqliteStateStore } from '../../src/infrastructure/sqlite/sqlite-state-store.js';
import { startGraphFixture } from '../graph/graph-fixture.js';

/** Two stores on the same data: two running instances of Rectify. */
interface TwoInstances {
  readonly a: StateStore;
  readonly b: StateStore;
  close(): Promise<void>;
}

async function twoSqlite(): Promise<TwoInstances> {
  const dir = mkdtempSync(path.join(tmpdir(), 'rectify-outbox-'));
  const file = path.join(dir, 'rectify.db');
  const dbs: Database[] = [openDatabase(file), openDatabase(file)];
  return Promise.resolve({
    a: new SqliteStateStore(dbs[0] as Database),
    b: new SqliteStateStore(dbs[1] as Database),
    close: () => {
      for (const db of dbs) db.close();
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  });
}

async function twoGraph(): Promise<TwoInstances> {
  const fixture = await startGraphFixture();
  const open = async (): Promise<GraphStateStore> => {
    const lists = new SharePointListClient(
      createGraphConnection({
        baseUrl: fixture.emulator.url,
        accessToken: () => Promise.resolve('emulator-token'),
        retry: { baseDelayMs: 1 },
      }),
      fixture.emulator.site.id,
    );
    return new GraphStateStore(lists, await resolveStateList(lists));
  };
  return { a: await open(), b: await open(), close: () => fixture.close() };
}

interface Job {
  readonly n: number;
}
const parseJob = (v: unknown): Job => {
  if (typeof v !== 'object' || v === null || typeof (v as Job).n !== 'number')
    throw new Error('not a job');
  return v as Job;
};

const LEASE_MS = 60_000;
const KEYS = Array.from({ length: 24 }, (_, i) => `job-${String(i).padStart(2, '0')}`);

/** A clock both workers share, moved by the test. */
class TestClock {
  private ms = Date.UTC(2026, 10, 28, 9, 0, 0);
  now = (): Date => new Date(this.ms);
  advance(ms: number): void {
    this.ms += ms;
  }
}

/**
 * One worker: claims what is due and delivers it until nothing is left for it. `behave` decides
 * per delivery: deliver, fail (an error), or crash (claimed, never settled).
 */
async function work(
  outbox: Outbox<Job>,
  clock: TestClock,
  delivered: string[],
  behave: (entry: ClaimedEntry<Job>) => 'ok' | 'fail' | 'crash' = () => 'ok',
): Promise<void> {
  for (;;) {
    const claimed = await outbox.claimDue(clock.now(), LEASE_MS, 4);
    if (claimed.length === 0) return;
    for (const entry of claimed) {
      const how = behave(entry);
      if (how === 'crash') continue;
      if (how === 'fail') {
        await outbox.retryLater(entry, clock.now(), 'connector refused', clock.now());
        continue;
      }
      delivered.push(entry.key);
      await outbox.settle(entry, 'sent', clock.now());
    }
  }
}

const count = (keys: readonly string[]): Map<string, number> => {
  const m = new Map<string, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return m;
};

describe.each([
  ['two SqliteStateStores on one file', twoSqlite],
  ['two GraphStateStores on one emulated site', twoGraph],
])('Outbox on %s', (_name, makeTwo) => {
  let two: TwoInstances;
  let clock: TestClock;
  let a: Outbox<Job>;
  let b: Outbox<Job>;

  beforeEach(async () => {
    two = await makeTwo();
    clock = new TestClock();
    a = new Outbox(two.a, { name: 'jobs', parse: parseJob, maxAttempts: 5 });
    b = new Outbox(two.b, { name: 'jobs', parse: parseJob, maxAttempts: 5 });
  });

  afterEach(async () => {
    await two.close();
  });

  const enqueueAll = async (): Promise<void> => {
    const answers = await Promise.all(
      KEYS.flatMap((key, n) => [
        a.enqueue(key, { n }, clock.now()),
        b.enqueue(key, { n }, clock.now()),
      ]),
    );
    expect(answers.filter(Boolean)).toHaveLength(KEYS.length);
  };

  it('queues a key once, however often and by whom it is enqueued', async () => {
    await enqueueAll();
    expect(await a.enqueue('job-00', { n: 99 }, clock.now())).toBe(false);

    expect((await b.get('job-00'))?.payload).toEqual({ n: 0 });
    expect(await a.get('never')).toBeNull();
  });

  it('delivers every entry exactly once with two workers running and nothing failing', async () => {
    await enqueueAll();
    const delivered: string[] = [];

    await Promise.all([work(a, clock, delivered), work(b, clock, delivered)]);

    expect([...count(delivered).values()].every((n) => n === 1)).toBe(true);
    expect([...count(delivered).keys()].sort()).toEqual(KEYS);
    for (const key of KEYS)
      expect(await a.get(key)).toMatchObject({ outcome: 'sent', attempts: 1, lastError: null });
  }, 60_000);

  it('delivers every entry at least once when deliveries fail and workers die holding entries', async () => {
    await enqueueAll();
    const delivered: string[] = [];
    // Every third entry fails its first attempt; every fifth is lost with its worker once.
    const behave = (e: ClaimedEntry<Job>): 'ok' | 'fail' | 'crash' =>
      e.attempts === 1 && e.payload.n % 5 === 0
        ? 'crash'
        : e.attempts === 1 && e.payload.n % 3 === 0
          ? 'fail'
          : 'ok';

    await Promise.all([work(a, clock, delivered, behave), work(b, clock, delivered, behave)]);
    const beforeLease = new Set(delivered);
    clock.advance(LEASE_MS + 1);
    await Promise.all([work(a, clock, delivered, behave), work(b, clock, delivered, behave)]);

    expect([...new Set(delivered)].sort()).toEqual(KEYS);
    expect(KEYS.filter((k, n) => n % 5 === 0 && beforeLease.has(k))).toEqual([]);
    const crashed = await a.get('job-05');
    expect(crashed).toMatchObject({ outcome: 'sent', attempts: 2 });
    expect(await a.get('job-03')).toMatchObject({
      outcome: 'sent',
      attempts: 2,
      lastError: 'connector refused',
    });
  }, 60_000);

  it('gives up after the last attempt and keeps the last error', async () => {
    await a.enqueue('doomed', { n: 1 }, clock.now());
    const delivered: string[] = [];

    await work(a, clock, delivered, () => 'fail');

    expect(delivered).toEqual([]);
    expect(await b.get('doomed')).toMatchObject({
      outcome: GAVE_UP,
      attempts: 5,
      lastError: 'connector refused',
    });
    expect(await a.claimDue(clock.now(), LEASE_MS, 10)).toEqual([]);
  });

  it('lets only one of two instances settle an entry whose lease was taken over', async () => {
    await a.enqueue('slow', { n: 1 }, clock.now());
    const [first] = await a.claimDue(clock.now(), LEASE_MS, 10);
    clock.advance(LEASE_MS + 1);
    const [second] = await b.claimDue(clock.now(), LEASE_MS, 10);
    if (!first || !second) throw new Error('both claims happened');

    expect(await a.settle(first, 'sent', clock.now())).toBe(false);
    expect(await b.settle(second, 'sent', clock.now())).toBe(true);
    expect(await a.get('slow')).toMatchObject({ outcome: 'sent', attempts: 2 });
  });
});

describe.each([
  ['SQLite', twoSqlite],
  ['SharePoint', twoGraph],
])('FeedCursor on %s', (_name, makeTwo) => {
  let two: TwoInstances;

  beforeEach(async () => {
    two = await makeTwo();
  });

  afterEach(async () => {
    await two.close();
  });

  it('starts once and moves only from the version read, never backwards', async () => {
    const a = new FeedCursor(two.a, 'notifications');
    const b = new FeedCursor(two.b, 'notifications');
    expect(await a.read()).toEqual({ position: null, etag: null });

    const [sa, sb] = await Promise.all([a.start('10'), b.start('20')]);
    expect(sa.position).toBe(sb.position);

    const read = await a.read();
    const [movedA, movedB] = await Promise.all([a.move(read, '30'), b.move(read, '25')]);

    expect([movedA, movedB].filter(Boolean)).toHaveLength(1);
    expect((await b.read()).position).toBe(movedA ? '30' : '25');
    expect(await a.move(read, '40')).toBe(false);
  });
});
