/**
 * Names in every script survive into the PDFs: the CAR record and the review pack are rendered
 * with people and titles in Latin with diacritics, Greek, Cyrillic, Hebrew, Arabic, Chinese
 * (simplified and traditional), Japanese and Korean, then read back with poppler's pdftotext and
 * pdffonts, and one name is rasterised with pdftoppm to show that real glyphs are drawn.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { carRecordDocument } from '../../src/application/exports/car-record.js';
import {
  collectReviewPack,
  reviewPackDocument,
} from '../../src/application/exports/review-pack.js';
import type { ReportDocument } from '../../src/application/ports/report-document.js';
import { localDate } from '../../src/domain/calendar/local-date.js';
import type { CarPrimitives } from '../../src/domain/car/car.js';
import { renderPdf } from '../../src/infrastructure/exports/pdf-renderer.js';
import { textRuns } from '../../src/infrastructure/exports/pdf-fonts.js';
import { aPerson, anOperationContext, carInState } from '../support/car-mother.js';

const NAMES = ['劉龍豪', 'Łukasz', 'Zoë', 'Ελένη', 'Иван', 'שרה', 'فاطمة', '山田太郎', '김민준'];

const dir = mkdtempSync(path.join(tmpdir(), 'rectify-scripts-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const NOW = new Date('2026-12-03T10:00:00.000Z');

async function render(document: ReportDocument, name: string): Promise<string> {
  const file = path.join(dir, name);
  await renderPdf(document, createWriteStream(file), { createdAt: NOW });
  return file;
}

/** pdftotext marks right-to-left runs with bidi embedding controls; the letters are what count. */
const textOf = (file: string): string =>
  execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).replace(
    /[\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu,
    '',
  );

const fontsOf = (file: string): { name: string; embedded: string }[] =>
  execFileSync('pdffonts', [file], { encoding: 'utf8' })
    .split('\n')
    .slice(2)
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const cols = l.trim().split(/\s+/);
      // name, type (one or more words), encoding, emb, sub, uni, object id, generation
      return { name: cols[0] ?? '', embedded: cols[cols.length - 5] ?? '' };
    });

/** A CAR reported by one name, run by another, with actions owned by the rest. */
function carWithNames(): CarPrimitives {
  const [reporter = '', mr = '', ...owners] = NAMES;
  const car = carInState('implementing', {
    id: 'car-scripts',
    reporter: aPerson({ name: reporter }),
    context: anOperationContext({
      actor: { id: 'mr-scripts', name: mr },
      now: '2026-12-01T09:00:00.000Z',
      today: localDate('2026-12-01'),
    }),
    reportedAt: '2026-12-01T08:00:00.000Z',
    details: {
      title: `Badge lent at the 3rd floor (${NAMES.join(', ')})`,
      description: `Seen by ${NAMES.join(' and ')}.`,
    },
    actionOwner: aPerson({ name: owners.join(' ') }),
  }).toPrimitives();
  return car;
}

describe('PDFs in every script', () => {
  it('keep every name intact in a CAR record, in embedded fonts', async () => {
    const car = carWithNames();
    const file = await render(
      carRecordDocument({
        car,
        history: [],
        tasks: [
          {
            title: `A1 · ${NAMES.slice(2, 5).join(' ')}`,
            status: 'In progress',
            assignee: NAMES.slice(5).join(' '),
            due: '2026-12-18',
            url: 'https://tasks.office.com/contoso/Home/Task/abc123',
          },
        ],
        generatedAt: NOW.toISOString(),
        generatedBy: NAMES[1] ?? '',
      }),
      'record.pdf',
    );
    const text = textOf(file);
    for (const name of NAMES) expect(text).toContain(name);
    expect(text).not.toMatch(/\?\?|\ufffd/u);

    const fonts = fontsOf(file);
    expect(fonts.length).toBeGreaterThan(0);
    for (const f of fonts) expect(f.embedded).toBe('yes');
    const names = fonts.map((f) => f.name).join(' ');
    for (const face of [
      'NotoSans-',
      'NotoSansHebrew',
      'NotoNaskhArabic',
      'NotoSansKR',
      'NotoSansHans',
    ])
      expect(names).toContain(face);
    expect(names).not.toMatch(/Helvetica/);
  }, 60_000);

  it('keep every name intact in the review pack', async () => {
    const car = carWithNames();
    const pack = await collectReviewPack(
      async function* () {
        await Promise.resolve();
        yield car;
      },
      {
        meetingDate: localDate('2026-12-10'),
        meetingTitle: `Review with ${NAMES[3] ?? ''}`,
        lastMeetingDate: localDate('2026-11-10'),
        timeZone: 'Europe/Berlin',
        asOf: localDate('2026-12-03'),
        generatedAt: NOW.toISOString(),
        generatedBy: NAMES[6] ?? '',
      },
    );
    const text = textOf(await render(reviewPackDocument(pack), 'pack.pdf'));
    for (const name of NAMES) expect(text).toContain(name);
    // Nothing is overdue: the section says so once, not once per table.
    expect(text.split('No overdue actions.')).toHaveLength(2);
  }, 60_000);

  it('draws the glyphs of a Chinese name, not the missing-glyph box', async () => {
    const page = async (text: string, name: string): Promise<Buffer> => {
      const file = await render(
        { title: text, subtitle: [], titlePage: false, stamp: '', blocks: [] },
        name,
      );
      const out = path.join(dir, name.replace('.pdf', ''));
      // The top of the first page, where the title is, as an 8-bit grey image (PGM).
      execFileSync('pdftoppm', [
        '-gray',
        '-r',
        '72',
        '-f',
        '1',
        '-l',
        '1',
        '-y',
        '40',
        '-H',
        '40',
        '-W',
        '300',
        '-singlefile',
        file,
        out,
      ]);
      return readFileSync(`${out}.pgm`);
    };
    const dark = (pgm: Buffer): number => {
      // P5 header: magic, width, height, maxval, then one byte per pixel.
      const header = pgm.toString('latin1', 0, 20).split(/\s+/);
      const pixels = pgm.subarray(pgm.length - Number(header[1]) * Number(header[2]));
      return pixels.filter((v) => v < 128).length;
    };
    const name = await page('劉龍豪', 'name.pdf');
    // Three private-use characters: no face has them, so each prints as the missing-glyph box.
    const boxes = await page('\ue000\ue001\ue002', 'boxes.pdf');
    expect(textRuns('劉龍豪', 'bold').map((r) => r.font)).toEqual(['sc-bold']);
    expect(dark(name)).toBeGreaterThan(100);
    expect(Buffer.compare(name, boxes)).not.toBe(0);
    expect(Math.abs(dark(name) - dark(boxes))).toBeGreaterThan(30);
  }, 60_000);

  it('splits mixed text into runs of the face that has each script', () => {
    expect(textRuns('Reported by فاطمة, 3 Dec', 'regular')).toEqual([
      { font: 'latin-regular', text: 'Reported by ' },
      { font: 'arabic-regular', text: 'فاطمة' },
      { font: 'latin-regular', text: ', 3 Dec' },
    ]);
    expect(textRuns('김민준 (山田)', 'regular').map((r) => r.font)).toEqual(['kr-regular']);
    expect(textRuns('刘龙', 'regular').map((r) => r.font)).toEqual(['sc-regular']);
  });
});
