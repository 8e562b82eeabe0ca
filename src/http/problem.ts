import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { ZodError } from 'zod';
import { ERROR_CATALOGUE, RectifyError, isRectifyError, type ErrorKind } from '../domain/errors.js';

/** The one place that turns failures into HTTP answers (RFC 9457 problem+json). */

const STATUS: Record<ErrorKind, number> = {
  validation: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  invalid_state: 409,
  too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  precondition_required: 428,
  internal: 500,
};

export interface FieldError {
  readonly field: string;
  readonly message: string;
}

export const fieldErrors = (e: ZodError): FieldError[] =>
  e.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message }));

export const validationError = (e: ZodError, where: 'body' | 'query' | 'header'): RectifyError =>
  new RectifyError('REQUEST.VALIDATION', { in: where, errors: fieldErrors(e) });

interface BodyParserError {
  readonly type: string;
}
const isBodyParserError = (e: unknown): e is BodyParserError =>
  typeof e === 'object' && e !== null && typeof (e as { type?: unknown }).type === 'string';

function toRectifyError(err: unknown): RectifyError | null {
  if (isRectifyError(err)) return err;
  if (isBodyParserError(err)) {
    if (err.type === 'entity.too.large') return new RectifyError('REQUEST.TOO_LARGE');
    if (err.type === 'entity.parse.failed') return new RectifyError('REQUEST.MALFORMED');
    if (err.type === 'charset.unsupported' || err.type === 'encoding.unsupported')
      return new RectifyError('REQUEST.UNSUPPORTED_MEDIA_TYPE');
  }
  return null;
}

export const problemHandler =
  (logger: Logger): ErrorRequestHandler =>
  (err: unknown, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const correlationId = String(res.locals.correlationId ?? '');
    const known = toRectifyError(err);
    const error = known ?? new RectifyError('INTERNAL.UNEXPECTED');
    const status = STATUS[error.kind];
    if (!known) logger.error({ err, correlationId, path: req.path }, 'unexpected error');
    else if (status >= 500) logger.error({ err, correlationId }, error.code);
    if (status === 401) res.setHeader('WWW-Authenticate', 'Bearer error="invalid_token"');
    const { errors, ...details } = error.details;
    res
      .status(status)
      .type('application/problem+json')
      .json({
        type: `urn:rectify:problem:${error.code}`,
        title: ERROR_CATALOGUE[error.code].title,
        status,
        code: error.code,
        ...(error.message !== ERROR_CATALOGUE[error.code].title && status < 500
          ? { detail: error.message }
          : {}),
        correlationId,
        ...(errors === undefined ? {} : { errors }),
        ...(status < 500 ? { details } : {}),
      });
  };

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new RectifyError('ROUTE.NOT_FOUND', { path: req.path }));
};
