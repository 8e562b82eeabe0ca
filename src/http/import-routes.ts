import express, { Router } from 'express';
import { z } from 'zod';
import type { ZodOpenApiPathsObject, ZodOpenApiResponseObject } from 'zod-openapi';
import type { RegisterTable } from '../application/ports/register-table.js';
import { RegisterImport } from '../application/register-import/register-import.js';
import { mappingFor, parseMappingFile } from '../application/register-import/register-mapping.js';
import type { CarRepository } from '../domain/car/car-repository.js';
import { RectifyError } from '../domain/errors.js';
import { isManagementRepresentative } from '../domain/identity.js';
import { authenticate, principalOf, type TokenValidator } from './authenticate.js';
import { validationError } from './problem.js';

/**
 * The MR's import of a former register (XLSX or CSV) over HTTP, as `npm run import` does it:
 * a dry run gives the preview (the mapping used, the headers left unmapped, each row's
 * outcome), the same call without `dryRun` imports. The file travels base64-encoded in JSON;
 * this router has its own body limit, above the API's, for spreadsheets of a few thousand rows.
 */
export interface ImportRouterDeps {
  readonly repository: CarRepository;
  readonly newId: () => string;
  readonly clock: { now(): Date };
  /** Reads the file's bytes as a table (the XLSX or CSV reader). */
  readonly readTable: (fileName: string, bytes: Buffer) => Promise<RegisterTable>;
}

const MAX_FILE_BYTES = 10_000_000;

export const RegisterImportRequestSchema = z
  .object({
    fileName: z
      .string()
      .min(1)
      .max(255)
      .regex(/\.(xlsx|csv)$/i, 'an .xlsx or .csv file'),
    content: z.base64().max(Math.ceil((MAX_FILE_BYTES * 4) / 3) + 4),
    mapping: z.string().max(100_000).optional().meta({ description: 'mapping.yaml text' }),
    dryRun: z.boolean().default(false),
    allOrNothing: z.boolean().default(false),
  })
  .strict()
  .meta({ id: 'RegisterImportRequest' });

const RowOutcomeSchema = z.object({
  row: z.number().int(),
  reference: z.string().nullable(),
  outcome: z.enum(['imported', 'unchanged', 'failed', 'valid']),
  carId: z.string().optional(),
  number: z.string().nullable().optional(),
  reason: z.string().optional(),
});

export const RegisterImportReportSchema = z
  .object({
    file: z.string(),
    sheet: z.string().nullable(),
    mapping: z.object({
      columns: z.record(z.string(), z.string()),
      values: z.record(z.string(), z.record(z.string(), z.string())),
      dates: z.enum(['dmy', 'mdy']),
    }),
    unmappedHeaders: z.array(z.string()),
    dryRun: z.boolean(),
    rows: z.array(RowOutcomeSchema),
    counts: z.object({
      imported: z.number().int(),
      unchanged: z.number().int(),
      failed: z.number().int(),
      valid: z.number().int(),
    }),
  })
  .meta({ id: 'RegisterImportReport' });

export function importRouter(deps: ImportRouterDeps, tokens: TokenValidator): Router {
  const router = Router();
  // Only the import takes a body this large; every other route keeps the API's own limit.
  router.use(
    '/imports',
    express.json({ limit: Math.ceil((MAX_FILE_BYTES * 4) / 3) + 200_000, strict: true }),
    authenticate(tokens),
  );
  router.post('/imports/register', async (req, res) => {
    const principal = principalOf(res);
    if (!isManagementRepresentative(principal))
      throw new RectifyError('AUTH.FORBIDDEN', { operation: 'importRegister' });
    const parsed = RegisterImportRequestSchema.safeParse(req.body);
    if (!parsed.success) throw validationError(parsed.error, 'body');
    const body = parsed.data;
    let given = {};
    if (body.mapping !== undefined && body.mapping.trim() !== '') {
      const mapping = parseMappingFile(body.mapping);
      if (!mapping.ok)
        throw new RectifyError(
          'REQUEST.VALIDATION',
          { field: 'mapping', reason: mapping.reason },
          `The mapping cannot be used: ${mapping.reason}`,
        );
      given = mapping.mapping;
    }
    const table = await deps.readTable(body.fileName, Buffer.from(body.content, 'base64'));
    const report = await new RegisterImport(deps).run(
      table,
      mappingFor(table.headers, given),
      { id: principal.id, name: principal.name, tenantId: principal.tenantId },
      { dryRun: body.dryRun, allOrNothing: body.allOrNothing },
    );
    res.status(body.dryRun ? 200 : 201).json(report);
  });
  return router;
}

export function importOpenApiPaths(
  problem: (description: string) => ZodOpenApiResponseObject,
): ZodOpenApiPathsObject {
  return {
    '/api/imports/register': {
      post: {
        operationId: 'importRegister',
        summary: "Import the organisation's former register of nonconformities (MR only)",
        tags: ['Import'],
        requestBody: {
          content: { 'application/json': { schema: RegisterImportRequestSchema } },
        },
        responses: {
          '200': {
            description: 'The preview of a dry run: mapping and each row',
            content: { 'application/json': { schema: RegisterImportReportSchema } },
          },
          '201': {
            description: 'Imported: each row imported, already there, or failed with its reason',
            content: { 'application/json': { schema: RegisterImportReportSchema } },
          },
          '400': problem('Not a register file, or a bad mapping'),
          '401': problem('Missing or invalid access token'),
          '403': problem('Only the MR imports (AUTH.FORBIDDEN)'),
        },
      },
    },
  };
}
