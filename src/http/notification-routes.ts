import { Router } from 'express';
import { z } from 'zod';
import type { ReminderInbox } from '../application/reminders/inbox.js';
import { REMINDER_KINDS } from '../application/ports/reminder.js';
import { RectifyError } from '../domain/errors.js';
import { principalOf } from './authenticate.js';
import { validationError } from './problem.js';

export interface NotificationRouterDeps {
  readonly inbox: ReminderInbox;
}

export const NotificationListQuerySchema = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(200)
    .default(50)
    .meta({ description: 'How many notifications to return, newest first' }),
});

// A reminder key: printable, no control characters, short enough for a state key.
const IdSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\x20-\x7e]+$/, 'printable ASCII')
  .meta({ description: 'The key of the notification (its `id`)' });

export const NotificationPathSchema = z.object({ key: IdSchema });

// ---- what the routes answer, for the OpenAPI document ---------------------------------

export const NotificationSchema = z
  .object({
    id: z.string(),
    kind: z.enum(REMINDER_KINDS),
    text: z.string(),
    carId: z.string().nullable(),
    carNumber: z.string().nullable(),
    dueDate: z.string().meta({ format: 'date' }),
    deliveredAt: z.string().meta({ format: 'date-time' }),
    readAt: z.string().nullable().meta({ description: 'Null while unread' }),
  })
  .meta({ id: 'Notification', description: 'A reminder delivered to the caller' });

export const NotificationListSchema = z
  .object({
    items: z.array(NotificationSchema).meta({ description: 'Newest first' }),
    unread: z.number().int(),
    total: z.number().int(),
  })
  .meta({ id: 'NotificationList' });

/** The caller's own reminders: `GET /me/notifications`, `POST /me/notifications/:key/read`. */
export function notificationRouter(deps: NotificationRouterDeps): Router {
  const router = Router();

  router.get('/me/notifications', async (req, res) => {
    const query = NotificationListQuerySchema.safeParse(req.query);
    if (!query.success) throw validationError(query.error, 'query');
    const page = await deps.inbox.list(principalOf(res).id, query.data.limit);
    const body: z.infer<typeof NotificationListSchema> = {
      items: [...page.items],
      unread: page.unread,
      total: page.total,
    };
    res.json(body);
  });

  router.post('/me/notifications/:key/read', async (req, res) => {
    const id = IdSchema.safeParse(req.params.key);
    if (!id.success)
      throw new RectifyError('REQUEST.VALIDATION', {
        in: 'path',
        errors: [{ field: 'key', message: id.error.issues[0]?.message ?? 'invalid' }],
      });
    const item: z.infer<typeof NotificationSchema> = await deps.inbox.markRead(
      principalOf(res).id,
      id.data,
    );
    res.json(item);
  });

  return router;
}
