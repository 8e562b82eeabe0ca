import { randomUUID } from 'node:crypto';
import express, { type Express, type RequestHandler, type Router } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import type { CarService } from '../application/car-service.js';
import { RectifyError } from '../domain/errors.js';
import { toPersonRef } from '../domain/identity.js';
import { compressResponses } from './compression.js';
import { authenticate, principalOf, type TokenValidator } from './authenticate.js';
import { carTasksRouter, type CarTasksRouterDeps } from './car-tasks-routes.js';
import { carsRouter } from './cars-routes.js';
import { committeeRouter, type CommitteeRouterDeps } from './committee-routes.js';
import { exportRouter, type ExportRouterDeps } from './export-routes.js';
import { notificationRouter, type NotificationRouterDeps } from './notification-routes.js';
import { proceduresRouter, type ProceduresRouterDeps } from './procedures-routes.js';
import { importRouter, type ImportRouterDeps } from './import-routes.js';
import { traceContext, traceFields } from './trace-context.js';
import { subscriptionRouter, type SubscriptionRouterDeps } from './subscription-routes.js';
import { taskBoardRouter, type LocalBoardAccess } from './task-board-routes.js';
import { notFoundHandler, problemHandler } from './problem.js';
import { wellFormedInput, wellFormedPath } from './boundary.js';

export interface AppDeps {
  readonly carService: CarService;
  readonly tokenValidator: TokenValidator;
  readonly logger: Logger;
  readonly maxBodyBytes: number;
  /** Readiness: resolves when the store answers. */
  readonly ready: () => Promise<void>;
  /** Local mode only: the sample people, the token route and the built-in issuer. */
  readonly devRouter?: Router | undefined;
  /**
   * Mounts what must come before the API's bearer authentication, such as the bot's
   * `/api/messages`, which authenticates Bot Framework tokens itself.
   */
  readonly beforeApi?: ((app: Express) => Promise<void>) | undefined;
  /** Served after the API, such as the tab's pages. */
  readonly afterApi?: Router | undefined;
  /** The committee's meetings, agenda, decisions and trend figures; without it they are absent. */
  readonly committee?: CommitteeRouterDeps | undefined;
  /** The in-tab notification list (reminders); without it the routes are absent. */
  readonly notifications?: NotificationRouterDeps | undefined;
  /** The exports' time zone, meetings and linked tasks; without it UTC and no tasks. */
  readonly exports?: ExportRouterDeps | undefined;
  /** Each CAR action's task on the board, with its live status. */
  readonly carTasks?: CarTasksRouterDeps | undefined;
  /** The procedure library: procedures, their revisions and contents. */
  readonly procedures?: ProceduresRouterDeps | undefined;
  /** The MR's import of a former register; without it the route is absent. */
  readonly imports?: ImportRouterDeps | undefined;
  /** The local task board (TASK_BOARD=local), where people without Planner see their tasks. */
  readonly taskBoard?: LocalBoardAccess | undefined;
  /** Webhook subscriptions (Power Automate triggers); without it the routes are absent. */
  readonly subscriptions?: SubscriptionRouterDeps | undefined;
}

/** Teams, Outlook and Microsoft 365 hosts that may frame Rectify's pages; never `*`. */
export const FRAME_ANCESTORS = [
  "'self'",
  'teams.microsoft.com',
  '*.teams.microsoft.com',
  '*.cloud.microsoft',
  '*.microsoft365.com',
  '*.office.com',
  'outlook.office.com',
  'outlook.office365.com',
  'outlook-sdf.office.com',
  'outlook-sdf.office365.com',
];

const CORRELATION_ID = /^[\w.:-]{1,100}$/;

const correlate: RequestHandler = (req, res, next) => {
  const given = req.get('x-correlation-id') ?? req.get('x-request-id');
  const id = given && CORRELATION_ID.test(given) ? given : randomUUID();
  res.locals.correlationId = id;
  res.setHeader('X-Correlation-Id', id);
  next();
};

const logRequests =
  (logger: Logger): RequestHandler =>
  (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      logger.info(
        {
          correlationId: res.locals.correlationId as string,
          ...traceFields(res),
          method: req.method,
          path: req.path,
          status: res.statusCode,
          ms: Number(process.hrtime.bigint() - started) / 1e6,
        },
        'request',
      );
    });
    next();
  };

/** Bodies are JSON or nothing. */
const jsonOnly: RequestHandler = (req, _res, next) => {
  const hasBody = Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding');
  if (hasBody && !req.is('application/json'))
    next(new RectifyError('REQUEST.UNSUPPORTED_MEDIA_TYPE'));
  else next();
};

export async function createApp(deps: AppDeps): Promise<Express> {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(traceContext, correlate, logRequests(deps.logger), wellFormedPath);
  app.use(compressResponses());
  app.use(
    helmet({
      // Teams frames the tab: CSP frame-ancestors decides who may, so X-Frame-Options must go.
      frameguard: false,
      contentSecurityPolicy: {
        directives: { frameAncestors: FRAME_ANCESTORS, upgradeInsecureRequests: null },
      },
    }),
  );

  app.get('/healthz', async (_req, res) => {
    try {
      await deps.ready();
      res.json({ status: 'ok' });
    } catch (err) {
      deps.logger.error({ err }, 'readiness check failed');
      res.status(503).json({ status: 'unavailable' });
    }
  });

  if (deps.devRouter) app.use('/dev', deps.devRouter);

  // Built once, on the first request: the document and its schemas cost more than a second to
  // load and build, which start-up need not pay.
  let openApi: Promise<unknown> | null = null;
  app.get('/api/openapi.json', async (_req, res) => {
    openApi ??= import('./openapi.js')
      .then((m) => m.buildOpenApiDocument())
      .catch((err: unknown) => {
        openApi = null;
        throw err;
      });
    res.json(await openApi);
  });

  if (deps.beforeApi) await deps.beforeApi(app);

  // Before the API's own body limit: a register file is larger than any other request.
  if (deps.imports) app.use('/api', importRouter(deps.imports, deps.tokenValidator));

  const api = express.Router();
  api.use(jsonOnly, express.json({ limit: deps.maxBodyBytes, strict: true }), wellFormedInput);
  api.use(authenticate(deps.tokenValidator));
  api.get('/me', (_req, res) => {
    const p = principalOf(res);
    res.json({ ...toPersonRef(p), tenantId: p.tenantId, roles: [...p.roles] });
  });
  api.use(carsRouter(deps.carService));
  if (deps.committee) api.use(committeeRouter(deps.committee));
  api.use(exportRouter(deps.exports ?? { carService: deps.carService }));
  if (deps.notifications) api.use(notificationRouter(deps.notifications));
  if (deps.taskBoard) api.use(taskBoardRouter(deps.taskBoard));
  if (deps.procedures) api.use(proceduresRouter(deps.procedures));
  if (deps.carTasks) api.use(carTasksRouter(deps.carTasks));
  if (deps.subscriptions) api.use(subscriptionRouter(deps.subscriptions));
  app.use('/api', api);
  if (deps.afterApi) app.use(deps.afterApi);

  app.use(notFoundHandler);
  app.use(problemHandler(deps.logger));
  return app;
}
