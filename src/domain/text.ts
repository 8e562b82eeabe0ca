/**
 * Well-formed text: what Rectify stores and hashes must read back exactly as it was written.
 * A lone UTF-16 surrogate cannot be encoded as UTF-8 (SQLite and Graph replace it with U+FFFD)
 * and NUL ends strings in many tools, so both are refused wherever text enters. Accepted text is
 * normalised to NFC, so the same words are always the same code points.
 * https://tc39.es/ecma262/#sec-string.prototype.iswellformed
 */

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export type TextProblem = 'lone_surrogate' | 'nul';

export const TEXT_PROBLEM_MESSAGES: Record<TextProblem, string> = {
  lone_surrogate: 'Text must be well-formed Unicode (it holds a lone UTF-16 surrogate)',
  nul: 'Text must not hold the NUL character',
};

export function textProblem(s: string): TextProblem | null {
  if (LONE_SURROGATE.test(s)) return 'lone_surrogate';
  if (s.includes('\u0000')) return 'nul';
  return null;
}

export const isWellFormedText = (s: string): boolean => textProblem(s) === null;

export const normalisedText = (s: string): string => s.normalize('NFC');

/** A path and what is wrong there, for every ill-formed string (keys included) in a value. */
export interface IllFormedText {
  readonly path: string;
  readonly problem: TextProblem;
}

export function illFormedTextIn(value: unknown, path = '', found: IllFormedText[] = []) {
  if (typeof value === 'string') {
    const problem = textProblem(value);
    if (problem) found.push({ path: path || '(value)', problem });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => illFormedTextIn(v, path ? `${path}.${i}` : String(i), found));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const here = path ? `${path}.${k}` : k;
      const keyProblem = textProblem(k);
      if (keyProblem) found.push({ path: here, problem: keyProblem });
      illFormedTextIn(v, here, found);
    }
  }
  return found;
}
