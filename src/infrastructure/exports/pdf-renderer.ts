import type { Writable } from 'node:stream';
import PDFDocument from 'pdfkit';
import type {
  Bar,
  Block,
  ReportDocument,
  TableColumn,
} from '../../application/ports/report-document.js';

import { fontName, isRightToLeft, primaryFont, registerFonts, textRuns } from './pdf-fonts.js';
import type { FontStyle } from './pdf-fonts.js';

/**
 * Lays a ReportDocument out as an A4 PDF with pdfkit, set in embedded Noto faces (see
 * pdf-fonts.ts) so that names in every script print as written and extract as text
 * (pdftotext, screen readers).
 */

type Pdf = PDFKit.PDFDocument;
type TextOptions = PDFKit.Mixins.TextOptions;

const MARGIN = 50;
const FOOTER_GAP = 28;
const BODY_SIZE = 9.5;
const TABLE_SIZE = 8;
const CELL_PAD = 3;
const INK = '#1b1b1b';
const MUTED = '#5c5c5c';
const RULE = '#b8b8b8';
const BAR = '#3b5ba5';

const SPELLED: Readonly<Record<string, string>> = {
  '\u00ad': '',
  '\t': '    ',
  '\r': '',
};

/** NFC, with tabs spelled as spaces and carriage returns and soft hyphens dropped. */
export function pdfSafe(text: string): string {
  let out = '';
  for (const ch of text.normalize('NFC')) out += SPELLED[ch] ?? ch;
  return out;
}

/**
 * Writes text at (x, y), each run in a face that has its glyphs. A text whose first strong
 * character is right to left is aligned right, its runs in right-to-left order (exact for one
 * line, which names and labels are).
 */
function write(
  doc: Pdf,
  text: string,
  style: FontStyle,
  x: number,
  y: number,
  options: TextOptions,
): void {
  const safe = pdfSafe(text);
  const runs = textRuns(safe, style);
  const rtl = isRightToLeft(safe);
  const ordered = rtl ? [...runs].reverse() : runs;
  const opts: TextOptions =
    rtl && options.align === undefined ? { ...options, align: 'right' } : options;
  if (ordered.length === 0) {
    doc.font(fontName('latin', style)).text('', x, y, opts);
    return;
  }
  ordered.forEach((r, i) => {
    doc.font(r.font);
    const continued = i < ordered.length - 1;
    if (i === 0) doc.text(r.text, x, y, { ...opts, continued });
    else doc.text(r.text, { ...opts, continued });
  });
}

/** The height of text set at the current size, measured in the face that sets most of it. */
function measure(doc: Pdf, text: string, style: FontStyle, width: number): number {
  const safe = pdfSafe(text);
  return doc.font(primaryFont(safe, style)).heightOfString(safe, { width });
}

const bottomOf = (doc: Pdf): number => doc.page.height - doc.page.margins.bottom;
const widthOf = (doc: Pdf): number =>
  doc.page.width - doc.page.margins.left - doc.page.margins.right;

/** Starts a new page unless `height` still fits on this one. */
function ensureRoom(doc: Pdf, height: number): void {
  if (doc.y + height > bottomOf(doc)) doc.addPage();
}

function heading(doc: Pdf, level: 1 | 2, text: string): void {
  const size = level === 1 ? 14 : 11.5;
  // Keep a heading with at least a few lines of what follows it.
  ensureRoom(doc, size * 2 + BODY_SIZE * 4);
  doc.moveDown(level === 1 ? 0.8 : 0.5);
  doc.fontSize(size).fillColor(INK);
  write(doc, text, 'bold', doc.page.margins.left, doc.y, { width: widthOf(doc) });
  if (level === 1) {
    const y = doc.y + 2;
    doc
      .moveTo(doc.page.margins.left, y)
      .lineTo(doc.page.width - doc.page.margins.right, y)
      .lineWidth(0.6)
      .strokeColor(RULE)
      .stroke();
    doc.y = y + 4;
  }
  doc.moveDown(0.3);
}

function paragraph(doc: Pdf, text: string): void {
  doc.fontSize(BODY_SIZE).fillColor(INK);
  write(doc, text, 'regular', doc.page.margins.left, doc.y, {
    width: widthOf(doc),
    paragraphGap: 4,
  });
}

function fields(doc: Pdf, rows: readonly (readonly [string, string])[]): void {
  const left = doc.page.margins.left;
  const labelWidth = 150;
  const valueWidth = widthOf(doc) - labelWidth - 8;
  doc.fontSize(BODY_SIZE);
  for (const [label, value] of rows) {
    const lh = measure(doc, label, 'bold', labelWidth);
    const vh = measure(doc, value, 'regular', valueWidth);
    // A long value flows over pages; a short pair is never split.
    ensureRoom(doc, Math.min(Math.max(lh, vh), BODY_SIZE * 6));
    const y = doc.y;
    doc.fillColor(MUTED);
    write(doc, label, 'bold', left, y, { width: labelWidth });
    const afterLabel = doc.y;
    const labelPage = doc.bufferedPageRange().count;
    doc.fillColor(INK);
    write(doc, value, 'regular', left + labelWidth + 8, y, { width: valueWidth });
    if (doc.bufferedPageRange().count === labelPage) doc.y = Math.max(doc.y, afterLabel);
    doc.y += 2;
  }
  doc.x = left;
}

function table(
  doc: Pdf,
  columns: readonly TableColumn[],
  rows: readonly (readonly string[])[],
  empty: string,
): void {
  const left = doc.page.margins.left;
  if (rows.length === 0) {
    doc.fontSize(BODY_SIZE).fillColor(MUTED);
    write(doc, empty, 'italic', left, doc.y, { width: widthOf(doc) });
    doc.fillColor(INK);
    return;
  }
  const total = columns.reduce((s, c) => s + c.weight, 0);
  const widths = columns.map((c) => (widthOf(doc) * c.weight) / total);
  const xs = widths.map((_, i) => left + widths.slice(0, i).reduce((s, w) => s + w, 0));
  const cellWidth = (i: number): number => Math.max((widths[i] ?? 0) - 2 * CELL_PAD, 10);

  const rowHeight = (cells: readonly string[], style: FontStyle): number => {
    doc.fontSize(TABLE_SIZE);
    return Math.max(...cells.map((c, i) => measure(doc, c, style, cellWidth(i))), 0) + 2 * CELL_PAD;
  };

  const drawRow = (cells: readonly string[], style: FontStyle, shade: boolean): void => {
    const measured = rowHeight(cells, style);
    const y = doc.y;
    if (shade) doc.rect(left, y, widthOf(doc), measured).fill('#eef0f5');
    doc.fontSize(TABLE_SIZE).fillColor(INK);
    // Text in several faces can wrap onto more lines than its measure: the row ends below the
    // lowest cell as drawn.
    let bottom = y + measured;
    cells.forEach((c, i) => {
      write(doc, c, style, (xs[i] ?? left) + CELL_PAD, y + CELL_PAD, { width: cellWidth(i) });
      bottom = Math.max(bottom, doc.y + CELL_PAD);
    });
    doc
      .moveTo(left, bottom)
      .lineTo(left + widthOf(doc), bottom)
      .lineWidth(0.3)
      .strokeColor(RULE)
      .stroke();
    doc.x = left;
    doc.y = bottom;
  };

  const headers = columns.map((c) => c.header);
  const headerHeight = rowHeight(headers, 'bold');
  ensureRoom(doc, headerHeight + TABLE_SIZE * 3);
  drawRow(headers, 'bold', true);
  for (const row of rows) {
    const h = rowHeight(row, 'regular');
    const room = bottomOf(doc) - doc.page.margins.top;
    if (h > room) {
      // A cell longer than a page: print the row as label/value pairs, which may flow on.
      fields(
        doc,
        row.map((c, i) => [columns[i]?.header ?? '', c] as const),
      );
      continue;
    }
    if (doc.y + h > bottomOf(doc)) {
      doc.addPage();
      drawRow(headers, 'bold', true);
    }
    drawRow(row, 'regular', false);
  }
  doc.moveDown(0.4);
}

/** Horizontal bars, drawn with vector rectangles; each bar's figure is printed at its end. */
function bars(doc: Pdf, title: string, items: readonly Bar[]): void {
  const left = doc.page.margins.left;
  const labelWidth = 150;
  const barHeight = 11;
  const gap = 4;
  const plotWidth = widthOf(doc) - labelWidth - 40;
  const max = Math.max(1, ...items.map((b) => b.value));
  // The whole chart on one page when it fits on one.
  const height = BODY_SIZE * 2 + items.length * (barHeight + gap);
  ensureRoom(doc, Math.min(height, bottomOf(doc) - doc.page.margins.top));
  doc.fontSize(BODY_SIZE).fillColor(INK);
  write(doc, title, 'bold', left, doc.y, { width: widthOf(doc) });
  doc.moveDown(0.3);
  if (items.length === 0) {
    paragraph(doc, 'Nothing to chart.');
    return;
  }
  for (const b of items) {
    // A long label wraps under itself (never cut off); its bar sits on the label's first line.
    doc.fontSize(TABLE_SIZE);
    const labelHeight = measure(doc, b.label, 'regular', labelWidth - 6);
    ensureRoom(doc, Math.max(barHeight, labelHeight) + gap);
    const y = doc.y;
    doc.fillColor(INK);
    write(doc, b.label, 'regular', left, y + 1.5, { width: labelWidth - 6 });
    const labelBottom = doc.y;
    const length = (Math.max(0, b.value) / max) * plotWidth;
    doc
      .moveTo(left + labelWidth, y - gap / 2)
      .lineTo(left + labelWidth, y + barHeight + gap / 2)
      .lineWidth(0.5)
      .strokeColor(RULE)
      .stroke();
    if (length > 0) doc.rect(left + labelWidth, y, length, barHeight).fill(BAR);
    doc.fillColor(INK);
    write(doc, String(b.value), 'regular', left + labelWidth + length + 4, y + 1.5, {
      lineBreak: false,
    });
    doc.x = left;
    doc.y = Math.max(y + barHeight, labelBottom) + gap;
  }
  doc.moveDown(0.6);
}

function block(doc: Pdf, b: Block): void {
  switch (b.kind) {
    case 'heading':
      heading(doc, b.level, b.text);
      return;
    case 'paragraph':
      paragraph(doc, b.text);
      return;
    case 'fields':
      fields(doc, b.rows);
      return;
    case 'table':
      table(doc, b.columns, b.rows, b.empty);
      return;
    case 'bars':
      bars(doc, b.title, b.bars);
      return;
    case 'pageBreak':
      doc.addPage();
      return;
  }
}

function titleBlock(doc: Pdf, d: ReportDocument): void {
  const left = doc.page.margins.left;
  if (d.titlePage) doc.y = doc.page.height / 3;
  doc.fontSize(d.titlePage ? 24 : 17).fillColor(INK);
  write(doc, d.title, 'bold', left, doc.y, { width: widthOf(doc) });
  doc.moveDown(0.4);
  doc.fontSize(d.titlePage ? 12 : 10).fillColor(MUTED);
  for (const line of d.subtitle) write(doc, line, 'regular', left, doc.y, { width: widthOf(doc) });
  doc.fillColor(INK);
  if (d.titlePage) doc.addPage();
  else doc.moveDown(0.5);
}

/** Page numbers and the generation stamp, written once every page exists. */
function footers(doc: Pdf, stamp: string): void {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i += 1) {
    doc.switchToPage(i);
    const bottom = doc.page.margins.bottom;
    // Writing inside the bottom margin would otherwise start a new page.
    doc.page.margins.bottom = 0;
    const y = doc.page.height - FOOTER_GAP;
    const left = doc.page.margins.left;
    doc.fontSize(7.5).fillColor(MUTED);
    write(doc, stamp, 'regular', left, y, { width: widthOf(doc) - 80, lineBreak: false });
    doc.font(fontName('latin', 'regular')).text(`Page ${i + 1} of ${range.count}`, left, y, {
      width: widthOf(doc),
      align: 'right',
      lineBreak: false,
    });
    doc.page.margins.bottom = bottom;
  }
}

/** Renders the document into `out` and ends it; resolves once everything is written. */
export async function renderPdf(
  d: ReportDocument,
  out: Writable,
  options: { readonly createdAt: Date },
): Promise<void> {
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, bottom: MARGIN + 10, left: MARGIN, right: MARGIN },
    bufferPages: true,
    info: {
      Title: pdfSafe(d.title),
      Author: 'Rectify',
      Creator: 'Rectify',
      CreationDate: options.createdAt,
    },
  });
  registerFonts(doc);
  const done = new Promise<void>((resolve, reject) => {
    out.once('finish', resolve);
    out.once('error', reject);
    doc.once('error', reject);
  });
  doc.pipe(out);
  titleBlock(doc, d);
  for (const b of d.blocks) block(doc, b);
  footers(doc, d.stamp);
  doc.end();
  await done;
}
