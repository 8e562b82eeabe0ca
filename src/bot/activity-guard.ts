import express, { type Express, type RequestHandler, type Response } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { sendProblem } from '../http/problem.js';
import { wellFormedText } from '../application/ports/text-schema.js';
import { RectifyError, type ErrorCode } from '../domain/errors.js';
import { isEntraObjectId } from '../domain/identity.js';
import { TEXT_PROBLEM_MESSAGES, illFormedTextIn } from '../domain/text.js';

/**
 * What `/api/messages` accepts before the Teams SDK sees an activity: the envelope the bot's
 * handlers rely on (https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-api-reference#activity-object),
 * well-formed text everywhere, Entra object ids that are GUIDs, and, when activities are
 * unauthenticated (local mode without bot credentials), a service URL on loopback only, so no
 * one can make Rectify post notifications to an address of their choosing. Whatever the bot
 * answers with an error status is turned into Rectify's problem+json.
 */

const Account = z.looseObject({
  id: wellFormedText().min(1).max(512),
  name: wellFormedText().max(512).optional(),
  aadObjectId: z.string().refine(isEntraObjectId, 'An Entra object id is a GUID').optional(),
});

const ActivitySchema = z.looseObject({
  type: z.string().min(1).max(64),
  id: wellFormedText().max(512).optional(),
  serviceUrl: z.string().max(2048).optional(),
  from: Account,
  recipient: Account,
  conversation: z.looseObject({
    id: wellFormedText().min(1).max(1024),
    tenantId: wellFormedText().max(128).optional(),
    conversationType: wellFormedText().max(64).optional(),
  }),
  channelData: z.looseObject({}).optional(),
  text: wellFormedText().max(28_000).optional(),
  name: wellFormedText().max(200).optional(),
});

// Invokes whose handlers read `value`: it must be an object, and a card action must carry one.
const InvokeValueSchemas: Readonly<Record<string, z.ZodType>> = {
  'adaptiveCard/action': z.looseObject({
    action: z.looseObject({ verb: z.string().max(200).optional() }),
  }),
  'composeExtension/fetchTask': z.looseObject({}),
  'composeExtension/submitAction': z.looseObject({}),
};

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

export function isLoopbackUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return (u.protocol === 'http:' || u.protocol === 'https:') && LOOPBACK_HOSTS.has(u.hostname);
  } catch {
    return false;
  }
}

/** The problem found in an activity, or null when the bot may handle it. */
export function activityProblem(
  body: unknown,
  options: { readonly loopbackServiceUrlOnly: boolean },
): RectifyError | null {
  const invalid = (errors: { field: string; message: string }[]) =>
    new RectifyError('REQUEST.ACTIVITY_INVALID', { in: 'body', errors });
  const text = illFormedTextIn(body);
  if (text.length > 0)
    return invalid(text.map((t) => ({ field: t.path, message: TEXT_PROBLEM_MESSAGES[t.problem] })));
  const parsed = ActivitySchema.safeParse(body);
  if (!parsed.success)
    return invalid(
      parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message })),
    );
  const activity = parsed.data;
  if (activity.type === 'invoke') {
    const schema = activity.name === undefined ? undefined : InvokeValueSchemas[activity.name];
    const value = (body as { value?: unknown }).value;
    if (schema && !schema.safeParse(value).success)
      return invalid([{ field: 'value', message: `Not a valid ${activity.name} value` }]);
  }
  if (
    options.loopbackServiceUrlOnly &&
    activity.serviceUrl !== undefined &&
    activity.serviceUrl !== '' &&
    !isLoopbackUrl(activity.serviceUrl)
  )
    return invalid([
      {
        field: 'serviceUrl',
        message: 'Without bot credentials only a loopback service URL is accepted',
      },
    ]);
  return null;
}

const CODE_OF_STATUS: Readonly<Record<number, ErrorCode>> = {
  400: 'REQUEST.ACTIVITY_INVALID',
  401: 'AUTH.UNAUTHENTICATED',
  403: 'AUTH.FORBIDDEN',
  413: 'REQUEST.TOO_LARGE',
};

/** Replaces the SDK's own error bodies (such as `{"error": "..."}` on 401) with problem+json. */
function problemsForErrors(res: Response, logger: Logger, path: string): void {
  const send = res.send.bind(res);
  let replacing = false;
  res.send = (body?: unknown) => {
    const already = /application\/problem\+json/.test(String(res.getHeader('content-type') ?? ''));
    if (replacing || already || res.statusCode < 400) return send(body);
    replacing = true;
    res.send = send;
    const code = CODE_OF_STATUS[res.statusCode] ?? 'INTERNAL.UNEXPECTED';
    sendProblem(res, new RectifyError(code, { from: 'bot' }), logger, path);
    return res;
  };
}

/** Mounts the guard on POST /api/messages; call before the bot adds its own route. */
export function guardActivities(
  app: Express,
  options: { readonly loopbackServiceUrlOnly: boolean; readonly logger: Logger },
): void {
  const guard: RequestHandler = (req, res, next) => {
    problemsForErrors(res, options.logger, req.path);
    const problem = activityProblem(req.body as unknown, options);
    if (problem) {
      options.logger.info({ details: problem.details }, 'bot: malformed activity refused');
      next(problem);
      return;
    }
    next();
  };
  app.post('/api/messages', express.json({ limit: '256kb' }), guard);
}
