import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { linkKey } from '../../src/application/task-sync.js';
import { PEOPLE, makeWorld, type World } from '../application/task-sync-world.js';
import type { GraphEmulator } from './emulator/graph-emulator.js';
import { plannerOf, type EmulatedTask } from './emulator/planner-routes.js';
import { startPlanner } from './planner-fixture.js';

/**
 * TaskSync against Planner on the Graph emulator, with the emulator's faults: a gateway timeout
 * after Planner made the task, Planner unavailable for a while, two workers at once.
 */

let emulator: GraphEmulator;
let planId: string;
let world: World;
let connect: Awaited<ReturnType<typeof startPlanner>>['connect'];

beforeEach(async () => {
  const planner = await startPlanner(2);
  emulator = planner.emulator;
  planId = planner.planId;
  connect = planner.connect;
  world = makeWorld(() => planner.board);
});
afterEach(async () => {
  world.close();
  await emulator.close();
});

const tasksInPlan = (): EmulatedTask[] => plannerOf(emulator).tasksOf(planId);
const titles = (): string[] =>
  tasksInPlan()
    .map((t) => t.title)
    .sort();
const MINUTE = 60_000;

describe('TaskSync with Planner faults', () => {
  it('a 504 after Planner made the task leaves exactly one task, with its details', async () => {
    const stored = await world.carWithActions('major_nc', [
      { title: 'Check badges', steps: ['Write it down'] },
    ]);
    const action = stored.car.actions[0];
    if (!action) throw new Error('setup');
    const sync = world.sync();
    emulator.fail({
      status: 504,
      method: 'POST',
      pathIncludes: '/planner/tasks',
      afterWrite: true,
    });

    const first = await sync.tick();
    expect(first.failed).toBe(1);
    expect(tasksInPlan()).toHaveLength(1); // Planner did make it
    expect(await world.state.get(linkKey(stored.car.id, action.id))).toBeNull();

    world.clock.advance(MINUTE);
    const second = await sync.tick();
    expect(second.delivered).toBe(1);
    expect(tasksInPlan()).toHaveLength(1);
    const [task] = tasksInPlan();
    expect(task?.title).toBe(`${stored.car.number ?? ''} · A1 · Check badges`);
    expect(Object.values(task?.checklist ?? {}).map((c) => c.title)).toEqual(['Write it down']);
    expect(Object.keys(task?.assignments ?? {})).toEqual([PEOPLE.owner.id]);
    const link = await world.state.get(linkKey(stored.car.id, action.id));
    expect((link?.value as { taskId: string }).taskId).toBe(task?.id);

    world.clock.advance(MINUTE);
    await sync.tick();
    expect(tasksInPlan()).toHaveLength(1);
  });

  it('a 504 after Planner completed the task still completes the action once', async () => {
    const stored = await world.carWithActions('minor_nc', [{ title: 'Only' }]);
    const action = stored.car.actions[0];
    if (!action) throw new Error('setup');
    const sync = world.sync();
    await sync.tick();
    await world.run(PEOPLE.owner, stored.car.id, {
      op: 'completeAction',
      actionId: action.id,
      note: '',
    });
    emulator.fail({
      status: 504,
      method: 'PATCH',
      pathIncludes: '/planner/tasks',
      afterWrite: true,
    });
    await sync.tick();
    world.clock.advance(MINUTE);
    await sync.tick();
    expect(tasksInPlan().map((t) => t.percentComplete)).toEqual([100]);
    const completions = (await world.repository.history(stored.car.id)).filter(
      (e) => e.operation === 'completeAction' && e.changes.some((c) => c.field.endsWith('.status')),
    );
    expect(completions).toHaveLength(1);
  });

  it('Planner unavailable for a while: nothing is lost, every task appears when it returns', async () => {
    const sync = world.sync();
    const before = await world.carWithActions('major_nc', [
      { title: 'First' },
      { title: 'Second' },
    ]);
    await sync.tick();
    expect(tasksInPlan()).toHaveLength(2);

    emulator.fail({
      status: 503,
      pathIncludes: '/planner/',
      retryAfterSeconds: 0,
      times: Infinity,
    });
    const during = await world.carWithActions('ofi', [{ title: 'Third' }, { title: 'Fourth' }]);
    await world.run(PEOPLE.owner, before.car.id, {
      op: 'completeAction',
      actionId: before.car.actions[0]?.id ?? '',
      note: 'done while Planner was away',
    });
    let failures = 0;
    for (let i = 0; i < 6; i += 1) {
      const report = await sync.tick({ poll: false });
      failures += report.failed;
      world.clock.advance(MINUTE);
    }
    expect(failures).toBeGreaterThan(0);
    expect(tasksInPlan()).toHaveLength(2);

    emulator.clearFaults();
    world.clock.advance(10 * MINUTE);
    await sync.tick();
    const n = (s: typeof before) => s.car.number ?? '';
    expect(titles()).toEqual(
      [
        `${n(before)} · A1 · First`,
        `${n(before)} · A2 · Second`,
        `${n(during)} · A1 · Third`,
        `${n(during)} · A2 · Fourth`,
      ].sort(),
    );
    const first = tasksInPlan().find((t) => t.title.endsWith('First'));
    expect(first?.percentComplete).toBe(100);
  });

  it('two workers on two instances at once make one task per action', async () => {
    emulator.latencyMs = 3;
    const cars = [];
    for (let i = 0; i < 3; i += 1)
      cars.push(await world.carWithActions('minor_nc', [{ title: `A${i}` }, { title: `B${i}` }]));
    const one = world.sync({ workerId: 'one' });
    const two = world.sync({ workerId: 'two', board: connect() });
    for (let round = 0; round < 3; round += 1) {
      await Promise.all([one.tick(), two.tick()]);
      world.clock.advance(MINUTE);
    }
    expect(tasksInPlan()).toHaveLength(6);
    expect(new Set(titles()).size).toBe(6);
  });

  it('completion on Planner comes back as the completed action, with who did it', async () => {
    const stored = await world.carWithActions('major_nc', [{ title: 'Only' }]);
    const sync = world.sync();
    await sync.tick();
    const [task] = tasksInPlan();
    if (!task) throw new Error('setup');
    plannerOf(emulator).setProgress(task.id, 100, PEOPLE.owner.id);
    await sync.tick();
    const after = await world.get(stored.car.id);
    expect(after.car.actions[0]?.status).toBe('done');
    const entry = (await world.repository.history(stored.car.id)).find(
      (e) => e.operation === 'completeAction',
    );
    expect(entry?.actor.name).toBe('Planner, completed by Sam Taylor');
  });
});
