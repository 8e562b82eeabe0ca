import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { CarService } from '../../src/application/car-service.js';
import { allTasks, type BoardTask } from '../../src/application/ports/task-board.js';
import { carDeepLink, linkKey, startTaskSync } from '../../src/application/task-sync.js';
import { DEFAULT_SERVICE_LEVELS } from '../../src/domain/calendar/service-levels.js';
import { WorkingCalendar } from '../../src/domain/calendar/working-calendar.js';
import { RectifyError } from '../../src/domain/errors.js';
import { TASK_BOARD_PRINCIPAL_ID } from '../../src/domain/identity.js';
import { LocalTaskBoard } from '../../src/infrastructure/sqlite/local-task-board.js';
import { PEOPLE, TEAMS_APP_ID, makeWorld, silentLogger, type World } from './task-sync-world.js';

let world: World;

beforeEach(() => {
  world = makeWorld();
});
afterEach(() => {
  world.close();
});

const localBoard = (): LocalTaskBoard => {
  if (!(world.board instanceof LocalTaskBoard)) throw new Error('not the local board');
  return world.board;
};

const taskOf = async (carId: string, actionId: string): Promise<BoardTask> => {
  const link = await world.state.get(linkKey(carId, actionId));
  const taskId = (link?.value as { taskId?: string } | undefined)?.taskId;
  if (!taskId) throw new Error(`no task for ${carId}/${actionId}`);
  const task = await world.board.getTask(taskId);
  if (!task) throw new Error(`task ${taskId} is gone`);
  return task;
};

/** A person ticks the task done on the local board. */
const completeOnBoard = async (task: BoardTask, by: string): Promise<void> => {
  localBoard().updateTaskAs(task.id, task.etag, { percentComplete: 100 }, by);
  await Promise.resolve();
};

describe('TaskSync on the local board', () => {
  it('puts every action on the board with number, owner, due date, priority, details and link', async () => {
    const stored = await world.carWithActions('major_nc', [
      {
        title: 'Check badges at the exit',
        description: 'Reception checks every visitor badge.',
        steps: ['Write the check into the procedure', 'Brief reception'],
      },
      { kind: 'training', title: 'Train reception staff', owner: PEOPLE.otherOwner },
    ]);
    const car = stored.car.toPrimitives();
    await world.sync().tick();

    const buckets = await world.board.ensureBuckets();
    const tasks = await allTasks(world.board);
    expect(tasks).toHaveLength(2);
    const [a1, a2] = car.actions;
    if (!a1 || !a2 || !car.number) throw new Error('setup');
    const t1 = await taskOf(car.id, a1.id);
    expect(t1).toMatchObject({
      title: `${car.number} · A1 · Check badges at the exit`,
      assigneeIds: [PEOPLE.owner.id],
      dueDate: a1.dueDate,
      priority: 1,
      bucketId: buckets.corrective,
      percentComplete: 0,
    });
    const d1 = await world.board.getDetails(t1.id);
    expect(d1.description).toBe('Reception checks every visitor badge.');
    expect(d1.checklist.map((c) => c.title)).toEqual([
      'Write the check into the procedure',
      'Brief reception',
    ]);
    const link =
      carDeepLink({ teamsAppId: TEAMS_APP_ID, entityId: 'rectify', webUrl: null }, car.number) ??
      'no link';
    expect(d1.references).toEqual([{ url: link, alias: `${car.number} in Rectify` }]);
    const url = new URL(link);
    expect(url.origin + url.pathname).toBe(
      `https://teams.microsoft.com/l/entity/${TEAMS_APP_ID}/rectify`,
    );
    expect(JSON.parse(url.searchParams.get('context') ?? '{}')).toEqual({
      subEntityId: car.number,
    });

    const t2 = await taskOf(car.id, a2.id);
    expect(t2).toMatchObject({
      title: `${car.number} · A2 · Train reception staff`,
      assigneeIds: [PEOPLE.otherOwner.id],
      bucketId: buckets.training,
    });
  });

  it('maps the classification to the priority: major 1, minor 3, OFI 5', async () => {
    const major = await world.carWithActions('major_nc', [{ title: 'Major' }]);
    const minor = await world.carWithActions('minor_nc', [{ title: 'Minor' }]);
    const ofi = await world.carWithActions('ofi', [{ title: 'OFI' }]);
    await world.sync().tick();
    const priorityOf = async (s: typeof major) =>
      (await taskOf(s.car.id, s.car.actions[0]?.id ?? '')).priority;
    expect([await priorityOf(major), await priorityOf(minor), await priorityOf(ofi)]).toEqual([
      1, 3, 5,
    ]);
  });

  it('makes each task once, however often the feed is read and whichever worker reads it', async () => {
    await world.carWithActions('minor_nc', [{ title: 'One' }, { title: 'Two' }]);
    const first = world.sync();
    const second = world.sync();
    await Promise.all([first.tick(), second.tick()]);
    await first.tick();
    await second.tick();
    expect(await allTasks(world.board)).toHaveLength(2);
  });

  it('completes the action in the CAR when the task is ticked done on the board, in the audit trail', async () => {
    const stored = await world.carWithActions('minor_nc', [{ title: 'Check badges' }]);
    const action = stored.car.actions[0];
    if (!action) throw new Error('setup');
    const sync = world.sync();
    await sync.tick();
    await completeOnBoard(await taskOf(stored.car.id, action.id), PEOPLE.owner.id);

    const report = await sync.tick();
    expect(report.completedFromBoard).toBe(1);
    const after = await world.get(stored.car.id);
    expect(after.car.actions[0]?.status).toBe('done');
    const history = await world.repository.history(stored.car.id);
    const entry = history.find((e) => e.operation === 'completeAction');
    expect(entry?.actor.id).toBe(TASK_BOARD_PRINCIPAL_ID);
    expect(entry?.actor.name).toBe('local board, completed by Sam Taylor');

    // Nothing more happens on later rounds.
    expect((await sync.tick()).completedFromBoard).toBe(0);
    expect((await world.repository.history(stored.car.id)).length).toBe(history.length);
  });

  it('completes the task when the action is completed in Rectify, or cancelled', async () => {
    const stored = await world.carWithActions('minor_nc', [
      { title: 'Done' },
      { title: 'Dropped' },
    ]);
    const [done, dropped] = stored.car.actions;
    if (!done || !dropped) throw new Error('setup');
    const sync = world.sync();
    await sync.tick();
    await world.run(PEOPLE.owner, stored.car.id, {
      op: 'completeAction',
      actionId: done.id,
      note: 'ok',
    });
    await world.run(PEOPLE.mr, stored.car.id, {
      op: 'cancelAction',
      actionId: dropped.id,
      reason: 'Not needed',
    });
    await sync.tick();
    expect((await taskOf(stored.car.id, done.id)).percentComplete).toBe(100);
    expect((await taskOf(stored.car.id, dropped.id)).percentComplete).toBe(100);
    // The board's change comes back, but the action is already done: no second completion.
    await sync.tick();
    const ops = (await world.repository.history(stored.car.id)).filter(
      (e) => e.operation === 'completeAction',
    );
    expect(new Set(ops.map((e) => e.sequence)).size).toBeGreaterThan(0);
    expect(ops.every((e) => e.actor.id === PEOPLE.owner.id)).toBe(true);
  });

  it('carries a changed title, due date and owner to the task', async () => {
    const stored = await world.carWithActions('ofi', [{ title: 'Old title' }]);
    const action = stored.car.actions[0];
    if (!action) throw new Error('setup');
    const sync = world.sync();
    await sync.tick();
    await world.run(PEOPLE.mr, stored.car.id, {
      op: 'updateAction',
      actionId: action.id,
      title: 'New title',
      dueDate: '2027-02-01',
      owner: { id: PEOPLE.otherOwner.id, name: PEOPLE.otherOwner.name },
      steps: ['First', 'Second'],
    });
    await sync.tick();
    const task = await taskOf(stored.car.id, action.id);
    expect(task).toMatchObject({
      title: `${stored.car.number ?? ''} · A1 · New title`,
      dueDate: '2027-02-01',
      assigneeIds: [PEOPLE.otherOwner.id],
    });
    expect((await world.board.getDetails(task.id)).checklist.map((c) => c.title)).toEqual([
      'First',
      'Second',
    ]);
    expect(await allTasks(world.board)).toHaveLength(1);
  });

  it('holds the gates: no verification while an action is open, no closure before an effective verification', async () => {
    const stored = await world.carWithActions('major_nc', [{ title: 'One' }, { title: 'Two' }]);
    const [one, two] = stored.car.actions;
    if (!one || !two) throw new Error('setup');
    const id = stored.car.id;
    const sync = world.sync();
    await sync.tick();
    await completeOnBoard(await taskOf(id, one.id), PEOPLE.owner.id);
    await sync.tick();
    await expect(world.run(PEOPLE.mr, id, { op: 'startVerification' })).rejects.toMatchObject({
      code: 'CAR.OPEN_ACTIONS',
    });

    await completeOnBoard(await taskOf(id, two.id), PEOPLE.owner.id);
    await sync.tick();
    const verifying = await world.run(PEOPLE.mr, id, { op: 'startVerification' });
    expect(verifying.car.state).toBe('verifying');
    await sync.tick();

    const buckets = await world.board.ensureBuckets();
    const check = await taskOf(id, 'effectiveness-1');
    expect(check).toMatchObject({
      title: `${stored.car.number ?? ''} · E1 · Check that the actions were effective`,
      bucketId: buckets.effectiveness,
      assigneeIds: [PEOPLE.mr.id],
      dueDate: verifying.car.toPrimitives().effectivenessDueDate,
      percentComplete: 0,
    });
    // Ticking the check done on the board does not verify the CAR: that needs evidence.
    await completeOnBoard(check, PEOPLE.mr.id);
    await sync.tick();
    expect((await world.get(id)).car.state).toBe('verifying');
    await expect(
      world.run(PEOPLE.mr, id, {
        op: 'close',
        summary: 'Done',
        ismsChangeNeeded: false,
        feedsManagementReview: false,
      }),
    ).rejects.toMatchObject({ code: 'CAR.NOT_VERIFIED_EFFECTIVE' });

    await world.run(PEOPLE.mr, id, {
      op: 'verifyEffectiveness',
      effective: true,
      evidence: 'No badge missing for a month.',
    });
    await sync.tick();
    expect((await taskOf(id, 'effectiveness-1')).percentComplete).toBe(100);
    const closed = await world.run(PEOPLE.mr, id, {
      op: 'close',
      summary: 'Done',
      ismsChangeNeeded: false,
      feedsManagementReview: false,
    });
    expect(closed.car.state).toBe('closed');
    expect(await allTasks(world.board)).toHaveLength(3);
  });

  it('completes the effectiveness check when the verification is recorded in Rectify', async () => {
    const stored = await world.carWithActions('minor_nc', [{ title: 'Only' }]);
    const id = stored.car.id;
    const sync = world.sync();
    await world.run(PEOPLE.owner, id, {
      op: 'completeAction',
      actionId: stored.car.actions[0]?.id ?? '',
      note: '',
    });
    await world.run(PEOPLE.mr, id, { op: 'startVerification' });
    await sync.tick();
    expect((await taskOf(id, 'effectiveness-1')).percentComplete).toBe(0);
    await world.run(PEOPLE.mr, id, {
      op: 'verifyEffectiveness',
      effective: false,
      evidence: 'It recurred.',
    });
    await sync.tick();
    expect((await taskOf(id, 'effectiveness-1')).percentComplete).toBe(100);
  });

  it('tries again on the next round when the CAR changed at the same moment (409)', async () => {
    const stored = await world.carWithActions('minor_nc', [{ title: 'Only' }]);
    const action = stored.car.actions[0];
    if (!action) throw new Error('setup');
    let conflicts = 1;
    class BusyCarService extends CarService {
      override execute(
        ...args: Parameters<CarService['execute']>
      ): ReturnType<CarService['execute']> {
        if (conflicts > 0) {
          conflicts -= 1;
          return Promise.reject(new RectifyError('CAR.CONFLICT'));
        }
        return super.execute(...args);
      }
    }
    const busy = new BusyCarService({
      repository: world.repository,
      clock: world.clock,
      newId: randomUUID,
      calendar: new WorkingCalendar({ weekendDays: [0, 6], holidays: [] }),
      serviceLevels: DEFAULT_SERVICE_LEVELS,
      timeZone: 'UTC',
    });
    const sync = world.sync({ carService: busy });
    await sync.tick();
    await completeOnBoard(await taskOf(stored.car.id, action.id), PEOPLE.owner.id);
    expect((await sync.tick()).completedFromBoard).toBe(0);
    expect((await world.get(stored.car.id)).car.actions[0]?.status).toBe('open');
    expect((await sync.tick()).completedFromBoard).toBe(1);
    expect((await world.get(stored.car.id)).car.actions[0]?.status).toBe('done');
  });

  it('runs in the background until stopped', async () => {
    const stored = await world.carWithActions('minor_nc', [{ title: 'Only' }]);
    const running = startTaskSync({
      carService: world.carService,
      repository: world.repository,
      board: world.board,
      state: world.state,
      feed: world.feed,
      clock: world.clock,
      logger: silentLogger(),
      deepLink: { teamsAppId: TEAMS_APP_ID, entityId: 'rectify', webUrl: null },
      intervalMs: 20,
      pollMs: 0,
    });
    const deadline = Date.now() + 5000;
    while ((await allTasks(world.board)).length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    await running.stop();
    expect(await allTasks(world.board)).toHaveLength(1);
    const task = await taskOf(stored.car.id, stored.car.actions[0]?.id ?? '');
    await completeOnBoard(task, PEOPLE.owner.id);
    await new Promise((r) => setTimeout(r, 100));
    // Stopped: the completion waits for the next start.
    expect((await world.get(stored.car.id)).car.actions[0]?.status).toBe('open');
  });
});
