import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  GraphStateStore,
  encodeStateKey,
  resolveStateList,
} from '../../src/infrastructure/graph/graph-state-store.js';
import { createGraphConnection } from '../../src/infrastructure/graph/graph-client.js';
import { STATE_LIST, T } from '../../src/infrastructure/graph/rectify-lists.js';
import { SharePointListClient } from '../../src/infrastructure/graph/sharepoint-list-client.js';
import { describeStateStoreContract } from '../contract/state-store.contract.js';
import { startGraphFixture, type GraphFixture } from './graph-fixture.js';

/** Small Graph pages, so that every query follows @odata.nextLink. */
const PAGE = 10;

async function storeOn(fixture: GraphFixture): Promise<GraphStateStore> {
  return new GraphStateStore(fixture.lists, await resolveStateList(fixture.lists), PAGE);
}

describeStateStoreContract('GraphStateStore', async () => {
  const fixture = await startGraphFixture();
  return {
    store: await storeOn(fixture),
    another: () => startOtherClient(fixture),
    close: () => fixture.close(),
  };
});

/** A store through its own Graph connection: another running instance of Rectify. */
async function startOtherClient(fixture: GraphFixture): Promise<GraphStateStore> {
  const lists = new SharePointListClient(
    createGraphConnection({
      baseUrl: fixture.emulator.url,
      accessToken: () => Promise.resolve('emulator-token'),
      retry: { baseDelayMs: 1, maxDelayMs: 20 },
    }),
    fixture.emulator.site.id,
  );
  return new GraphStateStore(lists, await resolveStateList(lists), PAGE);
}

describe('GraphStateStore on the emulated site', () => {
  let fixture: GraphFixture;
  let store: GraphStateStore;

  beforeEach(async () => {
    fixture = await startGraphFixture({ retry: { baseDelayMs: 1, maxDelayMs: 20 } });
    store = await storeOn(fixture);
  });

  afterEach(async () => {
    await fixture.close();
  });

  const items = () => [
    ...(fixture.emulator.listByName(STATE_LIST.displayName)?.items.values() ?? []),
  ];

  it('encodes keys into lower-case text that keeps prefixes', () => {
    expect(encodeStateKey('invoke:AbC')).toBe('invoke:^ab^c');
    expect(encodeStateKey('ref ü')).toBe('ref~20;~fc;');
    expect(encodeStateKey('ref:t1:x').startsWith(encodeStateKey('ref:t1:'))).toBe(true);
  });

  it('waits out 429 and 503 answers, on the batch and inside it', async () => {
    fixture.emulator.fail({ status: 429, retryAfterSeconds: 0, times: 2, where: 'top' });
    fixture.emulator.fail({ status: 503, retryAfterSeconds: 0, times: 2, where: 'inner' });

    const { created } = await store.createIfAbsent({
      key: 'k',
      kind: 'outbox',
      value: 1,
      dueAt: null,
    });
    fixture.emulator.fail({ status: 503, retryAfterSeconds: 0, times: 2, method: 'GET' });
    const read = await store.get('k');

    expect(created).toBe(true);
    expect(read?.value).toBe(1);
    expect(items()).toHaveLength(1);
  });

  it('makes no duplicate and one created: true when the create is answered 504 after it happened', async () => {
    const other = await startOtherClient(fixture);
    fixture.emulator.fail({ status: 504, afterWrite: true, times: 1, where: 'inner' });

    const first = await store.createIfAbsent({ key: 'k', kind: 'outbox', value: 'a', dueAt: null });
    const second = await other.createIfAbsent({
      key: 'k',
      kind: 'outbox',
      value: 'b',
      dueAt: null,
    });

    expect([first.created, second.created]).toEqual([true, false]);
    expect(second.record.value).toBe('a');
    expect(items()).toHaveLength(1);
  });

  it('tells the two callers apart when the first create is lost behind a 504 and the second comes first', async () => {
    const other = await startOtherClient(fixture);
    fixture.emulator.fail({ status: 504, afterWrite: true, times: 1, where: 'top' });

    const answers = await Promise.all([
      store.createIfAbsent({ key: 'k', kind: 'outbox', value: 'a', dueAt: null }),
      other.createIfAbsent({ key: 'k', kind: 'outbox', value: 'b', dueAt: null }),
    ]);

    expect(answers.filter((a) => a.created)).toHaveLength(1);
    expect(items()).toHaveLength(1);
  });

  it('reports a replace that landed behind a 504 as done, not as lost', async () => {
    const { record } = await store.createIfAbsent({
      key: 'k',
      kind: 'outbox',
      value: 1,
      dueAt: null,
    });
    fixture.emulator.fail({
      status: 504,
      afterWrite: true,
      times: 1,
      where: 'inner',
      method: 'PATCH',
    });

    const next = await store.replace('k', record.etag, { value: 2, dueAt: null });

    expect(next?.value).toBe(2);
    expect((await store.get('k'))?.value).toBe(2);
  });

  it('keeps the key as given in the title and the encoded key in the unique column', async () => {
    await store.createIfAbsent({ key: 'Invoke:X', kind: 'bot', value: true, dueAt: null });

    expect(items()[0]?.fields).toMatchObject({
      Title: 'Invoke:X',
      [T.key]: '^invoke:^x',
      [T.kind]: 'bot',
    });
  });

  it('queries only indexed columns (the site refuses others, as past 5,000 items)', async () => {
    await store.createIfAbsent({
      key: 'a',
      kind: 'outbox',
      value: 1,
      dueAt: '2026-11-28T09:00:00.000Z',
    });
    fixture.emulator.resetLog();

    const due = await store.due('outbox', '2026-11-28T10:00:00.000Z', 10);
    const listed = await store.list('outbox', { prefix: 'a', after: '0', limit: 10 });

    expect([due.length, listed.length]).toEqual([1, 1]);
    expect(fixture.emulator.log.every((e) => e.status === 200)).toBe(true);
  });
});
