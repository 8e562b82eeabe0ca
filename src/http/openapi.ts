import { z } from 'zod';
import { CarTasksSchema } from './car-tasks-routes.js';
import {
  createDocument,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponseObject,
} from 'zod-openapi';
import {
  CAR_COMMAND_NAMES,
  CarCommandSchemas,
  CarListQuerySchema,
  ReportInputSchema,
} from '../application/car-commands.js';
import { CarResourceSchema, MyActionSchema } from '../contract/resources.js';
import { ERROR_CATALOGUE } from '../domain/errors.js';
import { OPERATION_ROUTES, openApiPath } from '../contract/car-operations.js';
import { procedureOpenApiPaths } from './procedures-routes.js';
import { importOpenApiPaths } from './import-routes.js';
import {
  AgendaResponseSchema,
  DecisionsResponseSchema,
  DecisionsSchema,
  KpiQuerySchema,
  KpisSchema,
  MeetingPathSchema,
  MeetingSchema,
  PlanMeetingSchema,
} from './committee-routes.js';
import { subscriptionOpenApiPaths } from './subscription-routes.js';
import { DeliveredEventSchema } from '../application/subscriptions/subscription.js';
import { CONTENT_TYPES, CarRecordPathSchema } from './export-routes.js';
import {
  NotificationListQuerySchema,
  NotificationListSchema,
  NotificationPathSchema,
  NotificationSchema,
} from './notification-routes.js';
import {
  BoardTaskListQuerySchema,
  BoardTaskListSchema,
  BoardTaskPatchSchema,
  BoardTaskPathSchema,
  BoardTaskSchema,
} from './task-board-routes.js';

/** The OpenAPI 3.1 document, generated from the same schemas that validate requests. */

const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.enum(Object.keys(ERROR_CATALOGUE) as [string, ...string[]]),
    detail: z.string().optional(),
    correlationId: z.string(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details with a stable error code' });

const Car = CarResourceSchema;

const AuditEntry = z
  .object({
    sequence: z.number().int().min(1),
    carId: z.string(),
    operation: z.string(),
    changes: z.array(z.object({ field: z.string(), oldValue: z.unknown(), newValue: z.unknown() })),
    reason: z.string().nullable(),
    actor: z.object({ id: z.string(), name: z.string() }),
    at: z.string(),
    hash: z.string(),
  })
  .meta({ id: 'AuditEntry' });

const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });
const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: Problem } },
});
const carResponse = (description: string) => ({
  description,
  headers: z.object({ ETag: z.string() }),
  ...json(Car),
});
const idParam = z.object({
  id: z.string().meta({ description: 'The CAR id, or its number CAR-YYYY-NNNN' }),
});
const common = {
  '400': problem('Invalid request; `errors` lists each field'),
  '401': problem('Missing or invalid access token'),
};
const unauthorized = { '401': problem('Missing or invalid access token') };
/** What any route with a JSON body may also answer. */
const bodyErrors = {
  '413': problem('Body too large'),
  '415': problem('The body is not JSON'),
};

/** The Steering Committee's routes (committee and MR only). */
function committeePaths(): ZodOpenApiPathsObject {
  const forbidden = problem('Committee or MR only');
  const badDate = problem('The date does not read YYYY-MM-DD');
  const meetingVersion = z.object({
    ETag: z.string().meta({ description: 'The version of the meeting' }),
  });
  return {
    '/api/committee/meetings': {
      get: {
        operationId: 'listMeetings',
        summary: 'Committee meetings, earliest first',
        tags: ['Committee'],
        responses: {
          '200': {
            description: 'The meetings',
            ...json(z.object({ items: z.array(MeetingSchema) })),
          },
          ...unauthorized,
          '403': forbidden,
        },
      },
    },
    '/api/committee/meetings/{date}': {
      put: {
        operationId: 'planMeeting',
        summary: 'Plan the meeting of a date, or change the title of a planned one',
        tags: ['Committee'],
        requestParams: {
          path: MeetingPathSchema,
          header: z.object({
            'If-Match': z
              .string()
              .optional()
              .meta({ description: 'Change the title only if the meeting is still this version' }),
          }),
        },
        requestBody: { required: false, ...json(PlanMeetingSchema) },
        responses: {
          '200': {
            description: 'The meeting as it is now',
            headers: meetingVersion,
            ...json(MeetingSchema),
          },
          '201': {
            description: 'The meeting, planned',
            headers: meetingVersion,
            ...json(MeetingSchema),
          },
          '400': problem('Invalid date or body; `errors` lists each field'),
          ...unauthorized,
          '403': forbidden,
          '409': problem(
            'The meeting is done (MEETING.DONE), or was changed by someone else (MEETING.CONFLICT)',
          ),
          ...bodyErrors,
        },
      },
    },
    '/api/committee/meetings/{date}/agenda': {
      get: {
        operationId: 'meetingAgenda',
        summary: 'The agenda of the meeting of a date',
        description:
          'New, closed and found ineffective since the last meeting held, overdue actions, CARs awaiting a committee decision, and the status of the CARs reviewed at the last meeting.',
        tags: ['Committee'],
        requestParams: { path: MeetingPathSchema },
        responses: {
          '200': { description: 'The agenda', ...json(AgendaResponseSchema) },
          '400': badDate,
          ...unauthorized,
          '403': forbidden,
        },
      },
    },
    '/api/committee/meetings/{date}/decisions': {
      post: {
        operationId: 'recordMeetingDecisions',
        summary: "Record the meeting's decisions on its CARs in one pass",
        description:
          'Adds a committee review to each CAR (per CAR: ok, conflict with its current ETag, or error); a CAR already reviewed at this meeting is left as it is. The meeting is marked done when every decision is recorded. Every decision is checked before anything is written.',
        tags: ['Committee'],
        requestParams: { path: MeetingPathSchema },
        requestBody: { required: true, ...json(DecisionsSchema) },
        responses: {
          '200': {
            description: 'The outcome per CAR',
            headers: meetingVersion,
            ...json(DecisionsResponseSchema),
          },
          '400': problem('Invalid date or decisions; `errors` lists each field'),
          ...unauthorized,
          '403': forbidden,
          '404': problem('No meeting planned on that date (MEETING.NOT_FOUND)'),
          '409': problem('The meeting kept being changed by someone else (MEETING.CONFLICT)'),
          ...bodyErrors,
        },
      },
    },
    '/api/kpis': {
      get: {
        operationId: 'kpis',
        summary: 'Trends and key figures of CARs for a period',
        tags: ['Committee'],
        requestParams: { query: KpiQuerySchema },
        responses: {
          '200': { description: 'The figures', ...json(KpisSchema) },
          '400': problem('Invalid period (dates YYYY-MM-DD, `to` not before `from`)'),
          ...unauthorized,
          '403': forbidden,
        },
      },
    },
  };
}

/** The caller's own notifications (reminders), as the tab lists them. */
function notificationPaths(): ZodOpenApiPathsObject {
  return {
    '/api/me/notifications': {
      get: {
        operationId: 'listMyNotifications',
        summary: "The caller's notifications, newest first, with how many are unread",
        tags: ['Notifications'],
        requestParams: { query: NotificationListQuerySchema },
        responses: {
          '200': { description: 'One page, newest first', ...json(NotificationListSchema) },
          '400': problem('Invalid `limit`'),
          ...unauthorized,
        },
      },
    },
    '/api/me/notifications/{key}/read': {
      post: {
        operationId: 'markMyNotificationRead',
        summary: "Mark one of the caller's notifications read",
        description: 'Reading it again changes nothing and answers the same notification.',
        tags: ['Notifications'],
        requestParams: { path: NotificationPathSchema },
        responses: {
          '200': { description: 'The notification, read', ...json(NotificationSchema) },
          '400': problem('Invalid key'),
          ...unauthorized,
          '404': problem('No such notification of the caller (NOTIFICATION.NOT_FOUND)'),
        },
      },
    },
  };
}

/** Downloads of the register, the review pack and a CAR's record (MR and committee only). */
function exportPaths(): ZodOpenApiPathsObject {
  const forbidden = problem('MR or Steering Committee only');
  const failed = problem('The export failed before anything was sent');
  const headers = z.object({
    'Content-Disposition': z.string().meta({
      description: 'attachment, with the file name',
      examples: ['attachment; filename="rectify-register-2026-11-28.csv"'],
    }),
    'Cache-Control': z.string().meta({ description: 'Always no-store' }),
  });
  const file = (
    description: string,
    type: keyof typeof CONTENT_TYPES,
  ): ZodOpenApiResponseObject => ({
    description,
    headers,
    content: {
      [CONTENT_TYPES[type]]: {
        schema: type === 'csv' ? z.string() : z.string().meta({ format: 'binary' }),
      },
    },
  });
  const streamed =
    'The file streams as it is written; a failure after the first bytes cuts the connection, so a short file is never taken for a whole one.';
  return {
    '/api/exports/register.csv': {
      get: {
        operationId: 'exportRegisterCsv',
        summary: 'The CAR register as CSV',
        description: `Every CAR, confidential ones included. ${streamed}`,
        tags: ['Exports'],
        responses: {
          '200': file('The register, one CAR a row', 'csv'),
          ...unauthorized,
          '403': forbidden,
          '500': failed,
        },
      },
    },
    '/api/exports/actions.csv': {
      get: {
        operationId: 'exportActionsCsv',
        summary: 'The actions of every CAR as CSV',
        description: `Every action of every CAR, confidential ones included. ${streamed}`,
        tags: ['Exports'],
        responses: {
          '200': file('The actions, one a row', 'csv'),
          ...unauthorized,
          '403': forbidden,
          '500': failed,
        },
      },
    },
    '/api/exports/register.xlsx': {
      get: {
        operationId: 'exportRegisterXlsx',
        summary: 'The CAR register and its actions as an Excel workbook',
        description: `Two sheets: the register and the actions. ${streamed}`,
        tags: ['Exports'],
        responses: {
          '200': file('The workbook', 'xlsx'),
          ...unauthorized,
          '403': forbidden,
          '500': failed,
        },
      },
    },
    '/api/committee/meetings/{date}/pack.pdf': {
      get: {
        operationId: 'exportReviewPackPdf',
        summary: 'The management-review pack of the meeting of a date, as PDF',
        description: `The meeting need not be planned. ${streamed}`,
        tags: ['Exports'],
        requestParams: { path: MeetingPathSchema },
        responses: {
          '200': file('The review pack', 'pdf'),
          '400': problem('The date does not read YYYY-MM-DD'),
          ...unauthorized,
          '403': forbidden,
          '500': failed,
        },
      },
    },
    '/api/cars/{idOrNumber}/record.pdf': {
      get: {
        operationId: 'exportCarRecordPdf',
        summary: "A CAR's complete record with its audit trail, as PDF",
        description: `Someone who may not see the CAR gets 404; someone who may see it but is neither MR nor committee gets 403. ${streamed}`,
        tags: ['Exports'],
        requestParams: { path: CarRecordPathSchema },
        responses: {
          '200': file("The CAR's record", 'pdf'),
          ...unauthorized,
          '403': forbidden,
          '404': problem('No such CAR visible to the caller (CAR.NOT_FOUND)'),
          '500': failed,
        },
      },
    },
  };
}

/** The local task board (TASK_BOARD=local only). */
function taskBoardPaths(): ZodOpenApiPathsObject {
  const localOnly =
    'Only with the local task board (TASK_BOARD=local, the default); with TASK_BOARD=planner the route is absent (404) and tasks are in Planner.';
  return {
    '/api/board/tasks': {
      get: {
        operationId: 'listBoardTasks',
        summary: 'The tasks on the local board assigned to a person',
        description: `A person sees their own tasks; the MR may name anyone. ${localOnly}`,
        tags: ['Task board'],
        requestParams: { query: BoardTaskListQuerySchema },
        responses: {
          '200': { description: 'The tasks with their details', ...json(BoardTaskListSchema) },
          '400': problem('Invalid query'),
          ...unauthorized,
          '403': problem("Another person's tasks, and the caller is not the MR"),
        },
      },
    },
    '/api/board/tasks/{id}': {
      patch: {
        operationId: 'updateBoardTask',
        summary: 'Change the progress of a task on the local board',
        description: `The assignee or the MR; 100 completes the task, and the completion comes back into the CAR through the task sync. ${localOnly}`,
        tags: ['Task board'],
        requestParams: {
          path: BoardTaskPathSchema,
          header: z.object({
            'If-Match': z.string().meta({ description: 'The ETag of the task being changed' }),
          }),
        },
        requestBody: { required: true, ...json(BoardTaskPatchSchema) },
        responses: {
          '200': {
            description: 'The task after the change',
            headers: z.object({ ETag: z.string() }),
            ...json(BoardTaskSchema),
          },
          '400': problem('Invalid body; `errors` lists each field'),
          ...unauthorized,
          '404': problem('No such task assigned to the caller (TASK.NOT_FOUND)'),
          '409': problem('Stale ETag: the task was changed by someone else (TASK.CONFLICT)'),
          '428': problem('If-Match missing (TASK.PRECONDITION_REQUIRED)'),
          ...bodyErrors,
        },
      },
    },
  };
}

function operationPaths(): ZodOpenApiPathsObject {
  const paths: ZodOpenApiPathsObject = {};
  for (const op of CAR_COMMAND_NAMES) {
    const route = OPERATION_ROUTES[op];
    const hidden = new Set<string>(['op', ...route.pathParams]);
    const shape = Object.entries(CarCommandSchemas[op].shape).filter(([k]) => !hidden.has(k));
    const body = z.object(Object.fromEntries(shape)).strict();
    const pathParams = route.pathParams.reduce<z.ZodObject>(
      (acc, p) => acc.extend({ [p]: z.string() }),
      idParam,
    );
    paths[`/api/cars/{id}${openApiPath(route.path)}`] = {
      [route.method]: {
        operationId: op,
        summary: route.summary,
        description: CarCommandSchemas[op].meta()?.description,
        tags: ['Lifecycle'],
        requestParams: {
          path: pathParams,
          header: z.object({
            'If-Match': z.string().meta({ description: 'The ETag of the version being changed' }),
          }),
        },
        requestBody: { required: false, ...json(body) },
        responses: {
          '200': carResponse('The CAR after the operation'),
          ...common,
          '403': problem('Not allowed for this caller'),
          '404': problem('No such CAR visible to the caller'),
          '409': problem('Stale ETag (details.current is the CAR now) or refused transition'),
          '428': problem('If-Match missing'),
        },
      },
    };
  }
  return paths;
}

export function buildOpenApiDocument(): ReturnType<typeof createDocument> {
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Rectify API',
      version: '1.0.0',
      description:
        'ISMS nonconformities and corrective actions (ISO/IEC 27001 clause 10.2). Every call needs an Entra ID access token for the Rectify API with the access_as_user scope.',
    },
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      // What a subscription's notification URL receives (no route answers it).
      schemas: { SubscriptionEvent: DeliveredEventSchema },
    },
    paths: {
      '/api/cars': {
        post: {
          operationId: 'report',
          summary: 'Report an ISMS failure',
          tags: ['Reports'],
          requestParams: {
            header: z.object({
              'Idempotency-Key': z
                .string()
                .optional()
                .meta({ description: 'Retries with the same key and body return the same report' }),
            }),
          },
          requestBody: { required: true, ...json(ReportInputSchema.omit({})) },
          responses: {
            '201': carResponse('The report as stored'),
            ...common,
            '413': problem('Body too large'),
            '422': problem('Idempotency-Key reused with another body'),
          },
        },
        get: {
          operationId: 'listCars',
          summary: 'List reports and CARs visible to the caller',
          tags: ['Reports'],
          requestParams: { query: CarListQuerySchema },
          responses: {
            '200': {
              description: 'One page',
              ...json(z.object({ items: z.array(Car), nextCursor: z.string().nullable() })),
            },
            ...common,
          },
        },
      },
      '/api/cars/{id}': {
        get: {
          operationId: 'getCar',
          summary: 'One report or CAR',
          tags: ['Reports'],
          requestParams: { path: idParam },
          responses: { '200': carResponse('The CAR'), ...common, '404': problem('Not found') },
        },
      },
      '/api/cars/{id}/history': {
        get: {
          operationId: 'getCarHistory',
          summary: 'The audit trail of one CAR',
          tags: ['Reports'],
          requestParams: { path: idParam },
          responses: {
            '200': {
              description: 'Entries, oldest first',
              ...json(z.object({ items: z.array(AuditEntry) })),
            },
            ...common,
            '404': problem('Not found'),
          },
        },
      },
      '/api/me/reports': {
        get: {
          operationId: 'myReports',
          summary: "The caller's own reports, by the store's reporter filter",
          tags: ['Reports'],
          requestParams: { query: CarListQuerySchema.omit({ reporter: true }) },
          responses: {
            '200': {
              description: 'One page',
              ...json(z.object({ items: z.array(Car), nextCursor: z.string().nullable() })),
            },
            ...common,
          },
        },
      },
      '/api/me/actions': {
        get: {
          operationId: 'myActions',
          summary: 'The open and done actions the caller owns, soonest due first',
          tags: ['Reports'],
          responses: {
            '200': {
              description: 'Each action with its CAR',
              ...json(
                z.object({
                  items: z.array(MyActionSchema),
                }),
              ),
            },
            ...unauthorized,
          },
        },
      },
      ...operationPaths(),
      ...procedureOpenApiPaths(problem),
      ...importOpenApiPaths(problem),
      ...committeePaths(),
      ...notificationPaths(),
      ...exportPaths(),
      ...taskBoardPaths(),
      ...subscriptionOpenApiPaths(problem),
      '/api/cars/{idOrNumber}/tasks': {
        get: {
          operationId: 'getCarTasks',
          summary: "Each action of a CAR with its board task and the task's live status",
          tags: ['Tasks'],
          requestParams: { path: CarRecordPathSchema },
          responses: {
            '200': {
              description: "One entry per action, in the CAR's order",
              ...json(CarTasksSchema),
            },
            ...unauthorized,
            '404': problem('No such CAR, or not visible to the caller (CAR.NOT_FOUND)'),
          },
        },
      },
      '/api/openapi.json': {
        get: {
          operationId: 'openApiDocument',
          summary: 'This document',
          description: 'Needs no access token.',
          tags: ['API'],
          security: [],
          responses: {
            '200': {
              description: 'The OpenAPI 3.1 document',
              ...json(z.record(z.string(), z.unknown())),
            },
          },
        },
      },
      '/api/me': {
        get: {
          operationId: 'me',
          summary: 'The signed-in caller and their roles',
          tags: ['Identity'],
          responses: {
            '200': {
              description: 'The caller',
              ...json(
                z.object({
                  id: z.string(),
                  name: z.string(),
                  tenantId: z.string(),
                  roles: z.array(z.enum(['mr', 'committee'])),
                }),
              ),
            },
            ...unauthorized,
          },
        },
      },
    },
  });
}
