import { PassThrough, type Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { Cell, ColumnKind } from '../../application/ports/table-cells.js';
import { drained } from './stream-output.js';

export interface SheetColumn {
  readonly header: string;
  readonly kind: ColumnKind;
  readonly width: number;
}

export interface SheetSource {
  readonly name: string;
  readonly columns: readonly SheetColumn[];
  /** Called once, when the sheet's turn comes: sheets are written one after the other. */
  readonly rows: () => AsyncIterable<readonly Cell[]>;
}

/** Excel refuses a cell longer than this; the rest of such a text is cut with a note. */
export const EXCEL_MAX_CELL_CHARS = 32_767;
const CUT_NOTE = ' [cut at the spreadsheet limit; the CSV export has the whole text]';

const NUMBER_FORMATS: Partial<Record<ColumnKind, string>> = {
  date: 'yyyy-mm-dd',
  instant: 'yyyy-mm-dd hh:mm:ss',
};

type XlsxValue = string | number | boolean | Date | null;

/** Dates become real spreadsheet dates (times are UTC), so that they sort and filter as dates. */
function toXlsx(cell: Cell, kind: ColumnKind): XlsxValue {
  if (cell === null) return null;
  if (typeof cell === 'string' && (kind === 'date' || kind === 'instant')) {
    const at = new Date(kind === 'date' ? `${cell}T00:00:00Z` : cell);
    return Number.isNaN(at.getTime()) ? cell : at;
  }
  if (typeof cell === 'string' && cell.length > EXCEL_MAX_CELL_CHARS)
    return cell.slice(0, EXCEL_MAX_CELL_CHARS - CUT_NOTE.length) + CUT_NOTE;
  return cell;
}

const columnLetter = (n: number): string => {
  let s = '';
  for (let i = n; i > 0; i = Math.floor((i - 1) / 26))
    s = String.fromCharCode(65 + ((i - 1) % 26)) + s;
  return s;
};

/** Rows between two looks at whether the destination is full. */
const ROWS_PER_BATCH = 500;

/** What exceljs writes a part of the package into: strings, buffers or its own StringBuf. */
type PartChunk = string | Buffer | { toBuffer(): Buffer };

/**
 * A part of the package (a sheet's XML) on its way into the zip, as a real Node stream.
 *
 * exceljs 4.4 hands each part to the zip through its own StreamBuf, which keeps a copy of
 * everything written until the workbook is committed, so a "streamed" sheet sits whole in
 * memory, uncompressed (exceljs issues #1894 and #2916, fix pending in PR #2558). This stream
 * keeps nothing once the zip has read it, and tells the writer when the zip falls behind.
 */
class PartStream extends PassThrough {
  constructor() {
    // Room for the zip (which compresses on another thread) to work while rows are made.
    super({ highWaterMark: 4 * 1024 * 1024 });
  }

  override write(chunk: PartChunk, ...rest: never[]): boolean {
    const data = typeof chunk === 'string' || Buffer.isBuffer(chunk) ? chunk : chunk.toBuffer();
    return super.write(data, ...rest);
  }
}

interface ExcelJsWorkbookInternals {
  _openStream(path: string): unknown;
  readonly zip: { append(source: PassThrough, options: { name: string }): void };
}

/**
 * Makes the workbook writer open its parts as PartStreams. Relies on exceljs 4.4 internals
 * (`_openStream`, `zip`); a test reads every written workbook back, so a change there shows.
 */
function streamPartsThrough(
  workbook: ExcelJS.stream.xlsx.WorkbookWriter,
  opened: PartStream[],
): void {
  const internals = workbook as unknown as ExcelJsWorkbookInternals;
  internals._openStream = (partPath: string): PartStream => {
    const part = new PartStream();
    internals.zip.append(part, { name: partPath });
    part.on('finish', () => part.emit('zipped'));
    opened.push(part);
    return part;
  };
}

/**
 * Writes a workbook with the streaming writer of exceljs: each row is turned into XML and
 * zipped as it comes, so the whole sheet is never held in memory. Each sheet has a bold header
 * row that stays in view (frozen) and carries an autofilter. Ends `out`; answers the number of
 * rows written per sheet.
 */
export async function writeXlsx(
  sheets: readonly SheetSource[],
  out: Writable,
  options: { readonly created: Date; readonly creator?: string } = { created: new Date() },
): Promise<Record<string, number>> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: true,
    useSharedStrings: false,
  });
  const parts: PartStream[] = [];
  streamPartsThrough(workbook, parts);
  workbook.creator = options.creator ?? 'Rectify';
  workbook.created = options.created;
  workbook.modified = options.created;
  const counts: Record<string, number> = {};

  for (const sheet of sheets) {
    const last = columnLetter(sheet.columns.length);
    const ws = workbook.addWorksheet(sheet.name, {
      views: [{ state: 'frozen', ySplit: 1, xSplit: 0 }],
    });
    ws.autoFilter = `A1:${last}1`;
    ws.columns = sheet.columns.map((c) => {
      const numFmt = NUMBER_FORMATS[c.kind];
      return {
        width: Math.max(c.width, c.header.length + 2),
        ...(numFmt ? { style: { numFmt } } : {}),
      };
    });
    const header = ws.addRow(sheet.columns.map((c) => c.header));
    header.font = { bold: true };
    header.commit();

    let count = 0;
    for await (const cells of sheet.rows()) {
      ws.addRow(cells.map((cell, i) => toXlsx(cell, sheet.columns[i]?.kind ?? 'text'))).commit();
      count += 1;
      if (count % ROWS_PER_BATCH === 0) {
        // Let the zip stream move what was committed on to `out`, and wait if `out` is full.
        await new Promise<void>((resolve) => setImmediate(resolve));
        const part = parts.at(-1);
        if (part) await drained(part, out);
        await drained(out);
      }
    }
    ws.commit();
    counts[sheet.name] = count;
  }
  await workbook.commit();
  return counts;
}
