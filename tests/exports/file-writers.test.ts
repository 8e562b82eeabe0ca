import { afterAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import type { Cell } from '../../src/application/exports/register-rows.js';
import { pdfSafe, renderPdf } from '../../src/infrastructure/exports/pdf-renderer.js';
import {
  EXCEL_MAX_CELL_CHARS,
  writeXlsx,
  type SheetColumn,
} from '../../src/infrastructure/exports/xlsx-writer.js';

const dir = mkdtempSync(path.join(tmpdir(), 'rectify-writers-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const columns: SheetColumn[] = [
  { header: 'Text', kind: 'text', width: 20 },
  { header: 'Day', kind: 'date', width: 12 },
  { header: 'At', kind: 'instant', width: 20 },
  { header: 'Count', kind: 'integer', width: 8 },
  { header: 'Flag', kind: 'boolean', width: 8 },
];

async function* rowsOf(n: number, row: (i: number) => Cell[]): AsyncGenerator<Cell[]> {
  for (let i = 0; i < n; i += 1) {
    if (i % 100 === 0) await Promise.resolve();
    yield row(i);
  }
}

describe('the XLSX writer', () => {
  it('types dates as dates and keeps text a spreadsheet would refuse readable', async () => {
    const file = path.join(dir, 'typed.xlsx');
    const long = 'x'.repeat(EXCEL_MAX_CELL_CHARS + 10);
    await writeXlsx(
      [
        {
          name: 'Register',
          columns,
          rows: () =>
            rowsOf(3, (i) =>
              i === 0
                ? ['=1+1', '2026-11-28', '2026-11-28T13:45:10.000Z', 7, true]
                : i === 1
                  ? [long, null, null, null, false]
                  : ['bell\u0007 and tab\tend', '2024-02-29', null, 0, null],
            ),
        },
      ],
      createWriteStream(file),
      { created: new Date('2026-11-28T00:00:00Z') },
    );
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(file);
    const sheet = book.getWorksheet('Register');
    if (!sheet) throw new Error('no sheet');
    const r2 = sheet.getRow(2);
    // In a workbook a text cell is text: "=1+1" stays a string, it is not a formula.
    expect(r2.getCell(1).value).toBe('=1+1');
    expect((r2.getCell(2).value as Date).toISOString()).toBe('2026-11-28T00:00:00.000Z');
    expect((r2.getCell(3).value as Date).toISOString()).toBe('2026-11-28T13:45:10.000Z');
    expect(r2.getCell(4).value).toBe(7);
    expect(r2.getCell(5).value).toBe(true);
    const cut = sheet.getRow(3).getCell(1).value as string;
    expect(cut.length).toBe(EXCEL_MAX_CELL_CHARS);
    expect(cut).toMatch(/the CSV export has the whole text\]$/);
    expect(sheet.getRow(4).getCell(1).value).toBe('bell and tab\tend');
    expect(sheet.getRow(1).font.bold).toBe(true);
  });

  it('waits for a slow reader, then writes every row', async () => {
    const out = new PassThrough({ highWaterMark: 16 * 1024 });
    let done = false;
    const writing = writeXlsx(
      [
        {
          name: 'Register',
          columns,
          rows: () =>
            rowsOf(30_000, (i) => [`row ${i} with some words`, '2026-01-01', null, i, true]),
        },
      ],
      out,
      { created: new Date() },
    ).then((counts) => {
      done = true;
      return counts;
    });
    await new Promise((r) => setTimeout(r, 1500));
    expect(done).toBe(false);
    expect(out.readableLength).toBeLessThan(1024 * 1024);
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    await expect(writing).resolves.toEqual({ Register: 30_000 });
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(Buffer.concat(chunks) as unknown as Parameters<typeof book.xlsx.load>[0]);
    expect((book.getWorksheet('Register')?.rowCount ?? 0) - 1).toBe(30_000);
  }, 60_000);
});

describe('the XLSX writer, when the reader goes away', () => {
  it('stops reading rows with an error', async () => {
    const out = new PassThrough({ highWaterMark: 16 * 1024 });
    let produced = 0;
    const writing = writeXlsx(
      [
        {
          name: 'Register',
          columns,
          rows: () =>
            rowsOf(200_000, (i) => {
              produced = i + 1;
              return [`row ${i}`, null, null, i, null];
            }),
        },
      ],
      out,
      { created: new Date() },
    );
    await new Promise((r) => setTimeout(r, 500));
    out.destroy();
    await expect(writing).rejects.toThrow(/closed before the export was complete/);
    expect(produced).toBeLessThan(200_000);
  }, 60_000);
});

describe('the PDF renderer', () => {
  it('keeps every character as written, spelling out only tabs and control characters', async () => {
    expect(pdfSafe('Zoë → Ångström\t– “ok” 東京 \u{1F600}\r')).toBe(
      'Zoë → Ångström    – “ok” 東京 \u{1F600}',
    );
    const file = path.join(dir, 'text.pdf');
    await renderPdf(
      {
        title: 'Record of Zoë Ångström',
        subtitle: ['Tokyo office 東京'],
        titlePage: false,
        stamp: 'stamp line',
        blocks: [
          { kind: 'heading', level: 1, text: 'Section → one' },
          { kind: 'fields', rows: [['Reporter', 'Zoë Ångström']] },
          { kind: 'bars', title: 'Chart', bars: [{ label: 'Major NC', value: 3 }] },
        ],
      },
      createWriteStream(file),
      { createdAt: new Date('2026-11-28T00:00:00Z') },
    );
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
    expect(text).toContain('Record of Zoë Ångström');
    expect(text).toContain('Tokyo office 東京');
    expect(text).toContain('Section → one');
    expect(text).toContain('Major NC');
    expect(text).toContain('Page 1 of 1');
  });
});
