/**
 * The behaviour every StateStore adapter must have. An adapter's test file calls
 * `describeStateStoreContract('Name', makeStore)`; each test gets a fresh, empty store, and
 * `another()` opens a second store on the same data (another running instance of Rectify).
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { StateRecord, StateStore } from '../../src/application/ports/state-store.js';
import { RectifyError } from '../../src/domain/errors.js';

export type MakeStateStore = () => Promise<{
  store: StateStore;
  another: () => Promise<StateStore>;
  close: () => Promise<void>;
}>;

async function invalid(promise: Promise<unknown>): Promise<RectifyError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof RectifyError && e.code === 'STATE.INVALID') return e;
    throw e;
  }
  throw new Error('expected the call to fail with STATE.INVALID');
}

const at = (minute: number): string =>
  new Date(Date.UTC(2026, 10, 28, 9, minute, 0, 0)).toISOString();

export function describeStateStoreContract(adapterName: string, makeStore: MakeStateStore): void {
  describe(`StateStore contract: ${adapterName}`, () => {
    let store: StateStore;
    let another: () => Promise<StateStore>;
    let close: () => Promise<void>;

    beforeEach(async () => {
      ({ store, another, close } = await makeStore());
    });

    afterEach(async () => {
      await close();
    });

    describe('creating', () => {
      it('answers null for a key nobody stored', async () => {
        expect(await store.get('outbox:nothing')).toBeNull();
      });

      it('stores a new record and reads it back with an etag', async () => {
        const { record, created } = await store.createIfAbsent({
          key: 'outbox:1',
          kind: 'outbox',
          value: { to: 'a' },
          dueAt: at(1),
        });

        expect(created).toBe(true);
        expect(record).toMatchObject({ key: 'outbox:1', kind: 'outbox', value: { to: 'a' } });
        expect(record.dueAt).toBe(at(1));
        expect(record.etag).not.toBe('');
        expect(await store.get('outbox:1')).toEqual(record);
      });

      it('never overwrites: a second create answers what is stored, not created', async () => {
        const first = await store.createIfAbsent({
          key: 'k',
          kind: 'outbox',
          value: 1,
          dueAt: null,
        });
        const second = await store.createIfAbsent({
          key: 'k',
          kind: 'outbox',
          value: 2,
          dueAt: at(3),
        });

        expect(second.created).toBe(false);
        expect(second.record).toEqual(first.record);
        expect((await store.get('k'))?.value).toBe(1);
      });

      it('gives exactly one of 20 concurrent creates of one key, on two instances, created: true', async () => {
        const other = await another();
        const answers = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            (i % 2 === 0 ? store : other).createIfAbsent({
              key: 'race',
              kind: 'outbox',
              value: { by: i },
              dueAt: null,
            }),
          ),
        );

        expect(answers.filter((a) => a.created)).toHaveLength(1);
        const winner = answers.find((a) => a.created)?.record;
        for (const a of answers) expect(a.record.value).toEqual(winner?.value);
        expect((await store.list('outbox', { limit: 100 })).map((r) => r.key)).toEqual(['race']);
      });

      it('keeps keys that differ only in case apart', async () => {
        await store.createIfAbsent({ key: 'invoke:AbC', kind: 'bot', value: 'upper', dueAt: null });
        const lower = await store.createIfAbsent({
          key: 'invoke:abc',
          kind: 'bot',
          value: 'lower',
          dueAt: null,
        });

        expect(lower.created).toBe(true);
        expect((await store.get('invoke:AbC'))?.value).toBe('upper');
        expect((await store.get('invoke:abc'))?.value).toBe('lower');
      });

      it('round-trips nested JSON and unicode exactly', async () => {
        const value = {
          text: 'Größe 漢字 🚨 مرحبا « " \\ \n tab\t',
          list: [1, 2.5, -3, true, false, null, { deep: { deeper: ['x'] } }],
          empty: {},
          none: [],
        };
        await store.createIfAbsent({ key: 'ref:ünï 🚨', kind: 'conversation', value, dueAt: null });

        const read = await (await another()).get('ref:ünï 🚨');

        expect(read?.value).toEqual(value);
        expect(read?.key).toBe('ref:ünï 🚨');
      });

      it('refuses bad input clearly and writes nothing', async () => {
        const bad = [
          { key: '', kind: 'outbox', value: 1, dueAt: null },
          { key: 'x'.repeat(256), kind: 'outbox', value: 1, dueAt: null },
          { key: 'line\nbreak', kind: 'outbox', value: 1, dueAt: null },
          { key: 'k1', kind: 'Not A Kind', value: 1, dueAt: null },
          { key: 'k2', kind: 'outbox', value: 1, dueAt: 'tomorrow' },
          { key: 'k3', kind: 'outbox', value: 1, dueAt: '2026-11-28T09:00:00Z' },
          { key: 'k4', kind: 'outbox', value: undefined, dueAt: null },
          { key: 'k5', kind: 'outbox', value: 10n, dueAt: null },
          { key: 'k6', kind: 'outbox', value: 'x'.repeat(70_000), dueAt: null },
        ];
        for (const record of bad) {
          const e = await invalid(store.createIfAbsent(record));
          expect(e.message).not.toBe('');
        }
        await invalid(store.due('outbox', at(1), 0));
        await invalid(store.due('outbox', 'now', 10));
        await invalid(store.list('outbox', { limit: 1001 }));

        expect(await store.list('outbox', { limit: 100 })).toEqual([]);
      });
    });

    describe('replacing', () => {
      const seed = async (): Promise<StateRecord> =>
        (await store.createIfAbsent({ key: 'cursor', kind: 'cursor', value: 1, dueAt: null }))
          .record;

      it('replaces with the etag it read and answers the new version', async () => {
        const first = await seed();

        const next = await store.replace('cursor', first.etag, { value: 2, dueAt: at(5) });

        expect(next).toMatchObject({ key: 'cursor', kind: 'cursor', value: 2, dueAt: at(5) });
        expect(next?.etag).not.toBe(first.etag);
        expect(await store.get('cursor')).toEqual(next);
      });

      it('answers null with a stale etag and writes nothing', async () => {
        const first = await seed();
        const second = await store.replace('cursor', first.etag, { value: 2, dueAt: null });

        expect(await store.replace('cursor', first.etag, { value: 3, dueAt: at(1) })).toBeNull();
        expect(await store.replace('cursor', 'not-an-etag', { value: 4, dueAt: null })).toBeNull();
        expect(await store.get('cursor')).toEqual(second);
      });

      it('answers null for a key nobody stored', async () => {
        expect(await store.replace('missing', '"1"', { value: 1, dueAt: null })).toBeNull();
        expect(await store.get('missing')).toBeNull();
      });

      it('lets one of several replaces from the same version win, across instances', async () => {
        const first = await seed();
        const other = await another();

        const answers = await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            (i % 2 === 0 ? store : other).replace('cursor', first.etag, {
              value: 10 + i,
              dueAt: null,
            }),
          ),
        );

        const winners = answers.filter((a) => a !== null);
        expect(winners).toHaveLength(1);
        expect((await store.get('cursor'))?.value).toBe(winners[0]?.value);
      });

      it('refuses a bad replacement and keeps the record', async () => {
        const first = await seed();

        await invalid(store.replace('cursor', first.etag, { value: undefined, dueAt: null }));
        await invalid(store.replace('cursor', first.etag, { value: 1, dueAt: '28/11/2026' }));

        expect(await store.get('cursor')).toEqual(first);
      });
    });

    describe('due records', () => {
      it('answers the records of a kind due at or before a time, earliest first, up to a limit', async () => {
        const entries: [string, string | null][] = [
          ['e3', at(30)],
          ['e1', at(10)],
          ['e5', null],
          ['e2', at(20)],
          ['e4', at(40)],
        ];
        for (const [key, dueAt] of entries)
          await store.createIfAbsent({ key, kind: 'outbox', value: key, dueAt });
        await store.createIfAbsent({ key: 'other', kind: 'reminder', value: 0, dueAt: at(1) });

        const keys = async (before: string, limit: number): Promise<string[]> =>
          (await store.due('outbox', before, limit)).map((r) => r.key);

        expect(await keys(at(30), 10)).toEqual(['e1', 'e2', 'e3']);
        expect(await keys(at(59), 2)).toEqual(['e1', 'e2']);
        expect(await keys(at(5), 10)).toEqual([]);
        expect((await store.due('reminder', at(59), 10)).map((r) => r.key)).toEqual(['other']);
      });

      it('follows a record whose due time moved, and drops one that is no longer due', async () => {
        const a = (await store.createIfAbsent({ key: 'a', kind: 'outbox', value: 0, dueAt: at(1) }))
          .record;
        await store.createIfAbsent({ key: 'b', kind: 'outbox', value: 0, dueAt: at(2) });

        await store.replace('a', a.etag, { value: 1, dueAt: at(9) });
        const b = await store.get('b');
        if (!b) throw new Error('b is stored');
        await store.replace('b', b.etag, { value: 1, dueAt: null });

        expect((await store.due('outbox', at(59), 10)).map((r) => r.key)).toEqual(['a']);
        expect(await store.due('outbox', at(8), 10)).toEqual([]);
      });

      it('pages through more due records than one Graph page holds', async () => {
        const many = Array.from({ length: 45 }, (_, i) => `m${String(i).padStart(2, '0')}`);
        for (const [i, key] of many.entries())
          await store.createIfAbsent({ key, kind: 'outbox', value: i, dueAt: at(i % 60) });

        const due = await store.due('outbox', at(59), 1000);

        expect(due.map((r) => r.key)).toEqual(many);
      }, 60_000);
    });

    describe('listing', () => {
      beforeEach(async () => {
        for (const key of ['ref:t1:b', 'ref:t1:a', 'ref:t2:a', 'ref:t1:c', 'refx', 'ref:t1'])
          await store.createIfAbsent({ key, kind: 'conversation', value: key, dueAt: null });
        await store.createIfAbsent({ key: 'ref:t1:z', kind: 'outbox', value: 0, dueAt: null });
      });

      const keys = async (options: {
        prefix?: string;
        after?: string;
        limit: number;
      }): Promise<string[]> => (await store.list('conversation', options)).map((r) => r.key);

      it('lists a kind in key order', async () => {
        expect(await keys({ limit: 100 })).toEqual([
          'ref:t1',
          'ref:t1:a',
          'ref:t1:b',
          'ref:t1:c',
          'ref:t2:a',
          'refx',
        ]);
      });

      it('lists the keys with a prefix, after a key, up to a limit', async () => {
        expect(await keys({ prefix: 'ref:t1:', limit: 100 })).toEqual([
          'ref:t1:a',
          'ref:t1:b',
          'ref:t1:c',
        ]);
        expect(await keys({ prefix: 'ref:t1:', after: 'ref:t1:a', limit: 100 })).toEqual([
          'ref:t1:b',
          'ref:t1:c',
        ]);
        expect(await keys({ prefix: 'ref:t1:', limit: 2 })).toEqual(['ref:t1:a', 'ref:t1:b']);
        expect(await keys({ prefix: 'ref:t3', limit: 100 })).toEqual([]);
        expect(await keys({ after: 'ref:t2:a', limit: 100 })).toEqual(['refx']);
      });

      it('walks a long list page by page with after', async () => {
        for (let i = 0; i < 30; i += 1)
          await store.createIfAbsent({
            key: `page:${String(i).padStart(2, '0')}`,
            kind: 'conversation',
            value: i,
            dueAt: null,
          });
        const seen: string[] = [];
        let after: string | undefined;
        for (;;) {
          const page = await store.list('conversation', {
            prefix: 'page:',
            limit: 7,
            ...(after === undefined ? {} : { after }),
          });
          seen.push(...page.map((r) => r.key));
          if (page.length < 7) break;
          after = page.at(-1)?.key;
        }

        expect(seen).toEqual(
          Array.from({ length: 30 }, (_, i) => `page:${String(i).padStart(2, '0')}`),
        );
      }, 60_000);
    });
  });
}
