import { dateInZone } from '../../domain/calendar/local-date.js';
import { repeat } from '../repeat.js';
import type { WorkingCalendar } from '../../domain/calendar/working-calendar.js';
import { AgendaBuilder } from '../committee/agenda.js';
import type { CarScan } from '../ports/car-scan.js';
import { lastMeetingBefore, listMeetings } from '../committee/meetings.js';
import { ZonedDates } from '../committee/zoned-dates.js';
import type { Clock } from '../ports/clock.js';
import type { StateRecord, StateStore } from '../ports/state-store.js';
import type { ReminderChannel, ReminderChannelName } from '../ports/reminder-channel.js';
import {
  carEvents,
  digestEvents,
  meetingsNeedingDigest,
  type DueEventInput,
  type ReminderRecipients,
  type ReminderSettings,
} from './due-events.js';
import {
  REMINDER_RECORD_KIND,
  ReminderRecordSchema,
  reminderRecordKey,
  type Reminder,
  type ReminderRecord,
} from '../ports/reminder.js';
import { ReminderDeliveries } from './reminder-deliveries.js';

/** What the job logs; pino's Logger fits. */
export interface ReminderLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

const silent: ReminderLogger = { info: () => {}, warn: () => {}, error: () => {} };

export interface ReminderJobDeps {
  readonly store: StateStore;
  /** The delivery queue; by default the `reminders` outbox on `store`. */
  readonly deliveries?: ReminderDeliveries | undefined;
  readonly scan: CarScan;
  readonly clock: Clock;
  /** The organisation's calendar: its time zone, weekend days and holidays. */
  readonly timeZone: string;
  readonly calendar: WorkingCalendar;
  readonly settings: ReminderSettings;
  readonly recipients: ReminderRecipients;
  readonly channels: readonly ReminderChannel[];
  readonly logger?: ReminderLogger | undefined;
}

export interface TickSummary {
  /** Due events found on this tick (already recorded ones included). */
  readonly found: number;
  /** Reminders this instance recorded: the others were recorded before or by another instance. */
  readonly recorded: number;
  readonly delivered: number;
  readonly retried: number;
  readonly undeliverable: number;
}

/** How many reminder records left unqueued (a crash between record and queue) one tick picks up. */
const REQUEUE_BATCH = 100;

/**
 * The reminder job. Each tick finds the events due today (action due soon, overdue, escalated;
 * effectiveness check due; committee digest), records each once in the shared store under
 * `reminder:<event key>` (only the instance whose create wins counts it as new), queues one
 * delivery per recipient and channel, and delivers what is due.
 *
 * Once across instances: the reminder record's unique key. Never lost: a reminder record is
 * created "due" and made not due only after all its deliveries are queued, so a crash in
 * between is repaired by the next tick of any instance; queueing a delivery twice keeps one.
 */
export class ReminderJob {
  private running: Promise<TickSummary> | null = null;
  private readonly logger: ReminderLogger;
  private readonly deliveries: ReminderDeliveries;

  constructor(private readonly deps: ReminderJobDeps) {
    this.logger = deps.logger ?? silent;
    this.deliveries = deps.deliveries ?? new ReminderDeliveries(deps.store, deps.clock);
  }

  /** One pass; a tick asked for while one runs waits for that one. */
  tick(): Promise<TickSummary> {
    if (this.running) return this.running;
    this.running = this.run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async run(): Promise<TickSummary> {
    const { found, recorded } = await this.collect();
    const sent = await this.deliveries.deliverDue(this.deps.channels);
    return { found, recorded, ...sent };
  }

  /** Finds today's due events and records and queues the new ones. */
  async collect(): Promise<{ found: number; recorded: number }> {
    const now = this.deps.clock.now();
    const today = dateInZone(now, this.deps.timeZone);
    const input: DueEventInput = {
      today,
      calendar: this.deps.calendar,
      settings: this.deps.settings,
      recipients: this.deps.recipients,
    };
    const events: Reminder[] = [];
    if (this.deps.calendar.isWorkingDay(today)) {
      const meetings = await listMeetings(this.deps.store);
      const planned = meetings.filter((m) => m.status === 'planned');
      const dates = new ZonedDates(this.deps.timeZone);
      const digests = meetingsNeedingDigest(planned, input).map((m) => ({
        meeting: m,
        agenda: new AgendaBuilder(m.date, lastMeetingBefore(meetings, m.date)?.date ?? null, dates),
      }));
      for await (const batch of this.deps.scan.scan()) {
        for (const scanned of batch) {
          events.push(...carEvents(scanned.car, input));
          for (const d of digests) d.agenda.add(scanned);
        }
      }
      events.push(
        ...digestEvents(
          digests.map(({ meeting, agenda }) => {
            const a = agenda.result();
            return {
              date: meeting.date,
              title: meeting.title,
              agenda: {
                newSinceLastMeeting: a.newSinceLast.length,
                overdue: a.overdueActions.length,
                closedSinceLastMeeting: a.closedSinceLast.length,
                foundIneffective: a.foundIneffective.length,
                awaitingDecision: a.awaitingDecision.length,
              },
            };
          }),
          input,
        ),
      );
    }
    let recorded = 0;
    for (const event of events) if (await this.record(event, now)) recorded += 1;
    await this.requeueLeftovers(now);
    return { found: events.length, recorded };
  }

  /** Records the event unless it is recorded; queues its deliveries if not done yet. */
  private async record(event: Reminder, now: Date): Promise<boolean> {
    // Most events found on a tick were recorded and queued on an earlier one: a read settles them.
    const known = await this.deps.store.get(reminderRecordKey(event.key));
    if (known && known.dueAt === null) return false;
    const value: ReminderRecord = { reminder: event, foundAt: now.toISOString(), queuedAt: null };
    const { record, created } = await this.deps.store.createIfAbsent({
      key: reminderRecordKey(event.key),
      kind: REMINDER_RECORD_KIND,
      value,
      // Due until its deliveries are queued: a crash before that is picked up again.
      dueAt: now.toISOString(),
    });
    if (created) this.logger.info({ reminder: event.key }, 'reminders: recorded');
    if (record.dueAt !== null) await this.queue(record, now);
    return created;
  }

  private async requeueLeftovers(now: Date): Promise<void> {
    const leftovers = await this.deps.store.due(
      REMINDER_RECORD_KIND,
      now.toISOString(),
      REQUEUE_BATCH,
    );
    for (const record of leftovers) await this.queue(record, now);
  }

  /** Queues one delivery per recipient and channel of the stored reminder, then marks it queued. */
  private async queue(record: StateRecord, now: Date): Promise<void> {
    const parsed = ReminderRecordSchema.safeParse(record.value);
    if (!parsed.success) {
      this.logger.error({ key: record.key }, 'reminders: a stored reminder does not parse');
      return;
    }
    const { reminder } = parsed.data;
    const channels: readonly ReminderChannelName[] = this.deps.channels.map((c) => c.name);
    for (const personId of reminder.recipientIds)
      for (const channel of channels)
        await this.deliveries.enqueue({ reminder, personId, channel }, now);
    // Losing this race means another instance marked it queued: the same outcome.
    await this.deps.store.replace(record.key, record.etag, {
      value: { ...parsed.data, queuedAt: now.toISOString() },
      dueAt: null,
    });
  }
}

export interface StartReminderJobOptions extends ReminderJobDeps {
  readonly intervalMs: number;
}

/**
 * Runs the job every `intervalMs` (first tick at once). The returned function stops it and
 * resolves when a tick under way has finished.
 */
export function startReminderJob(options: StartReminderJobOptions): () => Promise<void> {
  const job = new ReminderJob(options);
  const logger = options.logger ?? silent;
  const running = repeat(
    options.intervalMs,
    async () => {
      await job.tick();
    },
    (err) => {
      logger.error({ err }, 'reminders: tick failed');
    },
    { immediately: true },
  );
  return () => running.stop();
}
