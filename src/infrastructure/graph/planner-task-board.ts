import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  BUCKET_KINDS,
  BUCKET_NAMES,
  mergeChecklist,
  type BoardTask,
  type BucketIds,
  type BucketKind,
  type DetailsChange,
  type NewTask,
  type TaskBoard,
  type TaskChange,
  type TaskDetails,
  type TaskPage,
} from '../../application/ports/task-board.js';
import { RectifyError } from '../../domain/errors.js';
import { RetryPolicy, toGraphRequestError, type GraphConnection } from './graph-client.js';

/**
 * The task board in Microsoft Planner, through Graph (PLATFORM.md "Planner through Graph"):
 * `POST /planner/tasks` (never retried blindly: the caller looks for the task's marker first),
 * details on `/planner/tasks/{id}/details`, every PATCH with If-Match and
 * `Prefer: return=representation` (the answer carries the new ETag), a stale ETag is 412 and
 * becomes `TASK.CONFLICT`, buckets made when missing, and the plan's tasks read page by page.
 */

const Identity = z.object({ user: z.object({ id: z.string() }).nullish() }).nullish();

const TaskJson = z.object({
  '@odata.etag': z.string(),
  id: z.string(),
  bucketId: z.string().nullish(),
  title: z.string(),
  assignments: z.record(z.string(), z.unknown()).nullish(),
  dueDateTime: z.string().nullish(),
  priority: z.number().nullish(),
  percentComplete: z.number().nullish(),
  completedDateTime: z.string().nullish(),
  completedBy: Identity,
  createdDateTime: z.string().nullish(),
});
type TaskJson = z.infer<typeof TaskJson>;

const DetailsJson = z.object({
  '@odata.etag': z.string(),
  id: z.string(),
  description: z.string().nullish(),
  checklist: z
    .record(z.string(), z.object({ title: z.string(), isChecked: z.boolean().nullish() }))
    .nullish(),
  references: z.record(z.string(), z.object({ alias: z.string().nullish() })).nullish(),
});

const BucketList = z.object({
  value: z.array(z.object({ id: z.string(), name: z.string() })),
});

const TaskList = z.object({
  value: z.array(z.unknown()),
  '@odata.nextLink': z.string().nullish(),
});

/** Planner keys references by the URL with `%`, `.`, `:`, `@` and `#` percent-encoded. */
export const encodeReferenceKey = (url: string): string =>
  url
    .replace(/%/g, '%25')
    .replace(/\./g, '%2E')
    .replace(/:/g, '%3A')
    .replace(/@/g, '%40')
    .replace(/#/g, '%23');

export const decodeReferenceKey = (key: string): string =>
  key.replace(/%(2E|3A|40|23|25)/gi, (m) => decodeURIComponent(m));

/** Planner keeps an instant; Rectify a date. Noon UTC shows the same date in most zones. */
const toDueDateTime = (date: string | null): string | null =>
  date === null ? null : `${date}T12:00:00Z`;

function toTask(json: TaskJson): BoardTask {
  return {
    id: json.id,
    etag: json['@odata.etag'],
    bucketId: json.bucketId ?? '',
    title: json.title,
    assigneeIds: Object.keys(json.assignments ?? {}),
    dueDate: json.dueDateTime ? json.dueDateTime.slice(0, 10) : null,
    priority: json.priority ?? 5,
    percentComplete: json.percentComplete ?? 0,
    completedAt: json.completedDateTime ?? null,
    completedBy: json.completedBy?.user?.id ?? null,
  };
}

const assignment = {
  '@odata.type': '#microsoft.graph.plannerAssignment',
  orderHint: ' !',
};

export interface PlannerTaskBoardOptions {
  readonly planId: string;
}

export class PlannerTaskBoard implements TaskBoard {
  readonly name = 'Planner';

  constructor(
    private readonly graph: GraphConnection,
    private readonly options: PlannerTaskBoardOptions,
  ) {}

  private get planPath(): string {
    return `/planner/plans/${encodeURIComponent(this.options.planId)}`;
  }

  async ensureBuckets(): Promise<BucketIds> {
    let buckets = await this.buckets();
    const missing = BUCKET_KINDS.filter((k) => !buckets.some((b) => b.name === BUCKET_NAMES[k]));
    if (missing.length === 0) return this.pick(buckets);
    for (const kind of missing)
      await this.call(
        `creating the bucket ${BUCKET_NAMES[kind]}`,
        () =>
          this.graph.client
            .api('/planner/buckets')
            .middlewareOptions([new RetryPolicy(false)])
            .post({
              name: BUCKET_NAMES[kind],
              planId: this.options.planId,
              orderHint: ' !',
            }) as Promise<unknown>,
      );
    // Read again: two instances creating the same bucket settle on the same one.
    buckets = await this.buckets();
    return this.pick(buckets);
  }

  async createTask(task: NewTask): Promise<BoardTask> {
    const json = await this.call(
      'creating a Planner task',
      () =>
        this.graph.client
          .api('/planner/tasks')
          .middlewareOptions([new RetryPolicy(false)])
          .post({
            planId: this.options.planId,
            bucketId: task.bucketId,
            title: task.title,
            assignments: Object.fromEntries(task.assigneeIds.map((id) => [id, assignment])),
            dueDateTime: toDueDateTime(task.dueDate),
            priority: task.priority,
          }) as Promise<unknown>,
    );
    return toTask(TaskJson.parse(json));
  }

  async findByMarker(marker: string): Promise<BoardTask | null> {
    const found: TaskJson[] = [];
    let next: string | null = null;
    do {
      const page = await this.page(next);
      found.push(...page.tasks.filter((t) => t.title.startsWith(marker)));
      next = page.next;
    } while (next !== null);
    found.sort(
      (a, b) =>
        (a.createdDateTime ?? '').localeCompare(b.createdDateTime ?? '') ||
        a.id.localeCompare(b.id),
    );
    const first = found[0];
    return first ? toTask(first) : null;
  }

  async getTask(id: string): Promise<BoardTask | null> {
    try {
      const json = await this.call(
        'reading a Planner task',
        () =>
          this.graph.client
            .api(`/planner/tasks/${encodeURIComponent(id)}`)
            .get() as Promise<unknown>,
      );
      return toTask(TaskJson.parse(json));
    } catch (e) {
      if (e instanceof RectifyError && e.code === 'TASK.NOT_FOUND') return null;
      throw e;
    }
  }

  async getDetails(taskId: string): Promise<TaskDetails> {
    const json = await this.call(
      'reading Planner task details',
      () =>
        this.graph.client
          .api(`/planner/tasks/${encodeURIComponent(taskId)}/details`)
          .get() as Promise<unknown>,
    );
    return this.toDetails(json);
  }

  async updateTask(id: string, ifMatch: string, change: TaskChange): Promise<BoardTask> {
    if (ifMatch.trim() === '') throw new RectifyError('TASK.PRECONDITION_REQUIRED');
    const body: Record<string, unknown> = {};
    if (change.title !== undefined) body.title = change.title;
    if (change.dueDate !== undefined) body.dueDateTime = toDueDateTime(change.dueDate);
    if (change.priority !== undefined) body.priority = change.priority;
    if (change.percentComplete !== undefined) body.percentComplete = change.percentComplete;
    if (change.assigneeIds !== undefined) {
      const current = await this.getTask(id);
      if (!current) throw new RectifyError('TASK.NOT_FOUND', { taskId: id });
      if (current.etag !== ifMatch)
        throw new RectifyError('TASK.CONFLICT', { taskId: id, currentEtag: current.etag });
      const wanted = new Set(change.assigneeIds);
      body.assignments = {
        ...Object.fromEntries(
          current.assigneeIds.filter((a) => !wanted.has(a)).map((a) => [a, null]),
        ),
        ...Object.fromEntries(
          [...wanted].filter((a) => !current.assigneeIds.includes(a)).map((a) => [a, assignment]),
        ),
      };
    }
    const json = await this.patch(`/planner/tasks/${encodeURIComponent(id)}`, ifMatch, body);
    return toTask(TaskJson.parse(json));
  }

  async updateDetails(
    taskId: string,
    ifMatch: string,
    change: DetailsChange,
  ): Promise<TaskDetails> {
    if (ifMatch.trim() === '') throw new RectifyError('TASK.PRECONDITION_REQUIRED');
    const body: Record<string, unknown> = { previewType: 'description' };
    if (change.description !== undefined) body.description = change.description;
    if (change.checklist !== undefined || change.references !== undefined) {
      const current = await this.getDetails(taskId);
      if (current.etag !== ifMatch)
        throw new RectifyError('TASK.CONFLICT', { taskId, currentEtag: current.etag });
      if (change.checklist !== undefined) {
        const wanted = mergeChecklist(current.checklist, change.checklist);
        const patch: Record<string, unknown> = {};
        for (const item of current.checklist)
          if (!wanted.some((w) => w.title === item.title)) patch[item.id] = null;
        // Planner's order hint format is `<previous> <next>!`
        // (https://learn.microsoft.com/en-us/graph/api/resources/planner-order-hint-format):
        // each item goes after the one before it.
        let previous = '';
        for (const w of wanted) {
          const existing = current.checklist.find((c) => c.title === w.title);
          const orderHint = `${previous} !`;
          previous = orderHint;
          patch[existing?.id ?? randomUUID()] = {
            '@odata.type': '#microsoft.graph.plannerChecklistItem',
            title: w.title,
            isChecked: w.isChecked,
            orderHint,
          };
        }
        body.checklist = patch;
      }
      if (change.references !== undefined) {
        const patch: Record<string, unknown> = {};
        for (const r of current.references)
          if (!change.references.some((w) => w.url === r.url))
            patch[encodeReferenceKey(r.url)] = null;
        for (const r of change.references)
          patch[encodeReferenceKey(r.url)] = {
            '@odata.type': '#microsoft.graph.plannerExternalReference',
            alias: r.alias,
            type: 'Other',
            previewPriority: ' !',
          };
        body.references = patch;
      }
    }
    const json = await this.patch(
      `/planner/tasks/${encodeURIComponent(taskId)}/details`,
      ifMatch,
      body,
    );
    return this.toDetails(json);
  }

  async listTasks(next?: string | null): Promise<TaskPage> {
    const page = await this.page(next ?? null);
    return { tasks: page.tasks.map(toTask), next: page.next };
  }

  private async page(next: string | null): Promise<{ tasks: TaskJson[]; next: string | null }> {
    const path = next ?? `${this.planPath}/tasks`;
    const json = await this.call(
      'listing the plan tasks',
      () => this.graph.client.api(path).get() as Promise<unknown>,
    );
    const list = TaskList.parse(json);
    const link = list['@odata.nextLink'];
    return {
      tasks: list.value.map((t) => TaskJson.parse(t)),
      next: link ? this.relative(link) : null,
    };
  }

  private async buckets(): Promise<{ id: string; name: string }[]> {
    const json = await this.call(
      'listing the plan buckets',
      () => this.graph.client.api(`${this.planPath}/buckets`).get() as Promise<unknown>,
    );
    return BucketList.parse(json).value;
  }

  /** For each kind the bucket with its name and the smallest id: every instance picks the same. */
  private pick(buckets: readonly { id: string; name: string }[]): BucketIds {
    const ids = {} as Record<BucketKind, string>;
    for (const kind of BUCKET_KINDS) {
      const named = buckets
        .filter((b) => b.name === BUCKET_NAMES[kind])
        .map((b) => b.id)
        .sort();
      const id = named[0];
      if (id === undefined) throw new Error(`Planner has no bucket ${BUCKET_NAMES[kind]}`);
      ids[kind] = id;
    }
    return ids;
  }

  private async patch(path: string, ifMatch: string, body: unknown): Promise<unknown> {
    return this.call(
      `updating ${path}`,
      () =>
        this.graph.client
          .api(path)
          .header('If-Match', ifMatch)
          .header('Prefer', 'return=representation')
          // An If-Match update sent twice changes nothing the second time (412 at worst).
          .middlewareOptions([new RetryPolicy(true)])
          .patch(body) as Promise<unknown>,
    );
  }

  private toDetails(json: unknown): TaskDetails {
    const d = DetailsJson.parse(json);
    return {
      taskId: d.id,
      etag: d['@odata.etag'],
      description: d.description ?? '',
      checklist: Object.entries(d.checklist ?? {}).map(([id, c]) => ({
        id,
        title: c.title,
        isChecked: c.isChecked ?? false,
      })),
      references: Object.entries(d.references ?? {}).map(([key, r]) => ({
        url: decodeReferenceKey(key),
        alias: r.alias ?? '',
      })),
    };
  }

  /** A nextLink as a path under our Graph base; refuses one that points anywhere else. */
  private relative(link: string): string {
    const prefix = `${this.graph.baseUrl}/`;
    if (!link.startsWith(prefix))
      throw new Error(`Graph sent a nextLink outside ${this.graph.baseUrl}: not following it`);
    return `/${link.slice(prefix.length)}`;
  }

  private async call<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (e) {
      const failure = toGraphRequestError(e, what);
      if (!failure) throw e;
      // 409 is Planner's "version conflict" (an older ETag on a conflicting change), handled
      // like 412: the caller reads again and re-applies
      // (https://learn.microsoft.com/en-us/graph/api/resources/planner-overview#planner-resource-versioning).
      if (failure.status === 412 || failure.status === 409)
        throw new RectifyError('TASK.CONFLICT', { what }, failure.message);
      if (failure.status === 404)
        throw new RectifyError('TASK.NOT_FOUND', { what }, failure.message);
      throw failure;
    }
  }
}
