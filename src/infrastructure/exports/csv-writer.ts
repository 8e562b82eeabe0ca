import type { Writable } from 'node:stream';
import type { Cell } from '../../application/ports/table-cells.js';
import { finished, put } from './stream-output.js';

/**
 * CSV as RFC 4180 describes it (comma, CRLF, fields with a comma, quote or line break quoted,
 * quotes doubled), in UTF-8 starting with a byte-order mark: without it Excel reads the file
 * in the machine's legacy code page and garbles every non-ASCII name.
 */

export const CSV_BOM = '\uFEFF';

/**
 * Formula-injection guard (OWASP "CSV injection"): a spreadsheet runs a cell that starts with
 * = + - @ (and tab or carriage return, which some of them skip before looking) as a formula.
 * Report text is written by any member, so such a text cell gets a leading apostrophe, which
 * makes spreadsheets show it as plain text. Numbers are written as numbers and never guarded.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvField(cell: Cell): string {
  if (cell === null) return '';
  if (typeof cell === 'number') return String(cell);
  if (typeof cell === 'boolean') return cell ? 'yes' : 'no';
  const text = FORMULA_START.test(cell) ? `'${cell}` : cell;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvLine = (cells: readonly Cell[]): string => `${cells.map(csvField).join(',')}\r\n`;

/** About 64 KiB per write: small enough to stream, large enough not to write line by line. */
const CHUNK_CHARS = 64 * 1024;

/**
 * Writes a header line and then every row, waiting whenever `out` is full, and ends `out`.
 * Answers the number of rows written (the header not counted).
 */
export async function writeCsv(
  columns: readonly { readonly header: string }[],
  rows: AsyncIterable<readonly Cell[]>,
  out: Writable,
): Promise<number> {
  let chunk = CSV_BOM + csvLine(columns.map((c) => c.header));
  let count = 0;
  for await (const row of rows) {
    chunk += csvLine(row);
    count += 1;
    if (chunk.length >= CHUNK_CHARS) {
      await put(out, chunk);
      chunk = '';
    }
  }
  if (chunk.length > 0) await put(out, chunk);
  await finished(out);
  return count;
}
