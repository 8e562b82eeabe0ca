import { describe, expect, it } from '@jest/globals';
import type { StateStore } from '../../src/application/ports/state-store.js';
import type { TaskBoard } from '../../src/application/ports/task-board.js';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Router, type Express } from 'express';
import { pino } from 'pino';
import { createApp, type AppDeps } from '../../src/http/app.js';
import type { TokenValidator } from '../../src/http/authenticate.js';
import { OPERATION_ROUTES, openApiPath } from '../../src/contract/car-operations.js';
import { CONTENT_TYPES } from '../../src/http/export-routes.js';
import { buildOpenApiDocument } from '../../src/http/openapi.js';
import type { LocalBoardAccess } from '../../src/http/task-board-routes.js';
import { CAR_COMMAND_NAMES } from '../../src/application/car-commands.js';
import type { CarService } from '../../src/application/car-service.js';
import type { MeetingService } from '../../src/application/committee/meeting-service.js';
import type { ProcedureLibrary } from '../../src/application/ports/procedure-library.js';
import type { ReminderInbox } from '../../src/application/reminders/inbox.js';

/** A dependency the routes keep for later but must not use while they are being mounted. */
const unused = <T extends object>(name: string): T =>
  new Proxy({} as T, {
    get: (_target, prop) => {
      throw new Error(`${name}.${String(prop)} was used while the routes were mounted`);
    },
  });

/**
 * Every optional part given, so every router is mounted. `Required` makes the type check fail
 * here when a new part is added to AppDeps, so its routes cannot escape this test.
 */
const everyPart = (): Required<AppDeps> => ({
  carService: unused<CarService>('carService'),
  tokenValidator: unused<TokenValidator>('tokenValidator'),
  logger: pino({ level: 'silent' }),
  maxBodyBytes: 1024,
  ready: () => Promise.resolve(),
  devRouter: Router(),
  beforeApi: () => Promise.resolve(),
  afterApi: Router(),
  committee: { meetings: unused<MeetingService>('meetings') },
  notifications: { inbox: unused<ReminderInbox>('inbox') },
  exports: { carService: unused<CarService>('carService') },
  procedures: { library: unused<ProcedureLibrary>('library') },
  taskBoard: unused<LocalBoardAccess>('taskBoard'),
  carTasks: {
    carService: unused<CarService>('carService'),
    state: unused<StateStore>('state'),
    board: unused<TaskBoard>('board'),
    taskUrl: () => '',
  },
});

// What the walk reads of Express's router: its layers, each a route or a mounted router.
interface RouteLike {
  readonly path: string;
  readonly methods: Record<string, boolean | undefined>;
}
interface LayerLike {
  readonly route?: RouteLike | undefined;
  readonly rawPath?: unknown;
  readonly handle?: unknown;
}
interface RouterLike {
  readonly stack: readonly LayerLike[];
}
const isRouter = (value: unknown): value is RouterLike =>
  (typeof value === 'function' || typeof value === 'object') &&
  value !== null &&
  Array.isArray((value as { stack?: unknown }).stack);

/** `METHOD /path/{param}` for every route the app answers, mounted routers included. */
function routesOf(router: RouterLike, prefix = ''): string[] {
  const found: string[] = [];
  for (const layer of router.stack) {
    if (layer.route) {
      for (const [method, on] of Object.entries(layer.route.methods)) {
        if (on && method !== '_all')
          found.push(`${method.toUpperCase()} ${openApiPath(prefix + layer.route.path)}`);
      }
    } else if (isRouter(layer.handle)) {
      const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
      found.push(...routesOf(layer.handle, prefix + mount));
    }
  }
  return found;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

type Operation = {
  operationId?: string;
  description?: string;
  security?: unknown[];
  responses?: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
};

/** `METHOD /path` for every operation in the document. */
function documented(doc: ReturnType<typeof buildOpenApiDocument>): string[] {
  const found: string[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) if (item[method]) found.push(`${method.toUpperCase()} ${path}`);
  }
  return found;
}

const operation = (doc: ReturnType<typeof buildOpenApiDocument>, route: string): Operation => {
  const [method, path] = route.split(' ') as [string, string];
  const item = doc.paths?.[path] as Record<string, Operation> | undefined;
  const op = item?.[method.toLowerCase()];
  if (!op) throw new Error(`${route} is not in the document`);
  return op;
};

/** What is answered but not documented, and documented but not answered. */
const compare = (answered: readonly string[], inDoc: readonly string[]) => ({
  undocumented: answered.filter((r) => !inDoc.includes(r)).sort(),
  notAnswered: inDoc.filter((r) => !answered.includes(r)).sort(),
});

const apiRoutesOf = async (app?: Express): Promise<string[]> => {
  const express = app ?? (await createApp(everyPart()));
  return [...new Set(routesOf(express.router as unknown as RouterLike))].filter((r) =>
    r.split(' ')[1]?.startsWith('/api/'),
  );
};

describe('the OpenAPI document', () => {
  const doc = buildOpenApiDocument();

  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(
      structuredClone(doc) as unknown as Record<string, unknown>,
    );
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('documents every route the app answers under /api, and nothing it does not answer', async () => {
    const answered = await apiRoutesOf();
    // The walk itself must see the routers: a few from each, or the comparison proves nothing.
    expect(answered).toEqual(
      expect.arrayContaining([
        'GET /api/me',
        'POST /api/cars',
        'POST /api/cars/{id}/actions/{actionId}/complete',
        'GET /api/committee/meetings/{date}/agenda',
        'GET /api/exports/register.xlsx',
        'POST /api/me/notifications/{key}/read',
        'PATCH /api/board/tasks/{id}',
        'GET /api/procedures/{id}/revisions/{version}/content',
      ]),
    );
    expect(compare(answered, documented(doc))).toEqual({ undocumented: [], notAnswered: [] });
  });

  it('would catch a route added without documentation', async () => {
    const app = await createApp(everyPart());
    app.get('/api/undocumented/:thing', (_req, res) => {
      res.end();
    });
    const { undocumented } = compare(await apiRoutesOf(app), documented(doc));
    expect(undocumented).toEqual(['GET /api/undocumented/{thing}']);
  });

  it('answers every error as problem+json, and 401 wherever a token is needed', () => {
    for (const route of documented(doc)) {
      const op = operation(doc, route);
      const responses = op.responses ?? {};
      const errors = Object.entries(responses).filter(([status]) => Number(status) >= 400);
      for (const [status, response] of errors) {
        expect([route, status, Object.keys(response.content ?? {})]).toEqual([
          route,
          status,
          ['application/problem+json'],
        ]);
        expect(response.content?.['application/problem+json']?.schema?.$ref).toBe(
          '#/components/schemas/Problem',
        );
      }
      const public_ = Array.isArray(op.security) && op.security.length === 0;
      expect([route, '401' in responses]).toEqual([route, !public_]);
    }
  });

  it('gives each download its content type', () => {
    const downloads: Record<string, string> = {
      'GET /api/exports/register.csv': CONTENT_TYPES.csv,
      'GET /api/exports/actions.csv': CONTENT_TYPES.csv,
      'GET /api/exports/register.xlsx': CONTENT_TYPES.xlsx,
      'GET /api/committee/meetings/{date}/pack.pdf': CONTENT_TYPES.pdf,
      'GET /api/cars/{idOrNumber}/record.pdf': CONTENT_TYPES.pdf,
    };
    for (const [route, type] of Object.entries(downloads)) {
      const ok = operation(doc, route).responses?.['200'];
      expect([route, Object.keys(ok?.content ?? {})]).toEqual([route, [type]]);
    }
  });

  it('says the task board routes exist with the local board only', () => {
    for (const route of ['GET /api/board/tasks', 'PATCH /api/board/tasks/{id}'])
      expect(operation(doc, route).description).toContain('TASK_BOARD=local');
  });

  it('describes every lifecycle operation with its If-Match header and request body', () => {
    for (const op of CAR_COMMAND_NAMES) {
      const route = OPERATION_ROUTES[op];
      const item = doc.paths?.[`/api/cars/{id}${openApiPath(route.path)}`]?.[route.method];
      expect(item?.operationId).toBe(op);
      const params = (item?.parameters ?? []) as { name?: string; in?: string }[];
      expect(params).toContainEqual(expect.objectContaining({ name: 'If-Match', in: 'header' }));
      expect(item?.requestBody).toBeDefined();
    }
  });

  it('documents the report body from the same schema that validates it', () => {
    const body = doc.paths?.['/api/cars']?.post?.requestBody as {
      content: Record<string, { schema: { $ref?: string; required?: string[] } }>;
    };
    const schema = body.content['application/json']?.schema;
    const resolved = schema?.$ref
      ? (doc.components?.schemas?.[schema.$ref.split('/').pop() ?? ''] as { required?: string[] })
      : schema;
    expect(resolved?.required).toEqual(
      expect.arrayContaining(['type', 'relatesTo', 'title', 'description']),
    );
  });
});
