import { Router, type Response } from 'express';
import { z } from 'zod';
import { ExportService, type ExportServiceDeps } from '../application/exports/export-service.js';
import {
  ACTIONS_TABLE,
  REGISTER_TABLE,
  actionRows,
  registerRows,
} from '../application/exports/register-rows.js';
import { systemClock } from '../application/ports/clock.js';
import { writeCsv } from '../infrastructure/exports/csv-writer.js';
import { renderPdf } from '../infrastructure/exports/pdf-renderer.js';
import { writeXlsx } from '../infrastructure/exports/xlsx-writer.js';
import { principalOf } from './authenticate.js';

export type ExportRouterDeps = Pick<ExportServiceDeps, 'carService'> &
  Partial<Omit<ExportServiceDeps, 'carService'>>;

export const CONTENT_TYPES = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
} as const;

/** The path of `GET /cars/:idOrNumber/record.pdf` (CarService finds the CAR by either). */
export const CarRecordPathSchema = z.object({
  idOrNumber: z.string().meta({ description: 'The CAR id, or its number CAR-YYYY-NNNN' }),
});

/** Only letters, digits, dots and dashes reach a file name. */
const safeName = (name: string): string => name.replace(/[^A-Za-z0-9.-]+/g, '-');

function download(res: Response, type: keyof typeof CONTENT_TYPES, fileName: string): void {
  res.status(200);
  res.setHeader('Content-Type', CONTENT_TYPES[type]);
  res.setHeader('Content-Disposition', `attachment; filename="${safeName(fileName)}"`);
  // Exports hold confidential CARs: never kept by a shared cache or the browser's.
  res.setHeader('Cache-Control', 'no-store');
}

/**
 * Runs a streamed export. If it fails before anything was sent, the error goes on to the
 * problem handler as usual; once bytes are out (or a zip stream is attached to the response)
 * the connection is cut, so the client sees a failed download rather than a short file.
 */
async function streamed(
  res: Response,
  write: () => Promise<unknown>,
  options: { readonly attached: boolean },
): Promise<void> {
  try {
    await write();
  } catch (e) {
    if (res.headersSent || options.attached) res.destroy();
    else res.removeHeader('Content-Disposition');
    throw e;
  }
}

/**
 * GET /exports/register.csv, /exports/actions.csv, /exports/register.xlsx,
 * /committee/meetings/:date/pack.pdf and /cars/:idOrNumber/record.pdf. For the MR and the
 * Steering Committee only (see ExportService). Spreadsheets stream as they are written; a
 * failure half-way cuts the connection, so a client never takes a partial file for a whole one.
 */
export function exportRouter(deps: ExportRouterDeps): Router {
  const service = new ExportService({
    clock: systemClock,
    timeZone: 'UTC',
    ...deps,
  });
  const router = Router();

  router.get('/exports/register.csv', async (_req, res) => {
    const source = service.register(principalOf(res));
    const today = service.today();
    download(res, 'csv', `rectify-register-${today}.csv`);
    await streamed(
      res,
      () => writeCsv(REGISTER_TABLE.columns, registerRows(source(), today), res),
      {
        attached: false,
      },
    );
  });

  router.get('/exports/actions.csv', async (_req, res) => {
    const source = service.register(principalOf(res));
    const today = service.today();
    download(res, 'csv', `rectify-actions-${today}.csv`);
    await streamed(res, () => writeCsv(ACTIONS_TABLE.columns, actionRows(source(), today), res), {
      attached: false,
    });
  });

  router.get('/exports/register.xlsx', async (_req, res) => {
    const source = service.register(principalOf(res));
    const today = service.today();
    download(res, 'xlsx', `rectify-register-${today}.xlsx`);
    await streamed(
      res,
      () =>
        writeXlsx(
          [
            { ...REGISTER_TABLE, rows: () => registerRows(source(), today) },
            { ...ACTIONS_TABLE, rows: () => actionRows(source(), today) },
          ],
          res,
          { created: new Date(service.now()) },
        ),
      { attached: true },
    );
  });

  router.get('/committee/meetings/:date/pack.pdf', async (req, res) => {
    const document = await service.reviewPack(principalOf(res), req.params.date);
    download(res, 'pdf', `rectify-review-pack-${req.params.date}.pdf`);
    await streamed(res, () => renderPdf(document, res, { createdAt: new Date(service.now()) }), {
      attached: true,
    });
  });

  router.get('/cars/:idOrNumber/record.pdf', async (req, res) => {
    const { document, car } = await service.carRecord(principalOf(res), req.params.idOrNumber);
    download(res, 'pdf', `rectify-${car.number ?? car.id}-record.pdf`);
    await streamed(res, () => renderPdf(document, res, { createdAt: new Date(service.now()) }), {
      attached: true,
    });
  });

  return router;
}
