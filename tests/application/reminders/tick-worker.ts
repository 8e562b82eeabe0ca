/**
 * One Rectify instance's reminder job, as a process of its own, on the SQLite file given. Every
 * delivery it makes through its "card" channel is appended as a line to the output file, so
 * the test can count them.
 *
 * The processes of a test share a schedule: day i of the days given (at 08:00) begins at
 * `start + i * stepMs` of real time, and each process ticks three times on every day, late or
 * not. A process that falls behind has a clock days behind the other's, which servers never
 * have: the outbox lease is made longer than the whole run so that this cannot look like an
 * instance that died holding a delivery.
 *
 *   tsx tick-worker.ts <start, epoch ms> <step ms> <db file> <output file> <YYYY-MM-DD> ...
 */
import { appendFileSync } from 'node:fs';
import {
  delivered,
  type ReminderChannel,
} from '../../../src/application/ports/reminder-channel.js';
import { DEFAULT_REMINDER_SETTINGS } from '../../../src/application/reminders/due-events.js';
import { ReminderInbox } from '../../../src/application/reminders/inbox.js';
import { ReminderDeliveries } from '../../../src/application/reminders/reminder-deliveries.js';
import { ReminderJob } from '../../../src/application/reminders/reminder-job.js';
import { localDate } from '../../../src/domain/calendar/local-date.js';
import { WorkingCalendar } from '../../../src/domain/calendar/working-calendar.js';
import { openDatabase } from '../../../src/infrastructure/sqlite/database.js';
import { SqliteCarScan } from '../../../src/infrastructure/sqlite/sqlite-car-scan.js';
import { SqliteStateStore } from '../../../src/infrastructure/sqlite/sqlite-state-store.js';

const [startAt, stepMs, file, out, ...days] = process.argv.slice(2);
if (!startAt || !stepMs || !file || !out || days.length === 0)
  throw new Error('usage: tick-worker <start> <step ms> <db> <out> <day>...');
const start = Number(startAt);
const step = Number(stepMs);

let now = new Date();
const clock = { now: () => new Date(now) };
const db = openDatabase(file);
const scan = SqliteCarScan.open(file);
const store = new SqliteStateStore(db, () => clock.now());
const cards: ReminderChannel = {
  name: 'bot',
  deliver: (personId, reminder) => {
    appendFileSync(out, `${process.pid} ${personId} ${reminder.key}\n`);
    return Promise.resolve(delivered);
  },
};
const job = new ReminderJob({
  store,
  scan: scan.scan,
  clock,
  timeZone: 'UTC',
  calendar: new WorkingCalendar({ weekendDays: [0, 6], holidays: [localDate('2026-12-07')] }),
  settings: DEFAULT_REMINDER_SETTINGS,
  recipients: { mrIds: ['mr-1'], committeeIds: [] },
  channels: [new ReminderInbox(store, clock).channel(), cards],
  deliveries: new ReminderDeliveries(store, clock, { leaseMs: 60 * 86_400_000 }),
});

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, Math.max(0, ms));
  });

let recorded = 0;
for (const [i, day] of days.entries()) {
  await sleep(start + i * step - Date.now());
  now = new Date(`${day}T08:00:00.000Z`);
  for (let t = 0; t < 3; t += 1) {
    recorded += (await job.tick()).recorded;
    await sleep(20);
  }
}
scan.close();
db.close();
process.stdout.write(`${JSON.stringify({ recorded })}\n`);
