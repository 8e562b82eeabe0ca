import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { startHarness, type Harness } from '../support/rectify-harness.js';
import { act, report } from './steps.js';

/**
 * A record changed in the database behind Rectify's back is neither served nor changed by the
 * API: a stable problem code, with a correlation id, and a log line.
 */
describe('a record that fails its integrity check', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });

  afterAll(async () => {
    await h.close();
  });

  const tamper = (sql: string, id: string): void => {
    const db = new Database(join(h.dataDir, 'rectify.db'));
    db.prepare(sql).run(id);
    db.close();
  };

  it('is refused with CAR.INTEGRITY_FAILED, read or changed, while other CARs are served', async () => {
    const car = await report(h, 'reporter', { title: 'Badge left in the lift' });
    const fine = await report(h, 'reporter', { title: 'Unlocked screen' });
    await act(h, 'mr', car, '/record', { classification: 'minor_nc', severity: 'low' });
    const mr = await h.as('mr');
    const before = await mr.get(`/api/cars/${car.id}`);
    tamper("UPDATE cars SET body = json_set(body, '$.classification', 'ofi') WHERE id = ?", car.id);

    const read = await mr.get(`/api/cars/${car.id}`);
    expect(read.status).toBe(500);
    expect(read.headers['content-type']).toContain('application/problem+json');
    expect(read.body).toMatchObject({ code: 'CAR.INTEGRITY_FAILED' });
    expect(typeof (read.body as { correlationId: unknown }).correlationId).toBe('string');
    expect(JSON.stringify(read.body)).not.toContain('ofi');

    const change = await mr
      .post(`/api/cars/${car.id}/start-investigation`, {})
      .set('If-Match', String(before.headers.etag));
    expect(change.status).toBe(500);
    expect(change.body).toMatchObject({ code: 'CAR.INTEGRITY_FAILED' });

    expect((await mr.get(`/api/cars/${fine.id}`)).status).toBe(200);
  });
});
