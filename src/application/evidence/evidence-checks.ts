import { RectifyError } from '../../domain/errors.js';
import type { RandomAccess } from '../ports/evidence-store.js';

/**
 * What Rectify accepts as evidence, decided from the content, never from the name or the
 * type the sender claimed: images (PNG, JPEG, GIF, WebP), PDF, Office documents (the OOXML
 * formats, and the older OLE formats including Outlook .msg), plain UTF-8 text and email
 * (.eml). Programs are refused by name. An Office document is a zip: its index is read and a
 * document that would unpack to far more than its size (a zip bomb) is refused.
 */

export interface EvidenceLimits {
  /** Default 25 MB. */
  readonly maxBytes: number;
}

export const DEFAULT_EVIDENCE_LIMITS: EvidenceLimits = { maxBytes: 25 * 1024 * 1024 };

/** A zip may unpack to at most this many times its size, and at most 500 MB in all. */
const MAX_ZIP_RATIO = 100;
const MAX_ZIP_UNPACKED = 500 * 1024 * 1024;
const MAX_ZIP_ENTRIES = 10_000;
const HEAD = 4096;

export interface EvidenceKind {
  readonly type: string;
  /** The extension a download gets when the name has none that fits. */
  readonly extension: string;
}

const starts = (b: Uint8Array, bytes: readonly number[], at = 0): boolean =>
  bytes.every((x, i) => b[at + i] === x);
const ascii = (s: string): number[] => Array.from({ length: s.length }, (_, i) => s.charCodeAt(i));

function isExecutable(head: Uint8Array): boolean {
  return (
    starts(head, ascii('MZ')) ||
    starts(head, [0x7f, ...ascii('ELF')]) ||
    starts(head, ascii('#!')) ||
    starts(head, [0xfe, 0xed, 0xfa, 0xce]) ||
    starts(head, [0xfe, 0xed, 0xfa, 0xcf]) ||
    starts(head, [0xce, 0xfa, 0xed, 0xfe]) ||
    starts(head, [0xcf, 0xfa, 0xed, 0xfe]) ||
    starts(head, [0xca, 0xfe, 0xba, 0xbe])
  );
}

function isUtf8Text(bytes: Uint8Array): boolean {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // A multi-byte character cut at the end of the head is fine; anything else is not text.
    if (bytes.length < HEAD) return false;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, bytes.length - 3));
    } catch {
      return false;
    }
  }
  // eslint-disable-next-line no-control-regex
  return !/[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(text);
}

const EMAIL_HEADER =
  /^(?:Received|From|To|Subject|Date|Message-ID|MIME-Version|Return-Path|Delivered-To|X-[\w-]+):/im;

/** The kind of a file from its first bytes and, for a zip, its entries; null if not allowed. */
export function kindOf(
  head: Uint8Array,
  name: string,
  zipEntries: readonly string[] | null,
): EvidenceKind | null {
  if (starts(head, [0x89, ...ascii('PNG'), 0x0d, 0x0a, 0x1a, 0x0a]))
    return { type: 'image/png', extension: '.png' };
  if (starts(head, [0xff, 0xd8, 0xff])) return { type: 'image/jpeg', extension: '.jpg' };
  if (starts(head, ascii('GIF87a')) || starts(head, ascii('GIF89a')))
    return { type: 'image/gif', extension: '.gif' };
  if (starts(head, ascii('RIFF')) && starts(head, ascii('WEBP'), 8))
    return { type: 'image/webp', extension: '.webp' };
  if (starts(head, ascii('%PDF-'))) return { type: 'application/pdf', extension: '.pdf' };
  if (starts(head, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) {
    if (/\.msg$/i.test(name)) return { type: 'application/vnd.ms-outlook', extension: '.msg' };
    if (/\.xls$/i.test(name)) return { type: 'application/vnd.ms-excel', extension: '.xls' };
    if (/\.ppt$/i.test(name)) return { type: 'application/vnd.ms-powerpoint', extension: '.ppt' };
    return { type: 'application/msword', extension: '.doc' };
  }
  if (zipEntries) {
    if (!zipEntries.includes('[Content_Types].xml')) return null;
    if (zipEntries.some((e) => e.startsWith('word/')))
      return {
        type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        extension: '.docx',
      };
    if (zipEntries.some((e) => e.startsWith('xl/')))
      return {
        type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        extension: '.xlsx',
      };
    if (zipEntries.some((e) => e.startsWith('ppt/')))
      return {
        type: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
        extension: '.pptx',
      };
    return null;
  }
  if (isUtf8Text(head)) {
    const start = new TextDecoder().decode(head.subarray(0, 1024));
    if (/\.eml$/i.test(name) && EMAIL_HEADER.test(start))
      return { type: 'message/rfc822', extension: '.eml' };
    return { type: 'text/plain; charset=utf-8', extension: '.txt' };
  }
  return null;
}

/**
 * A file name as Rectify keeps it: the last path segment only (no `../`, no folders), no
 * control or bidirectional-override characters, none of the characters SharePoint refuses,
 * NFC, at most 200 characters. An empty result is refused.
 */
export function sanitiseName(given: string): string {
  const last = given.split(/[\\/]/).at(-1) ?? '';
  const cleaned = last
    .normalize('NFC')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '')
    .replace(/["*:<>?|#%]/g, '_')
    .replace(/^[\s.]+|[\s.]+$/g, '')
    .slice(0, 200);
  if (cleaned === '' || cleaned === '.' || cleaned === '..')
    throw new RectifyError('EVIDENCE.NAME_INVALID', { given: given.slice(0, 200) });
  return cleaned;
}

const u16 = (b: Uint8Array, at: number): number => (b[at] ?? 0) | ((b[at + 1] ?? 0) << 8);
const u32 = (b: Uint8Array, at: number): number => (u16(b, at) | (u16(b, at + 2) << 16)) >>> 0;

/**
 * The entry names of a zip, from its central directory, refusing one that would unpack to
 * more than MAX_ZIP_RATIO times its size or MAX_ZIP_UNPACKED in all, or uses ZIP64 sizes.
 */
export async function zipEntries(file: RandomAccess): Promise<string[]> {
  const suspicious = (why: string) => new RectifyError('EVIDENCE.ARCHIVE_SUSPICIOUS', { why });
  const tailLength = Math.min(file.size, 22 + 0xffff);
  const tail = await file.read(file.size - tailLength, tailLength);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i -= 1)
    if (u32(tail, i) === 0x06054b50) {
      eocd = i;
      break;
    }
  if (eocd < 0) throw suspicious('no zip index');
  const count = u16(tail, eocd + 10);
  const dirSize = u32(tail, eocd + 12);
  const dirOffset = u32(tail, eocd + 16);
  if (count > MAX_ZIP_ENTRIES || dirOffset === 0xffffffff || count === 0xffff)
    throw suspicious('too many entries or ZIP64');
  if (dirOffset + dirSize > file.size) throw suspicious('index outside the file');
  const dir = await file.read(dirOffset, dirSize);
  const names: string[] = [];
  let unpacked = 0;
  let at = 0;
  for (let n = 0; n < count; n += 1) {
    if (u32(dir, at) !== 0x02014b50) throw suspicious('broken index');
    const compressed = u32(dir, at + 20);
    const size = u32(dir, at + 24);
    if (compressed === 0xffffffff || size === 0xffffffff) throw suspicious('ZIP64 sizes');
    const nameLength = u16(dir, at + 28);
    const extra = u16(dir, at + 30);
    const comment = u16(dir, at + 32);
    names.push(new TextDecoder().decode(dir.subarray(at + 46, at + 46 + nameLength)));
    unpacked += size;
    at += 46 + nameLength + extra + comment;
  }
  if (unpacked > MAX_ZIP_UNPACKED || unpacked > file.size * MAX_ZIP_RATIO)
    throw suspicious(`unpacks to ${unpacked} bytes`);
  return names;
}

/**
 * Every check on one file, in order: size, name, programs, type by content. A file that fails
 * any of them is refused with its error and never reaches a store.
 */
export async function checkEvidence(
  givenName: string,
  file: RandomAccess,
  limits: EvidenceLimits = DEFAULT_EVIDENCE_LIMITS,
): Promise<{ readonly name: string; readonly type: string }> {
  if (file.size === 0) throw new RectifyError('EVIDENCE.EMPTY');
  if (file.size > limits.maxBytes)
    throw new RectifyError('EVIDENCE.TOO_LARGE', { maxBytes: limits.maxBytes, size: file.size });
  const name = sanitiseName(givenName);
  const head = await file.read(0, Math.min(HEAD, file.size));
  if (isExecutable(head)) throw new RectifyError('EVIDENCE.EXECUTABLE');
  const zip = starts(head, [0x50, 0x4b, 0x03, 0x04]) ? await zipEntries(file) : null;
  const kind = kindOf(head, name, zip);
  if (!kind) throw new RectifyError('EVIDENCE.TYPE_NOT_ALLOWED');
  return { name, type: kind.type };
}

/** A buffer as RandomAccess, for content already in memory (a pasted screenshot, a test). */
export const bufferAccess = (bytes: Uint8Array): RandomAccess => ({
  size: bytes.length,
  read: (offset, length) => Promise.resolve(bytes.subarray(offset, offset + length)),
});
