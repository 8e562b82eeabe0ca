import { Router, type Response } from 'express';
import { z } from 'zod';
import type { BoardTask, TaskChange, TaskDetails } from '../application/ports/task-board.js';
import { RectifyError } from '../domain/errors.js';
import { isManagementRepresentative } from '../domain/identity.js';
import { principalOf } from './authenticate.js';
import { validationError } from './problem.js';

/**
 * The local task board over HTTP (TASK_BOARD=local), where people without Planner see and
 * complete their tasks: `GET /board/tasks?assignee=me` and `PATCH /board/tasks/{id}` with
 * If-Match. A person sees and changes the tasks assigned to them; the MR sees and changes all.
 * Completing a task here comes back into the CAR through TaskSync, like a Planner task.
 */

/** What the routes need of the local board (LocalTaskBoard has it). */
export interface LocalBoardAccess {
  tasksAssignedTo(personId: string): BoardTask[];
  getTaskNow(id: string): BoardTask;
  getDetails(taskId: string): Promise<TaskDetails>;
  updateTaskAs(id: string, ifMatch: string, change: TaskChange, by: string): BoardTask;
}

export const BoardTaskListQuerySchema = z
  .object({
    assignee: z.string().trim().min(1).max(128).default('me').meta({
      description: "`me`, or a person's id (the MR only)",
    }),
  })
  .strict();

export const BoardTaskPatchSchema = z
  .object({ percentComplete: z.number().int().min(0).max(100) })
  .strict()
  .meta({ id: 'BoardTaskPatch', description: 'Progress of a task on the local board' });

export const BoardTaskPathSchema = z.object({
  id: z.string().meta({ description: 'The task id on the local board' }),
});

// ---- what the routes answer, for the OpenAPI document ---------------------------------

export const BoardTaskSchema = z
  .object({
    id: z.string(),
    etag: z.string(),
    bucketId: z.string(),
    title: z.string(),
    assigneeIds: z.array(z.string()),
    dueDate: z.string().nullable().meta({ format: 'date' }),
    priority: z.number().int(),
    percentComplete: z.number().int(),
    completedAt: z.string().nullable(),
    completedBy: z.string().nullable(),
    description: z.string(),
    checklist: z.array(z.object({ id: z.string(), title: z.string(), isChecked: z.boolean() })),
    references: z.array(z.object({ url: z.string(), alias: z.string() })),
  })
  .meta({ id: 'BoardTask', description: 'A task on the local board with its details' });

export const BoardTaskListSchema = z
  .object({ items: z.array(BoardTaskSchema) })
  .meta({ id: 'BoardTaskList' });

const toResource = (task: BoardTask, details: TaskDetails): z.infer<typeof BoardTaskSchema> => ({
  ...task,
  assigneeIds: [...task.assigneeIds],
  description: details.description,
  checklist: details.checklist.map((c) => ({ ...c })),
  references: details.references.map((r) => ({ ...r })),
});

const send = (res: Response, task: BoardTask, details: TaskDetails): void => {
  res.setHeader('ETag', task.etag).json(toResource(task, details));
};

export function taskBoardRouter(board: LocalBoardAccess): Router {
  const router = Router();

  router.get('/board/tasks', async (req, res) => {
    const parsed = BoardTaskListQuerySchema.safeParse(req.query);
    if (!parsed.success) throw validationError(parsed.error, 'query');
    const p = principalOf(res);
    const assignee = parsed.data.assignee === 'me' ? p.id : parsed.data.assignee;
    if (assignee !== p.id && !isManagementRepresentative(p))
      throw new RectifyError('AUTH.FORBIDDEN', { assignee });
    const tasks = board.tasksAssignedTo(assignee);
    const items = await Promise.all(
      tasks.map(async (t) => toResource(t, await board.getDetails(t.id))),
    );
    res.json({ items });
  });

  router.patch('/board/tasks/:id', async (req, res) => {
    const p = principalOf(res);
    const id = req.params.id;
    let current: BoardTask;
    try {
      current = board.getTaskNow(id);
    } catch (e) {
      if (e instanceof RectifyError) throw new RectifyError('TASK.NOT_FOUND', { id });
      throw e;
    }
    // Someone else's task answers 404, as another person's CAR does.
    if (!current.assigneeIds.includes(p.id) && !isManagementRepresentative(p))
      throw new RectifyError('TASK.NOT_FOUND', { id });
    const parsed = BoardTaskPatchSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw validationError(parsed.error, 'body');
    const ifMatch = req.get('if-match')?.trim();
    if (!ifMatch || ifMatch === '*') throw new RectifyError('TASK.PRECONDITION_REQUIRED');
    const updated = board.updateTaskAs(id, ifMatch, parsed.data, p.id);
    send(res, updated, await board.getDetails(id));
  });

  return router;
}
