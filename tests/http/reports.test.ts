import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { aReportBody, startHarness, type Harness } from '../support/rectify-harness.js';
import { act, etagOf, report, type CarBody } from './steps.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ MAX_BODY_BYTES: '4096' });
});
afterAll(async () => {
  await h.close();
});

const countCars = async (): Promise<number> => {
  const res = await (await h.as('mr')).get('/api/cars?limit=200');
  return (res.body as { items: unknown[] }).items.length;
};

describe('reporting', () => {
  it('creates a report with a Location and an ETag', async () => {
    const res = await (await h.as('reporter')).post('/api/cars', aReportBody());
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`/api/cars/${(res.body as CarBody).id}`);
    expect(res.headers.etag).toBe((res.body as CarBody).etag);
    expect(res.body).toMatchObject({ state: 'reported', reporter: { name: 'Alex Morgan' } });
  });

  it('answers invalid input with 400, every field error, and stores nothing', async () => {
    const before = await countCars();
    const res = await (
      await h.as('reporter')
    ).post(
      '/api/cars',
      aReportBody({ type: 'gossip', relatesTo: [], title: '  ', confidential: 'yes' }),
    );
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    const fields = (res.body as { errors: { field: string }[] }).errors.map((e) => e.field).sort();
    expect(fields).toEqual(['confidential', 'relatesTo', 'title', 'type']);
    expect(res.body).toMatchObject({ code: 'REQUEST.VALIDATION', status: 400 });
    expect(await countCars()).toBe(before);
  });

  it('refuses unknown fields rather than ignoring them', async () => {
    const res = await (await h.as('reporter')).post('/api/cars', aReportBody({ state: 'closed' }));
    expect(res.status).toBe(400);
  });

  it('answers an oversize body with 413 and malformed JSON with 400, without a stack trace', async () => {
    const client = await h.as('reporter');
    const big = await client.post('/api/cars', aReportBody({ description: 'x'.repeat(5000) }));
    expect(big.status).toBe(413);
    expect(big.body).toMatchObject({ code: 'REQUEST.TOO_LARGE' });
    const bad = await client
      .post('/api/cars')
      .set('Content-Type', 'application/json')
      .send('{"type":');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'REQUEST.MALFORMED' });
    expect(JSON.stringify(bad.body)).not.toMatch(/at .*\.(js|ts):\d+/);
    const form = await client.post('/api/cars').set('Content-Type', 'text/plain').send('hello');
    expect(form.status).toBe(415);
  });

  it('gives every error a stable code and a correlation id, echoing the caller’s', async () => {
    const res = await (
      await h.as('reporter')
    )
      .get('/api/cars/does-not-exist')
      .set('X-Correlation-Id', 'trace-123');
    expect(res.status).toBe(404);
    expect(res.headers['x-correlation-id']).toBe('trace-123');
    expect(res.body).toMatchObject({ code: 'CAR.NOT_FOUND', correlationId: 'trace-123' });
  });
});

describe('idempotent reporting', () => {
  it('makes one CAR from 20 concurrent requests with one key', async () => {
    const before = await countCars();
    const token = await h.token('reporter');
    const body = aReportBody({ title: 'Concurrent submit' });
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        request(h.rectify.url)
          .post('/api/cars')
          .set('Authorization', `Bearer ${token}`)
          .set('Idempotency-Key', 'draft-7f3a')
          .send(body),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array.from({ length: 20 }, () => 201));
    expect(new Set(results.map((r) => (r.body as CarBody).id)).size).toBe(1);
    expect(results.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(19);
    expect(await countCars()).toBe(before + 1);
  });

  it('refuses the same key with another body, and stores nothing', async () => {
    const client = await h.as('reporter');
    const first = await client.post('/api/cars', aReportBody()).set('Idempotency-Key', 'k-2');
    expect(first.status).toBe(201);
    const before = await countCars();
    const second = await client
      .post('/api/cars', aReportBody({ title: 'Something else' }))
      .set('Idempotency-Key', 'k-2');
    expect(second.status).toBe(422);
    expect(second.body).toMatchObject({ code: 'IDEMPOTENCY.KEY_REUSED' });
    expect(await countCars()).toBe(before);
  });

  it('keeps keys apart per person: another reporter with the same key gets their own report', async () => {
    const a = await (
      await h.as('reporter')
    )
      .post('/api/cars', aReportBody())
      .set('Idempotency-Key', 'shared');
    const b = await (
      await h.as('otherReporter')
    )
      .post('/api/cars', aReportBody())
      .set('Idempotency-Key', 'shared');
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect((a.body as CarBody).id).not.toBe((b.body as CarBody).id);
  });
});

describe('optimistic concurrency', () => {
  it('requires If-Match on every lifecycle operation (428)', async () => {
    const car = await report(h);
    const res = await (
      await h.as('mr')
    ).post(`/api/cars/${car.id}/record`, {
      classification: 'minor_nc',
      severity: 'low',
    });
    expect(res.status).toBe(428);
    expect(res.body).toMatchObject({ code: 'CAR.PRECONDITION_REQUIRED' });
    const after = await (await h.as('mr')).get(`/api/cars/${car.id}`);
    expect((after.body as CarBody).state).toBe('reported');
  });

  it('answers a stale ETag with 409 and the current state, and changes nothing', async () => {
    const car = await report(h);
    const stale = await etagOf(h, car.id);
    await act(h, 'mr', car, '/record', { classification: 'minor_nc', severity: 'low' });
    const now = await etagOf(h, car.id);
    const res = await (
      await h.as('mr')
    )
      .post(`/api/cars/${car.id}/reject`, { reason: 'duplicate' })
      .set('If-Match', stale);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({
      code: 'CAR.CONFLICT',
      details: { currentEtag: now, current: { state: 'recorded' } },
    });
    expect(await etagOf(h, car.id)).toBe(now);
  });

  it('lets exactly one of two concurrent writers with the same ETag win', async () => {
    const car = await report(h);
    const etag = await etagOf(h, car.id);
    const mr = await h.as('mr');
    const [a, b] = await Promise.all([
      mr
        .post(`/api/cars/${car.id}/record`, { classification: 'major_nc', severity: 'high' })
        .set('If-Match', etag),
      mr.post(`/api/cars/${car.id}/reject`, { reason: 'not ours' }).set('If-Match', etag),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
  });
});

describe('listing', () => {
  it('filters, sorts and pages', async () => {
    const mr = await h.as('mr');
    const marker = `marker${Date.now()}`;
    for (let i = 0; i < 5; i += 1) await report(h, 'reporter', { title: `${marker} ${i}` });
    const page1 = await mr.get(`/api/cars?q=${marker}&limit=3&sort=reportedAt&order=asc`);
    expect(page1.status).toBe(200);
    const body1 = page1.body as { items: CarBody[]; nextCursor: string | null };
    expect(body1.items).toHaveLength(3);
    expect(body1.nextCursor).not.toBeNull();
    const page2 = await mr.get(
      `/api/cars?q=${marker}&limit=3&sort=reportedAt&order=asc&cursor=${encodeURIComponent(body1.nextCursor ?? '')}`,
    );
    const body2 = page2.body as { items: CarBody[]; nextCursor: string | null };
    expect(body2.items).toHaveLength(2);
    expect(body2.nextCursor).toBeNull();
    const titles = [...body1.items, ...body2.items].map(
      (c) => (c.report as { title: string }).title,
    );
    expect(titles).toEqual([0, 1, 2, 3, 4].map((i) => `${marker} ${i}`));

    const states = await mr.get('/api/cars?state=reported,recorded&type=policy_nonconformance');
    expect(states.status).toBe(200);
    for (const c of (states.body as { items: CarBody[] }).items)
      expect(['reported', 'recorded']).toContain(c.state);

    const bad = await mr.get('/api/cars?state=unknown&limit=0');
    expect(bad.status).toBe(400);
    expect((bad.body as { errors: { field: string }[] }).errors.map((e) => e.field).sort()).toEqual(
      ['limit', 'state.0'],
    );
  });
});

describe('service endpoints', () => {
  it('answers /healthz and serves an OpenAPI 3.1 document listing every route', async () => {
    const health = await request(h.rectify.url).get('/healthz');
    expect(health.body).toEqual({ status: 'ok' });
    const doc = await request(h.rectify.url).get('/api/openapi.json');
    expect(doc.status).toBe(200);
    const body = doc.body as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(body.openapi).toBe('3.1.0');
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining([
        '/api/cars',
        '/api/cars/{id}',
        '/api/cars/{id}/history',
        '/api/cars/{id}/record',
        '/api/cars/{id}/actions/{actionId}/complete',
        '/api/cars/{id}/close',
      ]),
    );
    expect(body.paths['/api/cars']?.post).toBeDefined();
  });

  it('refuses requests without a bearer token', async () => {
    const res = await request(h.rectify.url).get('/api/cars');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
  });
});
