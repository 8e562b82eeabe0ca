import { randomBytes } from 'node:crypto';
import type { RequestHandler, Response } from 'express';

/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/): the `traceparent` header a caller
 * (Azure Front Door, App Service, Power Automate, a browser with Application Insights) sends,
 * read so that Rectify's logs carry what Application Insights correlates on: the operation id
 * is the trace id, the parent id the caller's span
 * (https://learn.microsoft.com/azure/azure-monitor/app/distributed-trace-data). Without a valid
 * header Rectify starts a trace of its own. Each request gets its own span id, returned in
 * `traceresponse`.
 */
export interface TraceContext {
  /** 32 hex digits: Application Insights' operation id. */
  readonly traceId: string;
  /** The caller's span (16 hex digits), or null when Rectify started the trace. */
  readonly parentId: string | null;
  /** This request's span, 16 hex digits. */
  readonly spanId: string;
  readonly sampled: boolean;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** Parses a traceparent; null for anything the specification says to ignore. */
export function parseTraceparent(header: string | undefined): Omit<TraceContext, 'spanId'> | null {
  const m = TRACEPARENT.exec((header ?? '').trim());
  if (!m) return null;
  const [, version = '', traceId = '', parentId = '', flags = ''] = m;
  // Version ff is invalid; all-zero ids are invalid.
  if (version === 'ff' || /^0+$/.test(traceId) || /^0+$/.test(parentId)) return null;
  return { traceId, parentId, sampled: (parseInt(flags, 16) & 1) === 1 };
}

export const traceContext: RequestHandler = (req, res, next) => {
  const given = parseTraceparent(req.get('traceparent'));
  const spanId = randomBytes(8).toString('hex');
  const trace: TraceContext = given
    ? { ...given, spanId }
    : { traceId: randomBytes(16).toString('hex'), parentId: null, spanId, sampled: false };
  res.locals.trace = trace;
  res.setHeader('traceresponse', `00-${trace.traceId}-${spanId}-${trace.sampled ? '01' : '00'}`);
  next();
};

/** The log fields of a request's trace, named as Application Insights names them. */
export function traceFields(res: Response): Record<string, string> {
  const t = res.locals.trace as TraceContext | undefined;
  if (!t) return {};
  return {
    operationId: t.traceId,
    ...(t.parentId ? { operationParentId: t.parentId } : {}),
    spanId: t.spanId,
  };
}
