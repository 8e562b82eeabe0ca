import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from '@jest/globals';
import { CSDL_FILE, SCHEMA_FILE, deriveSchemas } from '../../../scripts/graph-schemas.js';
import { GraphEmulator, type GraphEmulatorOptions } from './graph-emulator.js';
import { plannerOf } from './planner-routes.js';
import { ALL_STRICT_RULES, STRICT_RULES, type StrictRule } from './strict-rules.js';

/**
 * One test per strict rule: what the strict emulator answers, and that switching the rule off
 * (`relax`) changes the answer, so each test fails when its rule is switched off.
 */

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

const started: GraphEmulator[] = [];

async function emulatorWith(options: GraphEmulatorOptions = {}): Promise<{
  emulator: GraphEmulator;
  call: (
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ) => Promise<Answer>;
  site: string;
}> {
  const emulator = new GraphEmulator(options);
  started.push(emulator);
  const base = await emulator.listen();
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer> => {
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
  return { emulator, call, site: `/sites/${encodeURIComponent(emulator.site.id)}` };
}

/** Runs `scenario` on a strict emulator and on one with `rule` relaxed. */
async function bothWays<T>(
  rule: StrictRule,
  scenario: (e: Awaited<ReturnType<typeof emulatorWith>>) => Promise<T>,
  options: GraphEmulatorOptions = {},
): Promise<{ strict: T; relaxed: T }> {
  const strict = await scenario(await emulatorWith(options));
  const relaxed = await scenario(await emulatorWith({ ...options, relax: [rule] }));
  return { strict, relaxed };
}

async function booksList(
  e: Awaited<ReturnType<typeof emulatorWith>>,
  extraColumns: Record<string, unknown>[] = [],
): Promise<string> {
  const created = await e.call('POST', `${e.site}/lists`, {
    displayName: 'Books',
    list: { template: 'genericList' },
    columns: [
      { name: 'Isbn', text: {}, indexed: true, enforceUniqueValues: true },
      { name: 'Secret', text: {}, hidden: true },
      ...extraColumns,
    ],
  });
  return String(created.body.id);
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((e) => e.close()));
});

describe('the strict emulator', () => {
  it('cites a public Microsoft page for every rule', () => {
    for (const rule of ALL_STRICT_RULES)
      expect(STRICT_RULES[rule]).toMatch(/^https:\/\/learn\.microsoft\.com\//);
  });

  it('leaves hidden columns and hidden field values out unless $select names them', async () => {
    const { strict, relaxed } = await bothWays('hiddenColumns', async (e) => {
      const list = await booksList(e);
      const columns = await e.call('GET', `${e.site}/lists/${list}/columns`);
      const selected = await e.call(
        'GET',
        `${e.site}/lists/${list}/columns?$select=id,name,hidden`,
      );
      const created = await e.call('POST', `${e.site}/lists/${list}/items`, {
        fields: { Isbn: '1', Secret: 'tell no one' },
      });
      const id = String(created.body.id);
      const plain = await e.call('GET', `${e.site}/lists/${list}/items/${id}?$expand=fields`);
      const named = await e.call(
        'GET',
        `${e.site}/lists/${list}/items/${id}?$expand=fields($select=Isbn,Secret)`,
      );
      const names = (a: Answer): string[] =>
        (a.body.value as { name: string }[]).map((c) => c.name);
      const fields = (a: Answer): Record<string, unknown> =>
        a.body.fields as Record<string, unknown>;
      return {
        listed: names(columns).includes('Secret'),
        listedWithSelect: names(selected).includes('Secret'),
        inPostAnswer: 'Secret' in fields(created),
        inPlainGet: 'Secret' in fields(plain),
        inNamedGet: fields(named).Secret,
      };
    });
    expect(strict).toEqual({
      listed: false,
      listedWithSelect: true,
      inPostAnswer: false,
      inPlainGet: false,
      inNamedGet: 'tell no one',
    });
    expect(relaxed.listed).toBe(true);
    expect(relaxed.inPostAnswer).toBe(true);
  });

  it('takes only parallel, sequential or one-root dependsOn shapes', async () => {
    const { strict, relaxed } = await bothWays('batchDependsOn', async (e) => {
      const url = e.site;
      const batch = (requests: unknown[]): Promise<Answer> =>
        e.call('POST', '/$batch', { requests });
      const mixed = await batch([
        { id: 'a', method: 'GET', url },
        { id: 'b', method: 'GET', url, dependsOn: ['a'] },
        { id: 'c', method: 'GET', url },
      ]);
      const twoDeps = await batch([
        { id: 'a', method: 'GET', url },
        { id: 'b', method: 'GET', url },
        { id: 'c', method: 'GET', url, dependsOn: ['a', 'b'] },
      ]);
      const sequential = await batch([
        { id: 'a', method: 'GET', url },
        { id: 'b', method: 'GET', url, dependsOn: ['a'] },
        { id: 'c', method: 'GET', url, dependsOn: ['b'] },
      ]);
      const oneRoot = await batch([
        { id: 'a', method: 'GET', url },
        { id: 'b', method: 'GET', url, dependsOn: ['a'] },
        { id: 'c', method: 'GET', url, dependsOn: ['a'] },
      ]);
      return [mixed.status, twoDeps.status, sequential.status, oneRoot.status];
    });
    expect(strict).toEqual([400, 400, 200, 200]);
    expect(relaxed).toEqual([200, 200, 200, 200]);
  });

  it('counts each request of a sequential batch as a round trip, and waits for each', async () => {
    const { strict, relaxed } = await bothWays(
      'sequentialBatchLatency',
      async (e) => {
        const url = e.site;
        e.emulator.resetLog();
        const t0 = Date.now();
        await e.call('POST', '/$batch', {
          requests: [
            { id: 'a', method: 'GET', url },
            { id: 'b', method: 'GET', url, dependsOn: ['a'] },
            { id: 'c', method: 'GET', url, dependsOn: ['b'] },
          ],
        });
        const waited = Date.now() - t0;
        await e.call('POST', '/$batch', {
          requests: [
            { id: 'a', method: 'GET', url },
            { id: 'b', method: 'GET', url },
          ],
        });
        return { roundTrips: e.emulator.counts().roundTrips, waitedAtLeast3: waited >= 3 * 40 };
      },
      { latencyMs: 40 },
    );
    expect(strict).toEqual({ roundTrips: 4, waitedAtLeast3: true });
    expect(relaxed).toEqual({ roundTrips: 2, waitedAtLeast3: false });
  });

  it('refuses a query on a large list whose first indexed clause matches over 5,000 items', async () => {
    const { strict, relaxed } = await bothWays('indexedFilterThreshold', async (e) => {
      const list = await booksList(e, [{ name: 'Shelf', text: {}, indexed: true }]);
      e.emulator.seedItems(
        'Books',
        Array.from({ length: 5001 }, (_, i) => ({ Isbn: `i${i}`, Shelf: 'main' })),
      );
      const q = (filter: string): Promise<Answer> =>
        e.call(
          'GET',
          `${e.site}/lists/${list}/items?$expand=fields&$filter=${encodeURIComponent(filter)}`,
        );
      const broadFirst = await q(`fields/Shelf eq 'main' and fields/Isbn eq 'i7'`);
      const narrowFirst = await q(`fields/Isbn eq 'i7' and fields/Shelf eq 'main'`);
      return [broadFirst.status, narrowFirst.status];
    });
    expect(strict).toEqual([400, 200]);
    expect(relaxed).toEqual([200, 200]);
  });

  it('answers a duplicate in a unique column with 500, as SharePoint does', async () => {
    const { strict, relaxed } = await bothWays('duplicateAnswers500', async (e) => {
      const list = await booksList(e);
      await e.call('POST', `${e.site}/lists/${list}/items`, { fields: { Isbn: 'x' } });
      const again = await e.call('POST', `${e.site}/lists/${list}/items`, {
        fields: { Isbn: 'X' },
      });
      return { status: again.status, items: e.emulator.listByName('Books')?.items.size };
    });
    expect(strict).toEqual({ status: 500, items: 1 });
    expect(relaxed).toEqual({ status: 409, items: 1 });
  });

  const plannerTask = async (
    e: Awaited<ReturnType<typeof emulatorWith>>,
    assignments: Record<string, unknown> = {},
  ): Promise<Answer> => {
    const plan = plannerOf(e.emulator).addPlan();
    return e.call('POST', '/planner/tasks', { planId: plan.id, title: 'Fix it', assignments });
  };

  it("takes checklist order hints only in Planner's format", async () => {
    const { strict, relaxed } = await bothWays('plannerOrderHint', async (e) => {
      const task = await plannerTask(e);
      const details = await e.call('GET', `/planner/tasks/${String(task.body.id)}/details`);
      const patch = (orderHint: string, etag: string): Promise<Answer> =>
        e.call(
          'PATCH',
          `/planner/tasks/${String(task.body.id)}/details`,
          { checklist: { k1: { title: 'One', orderHint } } },
          { 'If-Match': etag, Prefer: 'return=representation' },
        );
      const bad = await patch('!!', String(details.body['@odata.etag']));
      const fresh = await e.call('GET', `/planner/tasks/${String(task.body.id)}/details`);
      const good = await patch(' !', String(fresh.body['@odata.etag']));
      return [bad.status, good.status];
    });
    expect(strict).toEqual([400, 200]);
    expect(relaxed).toEqual([200, 200]);
  });

  it('answers 409 to an older ETag on a conflicting change and 412 otherwise', async () => {
    const { strict, relaxed } = await bothWays('plannerVersionConflict', async (e) => {
      const task = await plannerTask(e);
      const path = `/planner/tasks/${String(task.body.id)}`;
      const v1 = String(task.body['@odata.etag']);
      await e.call('PATCH', path, { title: 'Fix it now' }, { 'If-Match': v1 });
      const conflicting = await e.call('PATCH', path, { title: 'Mine' }, { 'If-Match': v1 });
      const other = await e.call('PATCH', path, { priority: 1 }, { 'If-Match': v1 });
      return [conflicting.status, other.status];
    });
    expect(strict).toEqual([409, 412]);
    expect(relaxed).toEqual([412, 412]);
  });

  it('assigns tasks to users only, never to a group', async () => {
    const group = 'aa0f5c7e-3b1d-4e8a-9c2f-6d4b1e0a7c55';
    const assignment = { '@odata.type': '#microsoft.graph.plannerAssignment', orderHint: ' !' };
    const { strict, relaxed } = await bothWays('plannerUserAssignees', async (e) => {
      plannerOf(e.emulator).groupIds.add(group);
      return (await plannerTask(e, { [group]: assignment })).status;
    });
    expect(strict).toBe(400);
    expect(relaxed).toBe(201);
  });

  it("keeps a date-only column's day in the site's time zone", async () => {
    const { strict, relaxed } = await bothWays(
      'siteTimeZone',
      async (e) => {
        const list = await booksList(e, [{ name: 'Due', dateTime: { format: 'dateOnly' } }]);
        const write = async (isbn: string, due: string): Promise<unknown> => {
          const created = await e.call('POST', `${e.site}/lists/${list}/items`, {
            fields: { Isbn: isbn, Due: due },
          });
          return (created.body.fields as Record<string, unknown>).Due;
        };
        return [await write('1', '2026-03-01T00:00:00Z'), await write('2', '2026-03-01T12:00:00Z')];
      },
      { siteTimeZone: 'America/Los_Angeles' },
    );
    // Midnight UTC is still 28 February in California; noon UTC is 1 March there.
    expect(strict).toEqual(['2026-02-28T08:00:00Z', '2026-03-01T08:00:00Z']);
    expect(relaxed).toEqual(['2026-03-01T00:00:00Z', '2026-03-01T12:00:00Z']);
  });

  it('throttles an app past its per-minute resource units with 429 and Retry-After', async () => {
    let clock = Date.parse('2026-03-02T09:00:00Z');
    const { strict, relaxed } = await bothWays(
      'resourceUnits',
      async (e) => {
        // 625 multi-item queries at 2 units each spend the 1,250 units of a small tenant.
        const statuses: number[] = [];
        for (let i = 0; i < 626; i += 1)
          statuses.push((await e.call('GET', `${e.site}/lists`)).status);
        const last = await e.call('GET', `${e.site}/lists`);
        clock += 61_000;
        const later = await e.call('GET', `${e.site}/lists`);
        return {
          okBefore: statuses.slice(0, 625).every((s) => s === 200),
          throttled: [statuses[625], last.status],
          retryAfter: last.headers.get('retry-after') !== null,
          afterAMinute: later.status,
          spent: e.emulator.resourceUnits.spent(),
        };
      },
      { now: () => clock },
    );
    expect(strict).toEqual({
      okBefore: true,
      throttled: [429, 429],
      retryAfter: true,
      afterAMinute: 200,
      spent: 1256,
    });
    expect(relaxed.throttled).toEqual([200, 200]);
  });

  it("checks request and response bodies against Graph's own types", async () => {
    const { strict, relaxed } = await bothWays('graphSchemas', async (e) => {
      const list = await booksList(e);
      const unknownProperty = await e.call('POST', `${e.site}/lists/${list}/items`, {
        fields: { Isbn: '1' },
        colour: 'red',
      });
      const wrongType = await e.call('POST', '/planner/buckets', {
        name: 'B',
        planId: plannerOf(e.emulator).addPlan().id,
        orderHint: 5,
      });
      // The emulator itself answering something Graph would not: recorded, and a 500.
      const name = e.emulator.site.displayName;
      Object.assign(e.emulator.site, { displayName: 42 });
      const badAnswer = await e.call('GET', e.site);
      Object.assign(e.emulator.site, { displayName: name });
      const violations = e.emulator.schemaViolations.splice(0).length;
      return [unknownProperty.status, wrongType.status, badAnswer.status, violations];
    });
    expect(strict).toEqual([400, 400, 500, 1]);
    expect(relaxed).toEqual([201, 201, 200, 0]);
  });

  it('holds schemas derived from the CSDL kept in the repository, as the script writes them', () => {
    const written = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as unknown;
    expect(written).toEqual(deriveSchemas(readFileSync(CSDL_FILE, 'utf8')));
  });
});
