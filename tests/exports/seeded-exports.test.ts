/**
 * The register exports (CSV, XLSX), the management-review pack and a CAR's record, on the
 * seeded register (600 CARs over two years in a real SQLite file). What the files must hold is
 * computed here from the generator's own log, and the files are read back with standard
 * tools: exceljs for the workbook, pdftotext (poppler) for the PDFs.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { CarService } from '../../src/application/car-service.js';
import { carsInRepository } from '../../src/application/exports/car-source.js';
import { ExportService } from '../../src/application/exports/export-service.js';
import { carRecordDocument } from '../../src/application/exports/car-record.js';
import {
  ACTIONS_TABLE,
  REGISTER_TABLE,
  actionRows,
  headersOf,
  registerRows,
} from '../../src/application/exports/register-rows.js';
import {
  PACK_SECTIONS,
  collectReviewPack,
  reviewPackDocument,
} from '../../src/application/exports/review-pack.js';
import type { LocalDate } from '../../src/domain/calendar/local-date.js';
import { DEFAULT_SERVICE_LEVELS } from '../../src/domain/calendar/service-levels.js';
import { WorkingCalendar } from '../../src/domain/calendar/working-calendar.js';
import type { Principal } from '../../src/domain/identity.js';
import { writeCsv } from '../../src/infrastructure/exports/csv-writer.js';
import { renderPdf } from '../../src/infrastructure/exports/pdf-renderer.js';
import { writeXlsx } from '../../src/infrastructure/exports/xlsx-writer.js';
import { SqliteStateStore } from '../../src/infrastructure/sqlite/sqlite-state-store.js';
import { A_DUE_DATE_POLICY, changeWithAudit } from '../support/car-mother.js';
import { TEST_AUDIT_KEY } from '../support/audit-seal.js';
import { seedCars, storeSeededMeetings, type SeededData } from '../support/seeded-cars.js';
import { parseCsv } from './csv-parse.js';

let dir: string;
let data: SeededData;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'rectify-exports-'));
  data = await seedCars({ file: path.join(dir, 'rectify.db') });
}, 120_000);

afterAll(() => {
  data.db.close();
  rmSync(dir, { recursive: true, force: true });
});

const source = () => carsInRepository(data.repository, data.today);
const file = (name: string): string => path.join(dir, name);
const pdfText = (pdf: string): string =>
  execFileSync('pdftotext', ['-enc', 'UTF-8', pdf, '-'], { encoding: 'utf8' });

describe('the register exports', () => {
  it('writes one CSV row per CAR and one per action, with every column', async () => {
    const expectedCars = data.cars.length;
    const expectedActions = data.cars.reduce((n, c) => n + c.actions.length, 0);

    const written = await writeCsv(
      REGISTER_TABLE.columns,
      registerRows(source()(), data.today),
      createWriteStream(file('register.csv')),
    );
    const actionsWritten = await writeCsv(
      ACTIONS_TABLE.columns,
      actionRows(source()(), data.today),
      createWriteStream(file('actions.csv')),
    );

    const raw = readFileSync(file('register.csv'), 'utf8');
    expect(raw.startsWith('\uFEFF')).toBe(true);
    const [header, ...rows] = parseCsv(raw.slice(1));
    expect(header).toEqual(headersOf(REGISTER_TABLE));
    expect(rows).toHaveLength(expectedCars);
    expect(written).toBe(expectedCars);
    for (const row of rows) expect(row).toHaveLength(REGISTER_TABLE.columns.length);
    const numbers = new Set(rows.map((r) => r[0]).filter((n) => n !== ''));
    const expectedNumbers = data.cars.flatMap((c) => (c.number ? [c.number] : []));
    expect([...numbers].sort()).toEqual([...expectedNumbers].sort());

    const [actionHeader, ...actionLines] = parseCsv(
      readFileSync(file('actions.csv'), 'utf8').slice(1),
    );
    expect(actionHeader).toEqual(headersOf(ACTIONS_TABLE));
    expect(actionLines).toHaveLength(expectedActions);
    expect(actionsWritten).toBe(expectedActions);
    const doneInLog = data.cars.reduce(
      (n, c) => n + c.actions.filter((a) => a.status === 'done').length,
      0,
    );
    const statusColumn = headersOf(ACTIONS_TABLE).indexOf('Status');
    expect(actionLines.filter((r) => r[statusColumn] === 'Done')).toHaveLength(doneInLog);
  });

  it('writes a workbook that exceljs reads back with every CAR and every action', async () => {
    const expectedActions = data.cars.reduce((n, c) => n + c.actions.length, 0);
    const counts = await writeXlsx(
      [
        { ...REGISTER_TABLE, rows: () => registerRows(source()(), data.today) },
        { ...ACTIONS_TABLE, rows: () => actionRows(source()(), data.today) },
      ],
      createWriteStream(file('register.xlsx')),
      { created: data.now },
    );
    expect(counts).toEqual({ Register: data.cars.length, Actions: expectedActions });

    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(file('register.xlsx'));
    const register = book.getWorksheet('Register');
    const actions = book.getWorksheet('Actions');
    if (!register || !actions) throw new Error('a sheet is missing');
    expect(register.rowCount - 1).toBe(data.cars.length);
    expect(actions.rowCount - 1).toBe(expectedActions);
    expect(register.getRow(1).getCell(1).value).toBe('CAR number');
    expect(register.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(register.autoFilter).toBeTruthy();

    const numbers = new Set<string>();
    register.eachRow((row, n) => {
      const v = row.getCell(1).value;
      if (n > 1 && typeof v === 'string') numbers.add(v);
    });
    for (const c of data.cars) if (c.number) expect(numbers.has(c.number)).toBe(true);

    // Dates are real dates: "Reported at" of the first CAR is the instant the log gave.
    const reportedAt = headersOf(REGISTER_TABLE).indexOf('Reported at') + 1;
    const first = register.getRow(2).getCell(reportedAt).value;
    expect(first).toBeInstanceOf(Date);
    const earliest = [...data.cars].sort((a, b) => a.reportedAt.localeCompare(b.reportedAt))[0];
    expect((first as Date).toISOString()).toBe(earliest?.reportedAt);
  });
});

describe('the management-review pack', () => {
  it('holds every agenda item of the next meeting and the section titles', async () => {
    const meetingDate = '2026-12-10' as LocalDate;
    const last = data.meetings.at(-1)?.date ?? null;
    expect(last).toBe('2026-11-10');
    const pack = await collectReviewPack(source(), {
      meetingDate,
      meetingTitle: 'Steering Committee, December',
      lastMeetingDate: last,
      timeZone: data.timeZone,
      asOf: data.today,
      generatedAt: data.now.toISOString(),
      generatedBy: 'Chris Walker',
    });
    await renderPdf(reviewPackDocument(pack), createWriteStream(file('pack.pdf')), {
      createdAt: data.now,
    });
    const text = pdfText(file('pack.pdf'));

    // The agenda, worked out here from the generator's log.
    const since = (d: string | null): boolean => d !== null && d > (last ?? '') && d <= meetingDate;
    const open = (s: string): boolean => !['closed', 'rejected', 'merged'].includes(s);
    const expected = data.cars.filter(
      (c) =>
        c.triage === 'recorded' &&
        (since(c.recordedOn) ||
          since(c.closedOn) ||
          (open(c.state) &&
            c.actions.some((a) => a.status === 'open' && a.dueDate < meetingDate)) ||
          c.reviews.some((r) => r.meetingDate === last)),
    );
    expect(expected.length).toBeGreaterThan(5);
    for (const c of expected) expect(text).toContain(c.number ?? 'a number');
    for (const title of Object.values(PACK_SECTIONS)) expect(text).toContain(title);
    expect(text).toContain('Management review pack');
    expect(text).toContain('meeting of 2026-12-10');
    expect(text).toMatch(/Page 1 of \d+/);
    // Every chart is also a table: the month rows carry their counts.
    for (const m of pack.kpis.byMonth) expect(text).toContain(m.month);
  });

  it('is written by the review-pack command, and nothing is written for a bad date', () => {
    const run = (args: string[]) =>
      spawnSync('npx', ['tsx', 'src/cli/review-pack.ts', ...args], {
        encoding: 'utf8',
        env: { ...process.env, TIME_ZONE: data.timeZone, DATA_DIR: dir, AUDIT_KEY: TEST_AUDIT_KEY },
      });
    const ok = run(['--meeting', '2026-12-10', '--out', file('cli-pack.pdf'), '--db', data.file]);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(readFileSync(file('cli-pack.pdf')).subarray(0, 5).toString()).toBe('%PDF-');
    const cliText = pdfText(file('cli-pack.pdf')).replace(/\s+/g, ' ');
    expect(cliText).toContain(PACK_SECTIONS.previousReview);
    // No meeting records in this store: the last meeting is the last committee review's date.
    expect(cliText).toContain('since the last meeting of 2026-11-10');

    const bad = run(['--meeting', '2026-13-40', '--out', file('bad.pdf'), '--db', data.file]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('YYYY-MM-DD');
    expect(existsSync(file('bad.pdf'))).toBe(false);
  }, 60_000);
});

describe('the export use cases', () => {
  const person = (roles: ('mr' | 'committee')[]): Principal => ({
    id: roles.length > 0 ? 'seed-committee' : 'seed-reporter-1',
    name: roles.length > 0 ? 'Chris Walker' : 'Alex Morgan',
    tenantId: 'tenant',
    roles: new Set(roles),
  });
  const exportsOf = async (withMeetings: boolean): Promise<ExportService> => {
    const clock = { now: () => data.now };
    const carService = new CarService({
      repository: data.repository,
      clock,
      newId: () => 'unused',
      calendar: new WorkingCalendar(),
      serviceLevels: DEFAULT_SERVICE_LEVELS,
      timeZone: data.timeZone,
    });
    const store = new SqliteStateStore(data.db, () => data.now);
    if (withMeetings) await storeSeededMeetings(store, data.meetings.slice(0, -1));
    return new ExportService({ carService, clock, timeZone: data.timeZone, meetingStore: store });
  };

  it('take the last meeting from the meeting records, and refuse a reporter', async () => {
    // Only the meetings up to October are kept as held: November's was not marked done.
    const service = await exportsOf(true);
    const pack = await service.reviewPack(person(['committee']), '2026-12-10');
    expect(pack.subtitle.join(' ')).toContain('since the last meeting of 2026-10-10');
    await expect(service.reviewPack(person([]), '2026-12-10')).rejects.toMatchObject({
      code: 'AUTH.FORBIDDEN',
    });
    await expect(service.reviewPack(person(['mr']), '2026-12-32')).rejects.toMatchObject({
      code: 'REQUEST.VALIDATION',
    });
    expect(() => service.register(person([]))).toThrow('You may not do that');
  });
});

describe("a CAR's complete record", () => {
  it('lists every audit entry, the procedure revisions and the linked tasks', async () => {
    const log = data.cars.find(
      (c) => c.state === 'implementing' && c.procedureIds.length > 0 && c.number !== null,
    );
    if (!log) throw new Error('the seeded register has no implementing CAR with a procedure');
    let stored = await data.repository.findById(log.id);
    if (!stored) throw new Error('seeded CAR not found');
    const linkId = stored.car.toPrimitives().procedureLinks[0]?.id ?? '';
    const audit = changeWithAudit(stored.car, 'recordProcedureRevision', (car) => {
      car.recordProcedureRevision(
        {
          actor: { id: 'seed-mr', name: 'Jordan Lee' },
          now: data.now.toISOString(),
          today: data.today,
        },
        linkId,
        {
          newRevision: '4',
          changelog: `Revised for ${log.number ?? ''}: badge return step`,
          trainees: [{ id: 'seed-owner-1', name: 'Sam Taylor' }],
        },
        A_DUE_DATE_POLICY,
      );
    });
    stored = await data.repository.update(stored.car, stored.etag, audit);
    const car = stored.car.toPrimitives();
    const history = await data.repository.history(car.id);

    const document = carRecordDocument({
      car,
      history,
      tasks: [
        {
          title: `${log.number ?? ''} · A1 · Update the checklist`,
          status: 'In progress',
          assignee: 'Sam Taylor',
          due: '2026-12-04',
          url: 'https://tasks.office.com/contoso/Home/Task/abc123',
        },
      ],
      generatedAt: data.now.toISOString(),
      generatedBy: 'Jordan Lee',
    });
    await renderPdf(document, createWriteStream(file('record.pdf')), { createdAt: data.now });
    const text = pdfText(file('record.pdf'));

    expect(text).toContain(`Corrective Action Report ${log.number ?? ''}`);
    const historyText = text.slice(text.indexOf('11. Audit history'));
    const words = historyText.split(/\s+/);
    const operations = new Map<string, number>();
    for (const e of history) operations.set(e.operation, (operations.get(e.operation) ?? 0) + 1);
    expect(operations.size).toBeGreaterThan(5);
    for (const [operation, count] of operations)
      expect(words.filter((w) => w === operation).length).toBeGreaterThanOrEqual(count);
    for (const e of history) expect(historyText).toContain(e.at);
    // One entry per operation; each lists its changed fields.
    expect(history.length).toBeGreaterThan(10);
    expect(historyText).toContain('Changes (field: old -> new)');

    const revisions = text.slice(text.indexOf('6. Procedure revisions'), text.indexOf('7. Linked'));
    const link = car.procedureLinks[0];
    expect(revisions).toContain(link?.procedureId ?? 'a procedure');
    expect(revisions).toContain(`Revised for ${log.number ?? ''}`);
    expect(revisions).toContain(link?.revisionInForce ?? 'in force');
    expect(link?.newRevision).toBeTruthy();
    expect(revisions).toContain(link?.newRevision ?? 'new');
    expect(text.replace(/\s+/g, ' ')).toContain('A1 · Update the checklist');
    for (const section of ['1. Report', '4. Investigation', '5. Actions', '8. Verification'])
      expect(text).toContain(section);
  });
});
