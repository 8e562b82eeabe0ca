import { constants } from 'node:zlib';
import compression from 'compression';
import type { Request, RequestHandler, Response } from 'express';

/**
 * Types that are compressed already: a second pass costs CPU and gains nothing (a PDF's streams
 * are deflated, an XLSX file is a zip).
 */
const ALREADY_COMPRESSED =
  /^(application\/(pdf|zip|gzip|x-7z-compressed|vnd\.openxmlformats-officedocument\.[\w.-]+)|image\/(png|jpeg|gif|webp|avif)|font\/woff2?|video\/|audio\/)/i;

/** True when a response of this type is worth compressing. */
export function worthCompressing(req: Request, res: Response): boolean {
  const type = res.getHeader('Content-Type');
  if (typeof type === 'string' && ALREADY_COMPRESSED.test(type)) return false;
  return compression.filter(req, res);
}

/**
 * Brotli or gzip, as the client accepts (brotli first), for JavaScript, CSS, JSON and text of
 * 1 KiB or more. Brotli at quality 4: close to gzip's speed with smaller output; the tab's
 * files are compressed at build time at the highest quality and served as they are.
 */
export function compressResponses(): RequestHandler {
  return compression({
    filter: worthCompressing,
    threshold: 1024,
    brotli: { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } },
  });
}
