import { randomUUID } from 'node:crypto';
import { Strictness, type StrictRule } from './strict-rules.js';

/**
 * Planner in the Graph emulator, as the documents in ../shared/reference/graph describe it:
 * plans, buckets, tasks and task details, each with an ETag; every PATCH/DELETE needs If-Match
 * and a stale one answers 412; `Prefer: return=representation` answers the new version;
 * percentComplete 100 sets completedDateTime and completedBy; limits answer 403 with Planner's
 * codes; the plan's task list pages with `@odata.nextLink`.
 *
 * The emulator hands every `/planner/...` request to `routePlanner` from its router, so its
 * faults (429/503/504 after the write), latency, authorization and request log apply here too.
 */

export interface PlannerRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

export interface PlannerResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export interface EmulatedPlan {
  readonly id: string;
  readonly title: string;
  readonly owner: string;
}

export interface EmulatedBucket {
  readonly id: string;
  readonly planId: string;
  readonly name: string;
  readonly orderHint: string;
  version: number;
}

export interface EmulatedChecklistItem {
  title: string;
  isChecked: boolean;
  orderHint: string;
}

export interface EmulatedReference {
  alias: string;
  type: string;
  previewPriority: string;
}

export interface EmulatedTask {
  readonly id: string;
  readonly planId: string;
  bucketId: string;
  title: string;
  assignments: Record<string, { assignedBy: string; assignedDateTime: string }>;
  dueDateTime: string | null;
  priority: number;
  percentComplete: number;
  completedDateTime: string | null;
  completedBy: string | null;
  readonly createdDateTime: string;
  readonly createdBy: string;
  version: number;
  description: string;
  checklist: Record<string, EmulatedChecklistItem>;
  references: Record<string, EmulatedReference>;
  detailsVersion: number;
  /** Which properties each version changed: an older ETag conflicts when it touches them. */
  changes: { readonly version: number; readonly props: readonly string[] }[];
  detailsChanges: { readonly version: number; readonly props: readonly string[] }[];
}

class PlannerHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A copy of `record` without `key`. */
const without = <T>(record: Record<string, T>, key: string): Record<string, T> =>
  Object.fromEntries(Object.entries(record).filter(([k]) => k !== key));

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const etag = (kind: string, id: string, version: number): string =>
  `W/"${Buffer.from(`${kind}:${id}:${version}`).toString('base64')}"`;

const badRequest = (message: string): PlannerHttpError =>
  new PlannerHttpError(400, 'invalidRequest', message);
const notFound = (what: string): PlannerHttpError =>
  new PlannerHttpError(404, 'NotFound', `The requested ${what} was not found.`);

/** Characters Planner wants percent-encoded in a reference key. */
const UNENCODED_IN_KEY = /[.:@#]/;

/** The Planner part of one emulator: its data, limits, and what a person does in Planner. */
export class PlannerEmulation {
  readonly plans = new Map<string, EmulatedPlan>();
  readonly buckets = new Map<string, EmulatedBucket>();
  readonly tasks = new Map<string, EmulatedTask>();
  /** Limits, as Planner enforces them (403 with its codes). */
  maxTasksPerPlan = 9000;
  maxAssigneesPerTask = 20;
  maxChecklistItems = 20;
  maxReferences = 10;
  pageSize = 100;
  /** Who the calling app is: recorded as creator, and as completer when the app completes. */
  callerId = 'rectify-app';
  /** Group ids of the directory: a task is assigned to users only. */
  readonly groupIds = new Set<string>();
  /** The strict rules of the emulator this Planner belongs to. */
  strictness = new Strictness();

  private strict(rule: StrictRule): boolean {
    return this.strictness.holds(rule);
  }

  addPlan(title = 'ISMS corrective actions'): EmulatedPlan {
    const plan = { id: randomUUID().replace(/-/g, '').slice(0, 28), title, owner: randomUUID() };
    this.plans.set(plan.id, plan);
    return plan;
  }

  tasksOf(planId: string): EmulatedTask[] {
    return [...this.tasks.values()].filter((t) => t.planId === planId);
  }

  /** A person ticks the task done (or sets progress) in Planner. */
  setProgress(taskId: string, percentComplete: number, by: string): EmulatedTask {
    const task = this.tasks.get(taskId);
    if (!task) throw new Error(`no task ${taskId}`);
    this.applyProgress(task, percentComplete, by);
    task.version += 1;
    return task;
  }

  route(request: PlannerRequest): PlannerResponse {
    try {
      return this.dispatch(request);
    } catch (e) {
      if (!(e instanceof PlannerHttpError)) throw e;
      return {
        status: e.status,
        headers: { 'Content-Type': 'application/json' },
        body: {
          error: {
            code: e.code,
            message: e.message,
            innerError: { date: new Date().toISOString(), 'request-id': randomUUID() },
          },
        },
      };
    }
  }

  private dispatch(request: PlannerRequest): PlannerResponse {
    const { method, path } = request;
    const plan = /^\/planner\/plans\/([^/]+)(\/buckets|\/tasks)?$/.exec(path);
    if (plan && method === 'GET') {
      const p = this.plans.get(decodeURIComponent(plan[1] ?? ''));
      if (!p) throw notFound('plan');
      if (plan[2] === '/buckets')
        return ok({
          value: [...this.buckets.values()].filter((b) => b.planId === p.id).map(bucketJson),
        });
      if (plan[2] === '/tasks') return ok(this.taskPage(p, request));
      return ok({ id: p.id, title: p.title, owner: p.owner });
    }
    if (path === '/planner/buckets' && method === 'POST') return this.createBucket(request.body);
    if (path === '/planner/tasks' && method === 'POST') return this.createTask(request.body);
    const tm = /^\/planner\/tasks\/([^/]+)(\/details)?$/.exec(path);
    if (tm) {
      const task = this.tasks.get(decodeURIComponent(tm[1] ?? ''));
      if (!task) throw notFound('task');
      const details = tm[2] === '/details';
      if (method === 'GET' && !details)
        return ok(taskJson(task), { ETag: etag('task', task.id, task.version) });
      if (method === 'GET') return ok(detailsJson(task), { ETag: detailsEtagOf(task) });
      if (method === 'PATCH' && !details) {
        this.checkVersion(request, 'task', task.id, task.version, task.changes);
        this.patchTask(task, request.body);
        task.version += 1;
        task.changes.push({ version: task.version, props: propsOf(request.body) });
        return answer(request, taskJson(task), etag('task', task.id, task.version));
      }
      if (method === 'PATCH') {
        this.checkVersion(request, 'details', task.id, task.detailsVersion, task.detailsChanges);
        this.patchDetails(task, request.body);
        task.detailsVersion += 1;
        task.detailsChanges.push({ version: task.detailsVersion, props: propsOf(request.body) });
        return answer(request, detailsJson(task), detailsEtagOf(task));
      }
      if (method === 'DELETE' && !details) {
        checkIfMatch(request, etag('task', task.id, task.version));
        this.tasks.delete(task.id);
        return { status: 204, headers: {}, body: undefined };
      }
    }
    throw new PlannerHttpError(405, 'BadRequest', `${method} is not supported on ${path}`);
  }

  private createBucket(body: unknown): PlannerResponse {
    if (!isRecord(body) || typeof body.name !== 'string' || body.name.trim() === '')
      throw badRequest('A bucket needs a name.');
    if (typeof body.planId !== 'string' || !this.plans.has(body.planId))
      throw badRequest('The plan id is not valid.');
    const bucket: EmulatedBucket = {
      id: randomUUID().replace(/-/g, '').slice(0, 28),
      planId: body.planId,
      name: body.name,
      orderHint: typeof body.orderHint === 'string' ? this.orderHint(body.orderHint) : ' !',
      version: 1,
    };
    this.buckets.set(bucket.id, bucket);
    return {
      status: 201,
      headers: { 'Content-Type': 'application/json' },
      body: bucketJson(bucket),
    };
  }

  private createTask(body: unknown): PlannerResponse {
    if (!isRecord(body)) throw badRequest('The request body is not a task.');
    const planId = body.planId;
    if (typeof planId !== 'string' || !this.plans.has(planId))
      throw badRequest('The plan id is not valid.');
    if (typeof body.title !== 'string' || body.title.trim() === '')
      throw badRequest('A task needs a title.');
    if (body.title.length > 255) throw badRequest('The title is longer than 255 characters.');
    const bucketId = body.bucketId;
    if (bucketId !== undefined && bucketId !== null) {
      const bucket = typeof bucketId === 'string' ? this.buckets.get(bucketId) : undefined;
      if (!bucket || bucket.planId !== planId) throw badRequest('The bucket id is not valid.');
    }
    if (this.tasksOf(planId).length >= this.maxTasksPerPlan)
      throw new PlannerHttpError(403, 'MaximumTasksInProject', 'The plan has too many tasks.');
    const now = new Date().toISOString();
    const task: EmulatedTask = {
      id: randomUUID().replace(/-/g, '').slice(0, 28),
      planId,
      bucketId: typeof bucketId === 'string' ? bucketId : '',
      title: body.title,
      assignments: {},
      dueDateTime: null,
      priority: 5,
      percentComplete: 0,
      completedDateTime: null,
      completedBy: null,
      createdDateTime: now,
      createdBy: this.callerId,
      version: 1,
      description: '',
      checklist: {},
      references: {},
      detailsVersion: 1,
      changes: [],
      detailsChanges: [],
    };
    this.patchTask(task, { ...body, planId: undefined, bucketId: undefined });
    this.tasks.set(task.id, task);
    return {
      status: 201,
      headers: { 'Content-Type': 'application/json', ETag: etag('task', task.id, task.version) },
      body: taskJson(task),
    };
  }

  private patchTask(task: EmulatedTask, body: unknown): void {
    if (!isRecord(body)) throw badRequest('The request body is not a task.');
    const next = { ...task, assignments: { ...task.assignments } };
    if (body.title !== undefined) {
      if (typeof body.title !== 'string' || body.title.trim() === '')
        throw badRequest('A task needs a title.');
      if (body.title.length > 255) throw badRequest('The title is longer than 255 characters.');
      next.title = body.title;
    }
    if (body.dueDateTime !== undefined) {
      if (
        body.dueDateTime !== null &&
        (typeof body.dueDateTime !== 'string' || Number.isNaN(Date.parse(body.dueDateTime)))
      )
        throw badRequest('dueDateTime is not a date and time.');
      next.dueDateTime =
        body.dueDateTime === null ? null : new Date(body.dueDateTime).toISOString();
    }
    if (body.priority !== undefined) {
      if (typeof body.priority !== 'number' || !Number.isInteger(body.priority))
        throw badRequest('priority is a whole number from 0 to 10.');
      if (body.priority < 0 || body.priority > 10)
        throw badRequest('priority is a whole number from 0 to 10.');
      next.priority = body.priority;
    }
    if (body.bucketId !== undefined) {
      const bucket = typeof body.bucketId === 'string' ? this.buckets.get(body.bucketId) : null;
      if (!bucket || bucket.planId !== task.planId) throw badRequest('The bucket id is not valid.');
      next.bucketId = bucket.id;
    }
    if (body.assignments !== undefined) {
      if (!isRecord(body.assignments)) throw badRequest('assignments is an object.');
      for (const [userId, value] of Object.entries(body.assignments)) {
        if (value !== null && this.strict('plannerUserAssignees') && this.groupIds.has(userId))
          throw badRequest(`${userId} is not a user: tasks are assigned to users only.`);
        if (value !== null && isRecord(value) && typeof value.orderHint === 'string')
          this.orderHint(value.orderHint);
        if (value === null) next.assignments = without(next.assignments, userId);
        else if (isRecord(value))
          next.assignments[userId] = {
            assignedBy: this.callerId,
            assignedDateTime: new Date().toISOString(),
          };
        else throw badRequest(`The assignment of ${userId} is not valid.`);
      }
      if (Object.keys(next.assignments).length > this.maxAssigneesPerTask)
        throw new PlannerHttpError(
          403,
          'MaximumAssigneesInTasks',
          'The task has too many assignees.',
        );
    }
    let percent: number | null = null;
    if (body.percentComplete !== undefined) {
      if (
        typeof body.percentComplete !== 'number' ||
        !Number.isInteger(body.percentComplete) ||
        body.percentComplete < 0 ||
        body.percentComplete > 100
      )
        throw badRequest('percentComplete is a whole number from 0 to 100.');
      percent = body.percentComplete;
    }
    Object.assign(task, next);
    if (percent !== null) this.applyProgress(task, percent, this.callerId);
  }

  private applyProgress(task: EmulatedTask, percent: number, by: string): void {
    if (percent === 100 && task.percentComplete !== 100) {
      task.completedDateTime = new Date().toISOString();
      task.completedBy = by;
    } else if (percent !== 100) {
      task.completedDateTime = null;
      task.completedBy = null;
    }
    task.percentComplete = percent;
  }

  private patchDetails(task: EmulatedTask, body: unknown): void {
    if (!isRecord(body)) throw badRequest('The request body is not task details.');
    let checklist = { ...task.checklist };
    let references = { ...task.references };
    if (body.description !== undefined) {
      if (typeof body.description !== 'string') throw badRequest('description is text.');
    }
    if (body.checklist !== undefined) {
      if (!isRecord(body.checklist)) throw badRequest('checklist is an object.');
      for (const [key, value] of Object.entries(body.checklist)) {
        if (value === null) {
          checklist = without(checklist, key);
          continue;
        }
        if (!isRecord(value)) throw badRequest(`Checklist item ${key} is not valid.`);
        const current = checklist[key];
        const title = value.title ?? current?.title;
        if (typeof title !== 'string' || title.trim() === '')
          throw badRequest(`Checklist item ${key} needs a title.`);
        checklist[key] = {
          title,
          isChecked:
            typeof value.isChecked === 'boolean' ? value.isChecked : (current?.isChecked ?? false),
          orderHint:
            typeof value.orderHint === 'string'
              ? this.orderHint(value.orderHint)
              : (current?.orderHint ?? ' !'),
        };
      }
      if (Object.keys(checklist).length > this.maxChecklistItems)
        throw new PlannerHttpError(
          403,
          'MaximumChecklistItemsOnTask',
          'The task has too many checklist items.',
        );
    }
    if (body.references !== undefined) {
      if (!isRecord(body.references)) throw badRequest('references is an object.');
      for (const [key, value] of Object.entries(body.references)) {
        if (UNENCODED_IN_KEY.test(key))
          throw badRequest(`The reference key ${key} is not encoded.`);
        if (value === null) {
          references = without(references, key);
          continue;
        }
        if (!isRecord(value)) throw badRequest(`Reference ${key} is not valid.`);
        references[key] = {
          alias: typeof value.alias === 'string' ? value.alias : '',
          type: typeof value.type === 'string' ? value.type : 'Other',
          previewPriority: typeof value.previewPriority === 'string' ? value.previewPriority : ' !',
        };
      }
      if (Object.keys(references).length > this.maxReferences)
        throw new PlannerHttpError(
          403,
          'MaximumReferencesOnTask',
          'The task has too many references.',
        );
    }
    if (typeof body.description === 'string') task.description = body.description;
    task.checklist = checklist;
    task.references = references;
  }

  /** A client's order hint: `<previous> <next>!` in characters 32 to 126 (strict). */
  private orderHint(given: string): string {
    if (this.strict('plannerOrderHint') && !/^[\x20-\x7e]* [\x20-\x7e]*!$/.test(given))
      throw badRequest(`The order hint '${given}' is not in Planner's order hint format.`);
    return given;
  }

  /**
   * If-Match is required. An ETag of an older version conflicts (409) when the change touches a
   * property changed since; otherwise, or when it names no version of this resource, 412.
   */
  private checkVersion(
    request: PlannerRequest,
    kind: string,
    id: string,
    version: number,
    changes: readonly { readonly version: number; readonly props: readonly string[] }[],
  ): void {
    const given = request.headers['if-match'];
    if (given === undefined || given.trim() === '')
      throw new PlannerHttpError(400, 'MissingIfMatch', 'The If-Match header is required.');
    if (given === etag(kind, id, version)) return;
    const older = Array.from({ length: version - 1 }, (_, i) => i + 1).find(
      (v) => etag(kind, id, v) === given,
    );
    if (older !== undefined && this.strict('plannerVersionConflict')) {
      const touched = new Set(propsOf(request.body));
      const changedSince = changes.filter((c) => c.version > older).flatMap((c) => c.props);
      if (changedSince.some((p) => touched.has(p)))
        throw new PlannerHttpError(
          409,
          'Conflict',
          'Version conflict: the change conflicts with a newer version of the resource.',
        );
    }
    throw new PlannerHttpError(
      412,
      'PreconditionFailed',
      'The If-Match header does not match the current version.',
    );
  }

  private taskPage(plan: EmulatedPlan, request: PlannerRequest): Record<string, unknown> {
    const all = this.tasksOf(plan.id);
    const skip = Number(request.query.get('$skiptoken') ?? '0');
    if (!Number.isInteger(skip) || skip < 0) throw badRequest('The skip token is not valid.');
    const page = all.slice(skip, skip + this.pageSize);
    const more = skip + this.pageSize < all.length;
    return {
      '@odata.context':
        'https://graph.microsoft.com/v1.0/$metadata#Collection(microsoft.graph.plannerTask)',
      value: page.map(taskJson),
      ...(more
        ? {
            '@odata.nextLink': `http://${request.headers.host ?? 'graph.invalid'}/v1.0/planner/plans/${plan.id}/tasks?$skiptoken=${skip + this.pageSize}`,
          }
        : {}),
    };
  }
}

/** The properties a PATCH body changes (an entry of a checklist or references counts alone). */
function propsOf(body: unknown): string[] {
  if (!isRecord(body)) return [];
  return Object.entries(body).flatMap(([k, v]) =>
    (k === 'checklist' || k === 'references' || k === 'assignments') && isRecord(v)
      ? Object.keys(v).map((key) => `${k}/${key}`)
      : [k],
  );
}

function checkIfMatch(request: PlannerRequest, current: string): void {
  const given = request.headers['if-match'];
  if (given === undefined || given.trim() === '')
    throw new PlannerHttpError(400, 'MissingIfMatch', 'The If-Match header is required.');
  if (given !== current)
    throw new PlannerHttpError(
      412,
      'PreconditionFailed',
      'The If-Match header does not match the current version.',
    );
}

const detailsEtagOf = (task: EmulatedTask): string => etag('details', task.id, task.detailsVersion);

function ok(body: unknown, headers: Record<string, string> = {}): PlannerResponse {
  return { status: 200, headers: { 'Content-Type': 'application/json', ...headers }, body };
}

/** 204, or 200 with the new version under `Prefer: return=representation`. */
function answer(request: PlannerRequest, body: unknown, newEtag: string): PlannerResponse {
  const prefer = (request.headers.prefer ?? '').toLowerCase();
  if (prefer.includes('return=representation')) return ok(body, { ETag: newEtag });
  return { status: 204, headers: { ETag: newEtag }, body: undefined };
}

function bucketJson(b: EmulatedBucket): Record<string, unknown> {
  return {
    '@odata.etag': etag('bucket', b.id, b.version),
    id: b.id,
    name: b.name,
    planId: b.planId,
    orderHint: b.orderHint,
  };
}

function taskJson(t: EmulatedTask): Record<string, unknown> {
  return {
    '@odata.etag': etag('task', t.id, t.version),
    id: t.id,
    planId: t.planId,
    bucketId: t.bucketId,
    title: t.title,
    orderHint: ' !',
    assigneePriority: '',
    percentComplete: t.percentComplete,
    priority: t.priority,
    createdDateTime: t.createdDateTime,
    dueDateTime: t.dueDateTime,
    startDateTime: null,
    hasDescription: t.description !== '',
    previewType: 'automatic',
    completedDateTime: t.completedDateTime,
    completedBy: t.completedBy === null ? null : { user: { id: t.completedBy } },
    createdBy: { user: { id: t.createdBy } },
    referenceCount: Object.keys(t.references).length,
    checklistItemCount: Object.keys(t.checklist).length,
    activeChecklistItemCount: Object.values(t.checklist).filter((c) => !c.isChecked).length,
    conversationThreadId: null,
    appliedCategories: {},
    assignments: Object.fromEntries(
      Object.entries(t.assignments).map(([userId, a]) => [
        userId,
        {
          '@odata.type': '#microsoft.graph.plannerAssignment',
          assignedDateTime: a.assignedDateTime,
          orderHint: ' !',
          assignedBy: { user: { id: a.assignedBy } },
        },
      ]),
    ),
  };
}

function detailsJson(t: EmulatedTask): Record<string, unknown> {
  return {
    '@odata.etag': detailsEtagOf(t),
    id: t.id,
    description: t.description,
    previewType: 'automatic',
    references: Object.fromEntries(
      Object.entries(t.references).map(([k, r]) => [
        k,
        { '@odata.type': '#microsoft.graph.plannerExternalReference', ...r },
      ]),
    ),
    checklist: Object.fromEntries(
      Object.entries(t.checklist).map(([k, c]) => [
        k,
        { '@odata.type': '#microsoft.graph.plannerChecklistItem', ...c },
      ]),
    ),
  };
}

const emulations = new WeakMap<object, PlannerEmulation>();

/** The Planner data of one emulator (made on first use). */
export function plannerOf(emulator: object): PlannerEmulation {
  let planner = emulations.get(emulator);
  if (!planner) {
    planner = new PlannerEmulation();
    const owner = emulator as { strictness?: unknown };
    if (owner.strictness instanceof Strictness) planner.strictness = owner.strictness;
    emulations.set(emulator, planner);
  }
  return planner;
}

/** Serves one `/planner/...` request of an emulator. */
export function routePlanner(emulator: object, request: PlannerRequest): PlannerResponse {
  return plannerOf(emulator).route(request);
}
