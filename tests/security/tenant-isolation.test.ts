import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import path from 'node:path';
import request from 'supertest';
import { LocalIssuer } from '../../src/infrastructure/auth/local-issuer.js';
import { LOCAL_CLIENT_ID, LOCAL_TENANT_ID } from '../../src/infrastructure/auth/sample-people.js';
import {
  aReportBody,
  people,
  startHarness,
  type Harness,
  type Who,
} from '../support/rectify-harness.js';
import { invokeActivity, post, startConnector, type FakeConnector } from '../bot/bot-client.js';
import { anImplementingCar, etagOf, type CarBody } from '../http/steps.js';

/**
 * Two tenants on one Rectify: A (the home tenant) and B, whose own administrator assigns its
 * roles. The same sample people exist in both, with the same object ids, so that only the
 * tenant tells them apart. Nothing of one tenant is visible to, or changeable by, the other.
 */
const A = LOCAL_TENANT_ID;
const B = '7e1d7a53-9d4b-4c36-8d1e-4f7b2b9e0b11';
const ROLES: readonly Who[] = [
  'reporter',
  'otherReporter',
  'owner',
  'otherOwner',
  'mr',
  'committee',
];

let h: Harness;
let connector: FakeConnector;
const tokens = new Map<string, string>();
let inA: { open: CarBody; confidential: CarBody };
let inB: CarBody;

async function tokenOf(tenant: string, who: Who): Promise<string> {
  const key = `${tenant}:${who}`;
  const cached = tokens.get(key);
  if (cached) return cached;
  // The server's own signing key, issuing for the given tenant: genuine tokens of that tenant.
  const issuer = await LocalIssuer.create({
    keyFile: path.join(h.dataDir, 'local-issuer-key.json'),
    tenantId: tenant,
    authorityHost: `${h.rectify.url}/dev/issuer`,
  });
  const { accessToken } = await issuer.issueAccessToken(people[who], { audience: LOCAL_CLIENT_ID });
  tokens.set(key, accessToken);
  return accessToken;
}

const as = async (tenant: string, who: Who) => {
  const auth = `Bearer ${await tokenOf(tenant, who)}`;
  return {
    get: (url: string) => request(h.rectify.url).get(url).set('Authorization', auth),
    post: (url: string, body: object = {}) =>
      request(h.rectify.url).post(url).set('Authorization', auth).send(body),
  };
};

const thisYear = new Date().getUTCFullYear();

beforeAll(async () => {
  connector = await startConnector();
  h = await startHarness({ ALLOWED_TENANT_IDS: `${A},${B}` });
  inA = {
    open: await anImplementingCar(h, { title: 'Tenant A open CAR' }),
    confidential: (
      await (
        await h.as('reporter')
      ).post('/api/cars', aReportBody({ title: 'Tenant A confidential', confidential: true }))
    ).body as CarBody,
  };
  const res = await (
    await as(B, 'reporter')
  ).post('/api/cars', aReportBody({ title: 'Tenant B report' }));
  expect(res.status).toBe(201);
  inB = res.body as CarBody;
});
afterAll(async () => {
  await h.close();
  await connector.close();
});

describe.each(ROLES)('%s of tenant B', (who) => {
  it("does not find tenant A's CARs by id, by number or in their history", async () => {
    const client = await as(B, who);
    for (const car of [inA.open, inA.confidential]) {
      expect((await client.get(`/api/cars/${car.id}`)).status).toBe(404);
      expect((await client.get(`/api/cars/${car.id}/history`)).status).toBe(404);
      expect((await client.get(`/api/cars/${car.id}/record.pdf`)).status).toBe(404);
      expect((await client.get(`/api/cars/${car.id}/tasks`)).status).toBe(404);
    }
    expect((await client.get(`/api/cars/${inA.open.number ?? ''}`)).status).toBe(404);
  });

  it("lists none of tenant A's CARs or actions", async () => {
    const client = await as(B, who);
    const list = await client.get('/api/cars?limit=200');
    expect(list.status).toBe(200);
    const ids = (list.body as { items: { id: string }[] }).items.map((c) => c.id);
    expect(ids).not.toContain(inA.open.id);
    expect(ids).not.toContain(inA.confidential.id);
    const actions = await client.get('/api/me/actions');
    expect(JSON.stringify(actions.body)).not.toContain(inA.open.id);
  });

  it('exports and committee figures hold nothing of tenant A', async () => {
    const client = await as(B, who);
    for (const url of ['/api/exports/register.csv', '/api/exports/actions.csv']) {
      const res = await client.get(url);
      expect([200, 403]).toContain(res.status);
      expect(res.text).not.toMatch(/Tenant A/);
      expect(res.text).not.toContain(inA.open.id);
    }
    const agenda = await client.get(`/api/committee/meetings/${thisYear}-12-31/agenda`);
    expect([200, 403]).toContain(agenda.status);
    expect(JSON.stringify(agenda.body)).not.toContain(inA.open.id);
    const kpis = await client.get(`/api/kpis?from=${thisYear}-01-01&to=${thisYear}-12-31`);
    expect([200, 403]).toContain(kpis.status);
    if (kpis.status === 200)
      expect((kpis.body as { reports: { total: number } }).reports.total).toBe(1);
  });

  it("changes nothing of tenant A's, whatever it tries", async () => {
    const client = await as(B, who);
    const open = inA.open;
    const before = await etagOf(h, open.id);
    const attempts = [
      client.post(`/api/cars/${open.id}/actions/${open.actions[0]?.id ?? ''}/complete`, {
        note: 'x',
      }),
      client.post(`/api/cars/${open.id}/committee-reviews`, {
        meetingDate: `${thisYear}-12-31`,
        decision: 'Accepted',
      }),
      client.post(`/api/cars/${inA.confidential.id}/record`, {
        classification: 'minor_nc',
        severity: 'low',
      }),
    ];
    for (const attempt of attempts)
      expect((await attempt.set('If-Match', before)).status).toBe(404);
    expect(await etagOf(h, open.id)).toBe(before);
  });

  it("and in the bot, tenant A's CAR is not found", async () => {
    const invoke = invokeActivity(who, connector.url, 'car.refresh', { carId: inA.open.id });
    const res = await post(h.rectify.url, {
      ...invoke,
      conversation: { id: `b-${who}`, conversationType: 'personal', tenantId: B },
      channelData: { tenant: { id: B } },
    });
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.body)).not.toContain('Tenant A');
  });
});

describe.each(ROLES)('%s of tenant A', (who) => {
  it("does not find tenant B's CAR, and sees their own tenant's as before", async () => {
    const client = await as(A, who);
    expect((await client.get(`/api/cars/${inB.id}`)).status).toBe(404);
    const ids = (
      (await client.get('/api/cars?limit=200')).body as { items: { id: string }[] }
    ).items.map((c) => c.id);
    expect(ids).not.toContain(inB.id);
    // The positive control: the same role in its own tenant reads what the policy allows.
    const mayRead = ['reporter', 'owner', 'mr', 'committee'].includes(who);
    expect((await client.get(`/api/cars/${inA.open.id}`)).status).toBe(mayRead ? 200 : 404);
  });
});

describe("tenant B's own CAR", () => {
  it('belongs to tenant B and is read there by its reporter and its MR', async () => {
    expect(inB.tenantId).toBe(B);
    expect(inA.open.tenantId).toBe(A);
    expect((await (await as(B, 'reporter')).get(`/api/cars/${inB.id}`)).status).toBe(200);
    expect((await (await as(B, 'mr')).get(`/api/cars/${inB.id}`)).status).toBe(200);
  });
});
