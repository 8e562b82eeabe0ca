import { describe, expect, it } from '@jest/globals';
import {
  bufferAccess,
  checkEvidence,
  sanitiseName,
} from '../../../src/application/evidence/evidence-checks.js';
import { RectifyError, type ErrorCode } from '../../../src/domain/errors.js';

/** A zip with these entries in its index (the data itself is not needed to read the index). */
function zipOf(entries: readonly { name: string; packed: number; unpacked: number }[]): Buffer {
  const local = Buffer.from([0x50, 0x4b, 0x03, 0x04, ...new Array<number>(26).fill(0)]);
  const body = Buffer.alloc(2_000, 0x41);
  const dir = Buffer.concat(
    entries.map((e) => {
      const name = Buffer.from(e.name);
      const h = Buffer.alloc(46);
      h.writeUInt32LE(0x02014b50, 0);
      h.writeUInt32LE(e.packed, 20);
      h.writeUInt32LE(e.unpacked, 24);
      h.writeUInt16LE(name.length, 28);
      return Buffer.concat([h, name]);
    }),
  );
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(local.length + body.length, 16);
  return Buffer.concat([local, body, dir, end]);
}

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);

async function refusal(name: string, bytes: Buffer, maxBytes?: number): Promise<ErrorCode> {
  try {
    await checkEvidence(name, bufferAccess(bytes), maxBytes ? { maxBytes } : undefined);
  } catch (e) {
    if (e instanceof RectifyError) return e.code;
    throw e;
  }
  throw new Error(`${name} was accepted`);
}

describe('the evidence checks', () => {
  it('accept images, PDF, Office documents, text and email by their content', async () => {
    const docx = zipOf([
      { name: '[Content_Types].xml', packed: 300, unpacked: 1200 },
      { name: 'word/document.xml', packed: 900, unpacked: 4000 },
    ]);
    const cases: [string, Buffer, string][] = [
      ['screenshot.png', PNG, 'image/png'],
      ['photo', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0]), 'image/jpeg'],
      ['report.pdf', Buffer.from('%PDF-1.7\n...'), 'application/pdf'],
      [
        'minutes.docx',
        docx,
        'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      ],
      [
        'log.txt',
        Buffer.from('2026-12-04 login failed ✅ سجل 访客\n'),
        'text/plain; charset=utf-8',
      ],
      [
        'phish.eml',
        Buffer.from('Received: from x\r\nFrom: a@b.example\r\n\r\nHi'),
        'message/rfc822',
      ],
      [
        'mail.msg',
        Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0]),
        'application/vnd.ms-outlook',
      ],
    ];
    for (const [name, bytes, type] of cases)
      await expect(checkEvidence(name, bufferAccess(bytes))).resolves.toEqual({ name, type });
  });

  it('refuse an oversize file before reading it', async () => {
    expect(await refusal('big.png', Buffer.concat([PNG, Buffer.alloc(100)]), 50)).toBe(
      'EVIDENCE.TOO_LARGE',
    );
  });

  it('refuse a renamed executable, whatever its name says', async () => {
    const exe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200)]);
    expect(await refusal('invoice.pdf', exe)).toBe('EVIDENCE.EXECUTABLE');
    expect(await refusal('photo.png', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1]))).toBe(
      'EVIDENCE.EXECUTABLE',
    );
    expect(await refusal('notes.txt', Buffer.from('#!/bin/sh\nrm -rf /\n'))).toBe(
      'EVIDENCE.EXECUTABLE',
    );
  });

  it('refuse a zip bomb dressed as a Word document, and a plain zip', async () => {
    const bomb = zipOf([
      { name: '[Content_Types].xml', packed: 100, unpacked: 1000 },
      { name: 'word/document.xml', packed: 1000, unpacked: 4_000_000_000 },
    ]);
    expect(await refusal('minutes.docx', bomb)).toBe('EVIDENCE.ARCHIVE_SUSPICIOUS');
    const plain = zipOf([{ name: 'payload.exe', packed: 100, unpacked: 200 }]);
    expect(await refusal('archive.docx', plain)).toBe('EVIDENCE.TYPE_NOT_ALLOWED');
  });

  it('refuse binary that is none of the allowed types, and an empty file', async () => {
    expect(await refusal('data.bin', Buffer.from([0, 1, 2, 3, 0xff, 0xfe]))).toBe(
      'EVIDENCE.TYPE_NOT_ALLOWED',
    );
    expect(await refusal('empty.txt', Buffer.alloc(0))).toBe('EVIDENCE.EMPTY');
  });

  it('keep only the last segment of a name, without controls, overrides or reserved characters', () => {
    expect(sanitiseName('../../etc/passwd')).toBe('passwd');
    expect(sanitiseName('C:\\Users\\x\\shot.png')).toBe('shot.png');
    expect(sanitiseName('inv\u202eoice\u0000.pdf')).toBe('invoice.pdf');
    expect(sanitiseName('a:b*c?.txt')).toBe('a_b_c_.txt');
    expect(sanitiseName('emoji 🛡️ and عربى.png')).toBe('emoji 🛡️ and عربى.png');
    for (const bad of ['..', '../', '   ', '\u0000', '\ud800'])
      expect(() => sanitiseName(bad)).toThrow(RectifyError);
  });
});
