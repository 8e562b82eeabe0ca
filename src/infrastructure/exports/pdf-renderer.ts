import type { Writable } from 'node:stream';
import PDFDocument from 'pdfkit';
import type {
  Bar,
  Block,
  ReportDocument,
  TableColumn,
} from '../../application/ports/report-document.js';

/**
 * Lays a ReportDocument out as an A4 PDF with pdfkit. Only the standard PDF fonts (Helvetica)
 * are used, so nothing is embedded and the text extracts cleanly (pdftotext, screen readers).
 */

type Pdf = PDFKit.PDFDocument;

const MARGIN = 50;
const FOOTER_GAP = 28;
const BODY_SIZE = 9.5;
const TABLE_SIZE = 8;
const CELL_PAD = 3;
const INK = '#1b1b1b';
const MUTED = '#5c5c5c';
const RULE = '#b8b8b8';
const BAR = '#3b5ba5';

/**
 * The standard fonts carry the Windows-1252 ("WinAnsi") characters only; pdfkit writes anything
 * else as garbage. Arrows and dashes get their ASCII spelling, other characters a "?".
 */
const WIN_ANSI_EXTRA = new Set([
  0x152, 0x153, 0x160, 0x161, 0x178, 0x17d, 0x17e, 0x192, 0x2c6, 0x2dc, 0x2013, 0x2014, 0x2018,
  0x2019, 0x201a, 0x201c, 0x201d, 0x201e, 0x2020, 0x2021, 0x2022, 0x2026, 0x2030, 0x2039, 0x203a,
  0x20ac, 0x2122,
]);
const SPELLED: Readonly<Record<string, string>> = {
  '\u2192': '->',
  '\u2190': '<-',
  '\u2212': '-',
  '\u2010': '-',
  '\u2011': '-',
  '\u00ad': '',
  '\t': '    ',
  '\r': '',
};

export function pdfSafe(text: string): string {
  let out = '';
  for (const ch of text.normalize('NFC')) {
    const code = ch.codePointAt(0) ?? 0;
    const spelled = SPELLED[ch];
    if (spelled !== undefined) out += spelled;
    else if (
      code === 0x0a ||
      (code >= 0x20 && code <= 0x7e) ||
      (code >= 0xa0 && code <= 0xff) ||
      WIN_ANSI_EXTRA.has(code)
    )
      out += ch;
    else out += '?';
  }
  return out;
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
  doc
    .font('Helvetica-Bold')
    .fontSize(size)
    .fillColor(INK)
    .text(pdfSafe(text), doc.page.margins.left, doc.y, { width: widthOf(doc) });
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
  doc
    .font('Helvetica')
    .fontSize(BODY_SIZE)
    .fillColor(INK)
    .text(pdfSafe(text), doc.page.margins.left, doc.y, { width: widthOf(doc), paragraphGap: 4 });
}

function fields(doc: Pdf, rows: readonly (readonly [string, string])[]): void {
  const left = doc.page.margins.left;
  const labelWidth = 150;
  const valueWidth = widthOf(doc) - labelWidth - 8;
  doc.fontSize(BODY_SIZE);
  for (const [label, value] of rows) {
    const l = pdfSafe(label);
    const v = pdfSafe(value);
    doc.font('Helvetica-Bold');
    const lh = doc.heightOfString(l, { width: labelWidth });
    doc.font('Helvetica');
    const vh = doc.heightOfString(v, { width: valueWidth });
    // A long value flows over pages; a short pair is never split.
    ensureRoom(doc, Math.min(Math.max(lh, vh), BODY_SIZE * 6));
    const y = doc.y;
    doc.font('Helvetica-Bold').fillColor(MUTED).text(l, left, y, { width: labelWidth });
    const afterLabel = doc.y;
    const labelPage = doc.bufferedPageRange().count;
    doc
      .font('Helvetica')
      .fillColor(INK)
      .text(v, left + labelWidth + 8, y, { width: valueWidth });
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
    doc.font('Helvetica-Oblique').fontSize(BODY_SIZE).fillColor(MUTED);
    doc.text(pdfSafe(empty), left, doc.y, { width: widthOf(doc) });
    doc.fillColor(INK);
    return;
  }
  const total = columns.reduce((s, c) => s + c.weight, 0);
  const widths = columns.map((c) => (widthOf(doc) * c.weight) / total);
  const xs = widths.map((_, i) => left + widths.slice(0, i).reduce((s, w) => s + w, 0));
  const cellWidth = (i: number): number => Math.max((widths[i] ?? 0) - 2 * CELL_PAD, 10);

  const rowHeight = (cells: readonly string[], font: string): number => {
    doc.font(font).fontSize(TABLE_SIZE);
    return (
      Math.max(...cells.map((c, i) => doc.heightOfString(pdfSafe(c), { width: cellWidth(i) })), 0) +
      2 * CELL_PAD
    );
  };

  const drawRow = (cells: readonly string[], font: string, shade: boolean): void => {
    const h = rowHeight(cells, font);
    const y = doc.y;
    if (shade) doc.rect(left, y, widthOf(doc), h).fill('#eef0f5');
    doc.font(font).fontSize(TABLE_SIZE).fillColor(INK);
    cells.forEach((c, i) => {
      doc.text(pdfSafe(c), (xs[i] ?? left) + CELL_PAD, y + CELL_PAD, { width: cellWidth(i) });
    });
    doc
      .moveTo(left, y + h)
      .lineTo(left + widthOf(doc), y + h)
      .lineWidth(0.3)
      .strokeColor(RULE)
      .stroke();
    doc.x = left;
    doc.y = y + h;
  };

  const headers = columns.map((c) => c.header);
  const headerHeight = rowHeight(headers, 'Helvetica-Bold');
  ensureRoom(doc, headerHeight + TABLE_SIZE * 3);
  drawRow(headers, 'Helvetica-Bold', true);
  for (const row of rows) {
    const h = rowHeight(row, 'Helvetica');
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
      drawRow(headers, 'Helvetica-Bold', true);
    }
    drawRow(row, 'Helvetica', false);
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
  doc
    .font('Helvetica-Bold')
    .fontSize(BODY_SIZE)
    .fillColor(INK)
    .text(pdfSafe(title), left, doc.y, { width: widthOf(doc) });
  doc.moveDown(0.3);
  if (items.length === 0) {
    paragraph(doc, 'Nothing to chart.');
    return;
  }
  for (const b of items) {
    ensureRoom(doc, barHeight + gap);
    const y = doc.y;
    doc
      .font('Helvetica')
      .fontSize(TABLE_SIZE)
      .fillColor(INK)
      .text(pdfSafe(b.label), left, y + 1.5, {
        width: labelWidth - 6,
        height: barHeight,
        ellipsis: true,
        lineBreak: false,
      });
    const length = (Math.max(0, b.value) / max) * plotWidth;
    doc
      .moveTo(left + labelWidth, y - gap / 2)
      .lineTo(left + labelWidth, y + barHeight + gap / 2)
      .lineWidth(0.5)
      .strokeColor(RULE)
      .stroke();
    if (length > 0) doc.rect(left + labelWidth, y, length, barHeight).fill(BAR);
    doc
      .fillColor(INK)
      .text(String(b.value), left + labelWidth + length + 4, y + 1.5, { lineBreak: false });
    doc.x = left;
    doc.y = y + barHeight + gap;
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
  doc
    .font('Helvetica-Bold')
    .fontSize(d.titlePage ? 24 : 17)
    .fillColor(INK)
    .text(pdfSafe(d.title), left, doc.y, { width: widthOf(doc) });
  doc.moveDown(0.4);
  doc
    .font('Helvetica')
    .fontSize(d.titlePage ? 12 : 10)
    .fillColor(MUTED);
  for (const line of d.subtitle) doc.text(pdfSafe(line), left, doc.y, { width: widthOf(doc) });
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
    doc.font('Helvetica').fontSize(7.5).fillColor(MUTED);
    doc.text(pdfSafe(stamp), left, y, { width: widthOf(doc) - 80, lineBreak: false });
    doc.text(`Page ${i + 1} of ${range.count}`, left, y, {
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
