import { createHash } from 'node:crypto';
import { diffFields, type AuditEntry, type AuditRecord } from '../domain/audit/audit-entry.js';
import { dateInZone, type LocalDate } from '../domain/calendar/local-date.js';
import type { ServiceLevels } from '../domain/calendar/service-levels.js';
import type { WorkingCalendar } from '../domain/calendar/working-calendar.js';
import { isCarNumber } from '../domain/car/car-number.js';
import {
  Car,
  type CarAction,
  type DueDatePolicy,
  type OperationContext,
} from '../domain/car/car.js';
import type { CarState } from '../domain/car/lifecycle.js';
import type { CarPage, CarRepository, StoredCar } from '../domain/car/car-repository.js';
import { RectifyError, isRectifyError } from '../domain/errors.js';
import { toPersonRef, type PersonRef, type Principal } from '../domain/identity.js';
import { traineesOf } from '../domain/procedure/procedure.js';
import { canExecute, canView, seesEverything } from './access-policy.js';
import type { CarCommand, CarListQuery, ReportInput } from './car-commands.js';
import type { Clock, IdGenerator } from './ports/clock.js';
import type { ProcedureLibrary } from './ports/procedure-library.js';

export interface MyAction {
  readonly carId: string;
  readonly carNumber: string | null;
  readonly carState: CarState;
  readonly carTitle: string | null;
  readonly etag: string;
  readonly action: CarAction;
}

export interface CarServiceDeps {
  readonly repository: CarRepository;
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

  async get(principal: Principal, idOrNumber: string): Promise<StoredCar> {
    const stored = await this.load(idOrNumber);
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
      overdue: query.overdue,
      today: this.today(),
      text: query.q,
      visibility: seesEverything(principal)
        ? { kind: 'all' }
        : { kind: 'involved', personId: principal.id },
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
        sort: 'dueDate',
        order: 'asc',
        limit: 200,
        cursor,
      });
      for (const { car, etag } of page.items) {
        const readable = canView(principal, car);
        for (const action of car.actions.filter((a) => a.owner.id === principal.id))
          result.push({
            carId: car.id,
            carNumber: car.number,
            carState: car.state,
            carTitle: readable ? car.toPrimitives().report.title : null,
            etag,
            action,
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
    const stored = await this.load(idOrNumber, seen && seen !== '*' ? seen : undefined);
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
    await this.apply(car, command, ctx);
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
        throw this.conflict(principal, await this.load(car.id));
      throw e;
    }
  }

  private async apply(car: Car, c: CarCommand, ctx: OperationContext): Promise<void> {
    switch (c.op) {
      case 'record':
        car.record(ctx, c);
        return;
      case 'reject':
        car.reject(ctx, c);
        return;
      case 'merge': {
        const target = (await this.load(c.target)).car;
        car.merge(ctx, {
          target: { id: target.id, number: target.number, state: target.state },
          reason: c.reason ?? null,
        });
        return;
      }
      case 'reclassify':
        car.reclassify(ctx, c);
        return;
      case 'recordContainment':
        car.recordContainment(ctx, c);
        return;
      case 'startInvestigation':
        car.startInvestigation(ctx);
        return;
      case 'updateInvestigation':
        car.updateInvestigation(ctx, c);
        return;
      case 'addConsulteeInput':
        car.addConsulteeInput(ctx, { id: this.deps.newId(), answer: c.answer });
        return;
      case 'addAction':
        car.addAction(ctx, { ...c, id: this.deps.newId() }, this.policy);
        return;
      case 'updateAction':
        car.updateAction(ctx, c.actionId, c);
        return;
      case 'completeAction':
        car.completeAction(ctx, c.actionId, c);
        return;
      case 'cancelAction':
        car.cancelAction(ctx, c.actionId, c);
        return;
      case 'planActions':
        car.planActions(ctx);
        return;
      case 'startImplementation':
        car.startImplementation(ctx);
        return;
      case 'linkProcedure':
        car.linkProcedure(ctx, { ...c, id: this.deps.newId() });
        return;
      case 'recordProcedureRevision': {
        const trainees = c.trainees ?? (await this.configuredTrainees(car, c.linkId));
        car.recordProcedureRevision(ctx, c.linkId, { ...c, trainees }, this.policy);
        return;
      }
      case 'startVerification':
        car.startVerification(ctx, this.policy);
        return;
      case 'verifyEffectiveness':
        car.verifyEffectiveness(ctx, { ...c, id: this.deps.newId() });
        return;
      case 'close':
        car.close(ctx, c);
        return;
      case 'reopen':
        car.reopen(ctx, c);
        return;
      case 'addCommitteeReview':
        car.addCommitteeReview(ctx, { ...c, id: this.deps.newId() });
        return;
    }
  }

  private async load(idOrNumber: string, knownEtag?: string): Promise<StoredCar> {
    const options = knownEtag === undefined ? undefined : { knownEtag };
    const stored = isCarNumber(idOrNumber)
      ? await this.deps.repository.findByNumber(idOrNumber, options)
      : await this.deps.repository.findById(idOrNumber, options);
    if (!stored) throw new RectifyError('CAR.NOT_FOUND', { id: idOrNumber });
    return stored;
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
