/**
 * Object Mother for CARs: readable defaults, overridable per test, and every state reached
 * through the domain's own operations (never by writing primitives by hand).
 */
import { randomUUID } from 'node:crypto';
import type { AuditRecord } from '../../src/domain/audit/audit-entry.js';
import { diffFields } from '../../src/domain/audit/audit-entry.js';
import { localDate, type LocalDate } from '../../src/domain/calendar/local-date.js';
import { DEFAULT_SERVICE_LEVELS } from '../../src/domain/calendar/service-levels.js';
import { WorkingCalendar } from '../../src/domain/calendar/working-calendar.js';
import type { CarNumber } from '../../src/domain/car/car-number.js';
import type {
  CarRepository,
  IdempotencyClaim,
  StoredCar,
} from '../../src/domain/car/car-repository.js';
import {
  Car,
  type CarPrimitives,
  type DueDatePolicy,
  type MergeTarget,
  type OperationContext,
  type ReportDetails,
} from '../../src/domain/car/car.js';
import type { ActionKind, Classification, Severity } from '../../src/domain/car/car-vocabulary.js';
import type { CarOperation, CarState } from '../../src/domain/car/lifecycle.js';
import type { PersonRef } from '../../src/domain/identity.js';

export const DEFAULT_NOW = '2026-03-02T09:00:00.000Z';
export const DEFAULT_TODAY = localDate('2026-03-02');

/** The Management Representative who triages and drives CARs in these tests. */
export const THE_MR: PersonRef = { id: 'mr-6b1f0c3e', name: 'Morgan Reyes' };

export const A_DUE_DATE_POLICY: DueDatePolicy = {
  calendar: new WorkingCalendar(),
  serviceLevels: DEFAULT_SERVICE_LEVELS,
};

const NAMES = [
  'Alex Morgan',
  'Priya Shah',
  'Jonas Berg',
  'Amara Okafor',
  'Lea Dubois',
  'Kenji Sato',
];
let people = 0;

export function aPerson(overrides: Partial<PersonRef> = {}): PersonRef {
  people += 1;
  return {
    id: overrides.id ?? `person-${randomUUID()}`,
    name: overrides.name ?? NAMES[people % NAMES.length] ?? 'Sam Taylor',
  };
}

export function aReportDetails(overrides: Partial<ReportDetails> = {}): ReportDetails {
  return {
    type: 'policy_nonconformance',
    relatesTo: ['procedure'],
    source: 'member_report',
    title: 'Visitor log not kept at reception',
    description: 'The visitor log for the server room was empty for the whole week.',
    occurredAt: '2026-02-27',
    location: 'Head office, reception',
    affected: 'Physical access control',
    immediateAction: 'Reception reminded of ISMSP05.',
    confidential: false,
    ...overrides,
  };
}

export interface ReportedCarOverrides {
  readonly id?: string;
  /** The reporter's tenant; '' (a record from before tenants were recorded) by default. */
  readonly tenantId?: string;
  readonly reporter?: PersonRef;
  readonly reportedAt?: string;
  readonly details?: Partial<ReportDetails>;
}

export function aReportedCar(overrides: ReportedCarOverrides = {}): Car {
  return Car.report({
    id: overrides.id ?? `car-${randomUUID()}`,
    ...(overrides.tenantId === undefined ? {} : { tenantId: overrides.tenantId }),
    reporter: overrides.reporter ?? aPerson(),
    reportedAt: overrides.reportedAt ?? DEFAULT_NOW,
    details: aReportDetails(overrides.details),
  });
}

/** By default `today` is the UTC date of `now`, as for an organisation on UTC. */
export function anOperationContext(overrides: Partial<OperationContext> = {}): OperationContext {
  const now = overrides.now ?? DEFAULT_NOW;
  const today = overrides.today ?? localDate(new Date(now).toISOString().slice(0, 10));
  return { actor: THE_MR, ...overrides, now, today };
}

export function anIdempotencyClaim(overrides: Partial<IdempotencyClaim> = {}): IdempotencyClaim {
  return {
    scope: overrides.scope ?? THE_MR.id,
    key: overrides.key ?? randomUUID(),
    fingerprint: overrides.fingerprint ?? 'sha256:5f0c1e',
  };
}

export interface CarInStateOptions extends ReportedCarOverrides {
  /** Actor, time and date of every step; `now` also decides the year of the number. */
  readonly context?: Partial<OperationContext>;
  readonly classification?: Classification;
  readonly severity?: Severity;
  readonly actionId?: string;
  readonly actionKind?: ActionKind;
  readonly actionOwner?: PersonRef;
  /** Omitted: the service level of the classification. */
  readonly actionDueDate?: LocalDate;
  readonly verifier?: PersonRef;
  readonly mergeTarget?: MergeTarget;
  /** Given: assigned right after recording, as the store would. */
  readonly number?: CarNumber;
}

/** One domain operation on the way to a state. */
export interface CarStep {
  readonly operation: CarOperation;
  readonly apply: (car: Car) => void;
}

const PATHS: Record<CarState, readonly CarOperation[]> = {
  reported: [],
  recorded: ['record'],
  rejected: ['reject'],
  merged: ['merge'],
  investigating: ['record', 'startInvestigation'],
  action_planned: [
    'record',
    'startInvestigation',
    'updateInvestigation',
    'addAction',
    'planActions',
  ],
  implementing: [
    'record',
    'startInvestigation',
    'updateInvestigation',
    'addAction',
    'planActions',
    'startImplementation',
  ],
  verifying: [
    'record',
    'startInvestigation',
    'updateInvestigation',
    'addAction',
    'planActions',
    'startImplementation',
    'completeAction',
    'startVerification',
  ],
  closed: [
    'record',
    'startInvestigation',
    'updateInvestigation',
    'addAction',
    'planActions',
    'startImplementation',
    'completeAction',
    'startVerification',
    'confirmEffective',
    'close',
  ],
};

/** The operations, in order, that take a reported CAR to `state` along the usual path. */
export function stepsTo(state: CarState, options: CarInStateOptions = {}): CarStep[] {
  const ctx = anOperationContext(options.context);
  const actionId = options.actionId ?? 'action-1';
  const step = (operation: CarOperation, apply: (car: Car) => void): CarStep => ({
    operation,
    apply,
  });
  const all: Record<string, CarStep> = {
    record: step('record', (car) => {
      car.record(ctx, {
        classification: options.classification ?? 'minor_nc',
        severity: options.severity ?? 'medium',
        reason: 'A nonconformity of ISMSP05',
      });
    }),
    reject: step('reject', (car) => {
      car.reject(ctx, { reason: 'Not a nonconformity: the log is kept on paper.' });
    }),
    merge: step('merge', (car) => {
      car.merge(ctx, {
        target: options.mergeTarget ?? {
          id: 'car-merge-target',
          number: 'CAR-2026-0001',
          state: 'investigating',
        },
        reason: 'Same failure as the earlier CAR',
      });
    }),
    startInvestigation: step('startInvestigation', (car) => {
      car.startInvestigation(ctx);
    }),
    updateInvestigation: step('updateInvestigation', (car) => {
      car.updateInvestigation(ctx, {
        fiveWhys: [
          { question: 'Why was the log empty?', answer: 'The new receptionist was not told.' },
          { question: 'Why was she not told?', answer: 'Onboarding has no ISMS checklist.' },
        ],
        rootCause: 'Onboarding does not cover ISMS duties of the role.',
        causeCategory: 'process',
        similarCheck: { done: true, findings: 'No similar CAR in 2025.', relatedCarIds: [] },
      });
    }),
    addAction: step('addAction', (car) => {
      car.addAction(
        ctx,
        {
          id: actionId,
          kind: options.actionKind ?? 'corrective',
          title: 'Add ISMS duties to the onboarding checklist',
          description: 'HR adds a section on visitor logging to the checklist.',
          owner: options.actionOwner ?? aPerson({ name: 'Jonas Berg' }),
          dueDate: options.actionDueDate,
          steps: ['Draft the section', 'Review with the MR'],
        },
        A_DUE_DATE_POLICY,
      );
    }),
    planActions: step('planActions', (car) => {
      car.planActions(ctx);
    }),
    startImplementation: step('startImplementation', (car) => {
      car.startImplementation(ctx);
    }),
    completeAction: step('completeAction', (car) => {
      car.completeAction(ctx, actionId, { note: 'Checklist v2 published.' });
    }),
    startVerification: step('startVerification', (car) => {
      car.startVerification(ctx, A_DUE_DATE_POLICY);
    }),
    confirmEffective: step('confirmEffective', (car) => {
      car.verifyEffectiveness(
        { ...ctx, actor: options.verifier ?? ctx.actor },
        { id: 'verification-1', effective: true, evidence: 'Visitor log complete for 4 weeks.' },
      );
    }),
    close: step('close', (car) => {
      car.close(ctx, {
        summary: 'Onboarding now covers visitor logging; no recurrence.',
        ismsChangeNeeded: false,
        feedsManagementReview: true,
      });
    }),
  };
  return PATHS[state].map((operation) => {
    const found = all[operation];
    if (!found) throw new Error(`the mother has no step for ${operation}`);
    return found;
  });
}

/** A CAR in any of the nine states, walked there through the domain operations. */
export function carInState(state: CarState, options: CarInStateOptions = {}): Car {
  const car = aReportedCar(options);
  for (const s of stepsTo(state, options)) {
    s.apply(car);
    if (s.operation === 'record' && options.number) car.assignNumber(options.number);
  }
  return car;
}

export interface AuditOptions {
  /** The CAR before the operation; omitted for a creation (everything is new). */
  readonly before?: Car | CarPrimitives;
  readonly at?: string;
  readonly reason?: string | null;
}

/** The audit record of `operation`, with the field changes from `before` to `car`. */
export function auditFor(
  car: Car,
  operation: string,
  actor: PersonRef = THE_MR,
  options: AuditOptions = {},
): AuditRecord {
  const before = options.before instanceof Car ? options.before.toPrimitives() : options.before;
  return {
    carId: car.id,
    operation,
    actor,
    at: options.at ?? DEFAULT_NOW,
    reason: options.reason ?? null,
    changes: diffFields(before ?? {}, car.toPrimitives()),
  };
}

/** Runs `change` on the CAR and returns the audit record of what it changed. */
export function changeWithAudit(
  car: Car,
  operation: string,
  change: (car: Car) => void,
  actor: PersonRef = THE_MR,
  options: Omit<AuditOptions, 'before'> = {},
): AuditRecord {
  const before = car.toPrimitives();
  change(car);
  return auditFor(car, operation, actor, { ...options, before });
}

/**
 * Reports a CAR to the repository and walks it to `state`, saving every step with its audit
 * record, as the application would. The store numbers it when it is recorded.
 */
export async function storeCarInState(
  repository: CarRepository,
  state: CarState,
  options: CarInStateOptions = {},
): Promise<StoredCar> {
  const ctx = anOperationContext(options.context);
  const reported = aReportedCar(options);
  let { stored } = await repository.create(
    reported,
    auditFor(reported, 'report', reported.reporter, { at: options.reportedAt ?? ctx.now }),
  );
  for (const s of stepsTo(state, options)) {
    const car = stored.car;
    const audit = changeWithAudit(car, s.operation, s.apply, ctx.actor, { at: ctx.now });
    stored = await repository.update(car, stored.etag, audit);
  }
  return stored;
}
