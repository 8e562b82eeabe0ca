/**
 * Reminders in the Teams activity feed, against the Graph emulator on loopback: the documented
 * body, throttling waited out, undeliverable recipients, and one notification per reminder and
 * person with two reminder-job instances sharing one SQLite file.
 */
import { testAudit } from '../support/audit-seal.js';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_REMINDER_SETTINGS } from '../../src/application/reminders/due-events.js';
import { ReminderJob } from '../../src/application/reminders/reminder-job.js';
import { localDate } from '../../src/domain/calendar/local-date.js';
import { WorkingCalendar } from '../../src/domain/calendar/working-calendar.js';
import {
  ActivityFeedNotifier,
  chainIdOf,
  teamsTabDeepLink,
} from '../../src/infrastructure/graph/activity-feed-notifier.js';
import { GraphCarScan } from '../../src/infrastructure/graph/graph-car-scan.js';
import { createGraphConnection } from '../../src/infrastructure/graph/graph-client.js';
import { resolveRectifyLists } from '../../src/infrastructure/graph/graph-list-car-repository.js';
import { openGraphStateStore } from '../../src/infrastructure/graph/graph-state-store.js';
import { SharePointListClient } from '../../src/infrastructure/graph/sharepoint-list-client.js';
import { openDatabase } from '../../src/infrastructure/sqlite/database.js';
import { SqliteCarRepository } from '../../src/infrastructure/sqlite/sqlite-car-repository.js';
import { SqliteCarScan } from '../../src/infrastructure/sqlite/sqlite-car-scan.js';
import { SqliteStateStore } from '../../src/infrastructure/sqlite/sqlite-state-store.js';
import { aReminder } from '../application/reminders/reminder-mother.js';
import { storeCarInState } from '../support/car-mother.js';
import {
  activityBodyProblem,
  declareActivityTypes,
  feedOf,
  sentActivities,
  withoutAppFor,
} from './emulator/activity-routes.js';
import { GraphEmulator } from './emulator/graph-emulator.js';
import { startGraphFixture } from './graph-fixture.js';

const TEAMS_APP_ID = '11111111-1111-4111-8111-111111111111';
const links = {
  car: (car: { number: string | null; id: string }) =>
    teamsTabDeepLink(TEAMS_APP_ID, 'rectify', car.number ?? car.id),
  committee: () => teamsTabDeepLink(TEAMS_APP_ID, 'rectify'),
};

const manifestTypes = (): string[] =>
  (
    JSON.parse(readFileSync('appPackage/manifest.json', 'utf8')) as {
      activities: { activityTypes: { type: string }[] };
    }
  ).activities.activityTypes.map((a) => a.type);

let emulator: GraphEmulator;
let waits: number[];

const notifier = (maxThrottleWaits?: number): ActivityFeedNotifier =>
  new ActivityFeedNotifier(
    createGraphConnection({
      baseUrl: emulator.url,
      accessToken: () => Promise.resolve('emulator-token'),
      retry: {
        baseDelayMs: 10,
        sleep: (ms) => {
          waits.push(ms);
          return Promise.resolve();
        },
      },
    }),
    { links, maxThrottleWaits },
  );

beforeEach(async () => {
  emulator = new GraphEmulator();
  await emulator.listen();
  declareActivityTypes(emulator, manifestTypes());
  waits = [];
});

afterEach(async () => {
  await emulator.close();
});

describe('the activity feed notifier', () => {
  it('sends the documented body: a text topic with a deep link, a declared type, a preview', async () => {
    const reminder = aReminder('overdue', { recipientIds: ['owner-1'] });
    expect(await notifier().deliver('owner-1', reminder)).toEqual({ status: 'delivered' });
    const [sent] = sentActivities(emulator);
    expect(sent?.userId).toBe('owner-1');
    expect(activityBodyProblem(sent?.body)).toBeNull();
    expect(sent?.body).toEqual({
      topic: {
        source: 'text',
        value: 'CAR-2026-0007',
        webUrl: `https://teams.microsoft.com/l/entity/${TEAMS_APP_ID}/rectify?context=${encodeURIComponent('{"subEntityId":"CAR-2026-0007"}')}`,
      },
      activityType: 'actionOverdue',
      chainId: chainIdOf(reminder.key),
      previewText: {
        content:
          'Action "Add ISMS duties to the onboarding checklist" on CAR-2026-0007 was due on 2026-12-04 and is overdue.',
      },
      templateParameters: [
        { name: 'actionTitle', value: 'Add ISMS duties to the onboarding checklist' },
        { name: 'carNumber', value: 'CAR-2026-0007' },
        { name: 'dueDate', value: '2026-12-04' },
      ],
    });
  });

  it('sends every kind of reminder with a body the emulator accepts', async () => {
    const feed = notifier();
    for (const kind of [
      'due_soon',
      'overdue',
      'escalation',
      'effectiveness_due',
      'digest',
    ] as const)
      expect(await feed.deliver('mr-1', aReminder(kind))).toEqual({ status: 'delivered' });
    expect(sentActivities(emulator).map((s) => s.body.activityType)).toEqual([
      'actionDueSoon',
      'actionOverdue',
      'actionEscalated',
      'effectivenessCheckDue',
      'committeeDigest',
    ]);
    const preview = (sentActivities(emulator)[4]?.body.previewText as { content: string }).content;
    expect(preview.length).toBeLessThanOrEqual(150);
  });

  it('waits out throttling for as long as Retry-After says, then sends once', async () => {
    emulator.fail({
      status: 429,
      retryAfterSeconds: 2,
      pathIncludes: 'sendActivityNotification',
      times: 2,
    });
    expect(await notifier().deliver('owner-1', aReminder('due_soon'))).toEqual({
      status: 'delivered',
    });
    expect(waits).toEqual([2000, 2000]);
    expect(sentActivities(emulator)).toHaveLength(1);
  });

  it('hands a delivery back to the outbox when throttling lasts', async () => {
    emulator.fail({
      status: 429,
      retryAfterSeconds: 7,
      pathIncludes: 'sendActivityNotification',
      times: 5,
    });
    const outcome = await notifier(1).deliver('owner-1', aReminder('due_soon'));
    expect(outcome).toMatchObject({ status: 'retry', afterMs: 7000 });
    expect(sentActivities(emulator)).toHaveLength(0);
  });

  it('resends after a gateway timeout with the same chainId, so the feed shows it once', async () => {
    emulator.fail({ status: 504, pathIncludes: 'sendActivityNotification', afterWrite: true });
    const feed = notifier();
    const reminder = aReminder('overdue');
    expect(await feed.deliver('owner-1', reminder)).toMatchObject({ status: 'retry' });
    expect(await feed.deliver('owner-1', reminder)).toEqual({ status: 'delivered' });
    const chains = sentActivities(emulator).map((s) => s.body.chainId);
    expect(chains).toEqual([chainIdOf(reminder.key), chainIdOf(reminder.key)]);
    expect(feedOf(emulator, 'owner-1')).toHaveLength(1);
  });

  it('reports a recipient without the app as undeliverable', async () => {
    withoutAppFor(emulator, 'guest-1');
    expect(await notifier().deliver('guest-1', aReminder('due_soon'))).toMatchObject({
      status: 'undeliverable',
    });
  });

  it('gives different reminders different chain ids', () => {
    const ids = new Set(
      ['due_soon', 'overdue', 'escalation'].map((k) => chainIdOf(`car:c:action:a:${k}:2026-12-03`)),
    );
    expect(ids.size).toBe(3);
    for (const id of ids) expect(Number.isSafeInteger(id) && id > 0).toBe(true);
  });
});

describe('two reminder jobs on one store', () => {
  let dir: string;
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('send each reminder to each person once, throttled or not', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'rectify-feed-'));
    const file = path.join(dir, 'rectify.db');
    const db = openDatabase(file);
    const repository = new SqliteCarRepository(db, testAudit());
    const owners = [
      { id: 'owner-1', name: 'Sam Taylor' },
      { id: 'owner-2', name: 'Maria Garcia' },
      { id: 'owner-3', name: 'Jonas Berg' },
    ];
    for (const owner of owners)
      await storeCarInState(repository, 'implementing', {
        actionDueDate: localDate('2026-12-03'),
        actionOwner: owner,
      });
    let now = new Date('2026-12-01T08:00:00.000Z');
    const clock = { now: () => new Date(now) };
    const opened: (() => void)[] = [() => db.close()];
    const instance = (): ReminderJob => {
      const own = openDatabase(file);
      const scan = SqliteCarScan.open(file);
      opened.push(() => {
        scan.close();
        own.close();
      });
      return new ReminderJob({
        store: new SqliteStateStore(own, () => clock.now()),
        scan: scan.scan,
        clock,
        timeZone: 'UTC',
        calendar: new WorkingCalendar(),
        settings: DEFAULT_REMINDER_SETTINGS,
        recipients: { mrIds: ['mr-1'], committeeIds: [] },
        channels: [notifier()],
      });
    };
    try {
      const a = instance();
      const b = instance();
      emulator.fail({
        status: 429,
        retryAfterSeconds: 1,
        pathIncludes: 'sendActivityNotification',
        times: 2,
      });
      // Due soon on Tue 1, overdue on Fri 4, escalated on Thu 10 (five working days).
      for (const day of ['01', '02', '04', '07', '10', '11']) {
        for (const hour of ['08', '15']) {
          now = new Date(`2026-12-${day}T${hour}:00:00.000Z`);
          await Promise.all([a.tick(), b.tick(), a.tick(), b.tick()]);
        }
      }
      const sent = sentActivities(emulator).map(
        (s) => `${s.userId} ${String(s.body.activityType)}`,
      );
      expect(sent.sort()).toEqual(
        [
          ...owners.flatMap((o) => [`${o.id} actionDueSoon`, `${o.id} actionOverdue`]),
          'mr-1 actionEscalated',
          'mr-1 actionEscalated',
          'mr-1 actionEscalated',
        ].sort(),
      );
      expect(waits).toEqual([1000, 1000]);
    } finally {
      for (const close of opened) close();
    }
  });
});

describe('two reminder jobs on the SharePoint store', () => {
  it('send each reminder once, with every instance on its own Graph connection', async () => {
    const fixture = await startGraphFixture({ retry: { baseDelayMs: 1, maxDelayMs: 20 } });
    // The notifiers send to the fixture's emulator; the test's own is closed after the test.
    const own = emulator;
    try {
      declareActivityTypes(fixture.emulator, manifestTypes());
      emulator = fixture.emulator;
      for (const owner of ['owner-1', 'owner-2'])
        await storeCarInState(fixture.repository, 'implementing', {
          actionDueDate: localDate('2026-12-03'),
          actionOwner: { id: owner, name: owner },
        });
      let now = new Date('2026-12-01T08:00:00.000Z');
      const clock = { now: () => new Date(now) };
      const instance = async (): Promise<ReminderJob> => {
        const lists = new SharePointListClient(
          createGraphConnection({
            baseUrl: fixture.emulator.url,
            accessToken: () => Promise.resolve('emulator-token'),
            retry: { baseDelayMs: 1, maxDelayMs: 20 },
          }),
          fixture.emulator.site.id,
        );
        return new ReminderJob({
          store: await openGraphStateStore(lists),
          scan: new GraphCarScan(lists, await resolveRectifyLists(lists)),
          clock,
          timeZone: 'UTC',
          calendar: new WorkingCalendar(),
          settings: DEFAULT_REMINDER_SETTINGS,
          recipients: { mrIds: ['mr-1'], committeeIds: [] },
          channels: [notifier()],
        });
      };
      const a = await instance();
      const b = await instance();
      for (const day of ['01', '04', '10']) {
        now = new Date(`2026-12-${day}T08:00:00.000Z`);
        await Promise.all([a.tick(), b.tick()]);
        await Promise.all([a.tick(), b.tick()]);
      }
      const sent = sentActivities(fixture.emulator).map(
        (s) => `${s.userId} ${String(s.body.activityType)}`,
      );
      expect(sent.sort()).toEqual([
        'mr-1 actionEscalated',
        'mr-1 actionEscalated',
        'owner-1 actionDueSoon',
        'owner-1 actionOverdue',
        'owner-2 actionDueSoon',
        'owner-2 actionOverdue',
      ]);
    } finally {
      emulator = own;
      await fixture.close();
    }
  });
});
