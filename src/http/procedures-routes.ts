import { Router } from 'express';
import { z } from 'zod';
import type { ZodOpenApiPathsObject, ZodOpenApiResponseObject } from 'zod-openapi';
import type { ProcedureLibrary } from '../application/ports/procedure-library.js';
import { RectifyError } from '../domain/errors.js';
import { isManagementRepresentative } from '../domain/identity.js';
import type { Procedure, ProcedureRevision } from '../domain/procedure/procedure.js';
import { principalOf } from './authenticate.js';
import { validationError } from './problem.js';

/**
 * The procedure library over HTTP: every member reads the procedures and their revisions; the
 * MR also sees the training each procedure configures and the problems found in the library.
 */
export interface ProceduresRouterDeps {
  readonly library: ProcedureLibrary;
}

const Person = z.object({ id: z.string(), name: z.string() });

const RevisionSourceSchema = z
  .union([
    z.object({ kind: z.literal('folder'), path: z.string() }),
    z.object({
      kind: z.literal('sharepoint'),
      driveId: z.string(),
      itemId: z.string(),
      versionId: z.string(),
      lastModifiedDateTime: z.string(),
      webUrl: z.string(),
    }),
  ])
  .meta({
    id: 'ProcedureRevisionSource',
    description: 'Where the document of the revision is kept',
  });

export const ProcedureRevisionSchema = z
  .object({
    versionName: z.string().meta({ description: 'Semantic version, e.g. 1.1.0' }),
    versionDate: z.string().nullable().meta({ format: 'date' }),
    changelog: z.string(),
    published: z.boolean().meta({ description: 'False for a draft, never in force' }),
    inferred: z.array(z.object({ field: z.string(), from: z.string() })).meta({
      description: 'Fields the document did not state; an inferred date is not audit evidence',
    }),
    source: RevisionSourceSchema,
    links: z.object({
      content: z.string().meta({ description: "This API's route to the revision's markdown" }),
      document: z
        .string()
        .nullable()
        .meta({ description: 'The file in SharePoint, when there is one' }),
    }),
  })
  .meta({ id: 'ProcedureRevision' });

const TrainingSchema = z.object({ people: z.array(Person), groups: z.array(Person) }).meta({
  id: 'ProcedureTraining',
  description: 'Trained when a new revision is published (MR only)',
});

const summaryFields = {
  id: z.string().meta({ description: 'The front-matter uuid, else the doc id' }),
  docId: z.string().nullable(),
  title: z.string(),
  revisionCount: z.number().int(),
  training: TrainingSchema.optional(),
};

export const ProcedureSummarySchema = z
  .object({ ...summaryFields, revisionInForce: ProcedureRevisionSchema.nullable() })
  .meta({ id: 'ProcedureSummary' });

export const ProcedureDetailSchema = z
  .object({
    ...summaryFields,
    revisionInForce: z.string().nullable().meta({ description: 'The version in force' }),
    revisions: z.array(ProcedureRevisionSchema).meta({ description: 'Lowest first' }),
  })
  .meta({ id: 'Procedure' });

export const LibraryProblemSchema = z
  .object({
    path: z.string(),
    procedureId: z.string().nullable(),
    severity: z.enum(['error', 'warning']),
    reason: z.string(),
  })
  .meta({
    id: 'ProcedureLibraryProblem',
    description: 'error: the document was left out; warning: taken as noted',
  });

export const ProcedureListSchema = z
  .object({
    items: z.array(ProcedureSummarySchema),
    problems: z.array(LibraryProblemSchema).optional().meta({ description: 'MR only' }),
  })
  .meta({ id: 'ProcedureList' });

const ProcedurePathSchema = z
  .object({
    id: z.string().min(1).max(200).meta({ description: 'The procedure id or its doc id' }),
  })
  .strict();
const RevisionPathSchema = ProcedurePathSchema.extend({
  version: z.string().min(1).max(50).meta({ description: 'e.g. 1.1.0 (1.1 also finds it)' }),
}).strict();

const parsePath = <T extends z.ZodType>(schema: T, params: unknown): z.infer<T> => {
  const result = schema.safeParse(params);
  if (!result.success) throw validationError(result.error, 'query');
  return result.data;
};

const contentPath = (procedureId: string, version: string): string =>
  `/api/procedures/${encodeURIComponent(procedureId)}/revisions/${encodeURIComponent(version)}/content`;

const revisionOf = (p: Procedure, r: ProcedureRevision) => ({
  versionName: r.versionName,
  versionDate: r.versionDate,
  changelog: r.changelog,
  published: r.published,
  inferred: r.inferred,
  source: r.source,
  links: {
    content: contentPath(p.id, r.versionName),
    document: r.source.kind === 'sharepoint' ? r.source.webUrl : null,
  },
});

const summaryOf = (p: Procedure, mr: boolean) => ({
  id: p.id,
  docId: p.docId,
  title: p.title,
  revisionCount: p.revisions.length,
  ...(mr ? { training: p.training } : {}),
});

export function proceduresRouter(deps: ProceduresRouterDeps): Router {
  const router = Router();

  router.get('/procedures', async (_req, res) => {
    const mr = isManagementRepresentative(principalOf(res));
    const { procedures, problems } = await deps.library.list();
    res.json({
      items: procedures.map((p) => ({
        ...summaryOf(p, mr),
        revisionInForce: p.revisionInForce ? revisionOf(p, p.revisionInForce) : null,
      })),
      ...(mr ? { problems } : {}),
    });
  });

  router.get('/procedures/:id', async (req, res) => {
    const { id } = parsePath(ProcedurePathSchema, req.params);
    const mr = isManagementRepresentative(principalOf(res));
    const p = await deps.library.get(id);
    if (!p) throw new RectifyError('PROCEDURE.NOT_FOUND', { procedureId: id });
    res.json({
      ...summaryOf(p, mr),
      revisionInForce: p.revisionInForce?.versionName ?? null,
      revisions: p.revisions.map((r) => revisionOf(p, r)),
    });
  });

  router.get('/procedures/:id/revisions/:version/content', async (req, res) => {
    const { id, version } = parsePath(RevisionPathSchema, req.params);
    const text = await deps.library.content(id, version);
    res
      .status(200)
      .type('text/markdown; charset=utf-8')
      .setHeader('X-Content-Type-Options', 'nosniff')
      .send(text);
  });

  return router;
}

/** The routes above in the OpenAPI document (spread into its `paths`). */
export function procedureOpenApiPaths(
  problem: (description: string) => ZodOpenApiResponseObject,
): ZodOpenApiPathsObject {
  const common = {
    '400': problem('Invalid path parameter'),
    '401': problem('Missing or invalid access token'),
    '500': problem('The procedure library could not be read (PROCEDURE.LIBRARY_UNAVAILABLE)'),
  };
  return {
    '/api/procedures': {
      get: {
        operationId: 'listProcedures',
        summary: 'The procedures in the library, with the revision in force',
        tags: ['Procedures'],
        responses: {
          '200': {
            description: 'Every procedure read; the MR also gets the problems found',
            content: { 'application/json': { schema: ProcedureListSchema } },
          },
          ...common,
        },
      },
    },
    '/api/procedures/{id}': {
      get: {
        operationId: 'getProcedure',
        summary: 'One procedure with all its revisions',
        tags: ['Procedures'],
        requestParams: { path: ProcedurePathSchema },
        responses: {
          '200': {
            description: 'The procedure',
            content: { 'application/json': { schema: ProcedureDetailSchema } },
          },
          ...common,
          '404': problem('No such procedure (PROCEDURE.NOT_FOUND)'),
        },
      },
    },
    '/api/procedures/{id}/revisions/{version}/content': {
      get: {
        operationId: 'getProcedureRevisionContent',
        summary: 'The markdown of one revision',
        tags: ['Procedures'],
        requestParams: { path: RevisionPathSchema },
        responses: {
          '200': {
            description: 'The document, front matter included',
            content: { 'text/markdown': { schema: z.string() } },
          },
          ...common,
          '404': problem('No such procedure or revision'),
        },
      },
    },
  };
}
