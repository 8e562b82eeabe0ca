import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SubscriptionStore } from '../../src/application/subscriptions/subscription.js';
import type { Principal } from '../../src/domain/identity.js';
import { openDatabase } from '../../src/infrastructure/sqlite/database.js';
import { SqliteStateStore } from '../../src/infrastructure/sqlite/sqlite-state-store.js';
import { act, anImplementingCar, report } from '../http/steps.js';
import {
  signatureIsValid,
  startCallbackServer,
  type CallbackServer,
} from '../support/callback-server.js';
import { startHarness, type Harness, type Who } from '../support/rectify-harness.js';

/**
 * Webhook subscriptions through a real Rectify and a real receiver on loopback: what is
 * delivered, to whom, signed how, how often, and what happens when the receiver keeps failing.
 */
let h: Harness;
const servers: CallbackServer[] = [];

beforeAll(async () => {
  h = await startHarness({
    WEBHOOK_INTERVAL_MS: '100',
    WEBHOOK_RETRY_BASE_MS: '50',
    WEBHOOK_MAX_ATTEMPTS: '6',
    WEBHOOK_DISABLE_AFTER: '3',
  });
});
afterAll(async () => {
  await h.close();
});
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

const receiver = async (): Promise<CallbackServer> => {
  const s = await startCallbackServer();
  servers.push(s);
  return s;
};

interface Created {
  id: string;
  secret: string;
  status: string;
  failures: number;
}

async function subscribe(who: Who, event: string, url: string): Promise<Created> {
  const res = await (await h.as(who)).post('/api/subscriptions', { event, notificationUrl: url });
  expect(res.status).toBe(201);
  expect(res.headers.location).toBe(`/api/subscriptions/${(res.body as Created).id}`);
  return res.body as Created;
}

const ids = (s: CallbackServer): string[] => s.received.map((r) => r.json.id);

describe('POST and DELETE /api/subscriptions', () => {
  it('creates a subscription of the caller, shows it to them only, and removes it', async () => {
    const s = await subscribe('reporter', 'reportReceived', 'https://flows.example/hook?sig=1');
    expect(s.secret.length).toBeGreaterThanOrEqual(40);
    const mine = await (await h.as('reporter')).get('/api/subscriptions');
    expect((mine.body as { items: Created[] }).items.map((x) => x.id)).toContain(s.id);
    expect((mine.body as { items: Created[] }).items.every((x) => !('secret' in x))).toBe(true);

    // Another person neither sees nor removes it.
    const other = await h.as('otherReporter');
    expect((await other.get(`/api/subscriptions/${s.id}`)).status).toBe(404);
    const del = await fetch(`${h.rectify.url}/api/subscriptions/${s.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${await h.token('otherReporter')}` },
    });
    expect(del.status).toBe(404);
    expect(((await del.json()) as { code: string }).code).toBe('SUBSCRIPTION.NOT_FOUND');

    const ownDelete = await fetch(`${h.rectify.url}/api/subscriptions/${s.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${await h.token('reporter')}` },
    });
    expect(ownDelete.status).toBe(204);
    expect((await (await h.as('reporter')).get(`/api/subscriptions/${s.id}`)).status).toBe(404);
  });

  it('subscribes through the per-event route the connector triggers use', async () => {
    const res = await (
      await h.as('mr')
    )
      .post('/api/subscriptions/events/car-recorded', { notificationUrl: 'https://f.example/x' })
      .expect(201);
    expect((res.body as { event: string }).event).toBe('carRecorded');
    await (
      await h.as('mr')
    )
      .post('/api/subscriptions/events/no-such-event', { notificationUrl: 'https://f.example/x' })
      .expect(404);
  });

  it.each([
    ['plain http to a remote host', 'http://flows.example/hook'],
    ['a user name in the URL', 'https://user:pw@flows.example/hook'],
    ['a relative URL', '/hook'],
    ['NUL and RTL text', 'https://flows.example/\u0000\u202e'],
    ['a lone surrogate', 'https://flows.example/\ud800x'],
  ])('refuses %s and stores nothing', async (_what, url) => {
    const before = await (await h.as('otherOwner')).get('/api/subscriptions');
    const res = await (
      await h.as('otherOwner')
    ).post('/api/subscriptions', {
      event: 'carRecorded',
      notificationUrl: url,
    });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    const after = await (await h.as('otherOwner')).get('/api/subscriptions');
    expect(after.body).toEqual(before.body);
  });

  it('refuses an unknown event and unknown fields', async () => {
    const client = await h.as('mr');
    const bad = await client.post('/api/subscriptions', {
      event: 'carDeleted',
      notificationUrl: 'https://f.example/x',
    });
    expect(bad.status).toBe(400);
    expect((bad.body as { code: string }).code).toBe('REQUEST.VALIDATION');
    const extra = await client.post('/api/subscriptions', {
      event: 'carRecorded',
      notificationUrl: 'https://f.example/x',
      owner: 'someone-else',
    });
    expect(extra.status).toBe(400);
  });
});

describe('a subscription in another tenant', () => {
  it('is not found by the same person id signed in from another tenant', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rectify-subs-'));
    const db = openDatabase(path.join(dir, 'rectify.db'));
    try {
      const store = new SubscriptionStore(new SqliteStateStore(db));
      const inA: Principal = { id: 'p1', name: 'P', tenantId: 'tenant-a', roles: new Set() };
      const inB: Principal = { ...inA, tenantId: 'tenant-b' };
      const s = await store.create({
        principal: inA,
        event: 'carRecorded',
        notificationUrl: 'https://f.example/x',
        id: '5c1f8e0e-8d0e-4a43-9d3c-9d9b8a1e0f11',
        secret: 'k',
        now: new Date('2026-12-01T00:00:00.000Z'),
      });
      await expect(store.getOwn(inB, s.id)).rejects.toMatchObject({
        code: 'SUBSCRIPTION.NOT_FOUND',
      });
      await expect(store.delete(inB, s.id)).rejects.toMatchObject({
        code: 'SUBSCRIPTION.NOT_FOUND',
      });
      expect(await store.listOwn(inB)).toEqual([]);
      expect((await store.getOwn(inA, s.id)).id).toBe(s.id);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('delivery', () => {
  it('POSTs each event once, signed, with a stable event id', async () => {
    const hook = await receiver();
    const reports = await subscribe('mr', 'reportReceived', hook.url);
    const recorded = await subscribe('mr', 'carRecorded', hook.url);
    const car = await report(h, 'reporter', { title: 'Tailgating at the side door 🚪 مرحبا' });
    await act(h, 'mr', car, '/record', { classification: 'minor_nc', severity: 'medium' });
    await hook.waitFor((r) =>
      r.some((x) => x.json.type === 'carRecorded' && x.json.car.id === car.id),
    );

    const mine = hook.received.filter((r) => r.json.car.id === car.id);
    expect(mine.map((r) => r.json.type).sort()).toEqual(['carRecorded', 'reportReceived']);
    for (const r of mine) {
      const secret = r.json.type === 'carRecorded' ? recorded.secret : reports.secret;
      expect(signatureIsValid(r, secret)).toBe(true);
      expect(signatureIsValid(r, 'another secret')).toBe(false);
      expect(r.headers['x-rectify-event-id']).toBe(r.json.id);
      expect(r.json.car).toMatchObject({ title: 'Tailgating at the side door 🚪 مرحبا' });
    }
    // Nothing was delivered twice while nothing failed.
    expect(new Set(ids(hook)).size).toBe(ids(hook).length);
  });

  it('never sends a confidential CAR to a subscriber who may not see it', async () => {
    const hook = await receiver();
    await subscribe('owner', 'carStateChanged', hook.url);
    const secret = await anImplementingCar(h, { confidential: true, title: 'Secret one' });
    const open = await anImplementingCar(h, { confidential: false, title: 'Open one' });
    // The feed is read in order: once the open CAR's last change is here, the secret one's
    // changes (written before) were all looked at.
    await hook.waitFor((r) =>
      r.some((x) => x.json.car.id === open.id && x.json.operation === 'startImplementation'),
    );
    expect(hook.received.some((r) => r.json.car.id === secret.id)).toBe(false);
    expect(hook.received.some((r) => r.body.includes('Secret one'))).toBe(false);
  });

  it('retries a failing receiver with the same event id and body until it accepts', async () => {
    const hook = await receiver();
    hook.answer = (_r, i) => (i < 2 ? 503 : 200);
    const s = await subscribe('mr', 'reportReceived', hook.url);
    await report(h, 'reporter');
    await hook.waitFor((r) => r.length >= 3);
    const [first, ...rest] = hook.received;
    for (const r of rest) {
      expect(r.json.id).toBe(first?.json.id);
      expect(r.body).toBe(first?.body);
    }
    const after = await (await h.as('mr')).get(`/api/subscriptions/${s.id}`);
    expect(after.body).toMatchObject({ status: 'active', failures: 0 });
  });

  it('disables a subscription whose receiver keeps failing, and sends it nothing more', async () => {
    const hook = await receiver();
    hook.answer = () => 500;
    const s = await subscribe('mr', 'reportReceived', hook.url);
    await report(h, 'reporter');
    const client = await h.as('mr');
    for (let i = 0; ; i += 1) {
      const now = await client.get(`/api/subscriptions/${s.id}`);
      if ((now.body as Created).status === 'disabled') break;
      if (i > 200) throw new Error('the subscription was never disabled');
      await new Promise((r) => setTimeout(r, 100));
    }
    const attempts = hook.received.length;
    expect(attempts).toBe(3);
    await report(h, 'reporter');
    await new Promise((r) => setTimeout(r, 1000));
    expect(hook.received.length).toBe(attempts);
  });
});
