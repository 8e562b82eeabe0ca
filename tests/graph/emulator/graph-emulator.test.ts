import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { GraphEmulator } from './graph-emulator.js';

/** The emulator is only worth what it keeps honest: these hold it to the Graph documents. */
describe('the Graph emulator', () => {
  let emulator: GraphEmulator;
  let base: string;
  let listId: string;

  const call = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { 'Content-Type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return {
      status: res.status,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
      headers: res.headers,
    };
  };
  const site = (): string => `/sites/${encodeURIComponent(emulator.site.id)}`;

  beforeEach(async () => {
    emulator = new GraphEmulator();
    base = await emulator.listen();
    const created = await call('POST', `${site()}/lists`, {
      displayName: 'Books',
      columns: [
        { name: 'Isbn', text: {}, indexed: true, enforceUniqueValues: true },
        { name: 'Author', text: {} },
        { name: 'Pages', number: {}, indexed: true },
      ],
      list: { template: 'genericList' },
    });
    listId = String(created.body.id);
  });

  afterEach(async () => {
    await emulator.close();
  });

  const items = (): string => `${site()}/lists/${listId}/items`;
  const add = (isbn: string, pages: number, author = 'Ann') =>
    call('POST', items(), { fields: { Title: isbn, Isbn: isbn, Pages: pages, Author: author } });

  it('finds a site by id and by host:/path, and a list by id or display name', async () => {
    expect((await call('GET', site())).body.id).toBe(emulator.site.id);
    expect((await call('GET', `/sites/contoso.sharepoint.com:/sites/isms`)).body.id).toBe(
      emulator.site.id,
    );
    expect((await call('GET', `${site()}/lists/Books`)).body.id).toBe(listId);
    expect((await call('GET', `${site()}/lists/Nope`)).status).toBe(404);
  });

  it('answers 412 to a stale If-Match and changes nothing; ETags read "{guid},{version}"', async () => {
    const created = await add('1', 10);
    const etag = String(created.body.eTag);
    const id = String(created.body.id);
    expect(etag).toMatch(/^"[0-9a-f-]{36},1"$/);

    const first = await call(
      'PATCH',
      `${items()}/${id}/fields`,
      { Pages: 11 },
      { 'If-Match': etag },
    );
    const stale = await call(
      'PATCH',
      `${items()}/${id}/fields`,
      { Pages: 99 },
      { 'If-Match': etag },
    );

    expect(first.status).toBe(200);
    expect(first.body['@odata.etag']).toMatch(/,2"$/);
    expect(stale.status).toBe(412);
    expect((await call('GET', `${items()}/${id}?$expand=fields`)).body.fields).toMatchObject({
      Pages: 11,
    });
  });

  it('refuses a duplicate in a unique column with 500, as SharePoint does', async () => {
    await add('1', 10);

    expect((await add('1', 20)).status).toBe(500);
    expect(emulator.listByName('Books')?.items.size).toBe(1);
  });

  it('filters on a non-indexed column only with the Prefer header', async () => {
    await add('1', 10, 'Ann');
    const q = `${items()}?$expand=fields&$filter=${encodeURIComponent("fields/Author eq 'Ann'")}`;

    expect((await call('GET', q)).status).toBe(400);
    const allowed = await call('GET', q, undefined, {
      Prefer: 'HonorNonIndexedQueriesWarningMayFailRandomly',
    });
    expect(allowed.status).toBe(200);
    expect(allowed.body.value).toHaveLength(1);
  });

  it('sorts, selects and pages with @odata.nextLink', async () => {
    for (let i = 1; i <= 5; i += 1) await add(String(i), i * 10);
    const seen: unknown[] = [];
    let next: string | null =
      `${items()}?$expand=fields($select=Pages)&$orderby=fields/Pages desc&$top=2`;
    while (next) {
      const page = await call('GET', next);
      seen.push(
        ...(page.body.value as { fields: { Pages: number; Isbn?: string } }[]).map((v) => v.fields),
      );
      const link = page.body['@odata.nextLink'];
      next = typeof link === 'string' ? link.slice(base.length) : null;
    }

    expect(seen.map((f) => (f as { Pages: number }).Pages)).toEqual([50, 40, 30, 20, 10]);
    expect(seen.every((f) => !('Isbn' in (f as object)))).toBe(true);
  });

  it('runs a $batch in order with dependsOn and 424, and refuses more than 20 requests', async () => {
    const url = `/sites/${encodeURIComponent(emulator.site.id)}/lists/${listId}/items`;
    const res = await call('POST', '/$batch', {
      requests: [
        {
          id: '1',
          method: 'POST',
          url,
          body: { fields: { Isbn: 'a', Pages: 1 } },
          headers: { 'Content-Type': 'application/json' },
        },
        {
          id: '2',
          method: 'POST',
          url,
          body: { fields: { Isbn: 'a', Pages: 2 } },
          headers: { 'Content-Type': 'application/json' },
          dependsOn: ['1'],
        },
        {
          id: '3',
          method: 'POST',
          url,
          body: { fields: { Isbn: 'b', Pages: 3 } },
          headers: { 'Content-Type': 'application/json' },
          dependsOn: ['2'],
        },
      ],
    });
    const tooMany = await call('POST', '/$batch', {
      requests: Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: 'GET', url })),
    });

    expect(
      (res.body.responses as { id: string; status: number }[]).map((r) => [r.id, r.status]),
    ).toEqual([
      ['1', 201],
      ['2', 500],
      ['3', 424],
    ]);
    expect(tooMany.status).toBe(400);
  });

  it('throttles inner requests with their own Retry-After, and carries out a write before a 504', async () => {
    emulator.fail({ status: 429, retryAfterSeconds: 7, where: 'inner' });
    const batch = await call('POST', '/$batch', {
      requests: [{ id: '1', method: 'GET', url: `/sites/${encodeURIComponent(emulator.site.id)}` }],
    });
    emulator.fail({ status: 504, afterWrite: true, method: 'POST' });
    const timedOut = await add('9', 9);

    expect(batch.status).toBe(200);
    expect(batch.body.responses).toEqual([
      expect.objectContaining({
        id: '1',
        status: 429,
        headers: expect.objectContaining({ 'Retry-After': '7' }),
      }),
    ]);
    expect(timedOut.status).toBe(504);
    expect(emulator.listByName('Books')?.items.size).toBe(1);
  });

  it('asks for a token when configured to', async () => {
    emulator.authorize = (token) => (token === 'good' ? 200 : 401);

    expect((await call('GET', site())).status).toBe(401);
    expect((await call('GET', site(), undefined, { Authorization: 'Bearer good' })).status).toBe(
      200,
    );
  });
});
