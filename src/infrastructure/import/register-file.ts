import { readFile } from 'node:fs/promises';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { RegisterCell, RegisterTable } from '../../application/ports/register-table.js';
import { RectifyError } from '../../domain/errors.js';

/**
 * A former register read from its file: XLSX (the first sheet, or the one named) through
 * exceljs, or CSV as spreadsheets write it (UTF-8 with or without BOM; comma, semicolon or tab
 * separated; quoted cells with line breaks). A header of two rows, as a spreadsheet with merged
 * header cells has ("Corrective action" over "Owner" and "Target date"), gives headers such as
 * "Corrective action Owner".
 */
export async function readRegisterFile(file: string, sheet?: string): Promise<RegisterTable> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw unreadable(path.basename(file), e instanceof Error ? e.message : String(e));
  }
  return parseRegister(path.basename(file), bytes, sheet);
}

export async function parseRegister(
  name: string,
  bytes: Buffer,
  sheet?: string,
): Promise<RegisterTable> {
  const lower = name.toLowerCase();
  if (lower.endsWith('.xlsx')) return readXlsx(name, bytes, sheet);
  if (lower.endsWith('.csv') || lower.endsWith('.txt')) return readCsv(name, bytes);
  throw unreadable(name, 'not an .xlsx or .csv file');
}

const unreadable = (name: string, why: string): RectifyError =>
  new RectifyError(
    'REQUEST.VALIDATION',
    { field: 'file', reason: `${name} cannot be read: ${why}` },
    `${name} cannot be read: ${why}`,
  );

async function readXlsx(name: string, bytes: Buffer, sheetName?: string): Promise<RegisterTable> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (e) {
    throw unreadable(name, e instanceof Error ? e.message : String(e));
  }
  const sheet = sheetName === undefined ? workbook.worksheets[0] : workbook.getWorksheet(sheetName);
  if (!sheet)
    throw unreadable(name, sheetName === undefined ? 'no sheet' : `no sheet named ${sheetName}`);
  const width = sheet.columnCount;
  const valueOf = (v: ExcelJS.CellValue): RegisterCell => {
    if (v === null || v === undefined) return null;
    if (
      v instanceof Date ||
      typeof v === 'string' ||
      typeof v === 'number' ||
      typeof v === 'boolean'
    )
      return v;
    if (typeof v === 'object') {
      if ('richText' in v) return v.richText.map((t) => t.text).join('');
      if ('text' in v && typeof v.text === 'string') return v.text;
      if ('result' in v) return valueOf(v.result);
    }
    return null;
  };
  const rowCells = (r: number): RegisterCell[] =>
    Array.from({ length: width }, (_, i) => {
      const cell = sheet.getCell(r, i + 1);
      // A merged cell's value is in its master cell.
      return valueOf(cell.isMerged ? cell.master.value : cell.value);
    });
  // A header cell merged across columns means a second header row below it.
  const twoRows = Array.from({ length: width }, (_, i) => sheet.getCell(1, i + 1)).some(
    (cell) => cell.isMerged && Number(cell.master.col) !== Number(cell.col),
  );
  const top = rowCells(1).map((c) => (c === null ? '' : String(c).trim()));
  let headers = top;
  let first = 2;
  if (twoRows) {
    const sub = Array.from({ length: width }, (_, i) => {
      const cell = sheet.getCell(2, i + 1);
      // A header merged down over both rows is one header, not two.
      if (cell.isMerged && Number(cell.master.row) === 1) return '';
      return cell.value === null ? '' : String(valueOf(cell.value) ?? '').trim();
    });
    headers = top.map((t, i) => [t, sub[i] ?? ''].filter((x) => x !== '').join(' '));
    first = 3;
  }
  const rows: { row: number; cells: RegisterCell[] }[] = [];
  for (let r = first; r <= sheet.rowCount; r += 1) rows.push({ row: r, cells: rowCells(r) });
  return { file: name, sheet: sheet.name, headers: uniqueHeaders(headers), rows };
}

/** Blank or repeated headers get a column letter, so that each column has one name. */
function uniqueHeaders(headers: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return headers.map((h, i) => {
    const base = h === '' ? `Column ${columnLetter(i)}` : h;
    const n = (seen.get(base.toLowerCase()) ?? 0) + 1;
    seen.set(base.toLowerCase(), n);
    return n === 1 ? base : `${base} (${columnLetter(i)})`;
  });
}

const columnLetter = (i: number): string =>
  i < 26
    ? String.fromCharCode(65 + i)
    : columnLetter(Math.floor(i / 26) - 1) + String.fromCharCode(65 + (i % 26));

function readCsv(name: string, bytes: Buffer): RegisterTable {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw unreadable(name, 'not UTF-8 text (save it as "CSV UTF-8")');
  }
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const delimiter =
    [';', ',', '\t'].map((d) => ({ d, n: firstLine.split(d).length })).sort((a, b) => b.n - a.n)[0]
      ?.d ?? ',';
  const records = parseCsv(text, delimiter);
  if (records.length === 0) throw unreadable(name, 'empty');
  const width = Math.max(...records.map((r) => r.cells.length));
  const pad = (cells: string[]): string[] => [
    ...cells,
    ...Array<string>(width - cells.length).fill(''),
  ];
  const top = pad(records[0]?.cells ?? []).map((c) => c.trim());
  const second = records[1] ? pad(records[1].cells).map((c) => c.trim()) : null;
  // A merged header saved as CSV: the merged text in its first column, blanks after it, and
  // the sub-headers on the second line.
  const twoRows =
    second !== null &&
    top.some((t, i) => t === '' && i > 0 && (second[i] ?? '') !== '') &&
    second.every((s, i) => s !== '' || top[i] !== '');
  let headers = top;
  let first = 1;
  if (twoRows) {
    let carried = '';
    headers = top.map((t, i) => {
      if (t !== '') carried = t;
      const sub = second[i] ?? '';
      const above = t !== '' ? t : sub !== '' ? carried : '';
      return above === sub ? above : [above, sub].filter((x) => x !== '').join(' ');
    });
    first = 2;
  }
  return {
    file: name,
    sheet: null,
    headers: uniqueHeaders(headers),
    rows: records
      .slice(first)
      .map((r) => ({ row: r.line, cells: pad(r.cells).map((c) => (c === '' ? null : c)) })),
  };
}

/**
 * RFC 4180 records, numbered as a spreadsheet shows them: a quoted cell with line breaks is
 * still one row.
 */
function parseCsv(text: string, delimiter: string): { line: number; cells: string[] }[] {
  const records: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text.charAt(i);
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i += 1;
        } else quoted = false;
      } else cell += ch;
      continue;
    }
    if (ch === '"' && cell === '') quoted = true;
    else if (ch === delimiter) {
      cells.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i += 1;
      cells.push(cell);
      records.push({ line: records.length + 1, cells });
      cells = [];
      cell = '';
    } else cell += ch;
  }
  cells.push(cell);
  if (cells.some((c) => c !== '')) records.push({ line: records.length + 1, cells });
  return records.filter((r) => r.cells.some((c) => c !== ''));
}
