import { systemClock } from '../../../src/application/ports/clock.js';
import { ReminderInbox } from '../../../src/application/reminders/inbox.js';
import type { LocalDate } from '../../../src/domain/calendar/local-date.js';
import { openDatabase } from '../../../src/infrastructure/sqlite/database.js';
import { SqliteStateStore } from '../../../src/infrastructure/sqlite/sqlite-state-store.js';
import { people, startHarness, type Harness, type Who } from '../../support/rectify-harness.js';

/**
 * The real Rectify server (local mode, its own SQLite file) for the committee, task and
 * notification pages of the tab, with the task sync running fast so that the board follows
 * the CARs within a second. Reminders are put in a person's list through a second connection to
 * the same file, as the reminder job would, so the tests decide when one arrives.
 */
export interface MeetingHarness extends Harness {
  /** Waits until the task sync has put every action of the CAR on the board. */
  tasksOnBoard(carId: string): Promise<void>;
  /** Waits until every action of the CAR is done (completions from the board come back). */
  actionsDone(carId: string): Promise<void>;
  /** Puts a reminder of the action `text` in a person's notification list, as the job would. */
  remind(
    who: Who,
    key: string,
    text: string,
    car: { id: string; number: string | null },
  ): Promise<void>;
}

const until = async (what: string, probe: () => Promise<boolean>): Promise<void> => {
  const deadline = Date.now() + 20_000;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

export async function startMeetingHarness(): Promise<MeetingHarness> {
  const h = await startHarness({
    TASK_SYNC_INTERVAL_MS: '100',
    TASK_BOARD_POLL_MS: '1000',
    // The tests put reminders in the list themselves.
    REMINDER_INTERVAL_MS: '86400000',
  });
  const db = openDatabase(h.config.databaseFile);
  const inbox = new ReminderInbox(new SqliteStateStore(db), systemClock);
  return {
    ...h,
    async tasksOnBoard(carId) {
      await until(`the actions of ${carId} are on the board`, async () => {
        const res = await (await h.as('mr')).get(`/api/cars/${carId}/tasks`);
        const items = (res.body as { items?: { task: unknown }[] }).items ?? [];
        return res.status === 200 && items.length > 0 && items.every((i) => i.task !== null);
      });
    },
    async actionsDone(carId) {
      await until(`the actions of ${carId} are done`, async () => {
        const res = await (await h.as('mr')).get(`/api/cars/${carId}`);
        const actions = (res.body as { actions?: { status: string }[] }).actions ?? [];
        return actions.length > 0 && actions.every((a) => a.status === 'done');
      });
    },
    async remind(who, key, text, car) {
      await inbox.channel().deliver(people[who].id, {
        key,
        kind: 'due_soon',
        dueDate: '2026-12-01' as LocalDate,
        car: { id: car.id, number: car.number, title: text },
        action: {
          id: `${key}-action`,
          title: text,
          owner: { id: people[who].id, name: people[who].name },
        },
        meeting: null,
        overdueWorkingDays: 0,
        recipientIds: [people[who].id],
      });
    },
    async close() {
      db.close();
      await h.close();
    },
  };
}
