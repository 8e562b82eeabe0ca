import { z } from 'zod';
import { createDocument, type ZodOpenApiPathsObject } from 'zod-openapi';
import {
  CAR_COMMAND_NAMES,
  CarCommandSchemas,
  CarListQuerySchema,
  ReportInputSchema,
} from '../src/application/car-commands.js';
import { CarRecordSchema } from '../src/application/car-schema.js';
import { ERROR_CATALOGUE } from '../src/domain/errors.js';
import { OPERATION_ROUTES, openApiPath } from './car-operations.js';

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

const Car = CarRecordSchema.extend({
  etag: z.string(),
  updatedAt: z.string(),
  nextDueDate: z.string().nullable(),
  overdue: z.boolean(),
}).meta({ id: 'Car' });

const AuditEntry = z
  .object({
    sequence: z.number().int(),
    carId: z.string(),
    operation: z.string(),
    field: z.string(),
    oldValue: z.unknown(),
    newValue: z.unknown(),
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
      ...operationPaths(),
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
            ...common,
          },
        },
      },
    },
  });
}
