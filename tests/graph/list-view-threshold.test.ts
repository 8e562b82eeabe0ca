import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  GraphStateStore,
  encodeStateKey,
  resolveStateList,
} from '../../src/infrastructure/graph/graph-state-store.js';
import { STATE_LIST, T } from '../../src/infrastructure/graph/rectify-lists.js';
import { startGraphFixture, type GraphFixture } from './graph-fixture.js';

/**
 * A kind of state record grows without bound (settled notifications, processed card actions):
 * past 5,000 items SharePoint refuses a query whose first indexed clause matches more than
 * 5,000, so the state store puts its most selective clause first.
 */
describe('the state store on a list past the list view threshold', () => {
  let fixture: GraphFixture;
  let store: GraphStateStore;

  beforeEach(async () => {
    fixture = await startGraphFixture();
    store = new GraphStateStore(fixture.lists, await resolveStateList(fixture.lists));
    const settled = Array.from({ length: 5_001 }, (_, i) => {
      const key = `notify:settled-${i}`;
      return {
        [T.title]: key,
        [T.key]: encodeStateKey(key),
        [T.kind]: 'notify',
        [T.due]: null,
        [T.value]: '{"outcome":"sent"}',
        [T.createId]: 'seed',
        [T.writeId]: 'seed',
      };
    });
    fixture.emulator.seedItems(STATE_LIST.displayName, settled);
  });

  afterEach(async () => {
    await fixture.close();
  });

  it('still finds what is due, and lists a key range, among 5,001 settled records of the kind', async () => {
    await store.createIfAbsent({
      key: 'notify:waiting',
      kind: 'notify',
      value: { n: 1 },
      dueAt: '2026-03-02T08:00:00.000Z',
    });

    const due = await store.due('notify', '2026-03-02T09:00:00.000Z', 10);
    const listed = await store.list('notify', { prefix: 'notify:settled-4999', limit: 10 });

    expect(due.map((r) => r.key)).toEqual(['notify:waiting']);
    expect(listed.map((r) => r.key)).toEqual(['notify:settled-4999']);
  });
});
