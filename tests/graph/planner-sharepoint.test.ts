import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { CarService } from '../../src/application/car-service.js';
import { systemClock } from '../../src/application/ports/clock.js';
import { TaskSync } from '../../src/application/task-sync.js';
import { DEFAULT_SERVICE_LEVELS } from '../../src/domain/calendar/service-levels.js';
import { WorkingCalendar } from '../../src/domain/calendar/working-calendar.js';
import { createGraphConnection } from '../../src/infrastructure/graph/graph-client.js';
import { GraphAuditFeed } from '../../src/infrastructure/graph/graph-audit-feed.js';
import { resolveRectifyLists } from '../../src/infrastructure/graph/graph-list-car-repository.js';
import { openGraphStateStore } from '../../src/infrastructure/graph/graph-state-store.js';
import { PlannerTaskBoard } from '../../src/infrastructure/graph/planner-task-board.js';
import {
  PEOPLE,
  TEAMS_APP_ID,
  carWithActions,
  silentLogger,
} from '../application/task-sync-world.js';
import { plannerOf } from './emulator/planner-routes.js';
import { startGraphFixture, type GraphFixture } from './graph-fixture.js';

/**
 * SharePoint mode: CARs, audit trail and shared state in SharePoint lists, tasks in Planner,
 * all on one emulated tenant. The outbox entries and links are list items with unique keys.
 */

let fixture: GraphFixture;
let sync: () => Promise<TaskSync>;
let carService: CarService;
let planId: string;

beforeEach(async () => {
  fixture = await startGraphFixture();
  planId = plannerOf(fixture.emulator).addPlan().id;
  carService = new CarService({
    repository: fixture.repository,
    clock: systemClock,
    newId: randomUUID,
    calendar: new WorkingCalendar({ weekendDays: [0, 6], holidays: [] }),
    serviceLevels: DEFAULT_SERVICE_LEVELS,
    timeZone: 'UTC',
  });
  sync = async () =>
    new TaskSync({
      carService,
      repository: fixture.repository,
      board: new PlannerTaskBoard(
        createGraphConnection({
          baseUrl: fixture.emulator.url,
          accessToken: () => Promise.resolve('emulator-token'),
          retry: { baseDelayMs: 5, maxDelayMs: 50 },
        }),
        { planId },
      ),
      state: await openGraphStateStore(fixture.lists),
      feed: new GraphAuditFeed(fixture.lists, await resolveRectifyLists(fixture.lists)),
      clock: systemClock,
      logger: silentLogger(),
      deepLink: { teamsAppId: TEAMS_APP_ID, entityId: 'rectify', webUrl: null },
      retryBaseMs: 1,
      maxRetryMs: 1,
    });
});
afterEach(async () => {
  await fixture.close();
});

const tasks = () => plannerOf(fixture.emulator).tasksOf(planId);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('TaskSync in SharePoint mode with Planner', () => {
  it('puts each action on Planner once, through a 504 after the create, and brings completion back', async () => {
    const stored = await carWithActions(carService, fixture.repository, 'minor_nc', [
      { title: 'Check badges', steps: ['Write it down'] },
      { kind: 'training', title: 'Train reception' },
    ]);
    fixture.emulator.fail({
      status: 504,
      method: 'POST',
      pathIncludes: '/planner/tasks',
      afterWrite: true,
    });
    const one = await sync();
    const two = await sync();
    await Promise.all([one.tick(), two.tick()]);
    await pause(5);
    await Promise.all([one.tick(), two.tick()]);
    expect(
      tasks()
        .map((t) => t.title)
        .sort(),
    ).toEqual(
      [
        `${stored.car.number ?? ''} · A1 · Check badges`,
        `${stored.car.number ?? ''} · A2 · Train reception`,
      ].sort(),
    );
    expect(tasks().map((t) => t.priority)).toEqual([3, 3]);

    const first = tasks().find((t) => t.title.endsWith('Check badges'));
    if (!first) throw new Error('setup');
    plannerOf(fixture.emulator).setProgress(first.id, 100, PEOPLE.owner.id);
    await one.tick();
    const after = await fixture.repository.findById(stored.car.id);
    expect(after?.car.actions.map((a) => a.status)).toEqual(['done', 'open']);

    const second = stored.car.actions[1];
    if (!second || !after) throw new Error('setup');
    await carService.execute(PEOPLE.owner, stored.car.id, after.etag, {
      op: 'completeAction',
      actionId: second.id,
      note: '',
    });
    await two.tick();
    expect(tasks().map((t) => t.percentComplete)).toEqual([100, 100]);
    expect(tasks()).toHaveLength(2);
  });
});
