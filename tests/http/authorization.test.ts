import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import path from 'node:path';
import request from 'supertest';
import { LocalIssuer } from '../../src/infrastructure/auth/local-issuer.js';
import { startHarness, people, type Harness, type Who } from '../support/rectify-harness.js';
import {
  aCorrectiveAction,
  act,
  anImplementingCar,
  etagOf,
  report,
  type CarBody,
} from './steps.js';

let h: Harness;
let open: CarBody; // reported by `reporter`, action owned by `owner`
let confidential: CarBody; // confidential, reported by `reporter`, action owned by `owner`
let fresh: CarBody; // reported by `reporter`, still `reported`

beforeAll(async () => {
  h = await startHarness();
  open = await anImplementingCar(h);
  confidential = await anImplementingCar(h, { confidential: true, title: 'Confidential matter' });
  fresh = await report(h);
});
afterAll(async () => {
  await h.close();
});

type Expect = 200 | 201 | 204 | 403 | 404;
const everyone: Who[] = ['reporter', 'otherReporter', 'owner', 'otherOwner', 'mr', 'committee'];

describe('who may read what', () => {
  const readMatrix: Record<Who, { open: Expect; confidential: Expect; fresh: Expect }> = {
    reporter: { open: 200, confidential: 200, fresh: 200 },
    otherReporter: { open: 404, confidential: 404, fresh: 404 },
    owner: { open: 200, confidential: 404, fresh: 404 },
    otherOwner: { open: 404, confidential: 404, fresh: 404 },
    mr: { open: 200, confidential: 200, fresh: 200 },
    committee: { open: 200, confidential: 200, fresh: 200 },
  };

  for (const who of everyone)
    for (const which of ['open', 'confidential', 'fresh'] as const)
      it(`${who} reading the ${which} CAR and its history gets ${readMatrix[who][which]}`, async () => {
        const car = { open, confidential, fresh }[which];
        const client = await h.as(who);
        const one = await client.get(`/api/cars/${car.id}`);
        expect(one.status).toBe(readMatrix[who][which]);
        const history = await client.get(`/api/cars/${car.id}/history`);
        expect(history.status).toBe(readMatrix[who][which]);
        if (one.status === 404)
          expect(JSON.stringify([one.body, history.body])).not.toMatch(
            /Visitor badge|Confidential matter|Alex Morgan/,
          );
      });

  it('lists for each person only what they may read', async () => {
    const ids = async (who: Who): Promise<string[]> =>
      ((await (await h.as(who)).get('/api/cars?limit=200')).body as { items: CarBody[] }).items.map(
        (c) => c.id,
      );
    expect((await ids('reporter')).sort()).toEqual([open.id, confidential.id, fresh.id].sort());
    expect(await ids('otherReporter')).toEqual([]);
    expect(await ids('owner')).toEqual([open.id]);
    expect((await ids('committee')).sort()).toEqual([open.id, confidential.id, fresh.id].sort());
  });
});

describe('who may do what', () => {
  const record = { classification: 'minor_nc', severity: 'low' };
  const review = { meetingDate: '2026-12-01', minutesRef: 'SC-2026-12', decision: 'Noted' };

  const doMatrix: Record<Who, { record: Expect; review: Expect; addAction: Expect }> = {
    reporter: { record: 403, review: 403, addAction: 403 },
    otherReporter: { record: 404, review: 404, addAction: 404 },
    owner: { record: 404, review: 404, addAction: 403 },
    otherOwner: { record: 404, review: 404, addAction: 404 },
    committee: { record: 403, review: 200, addAction: 403 },
    mr: { record: 200, review: 200, addAction: 200 },
  };

  for (const who of everyone)
    it(`${who}: record ${doMatrix[who].record}, committee review ${doMatrix[who].review}, add action ${doMatrix[who].addAction}`, async () => {
      const client = await h.as(who);
      const target = await report(h);
      const rec = await client
        .post(`/api/cars/${target.id}/record`, record)
        .set('If-Match', await etagOf(h, target.id));
      expect(rec.status).toBe(doMatrix[who].record);
      if (who !== 'mr') {
        const unchanged = await (await h.as('mr')).get(`/api/cars/${target.id}`);
        expect((unchanged.body as CarBody).state).toBe('reported');
      }
      const rev = await client
        .post(`/api/cars/${target.id}/committee-reviews`, review)
        .set('If-Match', await etagOf(h, target.id));
      expect(rev.status).toBe(doMatrix[who].review);
      const add = await client
        .post(`/api/cars/${open.id}/actions`, aCorrectiveAction())
        .set('If-Match', await etagOf(h, open.id));
      expect(add.status).toBe(doMatrix[who].addAction);
    });

  it('lets only the owner (or the MR) complete an action', async () => {
    const car = await anImplementingCar(h);
    const actionId = car.actions[0]?.id ?? '';
    for (const who of ['otherOwner', 'reporter', 'committee'] as const) {
      const res = await (
        await h.as(who)
      )
        .post(`/api/cars/${car.id}/actions/${actionId}/complete`, { note: 'done' })
        .set('If-Match', await etagOf(h, car.id));
      expect([403, 404]).toContain(res.status);
    }
    const done = await act(h, 'owner', car, `/actions/${actionId}/complete`, { note: 'done' });
    expect(done.actions[0]?.status).toBe('done');
  });

  it('lets an owner complete their action on a confidential CAR they cannot read, through their action list', async () => {
    const client = await h.as('owner');
    const mine = await client.get('/api/me/actions');
    const item = (
      mine.body as {
        items: { carId: string; etag: string; carTitle: string | null; action: { id: string } }[];
      }
    ).items.find((i) => i.carId === confidential.id);
    expect(item).toBeDefined();
    expect(item?.carTitle).toBeNull();
    const res = await client
      .post(`/api/cars/${confidential.id}/actions/${item?.action.id ?? ''}/complete`, {
        note: 'done',
      })
      .set('If-Match', item?.etag ?? '');
    expect(res.status).toBe(204);
    expect(res.body).toEqual({});
    const check = await (await h.as('mr')).get(`/api/cars/${confidential.id}`);
    expect((check.body as CarBody).actions[0]?.status).toBe('done');
  });
});

describe('tokens from elsewhere', () => {
  it('refuses a correctly signed token for a tenant outside the allow-list', async () => {
    const foreign = await LocalIssuer.create({
      keyFile: path.join(h.dataDir, 'local-issuer-key.json'), // the very key Rectify trusts
      tenantId: '11111111-2222-4333-8444-555555555555',
      authorityHost: `${h.rectify.url}/dev/issuer`,
    });
    const { accessToken } = await foreign.issueAccessToken(
      { ...people.mr, appRoles: ['ManagementRepresentative'] },
      { audience: h.config.auth.clientId },
    );
    const res = await request(h.rectify.url)
      .get('/api/cars')
      .set('Authorization', `Bearer ${accessToken}`);
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({
      code: 'AUTH.UNAUTHENTICATED',
      details: { reason: 'tenant_not_allowed' },
    });
  });

  it('takes roles from the token only, never from the request', async () => {
    const car = await report(h);
    const res = await (
      await h.as('reporter')
    )
      .post(`/api/cars/${car.id}/record`, {
        classification: 'minor_nc',
        severity: 'low',
        roles: ['mr'],
      })
      .set('If-Match', await etagOf(h, car.id))
      .set('X-Roles', 'mr');
    expect([400, 403]).toContain(res.status);
    const me = await (await h.as('reporter')).get('/api/me');
    expect(me.body).toMatchObject({ id: people.reporter.id, roles: [] });
  });
});
