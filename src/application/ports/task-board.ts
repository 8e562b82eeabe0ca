/**
 * A board of tasks that people work from: Microsoft Planner, or the local board in the embedded
 * store. Rectify puts each CAR action (and each effectiveness check) on it as a task, and reads
 * back when a task is done.
 *
 * The shape follows Planner where it matters: every task and its details have an etag, every
 * change carries the etag the caller read (If-Match) and fails with `TASK.CONFLICT` when someone
 * changed it first, and a task is complete at 100 percent. Boards have no unique keys, so a task
 * carries a marker at the start of its title (`CAR-2026-0007 · A2 · `): a create that may already
 * have happened (a crash, a gateway timeout) looks for its marker before creating again.
 */

export const BUCKET_KINDS = ['corrective', 'training', 'effectiveness'] as const;
export type BucketKind = (typeof BUCKET_KINDS)[number];

/** Bucket names on the board; a missing bucket is created with this name. */
export const BUCKET_NAMES: Readonly<Record<BucketKind, string>> = {
  corrective: 'Corrective actions',
  training: 'Training',
  effectiveness: 'Effectiveness checks',
};

export type BucketIds = Readonly<Record<BucketKind, string>>;

/** Planner priorities: 1 urgent, 3 important, 5 medium, 9 low. */
export type TaskPriority = 1 | 3 | 5 | 9;

export interface BoardTask {
  readonly id: string;
  readonly etag: string;
  readonly bucketId: string;
  readonly title: string;
  /** Entra object ids. */
  readonly assigneeIds: readonly string[];
  /** YYYY-MM-DD, or null for none. */
  readonly dueDate: string | null;
  readonly priority: number;
  readonly percentComplete: number;
  readonly completedAt: string | null;
  /** Entra object id of whoever completed it. */
  readonly completedBy: string | null;
}

export interface ChecklistItem {
  readonly id: string;
  readonly title: string;
  readonly isChecked: boolean;
}

export interface TaskReference {
  /** The plain URL (the board adapter encodes it as the board needs). */
  readonly url: string;
  readonly alias: string;
}

export interface TaskDetails {
  readonly taskId: string;
  readonly etag: string;
  readonly description: string;
  readonly checklist: readonly ChecklistItem[];
  readonly references: readonly TaskReference[];
}

export interface NewTask {
  readonly bucketId: string;
  /** Starts with the marker. */
  readonly title: string;
  readonly assigneeIds: readonly string[];
  readonly dueDate: string | null;
  readonly priority: TaskPriority;
}

export interface TaskChange {
  readonly title?: string | undefined;
  readonly dueDate?: string | null | undefined;
  readonly assigneeIds?: readonly string[] | undefined;
  readonly priority?: TaskPriority | undefined;
  readonly percentComplete?: number | undefined;
}

export interface DetailsChange {
  readonly description?: string | undefined;
  /** The whole checklist, by title: kept items keep their checked state, others are removed. */
  readonly checklist?: readonly string[] | undefined;
  /** The whole set of references. */
  readonly references?: readonly TaskReference[] | undefined;
}

export interface TaskPage {
  readonly tasks: readonly BoardTask[];
  /** Opaque; null on the last page. */
  readonly next: string | null;
}

export interface TaskBoard {
  /** Which board this is, for names and logs ("Planner", "local board"). */
  readonly name: string;
  /** Finds the three buckets, creating the missing ones. */
  ensureBuckets(): Promise<BucketIds>;
  /** One request to the board: the caller looks for the marker first (`findByMarker`). */
  createTask(task: NewTask): Promise<BoardTask>;
  /** The task whose title starts with `marker`, or null (the oldest one if there are several). */
  findByMarker(marker: string): Promise<BoardTask | null>;
  getTask(id: string): Promise<BoardTask | null>;
  getDetails(taskId: string): Promise<TaskDetails>;
  /** Fails with `TASK.CONFLICT` when `ifMatch` is stale and `TASK.NOT_FOUND` when it is gone. */
  updateTask(id: string, ifMatch: string, change: TaskChange): Promise<BoardTask>;
  updateDetails(taskId: string, ifMatch: string, change: DetailsChange): Promise<TaskDetails>;
  /** One page of the plan's tasks; pass `next` back for the following page. */
  listTasks(next?: string | null): Promise<TaskPage>;
}

/** Every task of the plan, following the pages. */
export async function allTasks(board: TaskBoard): Promise<BoardTask[]> {
  const tasks: BoardTask[] = [];
  let next: string | null = null;
  do {
    const page = await board.listTasks(next);
    tasks.push(...page.tasks);
    next = page.next;
  } while (next !== null);
  return tasks;
}

/** Keeps checked items checked when the steps are written again. */
export function mergeChecklist(
  current: readonly ChecklistItem[],
  titles: readonly string[],
): { title: string; isChecked: boolean }[] {
  return titles.map((title) => ({
    title,
    isChecked: current.find((c) => c.title === title)?.isChecked ?? false,
  }));
}
