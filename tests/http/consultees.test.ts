import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { people, startHarness, type Harness } from '../support/rectify-harness.js';
import { act, etagOf, report, type CarBody } from './steps.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

interface Inputs {
  investigation: { consulteeInputs: { by: { id: string }; answer: string }[] };
}

/** A confidential CAR under investigation, with `otherOwner` consulted. */
async function aConsultedCar(): Promise<CarBody> {
  const car = await report(h, 'reporter', { confidential: true, title: 'Consulted matter' });
  await act(h, 'mr', car, '/record', { classification: 'minor_nc', severity: 'low' });
  await act(h, 'mr', car, '/start-investigation');
  const consultee = { id: people.otherOwner.id, name: people.otherOwner.name };
  return act(h, 'mr', car, '/investigation', { consultees: [consultee] }, 'patch');
}

describe('consultee inputs', () => {
  it('let a consultee read the confidential CAR and answer; the MR keeps the answer', async () => {
    const car = await aConsultedCar();
    const client = await h.as('otherOwner');
    expect((await client.get(`/api/cars/${car.id}`)).status).toBe(200);
    const res = await client
      .post(`/api/cars/${car.id}/consultee-inputs`, { answer: 'The exit checklist is old.' })
      .set('If-Match', await etagOf(h, car.id));
    expect(res.status).toBe(200);
    const stored = (await (await h.as('mr')).get(`/api/cars/${car.id}`)).body as Inputs;
    expect(stored.investigation.consulteeInputs).toMatchObject([
      { by: { id: people.otherOwner.id }, answer: 'The exit checklist is old.' },
    ]);
  });

  it('refuse everyone else: 404 to who may not read the CAR, 403 to who may', async () => {
    const car = await aConsultedCar();
    const expected = { owner: 404, otherReporter: 404, reporter: 403, committee: 403, mr: 403 };
    for (const [who, status] of Object.entries(expected) as [keyof typeof expected, number][]) {
      const res = await (
        await h.as(who)
      )
        .post(`/api/cars/${car.id}/consultee-inputs`, { answer: 'Me too' })
        .set('If-Match', await etagOf(h, car.id));
      expect([who, res.status]).toEqual([who, status]);
      if (status === 404) expect(JSON.stringify(res.body)).not.toContain('Consulted matter');
    }
    const stored = (await (await h.as('mr')).get(`/api/cars/${car.id}`)).body as Inputs;
    expect(stored.investigation.consulteeInputs).toEqual([]);
  });

  it('refuse an empty answer with a validation problem', async () => {
    const car = await aConsultedCar();
    const empty = await (
      await h.as('otherOwner')
    )
      .post(`/api/cars/${car.id}/consultee-inputs`, { answer: '  ' })
      .set('If-Match', await etagOf(h, car.id));
    expect(empty.status).toBe(400);
    expect(empty.body).toMatchObject({ code: 'REQUEST.VALIDATION' });
  });
});
