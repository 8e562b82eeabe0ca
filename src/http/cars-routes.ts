import { Router, type Response } from 'express';
import type { z } from 'zod';
import {
  CarCommandSchemas,
  CarListQuerySchema,
  ReportInputSchema,
  CAR_COMMAND_NAMES,
} from '../application/car-commands.js';
import type { CarService } from '../application/car-service.js';
import type { LocalDate } from '../domain/calendar/local-date.js';
import type { StoredCar } from '../domain/car/car-repository.js';
import { principalOf } from './authenticate.js';
import { availableCommands } from '../application/available-commands.js';
import type { Principal } from '../domain/identity.js';
import type { CarResource } from '../contract/resources.js';
import { OPERATION_ROUTES } from '../contract/car-operations.js';
import { validationError } from './problem.js';

const parse = <T extends z.ZodType>(
  schema: T,
  value: unknown,
  where: 'body' | 'query',
): z.infer<T> => {
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(result.error, where);
  return result.data;
};

/** The CAR as the API shows it: the record, its version, what is due, and what the caller may do. */
export const toResource = (
  stored: StoredCar,
  today: LocalDate,
  principal: Principal,
): CarResource =>
  ({
    ...stored.car.toPrimitives(),
    etag: stored.etag,
    updatedAt: stored.updatedAt,
    nextDueDate: stored.car.nextDueDate(),
    overdue: stored.car.isOverdue(today),
    availableCommands: availableCommands(principal, stored.car),
  }) satisfies CarResource;

const sendCar = (res: Response, stored: StoredCar, today: LocalDate, status = 200): void => {
  res
    .status(status)
    .setHeader('ETag', stored.etag)
    .json(toResource(stored, today, principalOf(res)));
};

export function carsRouter(service: CarService): Router {
  const router = Router();

  router.post('/cars', async (req, res) => {
    const input = parse(ReportInputSchema, req.body ?? {}, 'body');
    const { stored, replayed } = await service.report(
      principalOf(res),
      input,
      req.get('idempotency-key'),
    );
    res.setHeader('Location', `${req.baseUrl}/cars/${stored.car.id}`);
    if (replayed) res.setHeader('Idempotent-Replayed', 'true');
    sendCar(res, stored, service.today(), 201);
  });

  router.get('/cars', async (req, res) => {
    const query = parse(CarListQuerySchema, req.query, 'query');
    const page = await service.list(principalOf(res), query);
    const today = service.today();
    res.json({
      items: page.items.map((s) => toResource(s, today, principalOf(res))),
      nextCursor: page.nextCursor,
    });
  });

  router.get('/cars/:id', async (req, res) => {
    sendCar(res, await service.get(principalOf(res), req.params.id), service.today());
  });

  // The caller's own reports, newest first, paged by the store (the `reporter=me` list).
  router.get('/me/reports', async (req, res) => {
    const query = parse(CarListQuerySchema, { ...req.query, reporter: 'me' }, 'query');
    const page = await service.list(principalOf(res), query);
    const today = service.today();
    res.json({
      items: page.items.map((s) => toResource(s, today, principalOf(res))),
      nextCursor: page.nextCursor,
    });
  });

  router.get('/me/actions', async (_req, res) => {
    res.json({ items: await service.myActions(principalOf(res)) });
  });

  router.get('/cars/:id/history', async (req, res) => {
    res.json({ items: await service.history(principalOf(res), req.params.id) });
  });

  for (const op of CAR_COMMAND_NAMES) {
    const route = OPERATION_ROUTES[op];
    router[route.method](`/cars/:id${route.path}`, async (req, res) => {
      const params = req.params as Record<string, string>;
      const fromPath = Object.fromEntries(route.pathParams.map((p) => [p, params[p]]));
      const body: unknown = req.body ?? {};
      const bodyObject = typeof body === 'object' && !Array.isArray(body) ? body : { body };
      const command = parse(CarCommandSchemas[op], { ...bodyObject, ...fromPath, op }, 'body');
      const stored = await service.execute(
        principalOf(res),
        params.id ?? '',
        req.get('if-match'),
        command,
      );
      // An owner completing their action on a confidential CAR may not read the CAR.
      if (service.canView(principalOf(res), stored)) sendCar(res, stored, service.today());
      else res.status(204).setHeader('ETag', stored.etag).end();
    });
  }

  return router;
}
