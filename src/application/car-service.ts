import { createHash } from 'node:crypto';
import { diffFields, type AuditEntry, type AuditRecord } from '../domain/audit/audit-entry.js';
import { dateInZone, type LocalDate } from '../domain/calendar/local-date.js';
import type { ServiceLevels } from '../domain/calendar/service-levels.js';
import type { WorkingCalendar } from '../domain/calendar/working-calendar.js';
import { isCarNumber } from '../domain/car/car-number.js';
import {
  Car,
  assertDueDateNotPast,
  type CarAction,
  type DueDatePolicy,
  type OperationContext,
} from '../domain/car/car.js';
import type { CarState } from '../domain/car/lifecycle.js';
import type { CarPage, CarRepository, StoredCar } from '../domain/car/car-repository.js';
import { RectifyError, isRectifyError } from '../domain/errors.js';
import { toPersonRef, type PersonRef, type Principal } from '../domain/identity.js';
import { traineesOf } from '../domain/procedure/procedure.js';
import {
  belongsToTenantOf,
  canExecute,
  canView,
  seesEverything,
  tenantScopeOf,
} from './access-policy.js';
import { availableCommands, type AvailableCommand } from './available-commands.js';
import type { CarCommand, CarCommandName, CarListQuery, ReportInput } from './car-commands.js';
import type { Clock, IdGenerator } from './ports/clock.js';
import type { ProcedureLibrary } from './ports/procedure-library.js';

export interface MyAction {
  readonly carId: string;
  readonly carNumber: string | null;
  readonly carState: CarState;
  readonly carTitle: string | null;
  readonly etag: string;
  readonly action: CarAction;
  /** What the caller may do with this action now (completing it, mostly). */
  readonly availableCommands: readonly AvailableCommand[];
}

type CommandOf<K extends CarCommandName> = Extract<CarCommand, { op: K }>;
type CommandHandler<K extends CarCommandName> = (
  car: Car,
  command: CommandOf<K>,
  ctx: OperationContext,
  principal: Principal,
) => void | Promise<void>;

export interface CarServiceDeps {
  readonly repository: CarRepository;
  /**
   * The home tenant (the first allowed one), owner of records stored before tenants were
   * recorded. Lowercase, as the tenant ids of principals are.
   */
  readonly homeTenantId?: string | undefined;
  readonly clock: Clock;
  readonly newId: IdGenerator;
  readonly calendar: WorkingCalendar;
  readonly serviceLevels: ServiceLevels;
  readonly timeZone: string;
  /** Where a recorded procedure revision finds the people to train when the MR names none. */
  readonly procedures?: ProcedureLibrary | undefined;
}

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** Canonical JSON: the same data gives the same text whatever the key order. */
const canonical = (v: unknown): string =>
  JSON.stringify(v, (_k, val: unknown) =>
    val && typeof val === 'object' && !Array.isArray(val)
      ? Object.fromEntries(Object.entries(val).sort(([a], [b]) => a.localeCompare(b)))
      : val,
  );

/** The use cases of the CAR lifecycle, shared by the REST API and the bot. */
export class CarService {
  private readonly policy: DueDatePolicy;

  constructor(private readonly deps: CarServiceDeps) {
    this.policy = { calendar: deps.calendar, serviceLevels: deps.serviceLevels };
  }

  today(): LocalDate {
    return dateInZone(this.deps.clock.now(), this.deps.timeZone);
  }

  async report(
    principal: Principal,
    input: ReportInput,
    idempotencyKey?: string,
  ): Promise<{ stored: StoredCar; replayed: boolean }> {
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey))
      throw new RectifyError('IDEMPOTENCY.KEY_INVALID');
    const ctx = this.context(principal);
    const car = Car.report({
      id: this.deps.newId(),
      tenantId: principal.tenantId,
      reporter: ctx.actor,
      reportedAt: ctx.now,
      details: input,
    });
    const audit: AuditRecord = {
      carId: car.id,
      operation: 'report',
      actor: ctx.actor,
      at: ctx.now,
      reason: null,
      changes: diffFields({}, car.toPrimitives()),
    };
    const claim =
      idempotencyKey === undefined
        ? undefined
        : {
            scope: `${principal.tenantId}:${principal.id}`,
            key: idempotencyKey,
            fingerprint: createHash('sha256').update(canonical(input)).digest('hex'),
          };
    return this.deps.repository.create(car, audit, claim);
  }

  /** The tenants whose CARs this caller's queries may return (see the access policy). */
  tenantScope(principal: Principal): readonly string[] {
    return tenantScopeOf(principal, this.homeTenantId());
  }

  async get(principal: Principal, idOrNumber: string): Promise<StoredCar> {
    const stored = await this.load(principal, idOrNumber);
    if (!canView(principal, stored.car))
      throw new RectifyError('CAR.NOT_FOUND', { id: idOrNumber });
    return stored;
  }

  async list(principal: Principal, query: CarListQuery): Promise<CarPage> {
    return this.deps.repository.list({
      states: query.state,
      types: query.type,
      classifications: query.classification,
      actionOwnerId: query.owner === 'me' ? principal.id : query.owner,
      reporterId: query.reporter === 'me' ? principal.id : query.reporter,
      causeCategories: query.causeCategory,
      overdue: query.overdue,
      today: this.today(),
      text: query.q,
      visibility: seesEverything(principal)
        ? { kind: 'all' }
        : { kind: 'involved', personId: principal.id },
      tenantIds: this.tenantScope(principal),
      sort: query.sort,
      order: query.order,
      limit: query.limit,
      cursor: query.cursor,
    });
  }

  /**
   * The caller's own actions across CARs, with what they need to act on each: the CAR's
   * number, state and ETag. The CAR's title only where they may read the CAR.
   */
  async myActions(principal: Principal): Promise<MyAction[]> {
    const result: MyAction[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.deps.repository.list({
        actionOwnerId: principal.id,
        today: this.today(),
        visibility: { kind: 'all' },
        tenantIds: this.tenantScope(principal),
        sort: 'dueDate',
        order: 'asc',
        limit: 200,
        cursor,
      });
      for (const { car, etag } of page.items) {
        const readable = canView(principal, car);
        const available = availableCommands(principal, car);
        for (const action of car.actions.filter((a) => a.owner.id === principal.id))
          result.push({
            carId: car.id,
            carNumber: car.number,
            carState: car.state,
            carTitle: readable ? car.toPrimitives().report.title : null,
            etag,
            action,
            availableCommands: available.filter((c) => c.actionId === action.id),
          });
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return result;
  }

  async history(principal: Principal, idOrNumber: string): Promise<readonly AuditEntry[]> {
    const stored = await this.get(principal, idOrNumber);
    return this.deps.repository.history(stored.car.id);
  }

  /** What the caller may do with this CAR now (the tab's forms, the bot's buttons). */
  availableCommands(principal: Principal, stored: StoredCar): AvailableCommand[] {
    return availableCommands(principal, stored.car);
  }

  /** Whether the caller may read this CAR (an action owner may act on a CAR they cannot read). */
  canView(principal: Principal, stored: StoredCar): boolean {
    return canView(principal, stored.car);
  }

  /**
   * Runs one lifecycle operation: visible? allowed for this caller? the version they saw?
   * Then the domain decides, and the store saves the CAR with its audit record atomically.
   */
  async execute(
    principal: Principal,
    idOrNumber: string,
    ifMatch: string | undefined,
    command: CarCommand,
  ): Promise<StoredCar> {
    // The caller's ETag lets the store answer from a copy it knows to be that version; a stale
    // copy only costs a conflict on the write, which is checked against the store itself.
    const seen = ifMatch?.trim();
    const stored = await this.load(principal, idOrNumber, seen && seen !== '*' ? seen : undefined);
    const allowed = canExecute(principal, stored.car, command);
    if (!allowed && !canView(principal, stored.car))
      throw new RectifyError('CAR.NOT_FOUND', { id: idOrNumber });
    if (!allowed) throw new RectifyError('AUTH.FORBIDDEN', { operation: command.op });
    if (ifMatch === undefined || ifMatch.trim() === '' || ifMatch.trim() === '*')
      throw new RectifyError('CAR.PRECONDITION_REQUIRED');
    if (ifMatch.trim() !== stored.etag) throw this.conflict(principal, stored);

    const car = stored.car;
    const before = car.toPrimitives();
    const ctx = this.context(principal);
    await this.apply(principal, car, command, ctx);
    const audit: AuditRecord = {
      carId: car.id,
      operation: command.op,
      actor: ctx.actor,
      at: ctx.now,
      reason: command.reason ?? null,
      changes: diffFields(before, car.toPrimitives()),
    };
    try {
      return await this.deps.repository.update(car, stored.etag, audit);
    } catch (e) {
      // Someone saved between our read and our write: answer with what is stored now (read
      // again without the hint, so never an outdated copy).
      if (isRectifyError(e) && e.code === 'CAR.CONFLICT')
        throw this.conflict(principal, await this.load(principal, car.id));
      throw e;
    }
  }

  /**
   * One handler per command: a command without one fails the type check (`satisfies`).
   * Each hands the domain what the command carries, plus what only the service knows (new
   * ids, the due-date policy, the merge target, the procedure library's trainees).
   */
  private readonly handlers = {
    record: (car, c, ctx) => {
      car.record(ctx, c);
    },
    reject: (car, c, ctx) => {
      car.reject(ctx, c);
    },
    merge: async (car, c, ctx, principal) => {
      const target = (await this.load(principal, c.target)).car;
      car.merge(ctx, {
        target: { id: target.id, number: target.number, state: target.state },
        reason: c.reason ?? null,
      });
    },
    reclassify: (car, c, ctx) => {
      car.reclassify(ctx, c);
    },
    recordContainment: (car, c, ctx) => {
      car.recordContainment(ctx, c);
    },
    startInvestigation: (car, _c, ctx) => {
      car.startInvestigation(ctx);
    },
    updateInvestigation: (car, c, ctx) => {
      car.updateInvestigation(ctx, c);
    },
    addConsulteeInput: (car, c, ctx) => {
      car.addConsulteeInput(ctx, { id: this.deps.newId(), answer: c.answer });
    },
    addAction: (car, c, ctx) => {
      assertDueDateNotPast(ctx, c.dueDate);
      car.addAction(ctx, { ...c, id: this.deps.newId() }, this.policy);
    },
    updateAction: (car, c, ctx) => {
      assertDueDateNotPast(ctx, c.dueDate);
      car.updateAction(ctx, c.actionId, c);
    },
    completeAction: (car, c, ctx) => {
      car.completeAction(ctx, c.actionId, c);
    },
    cancelAction: (car, c, ctx) => {
      car.cancelAction(ctx, c.actionId, c);
    },
    planActions: (car, _c, ctx) => {
      car.planActions(ctx);
    },
    startImplementation: (car, _c, ctx) => {
      car.startImplementation(ctx);
    },
    linkProcedure: (car, c, ctx) => {
      car.linkProcedure(ctx, { ...c, id: this.deps.newId() });
    },
    recordProcedureRevision: async (car, c, ctx) => {
      const trainees = c.trainees ?? (await this.configuredTrainees(car, c.linkId));
      car.recordProcedureRevision(ctx, c.linkId, { ...c, trainees }, this.policy);
    },
    startVerification: (car, _c, ctx) => {
      car.startVerification(ctx, this.policy);
    },
    verifyEffectiveness: (car, c, ctx) => {
      car.verifyEffectiveness(ctx, { ...c, id: this.deps.newId() });
    },
    close: (car, c, ctx) => {
      car.close(ctx, c);
    },
    reopen: (car, c, ctx) => {
      car.reopen(ctx, c);
    },
    addCommitteeReview: (car, c, ctx) => {
      car.addCommitteeReview(ctx, { ...c, id: this.deps.newId() });
    },
  } satisfies { readonly [K in CarCommandName]: CommandHandler<K> };

  private async apply<K extends CarCommandName>(
    principal: Principal,
    car: Car,
    c: CommandOf<K>,
    ctx: OperationContext,
  ): Promise<void> {
    const handler = this.handlers[c.op] as CommandHandler<K>;
    await handler(car, c, ctx, principal);
  }

  /** The CAR, if it exists in the caller's tenant: another tenant's CAR is not found. */
  private async load(
    principal: Principal,
    idOrNumber: string,
    knownEtag?: string,
  ): Promise<StoredCar> {
    const options = knownEtag === undefined ? undefined : { knownEtag };
    const stored = isCarNumber(idOrNumber)
      ? await this.deps.repository.findByNumber(idOrNumber, options)
      : await this.deps.repository.findById(idOrNumber, options);
    if (!stored || !belongsToTenantOf(principal, stored.car, this.homeTenantId()))
      throw new RectifyError('CAR.NOT_FOUND', { id: idOrNumber });
    return stored;
  }

  private homeTenantId(): string | undefined {
    return this.deps.homeTenantId?.toLowerCase();
  }

  /** The current version, with its content only for a caller who may read the CAR. */
  /**
   * The people and groups the library configures for the linked procedure; nobody when there
   * is no library, no such link (the domain says so) or the procedure is not in the library.
   */
  private async configuredTrainees(car: Car, linkId: string): Promise<readonly PersonRef[]> {
    const link = car.procedureLinks.find((l) => l.id === linkId);
    if (!link || !this.deps.procedures) return [];
    const procedure = await this.deps.procedures.get(link.procedureId);
    return procedure ? traineesOf(procedure.training) : [];
  }

  private conflict(principal: Principal, current: StoredCar): RectifyError {
    return new RectifyError('CAR.CONFLICT', {
      currentEtag: current.etag,
      ...(canView(principal, current.car) ? { current: current.car.toPrimitives() } : {}),
    });
  }

  private context(principal: Principal): OperationContext {
    const now = this.deps.clock.now();
    return {
      actor: toPersonRef(principal),
      now: now.toISOString(),
      today: dateInZone(now, this.deps.timeZone),
    };
  }
}
