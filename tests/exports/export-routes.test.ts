/**
 * The export routes on a running Rectify (local mode, real SQLite file, real HTTP on loopback):
 * content types, file names, what is inside, and who is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import ExcelJS from 'exceljs';
import { Buffer } from 'node:buffer';
import request from 'supertest';
import { act, aCorrectiveAction, anImplementingCar, report, type CarBody } from '../http/steps.js';
import { startHarness, type Harness, type Who } from '../support/rectify-harness.js';
import { parseCsv } from './csv-parse.js';

let h: Harness;
let implementing: CarBody;
let reported: CarBody;
let othersReport: CarBody;

beforeAll(async () => {
  h = await startHarness();
  implementing = await anImplementingCar(h, { title: '=HYPERLINK("http://x.example","open me")' });
  await act(h, 'mr', implementing, '/actions', aCorrectiveAction('otherOwner'));
  reported = await report(h, 'reporter', { title: 'Tailgating at the side door' });
  othersReport = await report(h, 'otherReporter', { title: 'USB stick found', confidential: true });
}, 60_000);

afterAll(async () => {
  await h.close();
});

const binary = (test: request.Test): request.Test =>
  test.buffer(true).parse((res, done) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => done(null, Buffer.concat(chunks)));
  });

const get = async (who: Who, url: string): Promise<request.Response> =>
  binary((await h.as(who)).get(url));

describe('the export routes', () => {
  it('give the MR the register as CSV with one row per CAR, formulas guarded', async () => {
    const res = await get('mr', '/api/exports/register.csv');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="rectify-register-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    expect(res.headers['cache-control']).toBe('no-store');
    const [header, ...rows] = parseCsv((res.body as Buffer).toString('utf8').slice(1));
    expect(rows).toHaveLength(3);
    const title = header?.indexOf('Title') ?? -1;
    const titles = rows.map((r) => r[title]);
    expect(titles).toContain(`'=HYPERLINK("http://x.example","open me")`);
    expect(titles).toContain('USB stick found');

    const actions = await get('mr', '/api/exports/actions.csv');
    expect(actions.status).toBe(200);
    expect(parseCsv((actions.body as Buffer).toString('utf8').slice(1))).toHaveLength(1 + 2);
  });

  it('give the committee the register as a workbook with both sheets', async () => {
    const res = await get('committee', '/api/exports/register.xlsx');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(res.headers['content-disposition']).toMatch(/filename="rectify-register-[\d-]+\.xlsx"/);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(res.body as Parameters<typeof book.xlsx.load>[0]);
    expect((book.getWorksheet('Register')?.rowCount ?? 0) - 1).toBe(3);
    expect((book.getWorksheet('Actions')?.rowCount ?? 0) - 1).toBe(2);
  });

  it("give the committee a meeting's pack and the MR a CAR's record as PDF", async () => {
    const pack = await get('committee', '/api/committee/meetings/2026-12-03/pack.pdf');
    expect(pack.status).toBe(200);
    expect(pack.headers['content-type']).toBe('application/pdf');
    expect(pack.headers['content-disposition']).toBe(
      'attachment; filename="rectify-review-pack-2026-12-03.pdf"',
    );
    expect((pack.body as Buffer).subarray(0, 5).toString()).toBe('%PDF-');

    const record = await get('mr', `/api/cars/${implementing.number ?? ''}/record.pdf`);
    expect(record.status).toBe(200);
    expect(record.headers['content-type']).toBe('application/pdf');
    expect(record.headers['content-disposition']).toBe(
      `attachment; filename="rectify-${implementing.number ?? ''}-record.pdf"`,
    );
    expect((record.body as Buffer).subarray(0, 5).toString()).toBe('%PDF-');
    const byId = await get('committee', `/api/cars/${reported.id}/record.pdf`);
    expect(byId.status).toBe(200);
  });

  it('refuse a reporter and an action owner, and hide what they may not see', async () => {
    for (const url of [
      '/api/exports/register.csv',
      '/api/exports/actions.csv',
      '/api/exports/register.xlsx',
      '/api/committee/meetings/2026-12-03/pack.pdf',
    ]) {
      const res = await get('reporter', url);
      expect(res.status).toBe(403);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['content-disposition']).toBeUndefined();
    }
    // Their own report: they may read the CAR, not its audit trail.
    expect((await get('reporter', `/api/cars/${reported.id}/record.pdf`)).status).toBe(403);
    expect((await get('owner', `/api/cars/${implementing.id}/record.pdf`)).status).toBe(403);
    // Someone else's confidential report does not exist for them.
    expect((await get('reporter', `/api/cars/${othersReport.id}/record.pdf`)).status).toBe(404);
  });

  it('answer 400 for a date that is not one, 404 for no such CAR, 401 without a token', async () => {
    const bad = await get('committee', '/api/committee/meetings/2026-02-30/pack.pdf');
    expect(bad.status).toBe(400);
    expect((await get('mr', '/api/cars/CAR-1999-0001/record.pdf')).status).toBe(404);
    const anonymous = await binary(request(h.rectify.url).get('/api/exports/register.csv'));
    expect(anonymous.status).toBe(401);
  });
});
