/**
 * Background work never stalls a request: a reminder tick over a large register, in the same
 * event loop as an HTTP server whose /healthz reads the same SQLite connection, leaves the
 * probe answered throughout.
 *
 * The size: the seeded register gives about 0.3 due events per CAR on its seed date, each with
 * two deliveries, so 3,000 CARs make about 900 reminders and 1,800 deliveries on the first
 * tick: about 2,700 rows, then a claim, a delivery and a settlement per delivery. Written as
 * before, one synced commit per row and three per delivery, that is about 8,000 synced commits
 * in one stall: at 1 to 6 ms a commit (what fsync costs on the disks this runs on) 8 to 48 s
 * without an answer. The same register scans in a fraction of a second. So 3,000 CARs show the
 * effect while the whole test (seeding included) stays under a minute; the bench
 * (`npm run bench -- jobs`) runs 10,000 and 100,000 and measures the longest stall.
 *
 * What is checked is how the work interleaves with the probes, not a time (timings belong to
 * the bench): the rows written, and the CARs scanned, between two consecutive answers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { CarScan } from '../../../src/application/ports/car-scan.js';
import { botChannel } from '../../../src/application/ports/reminder-channel.js';
import { DEFAULT_REMINDER_SETTINGS } from '../../../src/application/reminders/due-events.js';
import { ReminderInbox } from '../../../src/application/reminders/inbox.js';
import { ReminderJob } from '../../../src/application/reminders/reminder-job.js';
import { WorkingCalendar } from '../../../src/domain/calendar/working-calendar.js';
import { SqliteCarScan } from '../../../src/infrastructure/sqlite/sqlite-car-scan.js';
import { SqliteStateStore } from '../../../src/infrastructure/sqlite/sqlite-state-store.js';
import { seedLargeRegister } from '../../support/large-register.js';
import type { SeededData } from '../../support/seeded-cars.js';

const TOTAL = 3_000;
/** The Monday after the seed date (a Saturday): reminders go out on working days. */
const MONDAY = new Date('2026-11-30T08:00:00.000Z');

let dir: string;
let data: SeededData;
let server: Server;
let url: string;
let scanned = 0;
let closeScan: () => void;
let job: ReminderJob;

/** Counts the CARs the job has read so far. */
function countingScan(inner: CarScan): CarScan {
  return {
    async *scan(options) {
      for await (const batch of inner.scan(options)) {
        scanned += batch.length;
        yield batch;
      }
    },
  };
}

interface Answer {
  readonly rows: number;
  readonly scanned: number;
  readonly status: number;
}

/** Fires a probe every 2 ms while `work` runs; each answer notes the work done by then. */
async function probedWhile<T>(work: () => Promise<T>): Promise<{ result: T; answers: Answer[] }> {
  const answers: Answer[] = [];
  const pending: Promise<void>[] = [];
  const timer = setInterval(() => {
    pending.push(
      fetch(`${url}/healthz`).then(async (res) => {
        await res.arrayBuffer();
        const rows = data.db.prepare<[], { n: number }>('SELECT total_changes() AS n').get()?.n;
        answers.push({ rows: rows ?? 0, scanned, status: res.status });
      }),
    );
  }, 2);
  try {
    const result = await work();
    return { result, answers };
  } finally {
    clearInterval(timer);
    await Promise.all(pending);
  }
}

const largestStep = (xs: readonly number[]): number =>
  xs.slice(1).reduce((most, x, i) => Math.max(most, x - (xs[i] as number)), 0);

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'rectify-large-tick-'));
  const file = path.join(dir, 'rectify.db');
  data = await seedLargeRegister({ file, total: TOTAL, templates: 200 });
  const clock = { now: () => MONDAY };
  const store = new SqliteStateStore(data.db, () => MONDAY);
  const reader = SqliteCarScan.open(file);
  closeScan = reader.close;
  job = new ReminderJob({
    store,
    scan: countingScan(reader.scan),
    scanBatch: 100,
    clock,
    timeZone: data.timeZone,
    calendar: new WorkingCalendar(),
    settings: DEFAULT_REMINDER_SETTINGS,
    recipients: { mrIds: ['seed-mr'], committeeIds: ['seed-committee'] },
    channels: [
      new ReminderInbox(store, clock).channel(),
      botChannel({ deliverReminder: () => Promise.resolve(true) }),
    ],
  });
  // The health probe reads the store through the connection the job writes on, as Rectify's.
  const probe = data.db.prepare('SELECT 1');
  server = createServer((req, res) => {
    probe.get();
    res.writeHead(req.url === '/healthz' ? 200 : 404, { 'content-type': 'text/plain' });
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  closeScan();
  data.db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe(`a reminder tick over ${TOTAL.toLocaleString('en')} CARs`, () => {
  it('answers the health probe between small slices of the first tick on a fresh register', async () => {
    const before = data.db.prepare<[], { n: number }>('SELECT total_changes() AS n').get()?.n ?? 0;
    const { result, answers } = await probedWhile(() => job.tick());
    const written = (answers.at(-1)?.rows ?? 0) - before;

    expect(result.recorded).toBeGreaterThan(TOTAL / 5);
    expect(result.delivered).toBeGreaterThan(result.recorded);
    expect(answers.every((a) => a.status === 200)).toBe(true);
    // One stall would write every row between two answers; slices write a small share each.
    expect(written).toBeGreaterThan(3 * result.recorded);
    expect(largestStep([before, ...answers.map((a) => a.rows)])).toBeLessThan(written / 10);
    expect(answers.length).toBeGreaterThan(50);
  }, 120_000);

  it('answers the health probe between scan batches of a steady tick', async () => {
    scanned = 0;
    const { result, answers } = await probedWhile(() => job.tick());

    expect(result.recorded).toBe(0);
    expect(scanned).toBe(TOTAL);
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(largestStep([0, ...answers.map((a) => a.scanned)])).toBeLessThan(TOTAL / 5);
  }, 120_000);
});
