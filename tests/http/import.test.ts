import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ImportReport } from '../../src/application/register-import/register-import.js';
import { parseCsv } from '../exports/csv-parse.js';
import { formerRegister, REGISTER_MAPPING, writeRegisterCsv } from '../support/former-register.js';
import { startHarness, type Harness } from '../support/rectify-harness.js';

let h: Harness;
const rows = formerRegister().slice(0, 60);
let content: string;

beforeAll(async () => {
  h = await startHarness();
  const file = path.join(h.dataDir, 'register.csv');
  writeRegisterCsv(file, rows);
  content = readFileSync(file).toString('base64');
});
afterAll(async () => {
  await h.close();
});

const body = (extra: Record<string, unknown> = {}) => ({
  fileName: 'register.csv',
  content,
  mapping: REGISTER_MAPPING,
  ...extra,
});

describe('POST /api/imports/register', () => {
  it('is for the MR only', async () => {
    const member = await (
      await h.as('reporter')
    ).post('/api/imports/register', body({ dryRun: true }));
    expect(member.status).toBe(403);
    expect(member.headers['content-type']).toMatch(/application\/problem\+json/);
  });

  it('previews, imports, and re-imports without change; the register export matches the source', async () => {
    const mr = await h.as('mr');
    const preview = await mr.post('/api/imports/register', body({ dryRun: true }));
    expect(preview.status).toBe(200);
    const dry = preview.body as ImportReport;
    const bad = rows.filter((r) => r.bad !== null);
    expect(dry.counts).toEqual({
      imported: 0,
      unchanged: 0,
      failed: bad.length,
      valid: rows.length - bad.length,
    });
    expect(dry.rows.filter((r) => r.outcome === 'failed').map((r) => r.row)).toEqual(
      bad.map((r) => r.row),
    );
    expect((await mr.get('/api/cars?limit=100')).body).toMatchObject({ items: [] });

    const done = await mr.post('/api/imports/register', body());
    expect(done.status).toBe(201);
    expect((done.body as ImportReport).counts.imported).toBe(rows.length - bad.length);
    const again = await mr.post('/api/imports/register', body());
    expect((again.body as ImportReport).counts).toMatchObject({
      imported: 0,
      unchanged: rows.length - bad.length,
    });

    const csv = await mr.get('/api/exports/register.csv');
    expect(csv.status).toBe(200);
    const [header, ...records] = parseCsv(csv.text.replace(/^\uFEFF/, ''));
    const col = (name: string): number => header?.indexOf(name) ?? -1;
    const byNumber = new Map(records.map((r) => [r[col('CAR number')], r]));
    for (const source of rows.filter((r) => r.bad === null && r.number.startsWith('CAR-'))) {
      const exported = byNumber.get(source.number);
      expect({
        number: source.number,
        title: exported?.[col('Title')],
        reportedBy: exported?.[col('Reported by')],
        triage: exported?.[col('Triage date')],
        rootCause: exported?.[col('Root cause')],
        closedAt: exported?.[col('Closed at')]?.slice(0, 10) ?? '',
      }).toEqual({
        number: source.number,
        title: source.title,
        reportedBy: source.raisedBy,
        triage: source.recordedOn,
        rootCause: source.rootCause,
        closedAt: source.closedOn,
      });
    }
    const oneCar = (done.body as ImportReport).rows.find((r) => r.outcome === 'imported');
    const history = await mr.get(`/api/cars/${oneCar?.carId ?? ''}/history`);
    expect(JSON.stringify(history.body)).toContain(`from register.csv row ${oneCar?.row ?? 0}`);
  }, 60_000);

  it('refuses a file that is not a register and a broken mapping, with problem+json', async () => {
    const mr = await h.as('mr');
    const wrong = await mr.post('/api/imports/register', body({ fileName: 'register.exe' }));
    expect(wrong.status).toBe(400);
    const mapping = await mr.post('/api/imports/register', body({ mapping: 'columns: [oops' }));
    expect(mapping.status).toBe(400);
    expect((mapping.body as { code: string }).code).toBe('REQUEST.VALIDATION');
    const notBase64 = await mr.post('/api/imports/register', body({ content: '\u0000\uD800' }));
    expect(notBase64.status).toBe(400);
  });
});
