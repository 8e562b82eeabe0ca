import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import BetterSqlite3 from 'better-sqlite3';
import { FeedCursor, Outbox } from '../../../src/application/outbox.js';
import { StateBotStore } from '../../../src/bot/bot-store.js';
import {
  NOTIFICATION_CURSOR,
  NOTIFICATION_OUTBOX,
} from '../../../src/bot/notifications/notification-worker.js';
import { MIGRATIONS, migrate } from '../../../src/infrastructure/sqlite/migrations.js';
import { openDatabase, type Database } from '../../../src/infrastructure/sqlite/database.js';
import { SqliteStateStore } from '../../../src/infrastructure/sqlite/sqlite-state-store.js';
import { describeStateStoreContract } from '../../contract/state-store.contract.js';

/** A store on a fresh file; `another()` opens a second connection on the same file. */
async function makeStore() {
  const dir = mkdtempSync(path.join(tmpdir(), 'rectify-state-'));
  const file = path.join(dir, 'rectify.db');
  const dbs: Database[] = [openDatabase(file)];
  const open = (): SqliteStateStore => {
    const db = openDatabase(file);
    dbs.push(db);
    return new SqliteStateStore(db);
  };
  return Promise.resolve({
    store: new SqliteStateStore(dbs[0] as Database),
    another: () => Promise.resolve(open()),
    close: () => {
      for (const db of dbs) db.close();
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  });
}

describeStateStoreContract('SqliteStateStore', makeStore);

describe('SqliteStateStore on its table', () => {
  it('counts versions in the etag and keeps the value as JSON text', async () => {
    const { store, close } = await makeStore();
    try {
      const { record } = await store.createIfAbsent({
        key: 'a',
        kind: 'outbox',
        value: { n: 1 },
        dueAt: null,
      });
      const next = await store.replace('a', record.etag, { value: { n: 2 }, dueAt: null });

      expect([record.etag, next?.etag]).toEqual(['"1"', '"2"']);
    } finally {
      await close();
    }
  });
});

describe('migration 4 on a store the bot used before', () => {
  it('brings the conversations, the notifier cursor and the outbox into the shared state', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rectify-state-v3-'));
    const db = new BetterSqlite3(path.join(dir, 'rectify.db'));
    try {
      migrate(
        db,
        MIGRATIONS.filter((m) => m.version <= 3),
      );
      db.prepare(
        `INSERT INTO bot_conversation_refs VALUES ('tenant-1', 'person-1', '29:mri', 'Jordan Lee',
           'a:conv', 'https://smba.example/', '28:bot', '2026-11-01T10:00:00.000Z')`,
      ).run();
      db.prepare(`INSERT INTO bot_feed_cursor VALUES ('notifications', 42)`).run();
      db.prepare(
        `INSERT INTO bot_outbox VALUES ('report:car-1:person-1', 'reportReceived', 'car-1',
           'person-1', 'mr', '2026-11-01T10:00:00.000Z', 2, '2026-11-01T10:05:00.000Z', NULL,
           'connector down')`,
      ).run();

      migrate(db);
      const state = new SqliteStateStore(db);
      const outbox = new Outbox(state, { name: NOTIFICATION_OUTBOX, parse: (v) => v });

      expect(await new StateBotStore(state).conversationRefOf('person-1')).toEqual({
        tenantId: 'tenant-1',
        aadObjectId: 'person-1',
        userMri: '29:mri',
        userName: 'Jordan Lee',
        conversationId: 'a:conv',
        serviceUrl: 'https://smba.example/',
        botId: '28:bot',
      });
      expect((await new FeedCursor(state, NOTIFICATION_CURSOR).read()).position).toBe('42');
      expect(await outbox.get('report:car-1:person-1')).toMatchObject({
        payload: { key: 'report:car-1:person-1', kind: 'reportReceived', recipientRole: 'mr' },
        attempts: 2,
        outcome: null,
        lastError: 'connector down',
      });
      const due = await outbox.claimDue(new Date('2026-11-01T10:05:00.000Z'), 1000, 10);
      expect(due.map((e) => e.key)).toEqual(['report:car-1:person-1']);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SqliteStateStore batches', () => {
  const due = '2026-11-28T09:00:00.000Z';

  it('creates a batch in one transaction: each key once, the existing one kept', async () => {
    const { store, another, close } = await makeStore();
    try {
      await store.createIfAbsent({ key: 'b', kind: 'k', value: { first: true }, dueAt: null });
      const created = await store.createAllIfAbsent([
        { key: 'a', kind: 'k', value: 1, dueAt: due },
        { key: 'b', kind: 'k', value: { first: false }, dueAt: null },
        { key: 'a', kind: 'k', value: 2, dueAt: null },
      ]);
      expect(created).toEqual([true, false, false]);
      const other = await another();
      expect((await other.get('a'))?.value).toBe(1);
      expect((await other.get('b'))?.value).toEqual({ first: true });
    } finally {
      await close();
    }
  });

  it('writes nothing of a batch with one bad record', async () => {
    const { store, close } = await makeStore();
    try {
      await expect(
        store.createAllIfAbsent([
          { key: 'fine', kind: 'k', value: 1, dueAt: null },
          { key: 'bad\u0000key', kind: 'k', value: 1, dueAt: null },
        ]),
      ).rejects.toMatchObject({ code: 'STATE.INVALID' });
      await expect(
        store.createAllIfAbsent([
          { key: 'fine', kind: 'k', value: 1, dueAt: null },
          { key: 'lone', kind: 'k', value: '\ud800', dueAt: 'tomorrow' },
        ]),
      ).rejects.toMatchObject({ code: 'STATE.INVALID' });
      expect(await store.get('fine')).toBeNull();
    } finally {
      await close();
    }
  });

  it('replaces a batch by compare-and-set: a stale or forged etag changes only its own record', async () => {
    const { store, close } = await makeStore();
    try {
      const a = (await store.createIfAbsent({ key: 'a', kind: 'k', value: 1, dueAt: due })).record;
      const b = (await store.createIfAbsent({ key: 'b', kind: 'k', value: 1, dueAt: due })).record;
      await store.replace('b', b.etag, { value: 2, dueAt: due });
      const out = await store.replaceAll([
        { key: 'a', etag: a.etag, change: { value: 10, dueAt: null } },
        { key: 'b', etag: b.etag, change: { value: 20, dueAt: null } },
        { key: 'a', etag: '"9999"', change: { value: 30, dueAt: null } },
        { key: 'a', etag: 'W/"1"', change: { value: 40, dueAt: null } },
      ]);
      expect(out.map((r) => r?.value ?? null)).toEqual([10, null, null, null]);
      expect((await store.get('a'))?.value).toBe(10);
      expect((await store.get('b'))?.value).toBe(2);
    } finally {
      await close();
    }
  });
});
