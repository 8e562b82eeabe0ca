import { z } from 'zod';
import { repeat, type Repeating } from './repeat.js';
import type { StoredCar, CarRepository } from '../domain/car/car-repository.js';
import type { CarAction } from '../domain/car/car.js';
import { isRectifyError } from '../domain/errors.js';
import { taskBoardPrincipal } from '../domain/identity.js';
import type { AuditFeed } from './ports/audit-feed.js';
import type { CarService } from './car-service.js';
import { FeedCursor, Outbox, type ClaimedEntry } from './outbox.js';
import type { Clock } from './ports/clock.js';
import type { StateRecord, StateStore } from './ports/state-store.js';
import {
  allTasks,
  type BoardTask,
  type BucketIds,
  type BucketKind,
  type TaskBoard,
  type TaskPriority,
  type TaskReference,
} from './ports/task-board.js';

/**
 * Puts CAR actions on the task board, exactly once, and brings completion back.
 *
 * 1. Feed: reads the CARs changed after its cursor (the audit trail, written in each CAR's own
 *    transaction) and reconciles each with its task links. What is missing becomes an outbox
 *    entry with a unique key (create, update, complete); writing it again changes nothing. The
 *    cursor moves only after the entries are stored, so a crash re-reads, never skips.
 * 2. Delivery: claims due entries by compare-and-set (one instance wins each), then works them.
 *    A create claimed again (after a crash, a gateway timeout, a lost lease) first looks for its
 *    marker on the board: a task the board accepted already is adopted, not made again. Keep
 *    the lease longer than a Graph request may take. The link (car, action) -> task is written
 *    after the board answered; a lost link is healed by the same marker lookup.
 * 3. Poll: reads the board; a task whose etag moved since its link and is 100 percent done
 *    completes the action in the CAR, as the task board principal, into the audit trail.
 */

/** pino-shaped, so the composition root can hand its logger in. */
export interface TaskSyncLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface DeepLinkSettings {
  /** The Teams app id (manifest `id`); null links to `webUrl` only. */
  readonly teamsAppId: string | null;
  /** The tab's entity id in the manifest. */
  readonly entityId: string;
  /** Where the tab is served, as the fallback Teams shows (and the link without Teams). */
  readonly webUrl: string | null;
}

/**
 * A Teams deep link that opens the CAR in Rectify's tab (`context.subEntityId` = CAR), or the
 * tab's web address without a Teams app id; null with neither.
 */
export function carDeepLink(settings: DeepLinkSettings, car: string): string | null {
  const web = settings.webUrl
    ? `${settings.webUrl.replace(/\/+$/, '')}/cars/${encodeURIComponent(car)}`
    : null;
  if (settings.teamsAppId === null) return web;
  const params = new URLSearchParams();
  if (web !== null) params.set('webUrl', web);
  params.set('label', car);
  params.set('context', JSON.stringify({ subEntityId: car }));
  return `https://teams.microsoft.com/l/entity/${encodeURIComponent(settings.teamsAppId)}/${encodeURIComponent(settings.entityId)}?${params.toString()}`;
}

export interface TaskSyncHooks {
  /** Called right after the board accepted a create, before anything is recorded (fault tests). */
  readonly afterBoardCreate?: ((task: BoardTask) => void | Promise<void>) | undefined;
}

export interface TaskSyncDeps {
  readonly carService: CarService;
  readonly repository: CarRepository;
  readonly board: TaskBoard;
  readonly state: StateStore;
  readonly feed: AuditFeed;
  readonly clock: Clock;
  readonly logger: TaskSyncLogger;
  readonly deepLink: DeepLinkSettings;
  /** The tenant recorded on the task board principal. */
  readonly tenantId?: string | undefined;
  /** Names this instance in claims (for logs). */
  readonly workerId?: string | undefined;
  /** How long a claimed entry is left alone before another instance may take it over. */
  readonly leaseMs?: number | undefined;
  /** First wait after a failed delivery; doubled each time up to `maxRetryMs`. */
  readonly retryBaseMs?: number | undefined;
  readonly maxRetryMs?: number | undefined;
  /** After this many failed attempts an entry is parked (kept, logged, not retried). */
  readonly maxAttempts?: number | undefined;
  readonly batchSize?: number | undefined;
  readonly hooks?: TaskSyncHooks | undefined;
}

/** The outbox queue name (records of kind `outbox.task-board`). */
export const OUTBOX_NAME = 'task-board';
export const LINK_KIND = 'task-link';
export const CURSOR_NAME = 'task-sync';

const TITLE_MAX = 255;
const CHECKLIST_MAX = 20;
const CHECKLIST_TITLE_MAX = 100;

const PRIORITY: Record<string, TaskPriority> = { major_nc: 1, minor_nc: 3, ofi: 5 };

const Op = z.enum(['create', 'update', 'complete']);
type Op = z.infer<typeof Op>;

const Payload = z.object({ op: Op, carId: z.string(), slot: z.string() });
type Payload = z.infer<typeof Payload>;

const LinkValue = z.object({
  carId: z.string(),
  slot: z.string(),
  taskId: z.string(),
  /** The task's etag the last time Rectify wrote or read it. */
  etag: z.string(),
  completed: z.boolean(),
  /** What Rectify last wrote to the task (title, due, assignee, details). */
  synced: z.string(),
});
type LinkValue = z.infer<typeof LinkValue>;

export const linkKey = (carId: string, slot: string): string => `task-link:${carId}:${slot}`;
const outboxKey = (op: Op, carId: string, slot: string, suffix = ''): string =>
  `${op}:${carId}:${slot}${suffix ? `:${suffix}` : ''}`;
const effectivenessSlot = (round: number): string => `effectiveness-${round}`;

/** What the task for one slot (an action, or an effectiveness round) should look like. */
interface DesiredTask {
  readonly marker: string;
  readonly bucket: BucketKind;
  readonly title: string;
  readonly assigneeIds: readonly string[];
  readonly dueDate: string | null;
  readonly priority: TaskPriority;
  readonly description: string;
  readonly checklist: readonly string[];
  readonly references: readonly TaskReference[];
  /** Whether the slot is finished in Rectify (the task should be complete). */
  readonly finished: boolean;
  /** The action, for completions coming back (null for an effectiveness check). */
  readonly action: CarAction | null;
}

const fingerprint = (d: DesiredTask): string =>
  JSON.stringify([
    d.title,
    d.assigneeIds,
    d.dueDate,
    d.priority,
    d.description,
    d.checklist,
    d.references,
  ]);

const cut = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, max - 1)}…`;

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** A Retry-After the failure carries (a Graph failure does), in milliseconds. */
function retryAfterOf(e: unknown): number | null {
  if (typeof e !== 'object' || e === null || !('retryAfterMs' in e)) return null;
  const v = e.retryAfterMs;
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

const isCode = (e: unknown, code: string): boolean => isRectifyError(e) && e.code === code;

export interface TickReport {
  readonly carsReconciled: number;
  readonly delivered: number;
  readonly failed: number;
  readonly completedFromBoard: number;
}

export class TaskSync {
  private readonly workerId: string;
  private readonly leaseMs: number;
  private readonly retryBaseMs: number;
  private readonly maxRetryMs: number;
  private readonly maxAttempts: number;
  private readonly batchSize: number;
  private buckets: BucketIds | null = null;
  private readonly outbox: Outbox<Payload>;
  private readonly cursor: FeedCursor;

  constructor(private readonly deps: TaskSyncDeps) {
    this.workerId = deps.workerId ?? `task-sync-${Math.random().toString(36).slice(2, 10)}`;
    this.leaseMs = deps.leaseMs ?? 60_000;
    this.retryBaseMs = deps.retryBaseMs ?? 1_000;
    this.maxRetryMs = deps.maxRetryMs ?? 300_000;
    this.maxAttempts = deps.maxAttempts ?? 2000;
    this.batchSize = deps.batchSize ?? 50;
    this.outbox = new Outbox(deps.state, {
      name: OUTBOX_NAME,
      parse: (v) => Payload.parse(v),
      maxAttempts: this.maxAttempts,
    });
    this.cursor = new FeedCursor(deps.state, CURSOR_NAME);
  }

  /** One round: the feed, then the due outbox entries, then (if asked) the board. */
  async tick(options: { readonly poll?: boolean } = {}): Promise<TickReport> {
    const carsReconciled = await this.readFeed();
    const { delivered, failed } = await this.deliver();
    const completedFromBoard = options.poll === false ? 0 : await this.poll();
    return { carsReconciled, delivered, failed, completedFromBoard };
  }

  // ---- 1. feed -> outbox ------------------------------------------------------------

  /** Reads the feed after the cursor and turns what is missing into outbox entries. */
  async readFeed(): Promise<number> {
    let reconciled = 0;
    for (;;) {
      const read = await this.cursor.read();
      const cursor = read.etag === null ? await this.cursor.start(null) : read;
      const { changes, next } = await this.deps.feed.read(cursor.position, this.batchSize * 4);
      if (next === null || changes.length === 0) return reconciled;
      for (const carId of new Set(changes.map((c) => c.carId))) {
        await this.reconcile(carId);
        reconciled += 1;
      }
      // When another instance moved it first, it did the same work: read on from there.
      await this.cursor.move(cursor, next);
    }
  }

  /** Compares a CAR with its task links and stores the outbox entries that are missing. */
  async reconcile(carId: string): Promise<void> {
    const stored = await this.deps.repository.findById(carId);
    if (!stored) return;
    for (const slot of this.slotsOf(stored)) {
      const desired = await this.desired(stored, slot);
      if (!desired) continue;
      const link = await this.link(carId, slot);
      if (!link) {
        // A finished slot without a task needs none (unless a create is already under way).
        if (!desired.finished) await this.enqueue('create', carId, slot);
        continue;
      }
      if (desired.finished) {
        if (!link.value.completed) await this.enqueue('complete', carId, slot);
        continue;
      }
      if (link.value.synced !== fingerprint(desired))
        await this.enqueue('update', carId, slot, link.record.etag.replace(/[^\w.-]/g, ''));
    }
  }

  private slotsOf(stored: StoredCar): string[] {
    const p = stored.car.toPrimitives();
    const rounds = Array.from({ length: p.verificationRound }, (_, i) => effectivenessSlot(i + 1));
    return [...p.actions.map((a) => a.id), ...rounds];
  }

  private async enqueue(op: Op, carId: string, slot: string, suffix = ''): Promise<void> {
    await this.outbox.enqueue(
      outboxKey(op, carId, slot, suffix),
      { op, carId, slot },
      this.deps.clock.now(),
    );
  }

  // ---- 2. outbox -> board -----------------------------------------------------------

  /** Claims and works the due entries. */
  async deliver(): Promise<{ delivered: number; failed: number }> {
    let delivered = 0;
    let failed = 0;
    const claimed = await this.outbox.claimDue(this.deps.clock.now(), this.leaseMs, this.batchSize);
    for (const entry of claimed) {
      try {
        await this.work(entry.payload, entry.attempts);
        await this.outbox.settle(entry, 'delivered', this.deps.clock.now());
        delivered += 1;
      } catch (e) {
        failed += 1;
        await this.failed(entry, e);
      }
    }
    return { delivered, failed };
  }

  private async failed(entry: ClaimedEntry<Payload>, e: unknown): Promise<void> {
    const now = this.deps.clock.now();
    const wait = Math.min(
      this.maxRetryMs,
      Math.max(retryAfterOf(e) ?? 0, this.retryBaseMs * 2 ** Math.min(entry.attempts - 1, 20)),
    );
    const log = {
      key: entry.key,
      attempts: entry.attempts,
      worker: this.workerId,
      err: errorText(e),
    };
    if (entry.attempts >= this.maxAttempts)
      this.deps.logger.error(log, 'task board entry given up after repeated failures');
    else this.deps.logger.warn(log, 'task board entry failed; will retry');
    await this.outbox.retryLater(entry, new Date(now.getTime() + wait), errorText(e), now);
  }

  private async work(entry: Payload, attempt: number): Promise<void> {
    const stored = await this.deps.repository.findById(entry.carId);
    if (!stored) return;
    const desired = await this.desired(stored, entry.slot);
    if (!desired) return;
    switch (entry.op) {
      case 'create':
        return this.create(entry, desired, attempt);
      case 'update':
        return this.update(entry, desired);
      case 'complete':
        return this.complete(entry, desired);
    }
  }

  private async create(entry: Payload, desired: DesiredTask, attempt: number): Promise<void> {
    if (await this.link(entry.carId, entry.slot)) return;
    const board = this.deps.board;
    const buckets = await this.bucketIds();
    // Only this entry creates this task, one claim at a time. From the second claim on, the
    // board may already hold it (accepted before a crash, or behind a timeout): adopt it.
    let task = attempt > 1 ? await board.findByMarker(desired.marker) : null;
    if (!task) {
      if (desired.finished) return;
      task = await board.createTask({
        bucketId: buckets[desired.bucket],
        title: desired.title,
        assigneeIds: desired.assigneeIds,
        dueDate: desired.dueDate,
        priority: desired.priority,
      });
      await this.deps.hooks?.afterBoardCreate?.(task);
    }
    task = await this.writeTask(task, desired);
    const created = await this.deps.state.createIfAbsent({
      key: linkKey(entry.carId, entry.slot),
      kind: LINK_KIND,
      value: {
        carId: entry.carId,
        slot: entry.slot,
        taskId: task.id,
        etag: task.etag,
        completed: task.percentComplete === 100,
        synced: fingerprint(desired),
      } satisfies LinkValue,
      dueAt: null,
    });
    if (created.created)
      this.deps.logger.info(
        { carId: entry.carId, slot: entry.slot, taskId: task.id },
        `task on the ${board.name}`,
      );
  }

  private async update(entry: Payload, desired: DesiredTask): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const link = await this.link(entry.carId, entry.slot);
      if (!link) return; // the create, still to come, writes the current fields
      const task = await this.deps.board.getTask(link.value.taskId);
      if (!task) return; // someone deleted the task on the board
      const written = await this.writeTask(task, desired);
      const saved = await this.deps.state.replace(link.record.key, link.record.etag, {
        value: {
          ...link.value,
          etag: written.etag,
          completed: written.percentComplete === 100,
          synced: fingerprint(desired),
        } satisfies LinkValue,
        dueAt: null,
      });
      if (saved) return;
    }
    throw new Error(`the link of ${entry.carId}/${entry.slot} keeps changing`);
  }

  private async complete(entry: Payload, desired: DesiredTask): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const link = await this.link(entry.carId, entry.slot);
      if (!link) return;
      const task = await this.deps.board.getTask(link.value.taskId);
      let etag = link.value.etag;
      if (task && task.percentComplete !== 100) {
        try {
          etag = (await this.deps.board.updateTask(task.id, task.etag, { percentComplete: 100 }))
            .etag;
        } catch (e) {
          if (isCode(e, 'TASK.CONFLICT')) continue;
          throw e;
        }
      } else if (task) etag = task.etag;
      const saved = await this.deps.state.replace(link.record.key, link.record.etag, {
        value: { ...link.value, etag, completed: true, synced: fingerprint(desired) },
        dueAt: null,
      });
      if (saved) return;
    }
    throw new Error(`the task of ${entry.carId}/${entry.slot} keeps changing`);
  }

  /** Brings a task's fields and details to what Rectify wants; answers the task as it is now. */
  private async writeTask(current: BoardTask, desired: DesiredTask): Promise<BoardTask> {
    const board = this.deps.board;
    let task = current;
    for (let attempt = 0; ; attempt += 1) {
      const sameAssignees =
        [...task.assigneeIds].sort().join() === [...desired.assigneeIds].sort().join();
      const changed =
        task.title !== desired.title ||
        task.dueDate !== desired.dueDate ||
        task.priority !== desired.priority ||
        !sameAssignees ||
        (desired.finished && task.percentComplete !== 100);
      if (!changed) break;
      try {
        task = await board.updateTask(task.id, task.etag, {
          title: desired.title,
          dueDate: desired.dueDate,
          priority: desired.priority,
          assigneeIds: desired.assigneeIds,
          ...(desired.finished ? { percentComplete: 100 } : {}),
        });
        break;
      } catch (e) {
        if (!isCode(e, 'TASK.CONFLICT') || attempt >= 4) throw e;
        const fresh = await board.getTask(task.id);
        if (!fresh) return task;
        task = fresh;
      }
    }
    for (let attempt = 0; ; attempt += 1) {
      const details = await board.getDetails(task.id);
      const same =
        details.description === desired.description &&
        details.checklist.map((c) => c.title).join('\n') === desired.checklist.join('\n') &&
        JSON.stringify(details.references) === JSON.stringify(desired.references);
      if (same) break;
      try {
        await board.updateDetails(task.id, details.etag, {
          description: desired.description,
          checklist: desired.checklist,
          references: desired.references,
        });
        break;
      } catch (e) {
        if (!isCode(e, 'TASK.CONFLICT') || attempt >= 4) throw e;
      }
    }
    // The details live apart from the task; the task's own etag is what the poll compares.
    return (await board.getTask(task.id)) ?? task;
  }

  // ---- 3. board -> CAR --------------------------------------------------------------

  /** Reads the board and completes, in Rectify, the actions whose task was ticked done. */
  async poll(): Promise<number> {
    const links = new Map<string, { record: StateRecord; value: LinkValue }>();
    let after: string | undefined;
    for (;;) {
      const page = await this.deps.state.list(LINK_KIND, {
        prefix: 'task-link:',
        after,
        limit: 500,
      });
      for (const record of page) {
        const value = LinkValue.safeParse(record.value);
        if (value.success && !value.data.completed)
          links.set(value.data.taskId, { record, value: value.data });
      }
      if (page.length < 500) break;
      after = page.at(-1)?.key;
    }
    if (links.size === 0) return 0;
    let completed = 0;
    for (const task of await allTasks(this.deps.board)) {
      const link = links.get(task.id);
      if (!link || link.value.etag === task.etag) continue;
      if (task.percentComplete === 100) {
        const outcome = await this.completeFromBoard(link.value, task);
        if (outcome === 'retry') continue;
        if (outcome === 'completed') completed += 1;
      }
      await this.deps.state.replace(link.record.key, link.record.etag, {
        value: {
          ...link.value,
          etag: task.etag,
          completed: task.percentComplete === 100,
        } satisfies LinkValue,
        dueAt: null,
      });
    }
    return completed;
  }

  private async completeFromBoard(
    link: LinkValue,
    task: BoardTask,
  ): Promise<'completed' | 'nothing' | 'retry'> {
    const stored = await this.deps.repository.findById(link.carId);
    const action = stored?.car.actions.find((a) => a.id === link.slot);
    // An effectiveness check needs evidence: ticking its task does not verify the CAR.
    if (!stored || !action || action.status !== 'open') return 'nothing';
    const who =
      task.completedBy === null
        ? 'someone on the board'
        : task.completedBy === action.owner.id
          ? action.owner.name
          : task.completedBy;
    const principal = taskBoardPrincipal({
      tenantId: this.deps.tenantId ?? '',
      boardName: this.deps.board.name,
      completedBy: who,
    });
    try {
      await this.deps.carService.execute(principal, stored.car.id, stored.etag, {
        op: 'completeAction',
        actionId: action.id,
        note: `Completed on the ${this.deps.board.name} by ${who}`,
      });
      this.deps.logger.info(
        { carId: stored.car.id, actionId: action.id, taskId: task.id },
        'action completed from the task board',
      );
      return 'completed';
    } catch (e) {
      // Someone changed the CAR at the same moment: try again on the next tick.
      if (isCode(e, 'CAR.CONFLICT')) return 'retry';
      if (isRectifyError(e) && e.kind === 'invalid_state') {
        this.deps.logger.warn(
          { carId: stored.car.id, actionId: action.id, code: e.code },
          'a task was completed on the board but the action cannot be completed now',
        );
        return 'nothing';
      }
      throw e;
    }
  }

  // ---- what a task should be --------------------------------------------------------

  private async desired(stored: StoredCar, slot: string): Promise<DesiredTask | null> {
    const p = stored.car.toPrimitives();
    const label = p.number ?? p.id;
    const link = carDeepLink(this.deps.deepLink, label);
    const references = link === null ? [] : [{ url: link, alias: `${label} in Rectify` }];
    const priority = PRIORITY[p.classification ?? ''] ?? 5;
    const index = p.actions.findIndex((a) => a.id === slot);
    const action = p.actions[index];
    if (action) {
      const marker = `${label} · A${index + 1} · `;
      const steps = action.steps.slice(0, CHECKLIST_MAX).map((s) => cut(s, CHECKLIST_TITLE_MAX));
      const more =
        action.steps.length > CHECKLIST_MAX
          ? `\n\nSteps ${CHECKLIST_MAX + 1} to ${action.steps.length} are in Rectify.`
          : '';
      return {
        marker,
        bucket: action.kind === 'training' ? 'training' : 'corrective',
        title: cut(`${marker}${action.title}`, TITLE_MAX),
        assigneeIds: [action.owner.id],
        dueDate: action.dueDate,
        priority,
        description: `${action.description}${more}`.trim(),
        checklist: steps,
        references,
        finished: action.status !== 'open',
        action,
      };
    }
    const round = /^effectiveness-(\d+)$/.exec(slot);
    if (!round) return null;
    const n = Number(round[1]);
    if (n < 1 || n > p.verificationRound) return null;
    const verified = p.verifications.some((v) => v.round === n);
    const current = p.state === 'verifying' && n === p.verificationRound;
    const starter = await this.verificationStarter(p.id, n);
    if (!starter) return null;
    const marker = `${label} · E${n} · `;
    return {
      marker,
      bucket: 'effectiveness',
      title: cut(`${marker}Check that the actions were effective`, TITLE_MAX),
      assigneeIds: [starter],
      dueDate: current ? p.effectivenessDueDate : null,
      priority,
      description:
        'Verify that the actions taken eliminated the cause of the nonconformity (ISO/IEC 27001 clause 10.2 d), then record the verification with its evidence in Rectify.',
      checklist: [],
      references,
      finished: verified || !current,
      action: null,
    };
  }

  /** The person who started verification round `n`, from the audit trail. */
  private async verificationStarter(carId: string, n: number): Promise<string | null> {
    const starts = (await this.deps.repository.history(carId)).filter(
      (e) => e.operation === 'startVerification' && e.field === 'verificationRound',
    );
    const entry = starts.find((e) => e.newValue === n) ?? starts[n - 1];
    return entry?.actor.id ?? null;
  }

  // ---- records ------------------------------------------------------------------------

  private async link(
    carId: string,
    slot: string,
  ): Promise<{ record: StateRecord; value: LinkValue } | null> {
    const record = await this.deps.state.get(linkKey(carId, slot));
    if (!record) return null;
    return { record, value: LinkValue.parse(record.value) };
  }

  private async bucketIds(): Promise<BucketIds> {
    this.buckets ??= await this.deps.board.ensureBuckets();
    return this.buckets;
  }
}

export interface StartTaskSyncOptions extends TaskSyncDeps {
  /** How often the feed and the outbox are worked. */
  readonly intervalMs: number;
  /** How often the board is read (Planner has no change notifications). */
  readonly pollMs: number;
}

/** Runs TaskSync in the background until `stop()`, which waits for the round under way. */
export function startTaskSync(options: StartTaskSyncOptions): Repeating {
  const sync = new TaskSync(options);
  let lastPoll = 0;
  return repeat(
    options.intervalMs,
    async () => {
      const now = options.clock.now().getTime();
      const poll = now - lastPoll >= options.pollMs;
      await sync.tick({ poll });
      if (poll) lastPoll = now;
    },
    (e) => {
      options.logger.error({ err: errorText(e) }, 'task sync round failed');
    },
    { immediately: true },
  );
}
