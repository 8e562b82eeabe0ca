import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  ACTIONS_TABLE,
  REGISTER_TABLE,
  actionRows,
  registerRows,
} from '../src/application/exports/register-rows.js';
import { localDate } from '../src/domain/calendar/local-date.js';
import { DEFAULT_SERVICE_LEVELS } from '../src/domain/calendar/service-levels.js';
import { WorkingCalendar } from '../src/domain/calendar/working-calendar.js';
import { formatCarNumber } from '../src/domain/car/car-number.js';
import { Car, type CarPrimitives, type OperationContext } from '../src/domain/car/car.js';
import { writeCsv } from '../src/infrastructure/exports/csv-writer.js';
import { finished, put } from '../src/infrastructure/exports/stream-output.js';
import { writeXlsx } from '../src/infrastructure/exports/xlsx-writer.js';
import type { BenchReport } from './bench-report.js';

/**
 * The register exports of 100,000 closed CARs (two actions each), streamed to files: time, and
 * how far the process grew while writing (a growth far below the file size, and close to the
 * baseline's, shows the file is never held in memory). Baseline, same run: the same CARs
 * written as JSON lines through the same back-pressured 64 KiB writes.
 * RECTIFY_BENCH_EXPORT_CARS sets another number of CARs.
 */
const N = Number(process.env.RECTIFY_BENCH_EXPORT_CARS ?? 100_000);
const today = localDate('2026-11-28');
const mr = { id: 'mr-1', name: 'Jordan Lee' };
const owner = { id: 'owner-1', name: 'Sam Taylor' };
const policy = { calendar: new WorkingCalendar(), serviceLevels: DEFAULT_SERVICE_LEVELS };

function aClosedCar(): CarPrimitives {
  const ctx: OperationContext = {
    actor: mr,
    now: '2026-03-02T09:00:00.000Z',
    today: localDate('2026-03-02'),
  };
  const car = Car.report({
    id: 'template',
    reporter: { id: 'r-1', name: 'Alex Morgan' },
    reportedAt: '2026-03-01T08:00:00.000Z',
    details: {
      type: 'policy_nonconformance',
      relatesTo: ['procedure', 'personnel'],
      source: 'internal_audit',
      title: 'Visitor badge not returned',
      description: 'A visitor left the server room area without returning the badge, twice.',
      occurredAt: '2026-02-27',
      location: 'Head office, reception',
      affected: 'Physical access control',
      immediateAction: 'Badge deactivated in the access system.',
      confidential: false,
    },
  });
  car.record(ctx, { classification: 'minor_nc', severity: 'medium' });
  car.assignNumber(formatCarNumber(2026, 1));
  car.startInvestigation(ctx);
  car.updateInvestigation(ctx, {
    fiveWhys: [
      { question: 'Why was the badge not returned?', answer: 'Nobody asked for it at the exit.' },
      { question: 'Why did nobody ask?', answer: 'The exit checklist does not mention badges.' },
    ],
    rootCause: 'The visitor exit checklist omits badge return.',
    causeCategory: 'process',
    similarCheck: { done: true, findings: 'No other site uses the checklist.', relatedCarIds: [] },
  });
  for (const id of ['a1', 'a2'])
    car.addAction(
      ctx,
      {
        id,
        kind: 'corrective',
        title: `Fix the checklist (${id})`,
        description: 'Update it.',
        owner,
      },
      policy,
    );
  car.planActions(ctx);
  car.startImplementation(ctx);
  car.completeAction(ctx, 'a1', { note: 'Done' });
  car.completeAction(ctx, 'a2', { note: 'Done' });
  car.startVerification(ctx, policy);
  car.verifyEffectiveness(ctx, { id: 'v1', effective: true, evidence: 'No recurrence' });
  car.close(ctx, {
    summary: 'Checklist updated and effective',
    ismsChangeNeeded: false,
    feedsManagementReview: true,
  });
  return car.toPrimitives();
}

const template = aClosedCar();

/** N CARs made on the fly, so the data set itself is never in memory. */
async function* manyCars(): AsyncGenerator<CarPrimitives> {
  for (let i = 1; i <= N; i += 1) {
    if (i % 1000 === 0) await Promise.resolve();
    yield { ...template, id: `car-${i}`, number: formatCarNumber(2026, i) };
  }
}

async function measure(
  write: (file: string) => Promise<unknown>,
  file: string,
): Promise<{ ms: number; growthMb: number; fileMb: number }> {
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  const t0 = performance.now();
  await write(file);
  const ms = performance.now() - t0;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  return { ms, growthMb: (peak - before) / 2 ** 20, fileMb: statSync(file).size / 2 ** 20 };
}

export default async function exportsBench(): Promise<BenchReport> {
  const dir = mkdtempSync(path.join(tmpdir(), 'rectify-bench-exports-'));
  try {
    const baseline = await measure(
      async (file) => {
        const out = createWriteStream(file);
        let chunk = '';
        for await (const car of manyCars()) {
          chunk += `${JSON.stringify(car)}\n`;
          if (chunk.length >= 64 * 1024) {
            await put(out, chunk);
            chunk = '';
          }
        }
        await put(out, chunk);
        await finished(out);
      },
      path.join(dir, 'baseline.jsonl'),
    );
    const csv = await measure(
      (file) =>
        writeCsv(REGISTER_TABLE.columns, registerRows(manyCars(), today), createWriteStream(file)),
      path.join(dir, 'register.csv'),
    );
    const xlsx = await measure(
      (file) =>
        writeXlsx(
          [
            { ...REGISTER_TABLE, rows: () => registerRows(manyCars(), today) },
            { ...ACTIONS_TABLE, rows: () => actionRows(manyCars(), today) },
          ],
          createWriteStream(file),
        ),
      path.join(dir, 'register.xlsx'),
    );
    return {
      name: `Register exports of ${N} CARs (${2 * N} actions)`,
      baselineName: 'the same CARs as JSON lines, same back-pressured writes',
      rows: [
        { metric: 'CSV time', value: csv.ms, unit: 'ms', baseline: baseline.ms },
        { metric: 'XLSX time (both sheets)', value: xlsx.ms, unit: 'ms', baseline: baseline.ms },
        { metric: 'CSV file', value: csv.fileMb, unit: 'MiB' },
        { metric: 'XLSX file', value: xlsx.fileMb, unit: 'MiB' },
        {
          metric: 'process growth while writing the CSV',
          value: csv.growthMb,
          unit: 'MiB',
          baseline: baseline.growthMb,
        },
        {
          metric: 'process growth while writing the XLSX',
          value: xlsx.growthMb,
          unit: 'MiB',
          baseline: baseline.growthMb,
        },
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
