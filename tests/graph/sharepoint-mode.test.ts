import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { CARS_LIST } from '../../src/infrastructure/graph/rectify-lists.js';
import { act, anImplementingCar, report } from '../http/steps.js';
import { people, startHarness, type Harness } from '../support/rectify-harness.js';
import { startEmulatedTenant, type EmulatedTenant } from './support/emulated-tenant.js';

describe('Rectify with STORE=sharepoint on the emulated tenant', () => {
  let dir: string;
  let tenant: EmulatedTenant;
  let h: Harness;
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'rectify-sp-'));
    tenant = await startEmulatedTenant({ dir });
    cleanups.push(() => tenant.close());
    h = await startHarness({ ...tenant.env });
    cleanups.push(() => h.close());
  });

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes a report to implementation through the API, keeping it in the SharePoint list', async () => {
    const car = await anImplementingCar(h);

    expect(car.state).toBe('implementing');
    expect(car.number).toMatch(/^CAR-\d{4}-0001$/);
    const items = [...(tenant.emulator.listByName(CARS_LIST.displayName)?.items.values() ?? [])];
    expect(items.map((i) => i.fields.CarNumber)).toContain(car.number);
    const history = await (await h.as('mr')).get(`/api/cars/${car.id}/history`);
    expect(history.status).toBe(200);
    expect((history.body as { items: unknown[] }).items.length).toBeGreaterThan(5);
  });

  it('answers a stale If-Match with a conflict and the current ETag', async () => {
    const car = await report(h);
    const mr = await h.as('mr');
    const stale = (await mr.get(`/api/cars/${car.id}`)).headers.etag ?? '';
    await act(h, 'mr', car, '/record', { classification: 'ofi', severity: 'low' });

    const res = await mr
      .post(`/api/cars/${car.id}/reject`, { reason: 'late' })
      .set('If-Match', stale);

    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'CAR.CONFLICT' });
    const current = (res.body as { details: { currentEtag: string } }).details.currentEtag;
    expect(current).toMatch(/^"[0-9a-f-]{36},\d+"$/);
    expect(current).not.toBe(stale);
  });

  it('replays a report sent twice with the same Idempotency-Key', async () => {
    const client = await h.as('reporter');
    const body = {
      type: 'near_miss',
      relatesTo: ['equipment'],
      source: 'member_report',
      title: 'Door propped open',
      description: 'The server room door was propped open.',
      occurredAt: null,
      location: 'Level 2',
      affected: 'Server room',
      immediateAction: 'Closed it',
      confidential: false,
    };
    const first = await client.post('/api/cars', body).set('Idempotency-Key', 'k-sp-1');
    const second = await client.post('/api/cars', body).set('Idempotency-Key', 'k-sp-1');

    expect(first.status).toBe(201);
    expect((second.body as { id: string }).id).toBe((first.body as { id: string }).id);
  });

  describe('two API instances in two processes', () => {
    const children: ChildProcess[] = [];

    afterAll(() => {
      for (const c of children) c.kill('SIGTERM');
    });

    const startInstance = (port: number): Promise<string> =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
          env: {
            ...process.env,
            ...tenant.env,
            PORT: String(port),
            HOST: '127.0.0.1',
            DATA_DIR: path.join(dir, `instance-${port}`),
            LOG_LEVEL: 'info',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        children.push(child);
        let out = '';
        const timer = setTimeout(() => {
          reject(new Error(`instance on ${port} did not start: ${out}`));
        }, 60_000);
        const onData = (chunk: Buffer): void => {
          out += chunk.toString('utf8');
          const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out);
          if (m?.[1]) {
            clearTimeout(timer);
            resolve(m[1]);
          }
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`instance on ${port} exited with ${code ?? 'a signal'}: ${out}`));
        });
      });

    it('lets one of two simultaneous changes to the same version win and refuses the other', async () => {
      const [a, b] = await Promise.all([startInstance(0), startInstance(0)]);
      if (!a || !b) throw new Error('two instances');
      const car = await report(h);
      // Each instance in local mode trusts its own built-in issuer: sign in to each.
      const tokenAt = async (url: string): Promise<string> =>
        (
          (await request(url).post('/dev/token').send({ personId: people.mr.id })).body as {
            access_token: string;
          }
        ).access_token;
      const tokens = new Map([
        [a, await tokenAt(a)],
        [b, await tokenAt(b)],
      ]);
      const etag = (
        await request(a)
          .get(`/api/cars/${car.id}`)
          .set('Authorization', `Bearer ${tokens.get(a) ?? ''}`)
      ).headers.etag;
      if (!etag) throw new Error('the CAR has an ETag');

      const send = (url: string, classification: string) =>
        request(url)
          .post(`/api/cars/${car.id}/record`)
          .set('Authorization', `Bearer ${tokens.get(url) ?? ''}`)
          .set('If-Match', etag)
          .send({ classification, severity: 'high' });
      const results = await Promise.all([send(a, 'major_nc'), send(b, 'minor_nc')]);

      const statuses = results.map((r) => r.status).sort();
      expect(statuses[0]).toBe(200);
      expect([409, 412]).toContain(statuses[1]);
      const winner = results.find((r) => r.status === 200)?.body as {
        classification: string;
        number: string;
      };
      const stored = await (await h.as('mr')).get(`/api/cars/${car.id}`);
      expect((stored.body as { classification: string }).classification).toBe(
        winner.classification,
      );
      expect((stored.body as { number: string }).number).toBe(winner.number);
    }, 120_000);
  });
});
