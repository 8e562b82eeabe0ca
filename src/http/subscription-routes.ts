import { randomBytes, randomUUID } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { ZodOpenApiPathsObject, ZodOpenApiResponseObject } from 'zod-openapi';
import type { Clock } from '../application/ports/clock.js';
import {
  EVENT_SLUGS,
  SUBSCRIPTION_EVENTS,
  SubscribeSchema,
  SubscribeToEventSchema,
  SubscriptionStore,
  SubscriptionViewSchema,
  checkNotificationUrl,
  eventOfSlug,
  viewOf,
  type SubscriptionEvent,
  type SubscriptionPolicy,
} from '../application/subscriptions/subscription.js';
import type { StateStore } from '../application/ports/state-store.js';
import { RectifyError } from '../domain/errors.js';
import { principalOf } from './authenticate.js';
import { validationError } from './problem.js';

export interface SubscriptionRouterDeps {
  readonly state: StateStore;
  readonly clock: Clock;
  readonly policy: SubscriptionPolicy;
}

const IdSchema = z
  .string()
  .regex(/^[0-9a-f-]{36}$/, 'a subscription id')
  .meta({ description: 'The subscription id' });
export const SubscriptionPathSchema = z.object({ id: IdSchema });
export const SubscriptionEventPathSchema = z.object({
  event: z
    .enum(SUBSCRIPTION_EVENTS.map((e) => EVENT_SLUGS[e]) as [string, ...string[]])
    .meta({ description: 'The event, such as car-recorded' }),
});
export const SubscriptionListSchema = z
  .object({ items: z.array(SubscriptionViewSchema) })
  .meta({ id: 'SubscriptionList' });

/** The routes the connector's triggers and any webhook receiver use. */
export const SUBSCRIBE_PATH = '/api/subscriptions/events/{event}';
export const SUBSCRIPTION_PATH = '/api/subscriptions/{id}';

/**
 * `POST /subscriptions` (event in the body) and `POST /subscriptions/events/:event` create a
 * subscription of the caller (201, Location, and the signing secret, shown this once);
 * `GET /subscriptions` lists the caller's; `GET`/`DELETE /subscriptions/:id` read or remove one.
 */
export function subscriptionRouter(deps: SubscriptionRouterDeps): Router {
  const router = Router();
  const store = new SubscriptionStore(deps.state);

  const subscribe = async (
    req: Request,
    res: Response,
    event: SubscriptionEvent,
    notificationUrl: string,
  ): Promise<void> => {
    const url = checkNotificationUrl(notificationUrl, deps.policy);
    const s = await store.create({
      principal: principalOf(res),
      event,
      notificationUrl: url,
      id: randomUUID(),
      secret: randomBytes(32).toString('base64url'),
      now: deps.clock.now(),
    });
    res.setHeader('Location', `${req.baseUrl}/subscriptions/${s.id}`);
    res.status(201).json(viewOf(s, true));
  };

  router.post('/subscriptions', async (req, res) => {
    const body = SubscribeSchema.safeParse(req.body ?? {});
    if (!body.success) throw validationError(body.error, 'body');
    await subscribe(req, res, body.data.event, body.data.notificationUrl);
  });

  router.post('/subscriptions/events/:event', async (req, res) => {
    const event = eventOfSlug(req.params.event);
    if (!event) throw new RectifyError('ROUTE.NOT_FOUND', { event: req.params.event });
    const body = SubscribeToEventSchema.safeParse(req.body ?? {});
    if (!body.success) throw validationError(body.error, 'body');
    await subscribe(req, res, event, body.data.notificationUrl);
  });

  router.get('/subscriptions', async (_req, res) => {
    const items = await store.listOwn(principalOf(res));
    res.json({ items: items.map((s) => viewOf(s)) });
  });

  const idOf = (req: Request): string => {
    const id = IdSchema.safeParse(req.params.id);
    if (!id.success) throw new RectifyError('SUBSCRIPTION.NOT_FOUND', {});
    return id.data;
  };

  router.get('/subscriptions/:id', async (req, res) => {
    res.json(viewOf(await store.getOwn(principalOf(res), idOf(req))));
  });

  router.delete('/subscriptions/:id', async (req, res) => {
    await store.delete(principalOf(res), idOf(req));
    res.status(204).end();
  });

  return router;
}

type ProblemOf = (description: string) => ZodOpenApiResponseObject;

/** The subscription routes in the OpenAPI document. */
export function subscriptionOpenApiPaths(problem: ProblemOf): ZodOpenApiPathsObject {
  const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });
  const created: ZodOpenApiResponseObject = {
    description: 'Subscribed; the secret signs every delivery and is shown only here',
    headers: z.object({ Location: z.string().meta({ description: 'The subscription' }) }),
    ...json(SubscriptionViewSchema),
  };
  const errors = {
    '400': problem('Invalid body, or a notification URL that is not https'),
    '401': problem('Missing or invalid access token'),
  };
  const delivery =
    'Each event is POSTed as JSON (schema SubscriptionEvent) with X-Rectify-Event-Id (stable: de-duplicate on it), X-Rectify-Timestamp and X-Rectify-Signature (sha256=HMAC-SHA256 of "<timestamp>.<body>" with the secret). Any 2xx acknowledges; other answers are retried with back-off, and the subscription is disabled after repeated failures (410 disables it at once). Only events on CARs the subscriber may see are sent.';
  return {
    '/api/subscriptions': {
      post: {
        operationId: 'subscribe',
        summary: 'Subscribe a URL to an event',
        description: delivery,
        tags: ['Subscriptions'],
        requestBody: { required: true, ...json(SubscribeSchema) },
        responses: { '201': created, ...errors },
      },
      get: {
        operationId: 'listMySubscriptions',
        summary: "The caller's subscriptions",
        tags: ['Subscriptions'],
        responses: {
          '200': { description: 'The subscriptions', ...json(SubscriptionListSchema) },
          '401': errors['401'],
        },
      },
    },
    [SUBSCRIBE_PATH]: {
      post: {
        operationId: 'subscribeToEvent',
        summary: 'Subscribe a URL to the event named in the path',
        description: delivery,
        tags: ['Subscriptions'],
        requestParams: { path: SubscriptionEventPathSchema },
        requestBody: { required: true, ...json(SubscribeToEventSchema) },
        responses: { '201': created, ...errors, '404': problem('No such event') },
      },
    },
    [SUBSCRIPTION_PATH]: {
      get: {
        operationId: 'getSubscription',
        summary: 'One subscription of the caller',
        tags: ['Subscriptions'],
        requestParams: { path: SubscriptionPathSchema },
        responses: {
          '200': { description: 'The subscription', ...json(SubscriptionViewSchema) },
          '401': errors['401'],
          '404': problem('No such subscription of the caller (SUBSCRIPTION.NOT_FOUND)'),
        },
      },
      delete: {
        operationId: 'unsubscribe',
        summary: 'Remove a subscription',
        tags: ['Subscriptions'],
        requestParams: { path: SubscriptionPathSchema },
        responses: {
          '204': { description: 'Removed; nothing more is delivered' },
          '401': errors['401'],
          '404': problem('No such subscription of the caller (SUBSCRIPTION.NOT_FOUND)'),
        },
      },
    },
  };
}
