import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { botChannel } from '../src/application/ports/reminder-channel.js';
import { DEFAULT_REMINDER_SETTINGS } from '../src/application/reminders/due-events.js';
import { ReminderJob, type TickSummary } from '../src/application/reminders/reminder-job.js';
import { WorkingCalendar } from '../src/domain/calendar/working-calendar.js';
import { SqliteCarScan } from '../src/infrastructure/sqlite/sqlite-car-scan.js';
import { SqliteStateStore } from '../src/infrastructure/sqlite/sqlite-state-store.js';
import { seedLargeRegister } from '../tests/support/large-register.js';
import type { BenchRow, BenchReport } from './bench-report.js';

/**
 * The reminder job over a large register in the embedded store, in the process's own event loop
 * as it runs in the server: the first tick on a fresh register (every due event recorded and
 * delivered) and a steady tick (everything already recorded), with the longest event-loop
 * stall during each (`perf_hooks.monitorEventLoopDelay`), next to a plain scan of the same
 * table in the same run. Deliveries go to a bot channel that answers at once, so that what is
 * measured is Rectify's own work.
 */
const SIZES = [10_000, 100_000];
const STALL_TARGET_MS = 50;
/** The Monday after the seed date: reminders go out on working days. */
const MONDAY = new Date('2026-11-30T08:00:00.000Z');

async function measured<T>(
  work: () => Promise<T>,
): Promise<{ ms: number; stallMs: number; result: T }> {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const t0 = performance.now();
  const result = await work();
  const ms = performance.now() - t0;
  delay.disable();
  return { ms, stallMs: delay.max / 1e6, result };
}

const verdict = (stallMs: number): string => (stallMs <= STALL_TARGET_MS ? 'ok' : 'OVER TARGET');

export default async function jobsBench(): Promise<BenchReport> {
  const rows: BenchRow[] = [];
  for (const total of SIZES) {
    const dir = mkdtempSync(path.join(tmpdir(), 'rectify-bench-jobs-'));
    try {
      const file = path.join(dir, 'rectify.db');
      const data = await seedLargeRegister({ file, total, templates: 200 });
      const store = new SqliteStateStore(data.db, () => MONDAY);
      const reader = SqliteCarScan.open(file);
      const job = new ReminderJob({
        store,
        scan: reader.scan,
        clock: { now: () => MONDAY },
        timeZone: data.timeZone,
        calendar: new WorkingCalendar(),
        settings: DEFAULT_REMINDER_SETTINGS,
        recipients: { mrIds: ['seed-mr'], committeeIds: ['seed-committee'] },
        channels: [botChannel({ deliverReminder: () => Promise.resolve(true) })],
      });
      const plain = await measured(async () => {
        let n = 0;
        for await (const batch of reader.scan.scan()) n += batch.length;
        return n;
      });
      const first = await measured(() => job.tick());
      const steady = await measured(() => job.tick());
      reader.close();
      data.db.close();
      const say = (s: TickSummary): string =>
        `${s.recorded} reminders recorded, ${s.delivered} deliveries`;
      rows.push(
        {
          metric: `${total} CARs, first tick on a fresh register (${say(first.result)})`,
          value: first.ms,
          unit: 'ms',
          baseline: plain.ms,
        },
        {
          metric: `${total} CARs, longest event-loop stall in the first tick (target <= ${STALL_TARGET_MS} ms: ${verdict(first.stallMs)})`,
          value: first.stallMs,
          unit: 'ms',
          // The plain scan yields every 500 rows: its longest stall is what the machine allows.
          baseline: plain.stallMs,
        },
        {
          metric: `${total} CARs, steady tick (${say(steady.result)})`,
          value: steady.ms,
          unit: 'ms',
          baseline: plain.ms,
        },
        {
          metric: `${total} CARs, longest event-loop stall in the steady tick (target <= ${STALL_TARGET_MS} ms: ${verdict(steady.stallMs)})`,
          value: steady.stallMs,
          unit: 'ms',
          baseline: plain.stallMs,
        },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  rows.push({
    metric: 'peak RSS of the process',
    value: process.resourceUsage().maxRSS / 1024,
    unit: 'MB',
  });
  return {
    name: 'Background jobs: the reminder tick over a large register (embedded store)',
    baselineName:
      'one plain scan of the same register, same run (for stalls: the longest stall during that scan)',
    rows,
  };
}
