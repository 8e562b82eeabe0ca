import { testAudit } from '../support/audit-seal.js';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { REGISTER_TABLE, toRegisterCar } from '../../src/application/exports/register-rows.js';
import {
  RegisterImport,
  type ImportReport,
} from '../../src/application/register-import/register-import.js';
import {
  mappingFor,
  parseMappingFile,
  parseRegisterDate,
} from '../../src/application/register-import/register-mapping.js';
import type { LocalDate } from '../../src/domain/calendar/local-date.js';
import { readRegisterFile } from '../../src/infrastructure/import/register-file.js';
import { openDatabase, type Database } from '../../src/infrastructure/sqlite/database.js';
import { SqliteCarRepository } from '../../src/infrastructure/sqlite/sqlite-car-repository.js';
import {
  formerRegister,
  REGISTER_MAPPING,
  writeRegisterCsv,
  writeRegisterXlsx,
  type RegisterRow,
} from '../support/former-register.js';

let work: string;
const rows = formerRegister();
const bad = rows.filter((r) => r.bad !== null);
const good = rows.filter((r) => r.bad === null);
const importer = { id: 'mr-1', name: 'Jordan Lee', tenantId: 'tenant-1' };

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'rectify-import-'));
  writeRegisterCsv(path.join(work, 'register.csv'), rows);
  await writeRegisterXlsx(path.join(work, 'register.xlsx'), rows);
  writeFileSync(path.join(work, 'mapping.yaml'), REGISTER_MAPPING);
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

const given = (() => {
  const parsed = parseMappingFile(REGISTER_MAPPING);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.mapping;
})();

function aStore(): { db: Database; repository: SqliteCarRepository } {
  const db = openDatabase(path.join(work, `${randomUUID()}.db`));
  return { db, repository: new SqliteCarRepository(db, testAudit()) };
}

async function importFile(
  repository: SqliteCarRepository,
  file: string,
  options = {},
): Promise<ImportReport> {
  const table = await readRegisterFile(path.join(work, file));
  return new RegisterImport({
    repository,
    newId: randomUUID,
    clock: { now: () => new Date('2026-12-01T09:00:00Z') },
  }).run(table, mappingFor(table.headers, given), importer, options);
}

async function everyCar(repository: SqliteCarRepository) {
  const cars = [];
  let cursor: string | undefined;
  do {
    const page = await repository.list({
      limit: 100,
      cursor,
      sort: 'reportedAt',
      order: 'asc',
      today: '2026-12-01' as LocalDate,
      visibility: { kind: 'all' },
    });
    cars.push(...page.items.map((s) => s.car.toPrimitives()));
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return cars;
}

/** The register export's value of a column for a CAR. */
const column = (header: string) => {
  const c = REGISTER_TABLE.columns.find((x) => x.header === header);
  if (!c) throw new Error(`no column ${header}`);
  return c.value;
};

describe.each(['register.csv', 'register.xlsx'])(
  'importing a former register of 500 rows (%s)',
  (file) => {
    it('reads the header of two rows with its merged cells and maps every column but one from the names', async () => {
      const table = await readRegisterFile(path.join(work, file));
      expect(table.headers).toContain('Corrective action Owner');
      expect(table.headers[0]).toBe('NC No.');
      expect(table.rows).toHaveLength(500);
      expect(table.rows[0]?.row).toBe(3);
      const suggested = mappingFor(table.headers);
      expect(suggested.columns).toMatchObject({
        'NC No.': 'number',
        'Date raised': 'reportedOn',
        Status: 'state',
        'Corrective action Description': 'actionTitle',
        'Corrective action Target date': 'actionDue',
        'Corrective action Status': 'actionStatus',
        'Date closed': 'closedOn',
      });
      expect(table.headers.filter((h) => suggested.columns[h] === undefined)).toEqual([
        'Auditor comments',
      ]);
    });

    it('imports every good row in its state with its dates, reports the bad ones by row number, and re-importing changes nothing', async () => {
      const { db, repository } = aStore();
      try {
        const first = await importFile(repository, file);
        expect(first.counts).toEqual({
          imported: good.length,
          unchanged: 0,
          failed: bad.length,
          valid: 0,
        });
        for (const r of bad)
          expect(first.rows.find((o) => o.row === r.row)).toEqual(
            expect.objectContaining({
              outcome: 'failed',
              reason: expect.stringMatching(r.bad ?? /x/),
            }),
          );
        const cars = await everyCar(repository);
        expect(cars).toHaveLength(good.length);

        // The export matches the source row for row on the mapped columns.
        const byRow = new Map(first.rows.map((o) => [o.carId, o.row]));
        const today = '2026-12-01' as LocalDate;
        const mismatches: string[] = [];
        for (const car of cars) {
          const source = rows.find((r) => r.row === byRow.get(car.id)) as RegisterRow;
          const exported = toRegisterCar(car, today);
          const expected: Record<string, unknown> = {
            State: {
              closed: 'Closed',
              implementing: 'Implementing',
              verifying: 'Verifying effectiveness',
              investigating: 'Investigating',
              recorded: 'Recorded',
              rejected: 'Rejected',
              reported: 'Reported',
            }[source.state],
            Title: source.title,
            'What happened': source.description,
            'Reported by': source.raisedBy,
            'Triage date': source.state === 'reported' ? null : source.recordedOn,
            'Root cause': source.rootCause === '' ? null : source.rootCause,
            Actions: source.action === '' ? 0 : 1,
            'Actions done': source.actionStatus === 'Done' ? 1 : 0,
            'Closure summary': source.comments === '' ? null : source.comments,
          };
          if (source.number.startsWith('CAR-')) expected['CAR number'] = source.number;
          for (const [header, want] of Object.entries(expected)) {
            const got = column(header)(exported);
            if (got !== want)
              mismatches.push(`row ${source.row} ${header}: ${String(got)} != ${String(want)}`);
          }
          const closedAt = column('Closed at')(exported);
          if (
            (typeof closedAt === 'string' ? closedAt.slice(0, 10) : null) !==
            (source.closedOn || null)
          )
            mismatches.push(`row ${source.row} closed: ${String(closedAt)} != ${source.closedOn}`);
          if (car.classification !== source.classificationCode)
            mismatches.push(`row ${source.row} classification: ${String(car.classification)}`);
        }
        expect(mismatches).toEqual([]);

        // Gapless per year: the former numbers kept, the other schemes numbered after them.
        for (const year of [2021, 2022, 2023, 2024]) {
          const numbers = cars
            .map((c) => c.number)
            .filter((n): n is NonNullable<typeof n> => n !== null && n.startsWith(`CAR-${year}-`))
            .sort();
          expect(numbers).toEqual(
            numbers.map((_, i) => `CAR-${year}-${String(i + 1).padStart(4, '0')}`),
          );
        }
        const legacy = first.rows.find((o) => o.reference?.startsWith('NC-') && o.number !== null);
        expect(legacy?.number).toMatch(/^CAR-\d{4}-\d{4}$/);

        // The audit trail says it was imported, by whom, from which file and row.
        const some = first.rows.find((o) => o.outcome === 'imported');
        const history = await repository.history(some?.carId ?? '');
        expect(history[0]).toMatchObject({
          operation: 'import',
          actor: { id: 'mr-1', name: 'Jordan Lee' },
        });
        expect(history[0]?.reason).toBe(
          `imported by Jordan Lee from ${file}${file.endsWith('.xlsx') ? ' (NC Register)' : ''} row ${some?.row ?? 0}${some?.reference ? `, former number ${some.reference}` : ''}`,
        );

        const auditCount = (): number =>
          (db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number }).n;
        const before = auditCount();
        const again = await importFile(repository, file);
        expect(again.counts).toEqual({
          imported: 0,
          unchanged: good.length,
          failed: bad.length,
          valid: 0,
        });
        expect(await everyCar(repository)).toEqual(cars);
        expect(auditCount()).toBe(before);
      } finally {
        db.close();
      }
    }, 120_000);
  },
);

describe('import options and bad input', () => {
  it('with --all-or-nothing imports nothing when a row is bad; a dry run writes nothing', async () => {
    const { db, repository } = aStore();
    try {
      const strict = await importFile(repository, 'register.csv', { allOrNothing: true });
      expect(strict.counts.imported).toBe(0);
      expect(strict.counts.failed).toBe(bad.length);
      const dry = await importFile(repository, 'register.csv', { dryRun: true });
      expect(dry.counts).toEqual({
        imported: 0,
        unchanged: 0,
        failed: bad.length,
        valid: good.length,
      });
      expect(await everyCar(repository)).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('reads the dates registers write, and refuses what is not a day', () => {
    expect(parseRegisterDate('2024-03-05', 'dmy')).toBe('2024-03-05');
    expect(parseRegisterDate('05/03/2024', 'dmy')).toBe('2024-03-05');
    expect(parseRegisterDate('05/03/2024', 'mdy')).toBe('2024-05-03');
    expect(parseRegisterDate('5.3.24', 'dmy')).toBe('2024-03-05');
    expect(parseRegisterDate('5 March 2024', 'dmy')).toBe('2024-03-05');
    expect(parseRegisterDate('March 5, 2024', 'dmy')).toBe('2024-03-05');
    expect(parseRegisterDate(45356, 'dmy')).toBe('2024-03-05');
    expect(parseRegisterDate(new Date('2024-03-05T00:00:00Z'), 'dmy')).toBe('2024-03-05');
    for (const wrong of ['31/02/2024', 'soon', '2024-13-01', '5 Smarch 2024', '\u0000', '\uD800'])
      expect(parseRegisterDate(wrong, 'dmy')).toBe('invalid');
  });

  it('refuses a mapping file that names an unknown field, and a file that is not a register', async () => {
    const parsed = parseMappingFile('columns:\n  "NC No.": carNumber\n');
    expect(parsed.ok).toBe(false);
    expect(parseMappingFile('columns: [oops').ok).toBe(false);
    writeFileSync(path.join(work, 'latin1.csv'), Buffer.from([0x4e, 0x6f, 0x3b, 0xe9, 0x0a]));
    await expect(readRegisterFile(path.join(work, 'latin1.csv'))).rejects.toThrow(/UTF-8/);
    writeFileSync(path.join(work, 'fake.xlsx'), 'not a zip');
    await expect(readRegisterFile(path.join(work, 'fake.xlsx'))).rejects.toThrow(/cannot be read/);
  });
});

/** `npm run import -- ...` as a user runs it. */
const cli = (args: string[], env: Record<string, string>) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.resolve('src/cli/import.ts'), ...args],
      { env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
      },
    );
  });

describe('npm run import', () => {
  it('imports with a mapping file, lists the bad rows by number, exits 1, and 0 on a register it reads entirely', async () => {
    const env = { DATA_DIR: path.join(work, 'cli-data'), STORE: 'sqlite' };
    const dry = await cli(
      [path.join(work, 'register.csv'), '--map', path.join(work, 'mapping.yaml'), '--dry-run'],
      env,
    );
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(1);
    expect(dry.stdout).toContain(`row ${bad[0]?.row ?? 0}: `);
    expect(dry.stdout).toContain(`${good.length} valid and not written`);
    const run = await cli(
      [path.join(work, 'register.csv'), '--map', path.join(work, 'mapping.yaml'), '--json'],
      env,
    );
    const report = JSON.parse(run.stdout) as ImportReport;
    expect(report.counts.imported).toBe(good.length);
    expect(report.unmappedHeaders).toEqual([]);
    const goodOnly = path.join(work, 'good.csv');
    writeRegisterCsv(goodOnly, good.slice(0, 20));
    const clean = await cli([goodOnly, '--map', path.join(work, 'mapping.yaml')], {
      DATA_DIR: path.join(work, 'cli-data-2'),
      STORE: 'sqlite',
    });
    expect(clean.code).toBe(0);
    expect((await cli([], env)).code).toBe(2);
    expect((await cli([path.join(work, 'nowhere.csv')], env)).code).toBe(2);
    expect(
      (await cli([path.join(work, 'register.csv'), '--map', path.join(work, 'register.csv')], env))
        .code,
    ).toBe(2);
  }, 120_000);
});
