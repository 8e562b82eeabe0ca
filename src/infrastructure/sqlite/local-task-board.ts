import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { z } from 'zod';
import {
  BUCKET_KINDS,
  BUCKET_NAMES,
  mergeChecklist,
  type BoardTask,
  type BucketIds,
  type BucketKind,
  type ChecklistItem,
  type DetailsChange,
  type NewTask,
  type TaskBoard,
  type TaskChange,
  type TaskDetails,
  type TaskPage,
  type TaskReference,
} from '../../application/ports/task-board.js';
import { RectifyError } from '../../domain/errors.js';

interface TaskRow {
  id: string;
  seq: number;
  bucket_id: string;
  title: string;
  assignee_ids: string;
  due_date: string | null;
  priority: number;
  percent_complete: number;
  completed_at: string | null;
  completed_by: string | null;
  version: number;
  created_at: string;
  description: string;
  checklist: string;
  refs: string;
  details_version: number;
}

const MAX_TITLE = 255;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const Ids = z.array(z.string());
const Checklist = z.array(z.object({ id: z.string(), title: z.string(), isChecked: z.boolean() }));
const References = z.array(z.object({ url: z.string(), alias: z.string() }));

const taskEtag = (row: TaskRow): string => `W/"t${row.id}.${row.version}"`;
const detailsEtag = (row: TaskRow): string => `W/"d${row.id}.${row.details_version}"`;

/** Runs synchronous work as a promise: a failure rejects rather than throws. */
function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (e) {
    return Promise.reject(e instanceof Error ? e : new Error(String(e)));
  }
}

const invalid = (field: string, reason: string): RectifyError =>
  new RectifyError('REQUEST.VALIDATION', { field, reason });

function checkTitle(title: string): string {
  const t = title.trim();
  if (t === '') throw invalid('title', 'required');
  if (t.length > MAX_TITLE) throw invalid('title', `at most ${MAX_TITLE} characters`);
  return t;
}

function checkDue(due: string | null): string | null {
  if (due !== null && !(DATE.test(due) && !Number.isNaN(Date.parse(`${due}T00:00:00Z`))))
    throw invalid('dueDate', 'YYYY-MM-DD or null');
  return due;
}

function checkPercent(p: number): number {
  if (!Number.isInteger(p) || p < 0 || p > 100)
    throw invalid('percentComplete', 'a whole number from 0 to 100');
  return p;
}

function checkPriority(p: number): number {
  if (!Number.isInteger(p) || p < 0 || p > 10) throw invalid('priority', 'from 0 to 10');
  return p;
}

function toTask(row: TaskRow): BoardTask {
  return {
    id: row.id,
    etag: taskEtag(row),
    bucketId: row.bucket_id,
    title: row.title,
    assigneeIds: Ids.parse(JSON.parse(row.assignee_ids)),
    dueDate: row.due_date,
    priority: row.priority,
    percentComplete: row.percent_complete,
    completedAt: row.completed_at,
    completedBy: row.completed_by,
  };
}

function toDetails(row: TaskRow): TaskDetails {
  return {
    taskId: row.id,
    etag: detailsEtag(row),
    description: row.description,
    checklist: Checklist.parse(JSON.parse(row.checklist)),
    references: References.parse(JSON.parse(row.refs)),
  };
}

export interface LocalTaskBoardOptions {
  /** Who Rectify itself is when it completes a task (recorded as the completer). */
  readonly appId?: string | undefined;
  readonly pageSize?: number | undefined;
  readonly clock?: (() => Date) | undefined;
}

/**
 * The task board kept in the embedded store, for people who have no Planner: the same rules as
 * Planner (etags on tasks and details, If-Match on every change, a stale etag fails with
 * `TASK.CONFLICT`, 100 percent completes the task and records who and when). Several processes
 * may share the file: every change is one statement guarded by the version.
 */
export class LocalTaskBoard implements TaskBoard {
  readonly name = 'local board';
  private readonly appId: string;
  private readonly pageSize: number;
  private readonly clock: () => Date;

  constructor(
    private readonly db: Database,
    options: LocalTaskBoardOptions = {},
  ) {
    this.appId = options.appId ?? 'rectify';
    this.pageSize = options.pageSize ?? 100;
    this.clock = options.clock ?? (() => new Date());
  }

  ensureBuckets(): Promise<BucketIds> {
    return settle(() => this.ensureBucketsNow());
  }

  private ensureBucketsNow(): BucketIds {
    const insert = this.db.prepare<[string, string, string]>(
      'INSERT INTO board_buckets (id, name, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING',
    );
    const byName = this.db.prepare<[string], { id: string }>(
      'SELECT id FROM board_buckets WHERE name = ?',
    );
    const run = this.db.transaction((): BucketIds => {
      const ids = {} as Record<BucketKind, string>;
      for (const kind of BUCKET_KINDS) {
        insert.run(randomUUID(), BUCKET_NAMES[kind], this.clock().toISOString());
        const row = byName.get(BUCKET_NAMES[kind]);
        if (!row) throw new Error(`bucket ${BUCKET_NAMES[kind]} is missing`);
        ids[kind] = row.id;
      }
      return ids;
    });
    return run.immediate();
  }

  createTask(task: NewTask): Promise<BoardTask> {
    return settle(() => this.createTaskNow(task));
  }

  private createTaskNow(task: NewTask): BoardTask {
    const title = checkTitle(task.title);
    const due = checkDue(task.dueDate);
    checkPriority(task.priority);
    const bucket = this.db
      .prepare<[string], { id: string }>('SELECT id FROM board_buckets WHERE id = ?')
      .get(task.bucketId);
    if (!bucket) throw invalid('bucketId', 'no such bucket');
    const row = this.db
      .prepare<[string, string, string, string, string | null, number, string], TaskRow>(
        `INSERT INTO board_tasks (id, seq, bucket_id, title, assignee_ids, due_date, priority,
           percent_complete, completed_at, completed_by, version, created_at, description,
           checklist, refs, details_version)
         VALUES (?, (SELECT coalesce(max(seq), 0) + 1 FROM board_tasks), ?, ?, ?, ?, ?,
           0, NULL, NULL, 1, ?, '', '[]', '[]', 1)
         RETURNING *`,
      )
      .get(
        randomUUID(),
        task.bucketId,
        title,
        JSON.stringify([...new Set(task.assigneeIds)]),
        due,
        task.priority,
        this.clock().toISOString(),
      );
    if (!row) throw new Error('the task was not stored');
    return toTask(row);
  }

  findByMarker(marker: string): Promise<BoardTask | null> {
    const row = this.db
      .prepare<[string, string], TaskRow>(
        'SELECT * FROM board_tasks WHERE substr(title, 1, length(?)) = ? ORDER BY seq LIMIT 1',
      )
      .get(marker, marker);
    return Promise.resolve(row ? toTask(row) : null);
  }

  getTask(id: string): Promise<BoardTask | null> {
    const row = this.row(id);
    return Promise.resolve(row ? toTask(row) : null);
  }

  /** The task, or `TASK.NOT_FOUND`. */
  getTaskNow(id: string): BoardTask {
    const row = this.row(id);
    if (!row) throw new RectifyError('TASK.NOT_FOUND', { taskId: id });
    return toTask(row);
  }

  getDetails(taskId: string): Promise<TaskDetails> {
    return settle(() => {
      const row = this.row(taskId);
      if (!row) throw new RectifyError('TASK.NOT_FOUND', { taskId });
      return toDetails(row);
    });
  }

  updateTask(id: string, ifMatch: string, change: TaskChange): Promise<BoardTask> {
    return settle(() => this.updateTaskAs(id, ifMatch, change, this.appId));
  }

  /** A change made by a person on the local board (`by` is recorded when it completes). */
  updateTaskAs(id: string, ifMatch: string, change: TaskChange, by: string): BoardTask {
    if (ifMatch.trim() === '') throw new RectifyError('TASK.PRECONDITION_REQUIRED');
    const title = change.title === undefined ? undefined : checkTitle(change.title);
    const due = change.dueDate === undefined ? undefined : checkDue(change.dueDate);
    const percent =
      change.percentComplete === undefined ? undefined : checkPercent(change.percentComplete);
    if (change.priority !== undefined) checkPriority(change.priority);
    const run = this.db.transaction((): TaskRow => {
      const row = this.row(id);
      if (!row) throw new RectifyError('TASK.NOT_FOUND', { taskId: id });
      if (ifMatch !== taskEtag(row))
        throw new RectifyError('TASK.CONFLICT', { taskId: id, currentEtag: taskEtag(row) });
      const now = this.clock().toISOString();
      const nextPercent = percent ?? row.percent_complete;
      const completing = nextPercent === 100 && row.percent_complete !== 100;
      const reopening = nextPercent !== 100;
      const updated = this.db
        .prepare<
          [string, string, string | null, number, number, string | null, string | null, string],
          TaskRow
        >(
          `UPDATE board_tasks SET title = ?, assignee_ids = ?, due_date = ?, priority = ?,
             percent_complete = ?, completed_at = ?, completed_by = ?, version = version + 1
           WHERE id = ? RETURNING *`,
        )
        .get(
          title ?? row.title,
          change.assigneeIds === undefined
            ? row.assignee_ids
            : JSON.stringify([...new Set(change.assigneeIds)]),
          due === undefined ? row.due_date : due,
          change.priority ?? row.priority,
          nextPercent,
          completing ? now : reopening ? null : row.completed_at,
          completing ? by : reopening ? null : row.completed_by,
          id,
        );
      if (!updated) throw new Error('the task was not updated');
      return updated;
    });
    return toTask(run.immediate());
  }

  updateDetails(taskId: string, ifMatch: string, change: DetailsChange): Promise<TaskDetails> {
    return settle(() => this.updateDetailsNow(taskId, ifMatch, change));
  }

  private updateDetailsNow(taskId: string, ifMatch: string, change: DetailsChange): TaskDetails {
    if (ifMatch.trim() === '') throw new RectifyError('TASK.PRECONDITION_REQUIRED');
    const run = this.db.transaction((): TaskRow => {
      const row = this.row(taskId);
      if (!row) throw new RectifyError('TASK.NOT_FOUND', { taskId });
      if (ifMatch !== detailsEtag(row))
        throw new RectifyError('TASK.CONFLICT', { taskId, currentEtag: detailsEtag(row) });
      const current = toDetails(row);
      const checklist: ChecklistItem[] =
        change.checklist === undefined
          ? [...current.checklist]
          : mergeChecklist(current.checklist, change.checklist).map((c) => ({
              id: current.checklist.find((x) => x.title === c.title)?.id ?? randomUUID(),
              ...c,
            }));
      const refs: readonly TaskReference[] = change.references ?? current.references;
      const updated = this.db
        .prepare<[string, string, string, string], TaskRow>(
          `UPDATE board_tasks SET description = ?, checklist = ?, refs = ?,
             details_version = details_version + 1
           WHERE id = ? RETURNING *`,
        )
        .get(
          change.description ?? row.description,
          JSON.stringify(checklist),
          JSON.stringify(refs),
          taskId,
        );
      if (!updated) throw new Error('the task details were not updated');
      return updated;
    });
    return toDetails(run.immediate());
  }

  listTasks(next?: string | null): Promise<TaskPage> {
    return settle(() => this.listTasksNow(next ?? null));
  }

  private listTasksNow(next: string | null): TaskPage {
    const after = next ? Number(next) : 0;
    if (!Number.isInteger(after) || after < 0) throw invalid('next', 'not a page token');
    const rows = this.db
      .prepare<[number, number], TaskRow>(
        'SELECT * FROM board_tasks WHERE seq > ? ORDER BY seq LIMIT ?',
      )
      .all(after, this.pageSize + 1);
    const page = rows.slice(0, this.pageSize);
    return {
      tasks: page.map(toTask),
      next: rows.length > this.pageSize ? String(page.at(-1)?.seq ?? after) : null,
    };
  }

  /** The tasks assigned to one person, for the local board's page. */
  tasksAssignedTo(personId: string): BoardTask[] {
    return this.db
      .prepare<[string], TaskRow>(
        `SELECT * FROM board_tasks
          WHERE EXISTS (SELECT 1 FROM json_each(board_tasks.assignee_ids) WHERE value = ?)
          ORDER BY seq`,
      )
      .all(personId)
      .map(toTask);
  }

  private row(id: string): TaskRow | undefined {
    return this.db.prepare<[string], TaskRow>('SELECT * FROM board_tasks WHERE id = ?').get(id);
  }
}
