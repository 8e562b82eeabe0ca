import type { LocalDate } from '../calendar/local-date.js';
import type { PersonRef } from '../identity.js';
import { Car, type CarAction, type CarPrimitives } from './car.js';
import type {
  ActionKind,
  ActionStatus,
  CauseCategory,
  Classification,
  RelatesTo,
  ReportType,
  Severity,
  Source,
} from './car-vocabulary.js';
import type { CarState } from './lifecycle.js';

/**
 * A CAR taken from an organisation's former register, in the state it had there. The register
 * gives what it kept (dates, classification, root cause, actions); Rectify fills the rest the
 * way its own lifecycle would have (a recorded CAR was triaged on its recording date, a closed
 * one has a closure). The number is handed out by the store as for any recorded CAR, gapless in
 * the year of recording: when the former register was numbered CAR-YYYY-NNNN without gaps and
 * is imported in order, every CAR keeps its number; otherwise the old one stays as reference.
 */
export interface ImportedAction {
  readonly title: string;
  readonly kind: ActionKind;
  readonly owner: string | null;
  readonly dueDate: LocalDate | null;
  readonly status: ActionStatus;
  readonly completedOn: LocalDate | null;
}

export interface ImportedCar {
  readonly state: CarState;
  readonly title: string;
  readonly description: string | null;
  readonly reportType: ReportType;
  readonly relatesTo: readonly RelatesTo[];
  readonly source: Source;
  readonly occurredAt: string | null;
  readonly location: string | null;
  readonly affected: string | null;
  readonly immediateAction: string | null;
  readonly reportedBy: string | null;
  readonly reportedOn: LocalDate;
  readonly recordedOn: LocalDate | null;
  readonly classification: Classification | null;
  readonly severity: Severity | null;
  readonly containment: string | null;
  readonly rootCause: string | null;
  readonly causeCategory: CauseCategory | null;
  readonly actions: readonly ImportedAction[];
  readonly closedOn: LocalDate | null;
  readonly closureSummary: string | null;
  readonly rejectionReason: string | null;
}

export type ImportedCarResult =
  { readonly ok: true; readonly car: Car } | { readonly ok: false; readonly reason: string };

/** The states a former register's row can be imported in (a merge needs its target CAR). */
export const IMPORTABLE_STATES: readonly CarState[] = [
  'reported',
  'recorded',
  'rejected',
  'investigating',
  'action_planned',
  'implementing',
  'verifying',
  'closed',
];

const NOT_BEFORE_TRIAGE: readonly CarState[] = ['reported', 'rejected'];

/** People named in a former register have no Entra id: they are known by name only. */
export const namedPerson = (name: string): PersonRef => ({
  id: `imported:${name.trim().toLowerCase()}`,
  name: name.trim(),
});

const noon = (day: LocalDate): string => `${day}T12:00:00.000Z`;

export function importedCar(
  input: ImportedCar,
  ids: { readonly carId: string; readonly actionId: (n: number) => string },
  importer: PersonRef,
  /** The tenant of the person importing: the CAR belongs to it, as a report would. */
  tenantId: string,
): ImportedCarResult {
  if (!IMPORTABLE_STATES.includes(input.state))
    return { ok: false, reason: `state ${input.state} cannot be imported` };
  if (input.title.trim() === '') return { ok: false, reason: 'no title' };
  const triaged = !NOT_BEFORE_TRIAGE.includes(input.state);
  if (triaged && input.classification === null)
    return { ok: false, reason: `a ${input.state} CAR needs its classification` };
  const recordedOn = input.recordedOn ?? input.reportedOn;
  if (recordedOn < input.reportedOn)
    return {
      ok: false,
      reason: `recorded on ${recordedOn}, before it was reported (${input.reportedOn})`,
    };
  if (input.state === 'closed' && input.closedOn === null)
    return { ok: false, reason: 'a closed CAR needs its closing date' };
  if (input.closedOn !== null && input.closedOn < recordedOn)
    return {
      ok: false,
      reason: `closed on ${input.closedOn}, before it was recorded (${recordedOn})`,
    };
  const reporter = input.reportedBy ? namedPerson(input.reportedBy) : importer;
  const actions: CarAction[] = input.actions.map((a, i) => {
    const done = a.status === 'done';
    const completedOn = done ? (a.completedOn ?? input.closedOn ?? a.dueDate ?? recordedOn) : null;
    return {
      id: ids.actionId(i + 1),
      kind: a.kind,
      title: a.title,
      description: '',
      owner: a.owner ? namedPerson(a.owner) : importer,
      dueDate: a.dueDate ?? recordedOn,
      steps: [],
      status: a.status,
      createdAt: noon(recordedOn),
      completedAt: completedOn === null ? null : noon(completedOn),
      completedOn,
      completionNote: null,
      cancelReason: a.status === 'cancelled' ? 'cancelled in the former register' : null,
    };
  });
  if (input.state === 'closed' && actions.some((a) => a.status === 'open'))
    return { ok: false, reason: 'closed with an action still open' };
  const classification = triaged ? input.classification : null;
  const primitives: CarPrimitives = {
    id: ids.carId,
    tenantId,
    number: null,
    state: input.state,
    report: {
      type: input.reportType,
      relatesTo: [...new Set(input.relatesTo)],
      source: input.source,
      title: input.title.trim(),
      description: (input.description ?? '').trim() || input.title.trim(),
      occurredAt: input.occurredAt,
      location: input.location ?? '',
      affected: input.affected ?? '',
      immediateAction: input.immediateAction ?? '',
      confidential: false,
    },
    reporter,
    reportedAt: noon(input.reportedOn),
    triage:
      input.state === 'reported'
        ? null
        : {
            decision: input.state === 'rejected' ? 'rejected' : 'recorded',
            by: importer,
            at: noon(recordedOn),
            on: recordedOn,
            reason:
              input.state === 'rejected'
                ? (input.rejectionReason ?? 'rejected in the former register')
                : null,
            mergedInto: null,
          },
    classification,
    severity: triaged
      ? (input.severity ??
        (classification === 'major_nc' ? 'high' : classification === 'ofi' ? 'low' : 'medium'))
      : null,
    containment: input.containment
      ? { description: input.containment, by: importer, at: noon(recordedOn) }
      : null,
    investigation: {
      fiveWhys: [],
      rootCause: input.rootCause,
      causeCategory: input.causeCategory,
      consultees: [],
      consulteeInputs: [],
      similarCheck: null,
    },
    actions,
    plannedAt:
      ['implementing', 'verifying', 'closed'].includes(input.state) && actions.length > 0
        ? noon(recordedOn)
        : null,
    procedureLinks: [],
    verificationRound: 0,
    verifications: [],
    effectivenessDueDate: null,
    closure:
      input.state === 'closed' && input.closedOn !== null
        ? {
            by: importer,
            at: noon(input.closedOn),
            summary: input.closureSummary ?? 'closed in the former register',
            ismsChangeNeeded: false,
            ismsChangeDescription: null,
            feedsManagementReview: false,
          }
        : null,
    reopenings: [],
    committeeReviews: [],
  };
  return { ok: true, car: Car.fromPrimitives(primitives) };
}
