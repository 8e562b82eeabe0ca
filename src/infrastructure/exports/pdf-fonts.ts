import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as fontkit from 'fontkit';

/**
 * The fonts Rectify's PDFs are set in: Noto (SIL Open Font License 1.1), shipped by the
 * `@embedpdf/fonts-*` registry packages, so a fresh install prints the same on every machine.
 * Noto Sans covers Latin, Greek and Cyrillic; Hebrew and Arabic have their own faces (pdfkit's
 * fontkit shapes Arabic and lays right-to-left runs out right to left); the CJK faces are
 * region subsets, tried in an order that suits the text (Hangul first for Korean, kana for
 * Japanese). pdfkit embeds only the glyphs a document uses (a subset per face).
 */

export type FontStyle = 'regular' | 'bold' | 'italic';

type Face = 'latin' | 'hebrew' | 'arabic' | 'sc' | 'tc' | 'jp' | 'kr';

const PACKAGES: Readonly<
  Record<Face, { pkg: string; regular: string; bold: string; italic?: string }>
> = {
  latin: {
    pkg: '@embedpdf/fonts-latin',
    regular: 'NotoSans-Regular.ttf',
    bold: 'NotoSans-Bold.ttf',
    italic: 'NotoSans-Italic.ttf',
  },
  hebrew: {
    pkg: '@embedpdf/fonts-hebrew',
    regular: 'NotoSansHebrew-Regular.ttf',
    bold: 'NotoSansHebrew-Bold.ttf',
  },
  arabic: {
    pkg: '@embedpdf/fonts-arabic',
    regular: 'NotoNaskhArabic-Regular.ttf',
    bold: 'NotoNaskhArabic-Bold.ttf',
  },
  sc: {
    pkg: '@embedpdf/fonts-sc',
    regular: 'NotoSansHans-Regular.otf',
    bold: 'NotoSansHans-Bold.otf',
  },
  tc: {
    pkg: '@embedpdf/fonts-tc',
    regular: 'NotoSansHant-Regular.otf',
    bold: 'NotoSansHant-Bold.otf',
  },
  jp: { pkg: '@embedpdf/fonts-jp', regular: 'NotoSansJP-Regular.otf', bold: 'NotoSansJP-Bold.otf' },
  kr: { pkg: '@embedpdf/fonts-kr', regular: 'NotoSansKR-Regular.otf', bold: 'NotoSansKR-Bold.otf' },
};

const FACES = Object.keys(PACKAGES) as Face[];
const requireFrom = createRequire(import.meta.url);

/** The file of one face in one style (italic falls back to regular where a face has none). */
function fontFile(face: Face, style: FontStyle): string {
  const p = PACKAGES[face];
  // Each package exports only its JavaScript entry (dist/); the fonts sit in fonts/ beside it.
  const root = join(dirname(requireFrom.resolve(p.pkg)), '..', 'fonts');
  const file = style === 'bold' ? p.bold : style === 'italic' ? (p.italic ?? p.regular) : p.regular;
  return join(root, file);
}

const bytes = new Map<string, Buffer>();
/** Font files are read once per process; fontkit parses tables lazily. */
function fontBytes(face: Face, style: FontStyle): Buffer {
  const file = fontFile(face, style);
  let b = bytes.get(file);
  if (b === undefined) {
    b = readFileSync(file);
    bytes.set(file, b);
  }
  return b;
}

const coverage = new Map<Face, fontkit.Font>();
function covers(face: Face, codePoint: number): boolean {
  let f = coverage.get(face);
  if (f === undefined) {
    const created = fontkit.create(fontBytes(face, 'regular'));
    if (!('hasGlyphForCodePoint' in created)) throw new Error(`${face}: a font collection`);
    f = created;
    coverage.set(face, f);
  }
  return f.hasGlyphForCodePoint(codePoint);
}

/** The pdfkit font name of a face in a style; `registerFonts` registers every one of them. */
export const fontName = (face: Face, style: FontStyle): string => `${face}-${style}`;

/** Registers every face and style on a document (pdfkit reads a face only once it is used). */
export function registerFonts(doc: PDFKit.PDFDocument): void {
  for (const face of FACES)
    for (const style of ['regular', 'bold', 'italic'] as const)
      doc.registerFont(fontName(face, style), fontBytes(face, style));
}

export interface TextRun {
  readonly font: string;
  readonly text: string;
}

const RTL = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]/u;
const HANGUL = /[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]/u;
const KANA = /[\u3040-\u30ff\u31f0-\u31ff]/u;
/** Letters and marks decide a run's face; spaces, digits and punctuation join the run they are in. */
const STRONG = /[\p{L}\p{M}]/u;

/** The CJK faces in the order that suits this text. */
function cjkOrder(text: string): readonly Face[] {
  if (HANGUL.test(text)) return ['kr', 'jp', 'tc', 'sc'];
  if (KANA.test(text)) return ['jp', 'tc', 'sc', 'kr'];
  // Chinese: the simplified face unless it lacks one of the text's characters (traditional names).
  const han = Array.from(text).filter((c) => /\p{Script=Han}/u.test(c));
  const sc = han.every((c) => covers('sc', c.codePointAt(0) ?? 0));
  return sc ? ['sc', 'tc', 'jp', 'kr'] : ['tc', 'jp', 'sc', 'kr'];
}

function faceFor(codePoint: number, order: readonly Face[]): Face {
  for (const face of order) if (covers(face, codePoint)) return face;
  // Nothing covers it (emoji, for instance): the Latin face prints its "missing glyph" box and
  // the character itself stays in the text layer.
  return 'latin';
}

/**
 * Splits text into runs, each set in one face that has its glyphs. Characters that are not
 * letters stay in the run they are in, so "Fatima (فاطمة), 3 Dec" changes face only twice.
 */
export function textRuns(text: string, style: FontStyle): readonly TextRun[] {
  const order: readonly Face[] = ['latin', 'hebrew', 'arabic', ...cjkOrder(text)];
  const runs: { face: Face; text: string }[] = [];
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    const last = runs[runs.length - 1];
    if (last !== undefined && !STRONG.test(ch) && covers(last.face, code)) {
      last.text += ch;
      continue;
    }
    const face = faceFor(code, order);
    if (last?.face === face) last.text += ch;
    else runs.push({ face, text: ch });
  }
  // Punctuation and spaces that end a right-to-left run followed by left-to-right text take
  // the surrounding direction (Unicode bidi rule N2): they belong to the next run, or fontkit,
  // which lays the run out right to left, would move them to its left edge.
  for (let i = 0; i < runs.length - 1; i += 1) {
    const r = runs[i];
    const next = runs[i + 1];
    if (r === undefined || next === undefined || !RTL.test(r.text) || RTL.test(next.text)) continue;
    const trimmed = r.text.replace(/[^\p{L}\p{M}]+$/u, '');
    const moved = r.text.slice(trimmed.length);
    if (Array.from(moved).every((c) => covers(next.face, c.codePointAt(0) ?? 0))) {
      next.text = moved + next.text;
      r.text = trimmed;
    }
  }
  return runs.map((r) => ({ font: fontName(r.face, style), text: r.text }));
}

/** The face that sets most of the text: the one used to measure it. */
export function primaryFont(text: string, style: FontStyle): string {
  const counts = new Map<string, number>();
  for (const r of textRuns(text, style))
    counts.set(r.font, (counts.get(r.font) ?? 0) + Array.from(r.text).length);
  let best = fontName('latin', style);
  let most = -1;
  for (const [font, n] of counts)
    if (n > most) {
      best = font;
      most = n;
    }
  return best;
}

const STRONG_LTR =
  /[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}\p{Script=Han}\p{Script=Hangul}\p{Script=Hiragana}\p{Script=Katakana}]/u;

/** Right to left when the first strong character is Hebrew or Arabic (Unicode bidi rule P2). */
export function isRightToLeft(text: string): boolean {
  for (const ch of text) {
    if (RTL.test(ch)) return true;
    if (STRONG_LTR.test(ch)) return false;
  }
  return false;
}
