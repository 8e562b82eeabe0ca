/**
 * The reminder job on a real SQLite file, with a controllable clock and two instances (each
 * with its own connections, as two processes would have) ticking at the same time.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MEETING_KIND, meetingKey } from '../../../src/application/committee/meetings.js';
import type { Clock } from '../../../src/application/ports/clock.js';
import {
  delivered,
  type DeliveryOutcome,
  type ReminderChannel,
} from '../../../src/application/ports/reminder-channel.js';
import { DEFAULT_REMINDER_SETTINGS } from '../../../src/application/reminders/due-events.js';
import { ReminderInbox } from '../../../src/application/reminders/inbox.js';
import { ReminderDeliveries } from '../../../src/application/reminders/reminder-deliveries.js';
import { ReminderJob, startReminderJob } from '../../../src/application/reminders/reminder-job.js';
import {
  REMINDER_RECORD_KIND,
  ReminderRecordSchema,
  reminderRecordKey,
  type Reminder,
} from '../../../src/application/ports/reminder.js';
import { addDays, localDate, type LocalDate } from '../../../src/domain/calendar/local-date.js';
import { WorkingCalendar } from '../../../src/domain/calendar/working-calendar.js';
import type { StoredCar } from '../../../src/domain/car/car-repository.js';
import type { Car } from '../../../src/domain/car/car.js';
import { openDatabase, type Database } from '../../../src/infrastructure/sqlite/database.js';
import { SqliteCarRepository } from '../../../src/infrastructure/sqlite/sqlite-car-repository.js';
import { SqliteCarScan } from '../../../src/infrastructure/sqlite/sqlite-car-scan.js';
import { SqliteStateStore } from '../../../src/infrastructure/sqlite/sqlite-state-store.js';
import { anOperationContext, changeWithAudit, storeCarInState } from '../../support/car-mother.js';

// 2026-12-03 is a Thursday; Monday 2026-12-07 is a holiday.
const DUE = localDate('2026-12-03');
const calendar = new WorkingCalendar({ weekendDays: [0, 6], holidays: [localDate('2026-12-07')] });
const OWNER = { id: 'owner-1', name: 'Sam Taylor' };
const recipients = { mrIds: ['mr-1'], committeeIds: ['committee-1', 'committee-2'] };

class TestClock implements Clock {
  private at = new Date('2026-11-30T08:00:00.000Z');
  now(): Date {
    return new Date(this.at);
  }
  setDay(day: string, time = '08:00:00.000'): void {
    this.at = new Date(`${day}T${time}Z`);
  }
  advance(ms: number): void {
    this.at = new Date(this.at.getTime() + ms);
  }
}

/** A bot stand-in: records every card it is asked to send; can be told to fail. */
class RecordingBot implements ReminderChannel {
  readonly name = 'bot' as const;
  readonly sent: { personId: string; key: string }[] = [];
  failNext = 0;
  deliver(personId: string, reminder: Reminder): Promise<DeliveryOutcome> {
    if (this.failNext > 0) {
      this.failNext -= 1;
      return Promise.resolve({ status: 'retry', afterMs: 60_000, reason: 'connector down' });
    }
    this.sent.push({ personId, key: reminder.key });
    return Promise.resolve(delivered);
  }
}

interface Instance {
  readonly job: ReminderJob;
  readonly store: SqliteStateStore;
  readonly inbox: ReminderInbox;
  close(): void;
}

let dir: string;
let file: string;
let db: Database;
let repository: SqliteCarRepository;
let clock: TestClock;
let bot: RecordingBot;
let instances: Instance[];

function startInstance(settings = DEFAULT_REMINDER_SETTINGS): Instance {
  const own = openDatabase(file);
  const scan = SqliteCarScan.open(file);
  const store = new SqliteStateStore(own, () => clock.now());
  const inbox = new ReminderInbox(store, clock);
  const job = new ReminderJob({
    store,
    scan: scan.scan,
    clock,
    timeZone: 'UTC',
    calendar,
    settings,
    recipients,
    channels: [inbox.channel(), bot],
  });
  const instance = {
    job,
    store,
    inbox,
    close: () => {
      scan.close();
      own.close();
    },
  };
  instances.push(instance);
  return instance;
}

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'rectify-reminders-'));
  file = path.join(dir, 'rectify.db');
  db = openDatabase(file);
  repository = new SqliteCarRepository(db);
  clock = new TestClock();
  bot = new RecordingBot();
  instances = [];
});

afterEach(() => {
  for (const i of instances) i.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const aCarDue = (dueDate: LocalDate = DUE): Promise<StoredCar> =>
  storeCarInState(repository, 'implementing', {
    actionDueDate: dueDate,
    actionOwner: OWNER,
    actionId: 'action-1',
  });

async function change(
  stored: StoredCar,
  op: string,
  apply: (car: Car) => void,
): Promise<StoredCar> {
  const car = stored.car;
  const audit = changeWithAudit(car, op, apply);
  return repository.update(car, stored.etag, audit);
}

/** Both instances tick together on every day from `from` to `to`, at 08:00 and 14:00. */
async function tickDays(a: Instance, b: Instance, from: string, to: string): Promise<number> {
  let recorded = 0;
  for (let d = localDate(from); d <= localDate(to); d = addDays(d, 1)) {
    for (const time of ['08:00:00.000', '14:00:00.000']) {
      clock.setDay(d, time);
      const results = await Promise.all([a.job.tick(), b.job.tick()]);
      recorded += results.reduce((n, r) => n + r.recorded, 0);
    }
  }
  return recorded;
}

async function reminders(
  store: SqliteStateStore,
): Promise<{ kind: string; foundAt: string; key: string }[]> {
  const records = await store.list(REMINDER_RECORD_KIND, { prefix: 'reminder:', limit: 1000 });
  return records.map((r) => {
    const v = ReminderRecordSchema.parse(r.value);
    return { kind: v.reminder.kind, foundAt: v.foundAt.slice(0, 10), key: v.reminder.key };
  });
}

describe('the reminder job', () => {
  it('sends exactly one reminder per due event with two instances ticking at once', async () => {
    const stored = await aCarDue();
    const a = startInstance();
    const b = startInstance();

    const recorded = await tickDays(a, b, '2026-11-30', '2026-12-15');

    const found = await reminders(a.store);
    expect(found.map((r) => [r.kind, r.foundAt]).sort()).toEqual([
      ['due_soon', '2026-12-01'],
      ['escalation', '2026-12-11'],
      ['overdue', '2026-12-04'],
    ]);
    expect(recorded).toBe(3);
    const key = (kind: string) => `car:${stored.car.id}:action:action-1:${kind}:${DUE}`;
    expect(bot.sent.sort((x, y) => x.key.localeCompare(y.key))).toEqual([
      { personId: OWNER.id, key: key('due_soon') },
      { personId: 'mr-1', key: key('escalation') },
      { personId: OWNER.id, key: key('overdue') },
    ]);
    const ownerInbox = await b.inbox.list(OWNER.id, 50);
    expect(ownerInbox.items.map((i) => i.kind)).toEqual(['overdue', 'due_soon']);
    expect(ownerInbox.unread).toBe(2);
    expect((await a.inbox.list('mr-1', 50)).items.map((i) => i.kind)).toEqual(['escalation']);
  });

  it('escalates on the fifth overdue working day, not before, with a weekend and a holiday in between', async () => {
    await aCarDue();
    const a = startInstance();
    const b = startInstance();
    await tickDays(a, b, '2026-12-04', '2026-12-10');
    expect((await reminders(a.store)).map((r) => r.kind)).toEqual(['overdue']);
    await tickDays(a, b, '2026-12-11', '2026-12-11');
    expect((await reminders(a.store)).map((r) => r.kind).sort()).toEqual(['escalation', 'overdue']);
  });

  it('escalates after the configured delay', async () => {
    await aCarDue();
    const settings = { ...DEFAULT_REMINDER_SETTINGS, escalateAfterDays: 3 };
    const a = startInstance(settings);
    const b = startInstance(settings);
    await tickDays(a, b, '2026-12-04', '2026-12-15');
    const escalation = (await reminders(a.store)).find((r) => r.kind === 'escalation');
    // Fri 4 (1), Tue 8 (2), Wed 9 (3).
    expect(escalation?.foundAt).toBe('2026-12-09');
  });

  it('sends nothing more once the action is done', async () => {
    const stored = await aCarDue();
    const a = startInstance();
    const b = startInstance();
    await tickDays(a, b, '2026-12-01', '2026-12-02');
    await change(stored, 'completeAction', (car) => {
      car.completeAction(anOperationContext(), 'action-1', { note: 'Checklist published.' });
    });
    await tickDays(a, b, '2026-12-03', '2026-12-18');
    expect((await reminders(a.store)).map((r) => r.kind)).toEqual(['due_soon']);
    expect(bot.sent).toHaveLength(1);
  });

  it('treats a changed due date as a new event', async () => {
    const stored = await aCarDue();
    const a = startInstance();
    const b = startInstance();
    await tickDays(a, b, '2026-12-01', '2026-12-02');
    await change(stored, 'updateAction', (car) => {
      car.updateAction(anOperationContext(), 'action-1', { dueDate: localDate('2026-12-09') });
    });
    await tickDays(a, b, '2026-12-03', '2026-12-08');
    const found = await reminders(a.store);
    // Two working days before Wed 9 are Tue 8 and Wed 9 (Mon 7 is a holiday): Fri 4 is in.
    expect(found.map((r) => [r.kind, r.key.slice(-10), r.foundAt])).toEqual([
      ['due_soon', '2026-12-03', '2026-12-01'],
      ['due_soon', '2026-12-09', '2026-12-04'],
    ]);
    expect(bot.sent).toHaveLength(2);
  });

  it('sends the committee a digest of the agenda before a planned meeting', async () => {
    await aCarDue(localDate('2026-12-01'));
    const a = startInstance();
    const b = startInstance();
    await a.store.createIfAbsent({
      key: meetingKey(localDate('2026-12-10')),
      kind: MEETING_KIND,
      value: {
        date: '2026-12-10',
        status: 'planned',
        title: 'Operational review',
        decidedCarIds: [],
        doneAt: null,
        doneBy: null,
      },
      dueAt: null,
    });
    await tickDays(a, b, '2026-12-07', '2026-12-07');
    expect((await a.inbox.list('committee-1', 50)).items).toEqual([]);
    await tickDays(a, b, '2026-12-08', '2026-12-10');
    const digests = (await reminders(a.store)).filter((r) => r.kind === 'digest');
    expect(digests).toEqual([
      { kind: 'digest', foundAt: '2026-12-08', key: 'meeting:2026-12-10:digest' },
    ]);
    for (const member of recipients.committeeIds) {
      const inbox = await a.inbox.list(member, 50);
      expect(inbox.items).toHaveLength(1);
      expect(inbox.items[0]?.text).toContain('1 new, 1 overdue');
    }
    const record = await a.store.get(reminderRecordKey('meeting:2026-12-10:digest'));
    const digest = ReminderRecordSchema.parse(record?.value).reminder;
    expect(digest.meeting?.agenda).toEqual({
      newSinceLastMeeting: 1,
      overdue: 1,
      closedSinceLastMeeting: 0,
      foundIneffective: 0,
      awaitingDecision: 0,
    });
  });

  it('queues the deliveries of a reminder recorded just before a crash', async () => {
    const a = startInstance();
    clock.setDay('2026-12-04');
    // What a crash between recording and queueing leaves: the record, still due.
    const reminder: Reminder = {
      key: 'car:car-x:action:action-1:overdue:2026-12-03',
      kind: 'overdue',
      dueDate: DUE,
      car: { id: 'car-x', number: 'CAR-2026-0001', title: 'Visitor log' },
      action: { id: 'action-1', title: 'Fix the log', owner: OWNER },
      meeting: null,
      overdueWorkingDays: 1,
      recipientIds: [OWNER.id],
    };
    await a.store.createIfAbsent({
      key: reminderRecordKey(reminder.key),
      kind: REMINDER_RECORD_KIND,
      value: { reminder, foundAt: clock.now().toISOString(), queuedAt: null },
      dueAt: clock.now().toISOString(),
    });
    await a.job.tick();
    expect(bot.sent).toEqual([{ personId: OWNER.id, key: reminder.key }]);
    const record = await a.store.get(reminderRecordKey(reminder.key));
    expect(record?.dueAt).toBeNull();
    await a.job.tick();
    expect(bot.sent).toHaveLength(1);
  });

  it('retries a failed delivery later and delivers it once', async () => {
    await aCarDue();
    const a = startInstance();
    const b = startInstance();
    bot.failNext = 1;
    clock.setDay('2026-12-01');
    await Promise.all([a.job.tick(), b.job.tick()]);
    expect(bot.sent).toEqual([]);
    expect(await a.inbox.list(OWNER.id, 50)).toMatchObject({ total: 1 });
    clock.advance(30_000);
    await Promise.all([a.job.tick(), b.job.tick()]);
    expect(bot.sent).toEqual([]);
    clock.advance(31_000);
    await Promise.all([a.job.tick(), b.job.tick()]);
    expect(bot.sent).toHaveLength(1);
    const deliveries = new ReminderDeliveries(a.store, clock);
    const entry = await deliveries.get({
      reminder: { ...(await firstReminder(a.store)) },
      personId: OWNER.id,
      channel: 'bot',
    });
    expect(entry).toMatchObject({ outcome: 'delivered', attempts: 2, lastError: 'connector down' });
  });

  it('runs on an interval until stopped', async () => {
    await aCarDue();
    clock.setDay('2026-12-04');
    const own = openDatabase(file);
    const scan = SqliteCarScan.open(file);
    const store = new SqliteStateStore(own, () => clock.now());
    try {
      const stop = startReminderJob({
        store,
        scan: scan.scan,
        clock,
        timeZone: 'UTC',
        calendar,
        settings: DEFAULT_REMINDER_SETTINGS,
        recipients,
        channels: [bot],
        intervalMs: 20,
      });
      for (let i = 0; i < 100 && bot.sent.length === 0; i += 1)
        await new Promise((r) => setTimeout(r, 10));
      await stop();
      expect(bot.sent.map((s) => s.personId)).toEqual([OWNER.id]);
    } finally {
      scan.close();
      own.close();
    }
  });
});

async function firstReminder(store: SqliteStateStore): Promise<Reminder> {
  const [record] = await store.list(REMINDER_RECORD_KIND, { prefix: 'reminder:', limit: 1 });
  return ReminderRecordSchema.parse(record?.value).reminder;
}
