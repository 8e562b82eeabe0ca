import { describe, expect, it } from '@jest/globals';
import {
  decodeReferenceKey,
  encodeReferenceKey,
} from '../../src/infrastructure/graph/planner-task-board.js';
import { describeTaskBoardContract } from '../contract/task-board.contract.js';
import { plannerOf } from './emulator/planner-routes.js';
import { startPlanner } from './planner-fixture.js';

describeTaskBoardContract('PlannerTaskBoard on the Graph emulator', async () => {
  const { emulator, board, planId } = await startPlanner();
  const planner = plannerOf(emulator);
  return {
    board,
    completeAs: (taskId, personId) => {
      planner.setProgress(taskId, 100, personId);
      return Promise.resolve();
    },
    bucketNames: () =>
      Promise.resolve(
        [...planner.buckets.values()].filter((b) => b.planId === planId).map((b) => b.name),
      ),
    close: () => emulator.close(),
  };
});

describe('PlannerTaskBoard', () => {
  it('keys references as Planner does, and reads them back', () => {
    const url = 'https://teams.microsoft.com/l/entity/a.b/rectify?context=%7B%7D#x@y';
    const key = encodeReferenceKey(url);
    expect(key).not.toMatch(/[.:@#]/);
    expect(decodeReferenceKey(key)).toBe(url);
  });

  it('sends If-Match on every update and Prefer: return=representation', async () => {
    const { emulator, board } = await startPlanner();
    try {
      const buckets = await board.ensureBuckets();
      const task = await board.createTask({
        bucketId: buckets.training,
        title: 'CAR-2026-0001 · A1 · Train',
        assigneeIds: ['u1'],
        dueDate: '2026-12-01',
        priority: 5,
      });
      emulator.resetLog();
      const updated = await board.updateTask(task.id, task.etag, { percentComplete: 50 });
      expect(updated.percentComplete).toBe(50);
      expect(emulator.log.map((r) => `${r.method} ${r.status}`)).toEqual(['PATCH 200']);
    } finally {
      await emulator.close();
    }
  });

  it('answers Planner limits as failures and creates nothing', async () => {
    const { emulator, board, planId } = await startPlanner();
    try {
      const buckets = await board.ensureBuckets();
      plannerOf(emulator).maxTasksPerPlan = 0;
      await expect(
        board.createTask({
          bucketId: buckets.corrective,
          title: 'CAR-2026-0001 · A1 · Fix',
          assigneeIds: [],
          dueDate: null,
          priority: 5,
        }),
      ).rejects.toMatchObject({ status: 403, code: 'MaximumTasksInProject' });
      expect(plannerOf(emulator).tasksOf(planId)).toHaveLength(0);
    } finally {
      await emulator.close();
    }
  });
});
