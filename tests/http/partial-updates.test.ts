/**
 * The investigation changes field by field: each person's command names only what they
 * changed, so two people working on one CAR never erase each other's work, and a change sent
 * again after a conflict re-applies only that person's fields.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startHarness, type Harness } from '../support/rectify-harness.js';
import { act, etagOf, report, type CarBody } from './steps.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

interface Investigation {
  fiveWhys: { question: string; answer: string }[];
  rootCause: string | null;
  causeCategory: string | null;
  similarCheck: { done: boolean; findings: string; relatedCarIds: string[] } | null;
}
const investigationOf = async (id: string): Promise<Investigation> =>
  ((await (await h.as('mr')).get(`/api/cars/${id}`)).body as { investigation: Investigation })
    .investigation;

async function anInvestigatedCar(): Promise<CarBody> {
  const car = await report(h, 'reporter', { title: 'Visitor badge not returned' });
  await act(h, 'mr', car, '/record', { classification: 'minor_nc', severity: 'low' });
  await act(h, 'mr', car, '/start-investigation');
  return act(
    h,
    'mr',
    car,
    '/investigation',
    {
      fiveWhys: [
        { question: 'Why was the badge kept?', answer: 'Nobody asked for it.' },
        { question: 'Why did nobody ask?', answer: 'The checklist omits it.' },
      ],
    },
    'patch',
  );
}

describe('partial investigation updates', () => {
  it('keep both changes when two people edit different fields of one CAR on the same version', async () => {
    const car = await anInvestigatedCar();
    const seen = await etagOf(h, car.id);
    const related = await report(h, 'otherReporter', { title: 'Badge kept at the gate' });
    const mr = await h.as('mr');
    const first = await mr
      .patch(`/api/cars/${car.id}/investigation`, {
        whys: [{ index: 1, answer: 'The exit checklist has no badge line.' }],
        rootCause: 'The exit checklist omits badge return.',
      })
      .set('If-Match', seen);
    expect(first.status).toBe(200);
    // The second person saw the same version: a conflict, then the same change sent again.
    const second = {
      similarCheck: { done: true, addRelated: [related.id] },
      causeCategory: 'process',
    };
    const stale = await mr.patch(`/api/cars/${car.id}/investigation`, second).set('If-Match', seen);
    expect(stale.status).toBe(409);
    const again = await mr
      .patch(`/api/cars/${car.id}/investigation`, second)
      .set('If-Match', await etagOf(h, car.id));
    expect(again.status).toBe(200);

    expect(await investigationOf(car.id)).toMatchObject({
      fiveWhys: [
        { question: 'Why was the badge kept?', answer: 'Nobody asked for it.' },
        { question: 'Why did nobody ask?', answer: 'The exit checklist has no badge line.' },
      ],
      rootCause: 'The exit checklist omits badge return.',
      causeCategory: 'process',
      similarCheck: { done: true, findings: '', relatedCarIds: [related.id] },
    });
  });

  it('adds and removes one related CAR or one step without touching the others', async () => {
    const car = await anInvestigatedCar();
    const a = await report(h, 'otherReporter', { title: 'First related' });
    const b = await report(h, 'otherReporter', { title: 'Second related' });
    await act(
      h,
      'mr',
      car,
      '/investigation',
      { similarCheck: { addRelated: [a.id, b.id] } },
      'patch',
    );
    await act(h, 'mr', car, '/investigation', { similarCheck: { removeRelated: [a.id] } }, 'patch');
    await act(h, 'mr', car, '/investigation', { whys: [{ index: 0, remove: true }] }, 'patch');
    const inv = await investigationOf(car.id);
    expect(inv.similarCheck?.relatedCarIds).toEqual([b.id]);
    expect(inv.fiveWhys).toEqual([
      { question: 'Why did nobody ask?', answer: 'The checklist omits it.' },
    ]);
  });

  it('refuses a step that does not follow the last one, and an empty answer, changing nothing', async () => {
    const car = await anInvestigatedCar();
    const mr = await h.as('mr');
    for (const whys of [
      [{ index: 5, question: 'Why?', answer: 'Because.' }],
      [{ index: 2, question: 'Why a third?' }],
      [{ index: 0, answer: '   ' }],
    ]) {
      const res = await mr
        .patch(`/api/cars/${car.id}/investigation`, { whys })
        .set('If-Match', await etagOf(h, car.id));
      expect([JSON.stringify(whys), res.status]).toEqual([JSON.stringify(whys), 400]);
    }
    expect((await investigationOf(car.id)).fiveWhys).toHaveLength(2);
  });

  it("list the caller's own reports in GET /api/me/reports, paged, and nobody else's", async () => {
    await report(h, 'otherReporter', { title: 'Mine, earlier' });
    const mine = await report(h, 'otherReporter', { title: 'Mine to list' });
    const theirs = await report(h, 'reporter', { title: 'Not theirs' });
    const client = await h.as('otherReporter');
    const first = await client.get('/api/me/reports?limit=1');
    expect(first.status).toBe(200);
    const page = first.body as {
      items: { id: string; reporter: { id: string } }[];
      nextCursor: string | null;
    };
    expect(page.items.map((c) => c.id)).toEqual([mine.id]);
    const all = (await client.get('/api/me/reports?limit=200')).body as typeof page;
    expect(all.items.every((c) => c.reporter.id === all.items[0]?.reporter.id)).toBe(true);
    expect(all.items.map((c) => c.id)).toContain(mine.id);
    expect(all.items.length).toBeGreaterThan(1);
    expect(all.items.map((c) => c.id)).not.toContain(theirs.id);
    expect(page.nextCursor).not.toBeNull();
  });
});
