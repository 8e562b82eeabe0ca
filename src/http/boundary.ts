import type { RequestHandler } from 'express';
import { RectifyError } from '../domain/errors.js';
import { TEXT_PROBLEM_MESSAGES, illFormedTextIn, textProblem } from '../domain/text.js';

/**
 * What every request must be before any route sees it: an address whose percent-encoding
 * decodes (RFC 3986 section 2.1) to text without control characters, and bodies and queries
 * without ill-formed text. Routes then parse their fields with their own schemas.
 */

/** C0 controls and DEL: never part of an id, a date or a file name in our addresses. */
const hasControl = (text: string): boolean => {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
};

export const wellFormedPath: RequestHandler = (req, _res, next) => {
  for (const segment of req.path.split('/')) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      next(new RectifyError('REQUEST.PATH_INVALID', { reason: 'malformed_percent_encoding' }));
      return;
    }
    if (hasControl(decoded) || textProblem(decoded) !== null) {
      next(new RectifyError('REQUEST.PATH_INVALID', { reason: 'control_character' }));
      return;
    }
  }
  next();
};

/** Refuses a parsed body or query holding a lone surrogate or NUL anywhere, keys included. */
export const wellFormedInput: RequestHandler = (req, _res, next) => {
  const errors = [
    ...illFormedTextIn(req.body as unknown).map((f) => ({ in: 'body', ...f })),
    ...illFormedTextIn(req.query as unknown).map((f) => ({ in: 'query', ...f })),
  ];
  if (errors.length === 0) {
    next();
    return;
  }
  next(
    new RectifyError('REQUEST.VALIDATION', {
      in: errors[0]?.in,
      errors: errors.map((e) => ({ field: e.path, message: TEXT_PROBLEM_MESSAGES[e.problem] })),
    }),
  );
};
