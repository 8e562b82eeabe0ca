import { describe, expect, it } from '@jest/globals';
import { PassThrough } from 'node:stream';
import { CSV_BOM, csvField, writeCsv } from '../../src/infrastructure/exports/csv-writer.js';
import { parseCsv } from './csv-parse.js';

async function* rowsOf(rows: (string | number | boolean | null)[][]) {
  for (const r of rows) {
    await Promise.resolve();
    yield r;
  }
}

async function csvOf(rows: (string | number | boolean | null)[][]): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await writeCsv([{ header: 'A' }, { header: 'B' }], rowsOf(rows), out);
  return Buffer.concat(chunks).toString('utf8');
}

describe('the CSV writer', () => {
  it('guards text that a spreadsheet would run as a formula', () => {
    expect(csvField('=HYPERLINK("http://evil.example","Click")')).toBe(
      `"'=HYPERLINK(""http://evil.example"",""Click"")"`,
    );
    expect(csvField('+41 22 000')).toBe("'+41 22 000");
    expect(csvField('-cmd')).toBe("'-cmd");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('\tleading tab')).toBe("'\tleading tab");
    expect(csvField('\rleading CR')).toBe(`"'\rleading CR"`);
    expect(csvField('plain = text')).toBe('plain = text');
  });

  it('writes numbers and flags as values, never guarded', () => {
    expect(csvField(-3)).toBe('-3');
    expect(csvField(true)).toBe('yes');
    expect(csvField(false)).toBe('no');
    expect(csvField(null)).toBe('');
  });

  it('quotes commas, quotes and line breaks so that a reader gets the text back', async () => {
    const tricky = [
      ['a, b', 'say "no"'],
      ['two\nlines', 'Zoë Ångström – 東京'],
      ['=1+1', null],
    ];
    const text = await csvOf(tricky);
    expect(text.startsWith(CSV_BOM)).toBe(true);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(parseCsv(text.slice(1))).toEqual([
      ['A', 'B'],
      ['a, b', 'say "no"'],
      ['two\nlines', 'Zoë Ångström – 東京'],
      ["'=1+1", ''],
    ]);
  });

  it('waits for a slow reader instead of piling the export up in memory', async () => {
    const out = new PassThrough({ highWaterMark: 1024 });
    const many = Array.from({ length: 20_000 }, (_, i) => [`row ${i}`, i]);
    let done = false;
    const writing = writeCsv([{ header: 'A' }, { header: 'B' }], rowsOf(many), out).then((n) => {
      done = true;
      return n;
    });
    await new Promise((r) => setTimeout(r, 50));
    // Nobody reads yet: the writer is held back by the full buffer.
    expect(done).toBe(false);
    expect(out.readableLength).toBeLessThan(200 * 1024);
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    await expect(writing).resolves.toBe(20_000);
    expect(parseCsv(Buffer.concat(chunks).toString('utf8').slice(1))).toHaveLength(20_001);
  });

  it('stops with an error when the destination closes half-way', async () => {
    const out = new PassThrough({ highWaterMark: 1024 });
    const many = Array.from({ length: 20_000 }, (_, i) => [`row ${i}`, i]);
    const writing = writeCsv([{ header: 'A' }], rowsOf(many), out);
    await new Promise((r) => setTimeout(r, 20));
    out.destroy();
    await expect(writing).rejects.toThrow(/closed before the export was complete/);
  });
});
