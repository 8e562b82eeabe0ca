import { Router } from 'express';
import { z } from 'zod';
import type { CarService } from '../application/car-service.js';
import type { StateStore } from '../application/ports/state-store.js';
import {
  BUCKET_KINDS,
  type BoardTask,
  type BucketIds,
  type BucketKind,
  type TaskBoard,
} from '../application/ports/task-board.js';
import { linkKey } from '../application/task-sync.js';
import { principalOf } from './authenticate.js';

export interface CarTasksRouterDeps {
  readonly carService: CarService;
  /** Where the task sync keeps its links `task-link:<carId>:<actionId>`. */
  readonly state: StateStore;
  readonly board: TaskBoard;
  /**
   * Where a person opens a task: the Planner web address for Planner, the tab's own board view
   * for the local board. Given by the composition root, which knows the tenant and the plan.
   */
  readonly taskUrl: (task: BoardTask) => string;
}

/** One action's task as the tab shows it: live from the board, not from the CAR. */
export interface ActionTask {
  readonly actionId: string;
  readonly actionTitle: string;
  /** Null while the task sync has not put the action on the board yet. */
  readonly task: {
    readonly board: string;
    readonly id: string;
    readonly title: string;
    readonly bucket: BucketKind | null;
    readonly percentComplete: number;
    readonly completedAt: string | null;
    readonly url: string;
  } | null;
}

/** The answer of `GET /cars/{idOrNumber}/tasks`, for the OpenAPI document. */
export const CarTasksSchema = z
  .object({
    items: z.array(
      z.object({
        actionId: z.string(),
        actionTitle: z.string(),
        task: z
          .object({
            board: z.string().meta({ description: '"Planner" or "local board"' }),
            id: z.string(),
            title: z.string(),
            bucket: z.enum(BUCKET_KINDS).nullable(),
            percentComplete: z.number().int(),
            completedAt: z.string().nullable(),
            url: z.string().meta({ description: 'Where a person opens the task' }),
          })
          .nullable()
          .meta({ description: 'Null while the task sync has not put the action on the board' }),
      }),
    ),
  })
  .meta({ id: 'CarTasks' });

// Only the part of the task sync's link this route needs; the rest is the sync's own business.
const LinkTaskId = z.object({ taskId: z.string().min(1) });

/**
 * `GET /cars/:idOrNumber/tasks`: each action of the CAR with its board task and live status.
 * Whoever may view the CAR may read it (CarService.get checks; another person's CAR is 404).
 */
export function carTasksRouter(deps: CarTasksRouterDeps): Router {
  const router = Router();
  let buckets: BucketIds | null = null;

  const bucketOf = async (bucketId: string): Promise<BucketKind | null> => {
    buckets ??= await deps.board.ensureBuckets();
    const ids = buckets;
    return BUCKET_KINDS.find((k) => ids[k] === bucketId) ?? null;
  };

  router.get('/cars/:idOrNumber/tasks', async (req, res) => {
    const stored = await deps.carService.get(principalOf(res), req.params.idOrNumber);
    const car = stored.car.toPrimitives();
    const items: ActionTask[] = [];
    for (const action of car.actions) {
      const record = await deps.state.get(linkKey(car.id, action.id));
      const link = record ? LinkTaskId.safeParse(record.value) : null;
      const task = link?.success ? await deps.board.getTask(link.data.taskId) : null;
      items.push({
        actionId: action.id,
        actionTitle: action.title,
        task: task && {
          board: deps.board.name,
          id: task.id,
          title: task.title,
          bucket: await bucketOf(task.bucketId),
          percentComplete: task.percentComplete,
          completedAt: task.completedAt,
          url: deps.taskUrl(task),
        },
      });
    }
    res.setHeader('Cache-Control', 'no-store');
    res.json({ items });
  });

  return router;
}
