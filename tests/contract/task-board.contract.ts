/**
 * The behaviour every TaskBoard adapter must have. An adapter's test file calls
 * `describeTaskBoardContract('Name', makeBoard)`; each test gets a fresh, empty board.
 * `completeAs` plays a person ticking the task done on the board itself.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  BUCKET_NAMES,
  allTasks,
  type BucketIds,
  type TaskBoard,
} from '../../src/application/ports/task-board.js';
import { RectifyError, type ErrorCode } from '../../src/domain/errors.js';

export type MakeBoard = () => Promise<{
  board: TaskBoard;
  /** A person completes the task on the board (not through the adapter). */
  completeAs: (taskId: string, personId: string) => Promise<void>;
  /** The bucket names the board holds, with repeats. */
  bucketNames: () => Promise<string[]>;
  close: () => Promise<void>;
}>;

async function failureOf(promise: Promise<unknown>, code: ErrorCode): Promise<RectifyError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof RectifyError && e.code === code) return e;
    throw e;
  }
  throw new Error(`expected ${code}, but it succeeded`);
}

const OWNER = '6b1f7c52-4d9e-4f39-9a51-1f0f3c2f8a11';
const OTHER = '0d3c2e11-7a5b-4c8e-8f1e-2b9a6c4d7e22';
const LINK =
  'https://teams.microsoft.com/l/entity/app-id/rectify?context=%7B%22subEntityId%22%3A%22car%2F1%22%7D';

export function describeTaskBoardContract(name: string, make: MakeBoard): void {
  describe(`TaskBoard contract: ${name}`, () => {
    let fixture: Awaited<ReturnType<MakeBoard>>;
    let board: TaskBoard;
    let buckets: BucketIds;

    beforeEach(async () => {
      fixture = await make();
      board = fixture.board;
      buckets = await board.ensureBuckets();
    });
    afterEach(async () => {
      await fixture.close();
    });

    const aTask = (title = 'CAR-2026-0007 · A1 · Patch the firewall') =>
      board.createTask({
        bucketId: buckets.corrective,
        title,
        assigneeIds: [OWNER],
        dueDate: '2026-12-15',
        priority: 1,
      });

    it('creates the three buckets once, however often it is asked', async () => {
      const again = await board.ensureBuckets();
      expect(again).toEqual(buckets);
      const names = await fixture.bucketNames();
      expect(names.sort()).toEqual(Object.values(BUCKET_NAMES).sort());
    });

    it('creates a task with its fields and finds it by its marker', async () => {
      const task = await aTask();
      expect(task).toMatchObject({
        bucketId: buckets.corrective,
        title: 'CAR-2026-0007 · A1 · Patch the firewall',
        assigneeIds: [OWNER],
        dueDate: '2026-12-15',
        priority: 1,
        percentComplete: 0,
        completedAt: null,
        completedBy: null,
      });
      expect(task.etag).not.toBe('');
      expect(await board.getTask(task.id)).toEqual(task);
      expect(await board.findByMarker('CAR-2026-0007 · A1 · ')).toEqual(task);
      expect(await board.findByMarker('CAR-2026-0007 · A11 · ')).toBeNull();
      expect(await board.getTask('no-such-task')).toBeNull();
    });

    it('writes details: description, checklist that keeps ticks, references', async () => {
      const task = await aTask();
      const empty = await board.getDetails(task.id);
      expect(empty).toMatchObject({ description: '', checklist: [], references: [] });
      const d1 = await board.updateDetails(task.id, empty.etag, {
        description: 'Apply the vendor patch.',
        checklist: ['Download', 'Apply', 'Check'],
        references: [{ url: LINK, alias: 'CAR-2026-0007 in Rectify' }],
      });
      expect(d1.etag).not.toBe(empty.etag);
      expect(d1.description).toBe('Apply the vendor patch.');
      expect(d1.checklist.map((c) => c.title).sort()).toEqual(['Apply', 'Check', 'Download']);
      expect(d1.references).toEqual([{ url: LINK, alias: 'CAR-2026-0007 in Rectify' }]);
      expect(await board.getDetails(task.id)).toEqual(d1);

      const d2 = await board.updateDetails(task.id, d1.etag, { checklist: ['Apply', 'Report'] });
      expect(d2.checklist.map((c) => c.title).sort()).toEqual(['Apply', 'Report']);
      expect(d2.description).toBe('Apply the vendor patch.');
      expect(d2.references).toHaveLength(1);
    });

    it('refuses a stale If-Match on a task and on its details, and changes nothing', async () => {
      const task = await aTask();
      const moved = await board.updateTask(task.id, task.etag, { title: 'CAR-2026-0007 · A1 · X' });
      expect(moved.etag).not.toBe(task.etag);
      await failureOf(
        board.updateTask(task.id, task.etag, { percentComplete: 100 }),
        'TASK.CONFLICT',
      );
      expect(await board.getTask(task.id)).toEqual(moved);

      const details = await board.getDetails(task.id);
      await board.updateDetails(task.id, details.etag, { description: 'first' });
      await failureOf(
        board.updateDetails(task.id, details.etag, { description: 'second' }),
        'TASK.CONFLICT',
      );
      expect((await board.getDetails(task.id)).description).toBe('first');
    });

    it('updates title, due date, assignees and priority', async () => {
      const task = await aTask();
      const updated = await board.updateTask(task.id, task.etag, {
        title: 'CAR-2026-0007 · A1 · Patch both firewalls',
        dueDate: '2027-01-08',
        assigneeIds: [OTHER],
        priority: 3,
      });
      expect(updated).toMatchObject({
        title: 'CAR-2026-0007 · A1 · Patch both firewalls',
        dueDate: '2027-01-08',
        assigneeIds: [OTHER],
        priority: 3,
      });
      expect(await board.getTask(task.id)).toEqual(updated);
    });

    it('completes at 100 percent, with when and by whom', async () => {
      const task = await aTask();
      await fixture.completeAs(task.id, OWNER);
      const done = await board.getTask(task.id);
      expect(done?.percentComplete).toBe(100);
      expect(done?.completedBy).toBe(OWNER);
      expect(done?.completedAt).not.toBeNull();
      expect(done?.etag).not.toBe(task.etag);

      const other = await aTask('CAR-2026-0007 · A2 · Train the team');
      const byApp = await board.updateTask(other.id, other.etag, { percentComplete: 100 });
      expect(byApp.percentComplete).toBe(100);
      expect(byApp.completedAt).not.toBeNull();
    });

    it('refuses bad input and changes nothing', async () => {
      const task = await aTask();
      await expect(
        board.updateTask(task.id, task.etag, { percentComplete: 101 }),
      ).rejects.toBeDefined();
      await expect(
        board.createTask({
          bucketId: buckets.corrective,
          title: '   ',
          assigneeIds: [],
          dueDate: null,
          priority: 5,
        }),
      ).rejects.toBeDefined();
      expect(await board.getTask(task.id)).toEqual(task);
      expect(await allTasks(board)).toHaveLength(1);
    });

    it('lists every task of the plan across pages', async () => {
      const made = [];
      for (let i = 1; i <= 7; i += 1) made.push(await aTask(`CAR-2026-0001 · A${i} · Step ${i}`));
      const first = await board.listTasks();
      const all = await allTasks(board);
      expect(all.map((t) => t.id).sort()).toEqual(made.map((t) => t.id).sort());
      expect(first.tasks.length).toBeLessThanOrEqual(7);
    });
  });
}
