import type { LocalDate } from '../../domain/calendar/local-date.js';
import {
  ACTION_KIND_LABELS,
  CAUSE_CATEGORY_LABELS,
  CLASSIFICATION_LABELS,
  RELATES_TO_LABELS,
  REPORT_TYPE_LABELS,
  SEVERITY_LABELS,
  SOURCE_LABELS,
} from '../../domain/car/car-labels.js';
import { Car, type CarAction, type CarPrimitives } from '../../domain/car/car.js';
import type { ActionStatus } from '../../domain/car/car-vocabulary.js';
import type { CarState } from '../../domain/car/lifecycle.js';
import type { Cell, ColumnKind } from '../ports/table-cells.js';

export type { Cell, ColumnKind } from '../ports/table-cells.js';

/**
 * The register as flat tables: one row per CAR with every field of the CAR, and one row per
 * action. The column order is part of the contract (people build spreadsheets on it): add
 * columns at the end, never reorder or rename them.
 */

export interface Column<T> {
  readonly header: string;
  readonly kind: ColumnKind;
  /** A rough width in characters, for spreadsheets. */
  readonly width: number;
  readonly value: (item: T) => Cell;
}

export interface TableSpec<T> {
  readonly name: string;
  readonly columns: readonly Column<T>[];
}

export const STATE_LABELS: Record<CarState, string> = {
  reported: 'Reported',
  recorded: 'Recorded',
  rejected: 'Rejected',
  merged: 'Merged',
  investigating: 'Investigating',
  action_planned: 'Action planned',
  implementing: 'Implementing',
  verifying: 'Verifying effectiveness',
  closed: 'Closed',
};

export const ACTION_STATUS_LABELS: Record<ActionStatus, string> = {
  open: 'Open',
  done: 'Done',
  cancelled: 'Cancelled',
};

/** A CAR with what the register derives from it on the day of the export. */
export interface RegisterCar {
  readonly car: CarPrimitives;
  readonly nextDueDate: LocalDate | null;
  readonly overdue: boolean;
}

export const toRegisterCar = (car: CarPrimitives, today: LocalDate): RegisterCar => {
  const aggregate = Car.fromPrimitives(car);
  return { car, nextDueDate: aggregate.nextDueDate(), overdue: aggregate.isOverdue(today) };
};

/** An action with the CAR it belongs to. */
export interface RegisterAction {
  readonly car: CarPrimitives;
  readonly action: CarAction;
  readonly overdue: boolean;
}

/** Several entries in one cell: one per line, which spreadsheets show wrapped. */
const lines = (items: readonly string[]): string | null =>
  items.length === 0 ? null : items.join('\n');

const count = (car: CarPrimitives, status: ActionStatus): number =>
  car.actions.filter((a) => a.status === status).length;

const text = <T>(header: string, width: number, value: (item: T) => Cell): Column<T> => ({
  header,
  kind: 'text',
  width,
  value,
});
const date = <T>(header: string, value: (item: T) => Cell): Column<T> => ({
  header,
  kind: 'date',
  width: 12,
  value,
});
const instant = <T>(header: string, value: (item: T) => Cell): Column<T> => ({
  header,
  kind: 'instant',
  width: 20,
  value,
});
const integer = <T>(header: string, value: (item: T) => Cell): Column<T> => ({
  header,
  kind: 'integer',
  width: 10,
  value,
});
const flag = <T>(header: string, value: (item: T) => Cell): Column<T> => ({
  header,
  kind: 'boolean',
  width: 10,
  value,
});

export const REGISTER_TABLE: TableSpec<RegisterCar> = {
  name: 'Register',
  columns: [
    text('CAR number', 15, ({ car }) => car.number),
    text('Record id', 36, ({ car }) => car.id),
    text('State', 16, ({ car }) => STATE_LABELS[car.state]),
    text('Report type', 30, ({ car }) => REPORT_TYPE_LABELS[car.report.type]),
    text('Relates to', 20, ({ car }) =>
      car.report.relatesTo.map((r) => RELATES_TO_LABELS[r]).join(', '),
    ),
    text('How it was recognised', 22, ({ car }) => SOURCE_LABELS[car.report.source]),
    text('Title', 40, ({ car }) => car.report.title),
    text('What happened', 60, ({ car }) => car.report.description),
    text('When it happened', 20, ({ car }) => car.report.occurredAt),
    text('Where', 25, ({ car }) => car.report.location),
    text('Who or what is affected', 25, ({ car }) => car.report.affected),
    text('Immediate action taken', 40, ({ car }) => car.report.immediateAction),
    flag('Confidential', ({ car }) => car.report.confidential),
    text('Reported by', 20, ({ car }) => car.reporter.name),
    text('Reporter id', 36, ({ car }) => car.reporter.id),
    instant('Reported at', ({ car }) => car.reportedAt),
    text('Triage decision', 12, ({ car }) => car.triage?.decision ?? null),
    text('Triaged by', 20, ({ car }) => car.triage?.by.name ?? null),
    instant('Triaged at', ({ car }) => car.triage?.at ?? null),
    date('Triage date', ({ car }) => car.triage?.on ?? null),
    text('Triage reason', 40, ({ car }) => car.triage?.reason ?? null),
    text('Merged into', 15, ({ car }) => car.triage?.mergedInto?.number ?? null),
    text('Classification', 18, ({ car }) =>
      car.classification ? CLASSIFICATION_LABELS[car.classification] : null,
    ),
    text('Severity', 10, ({ car }) => (car.severity ? SEVERITY_LABELS[car.severity] : null)),
    text('Containment / correction', 40, ({ car }) => car.containment?.description ?? null),
    text('Containment by', 20, ({ car }) => car.containment?.by.name ?? null),
    instant('Containment at', ({ car }) => car.containment?.at ?? null),
    text('5 Whys', 60, ({ car }) =>
      lines(car.investigation.fiveWhys.map((w, i) => `${i + 1}. ${w.question} -> ${w.answer}`)),
    ),
    text('Root cause', 40, ({ car }) => car.investigation.rootCause),
    text('Cause category', 15, ({ car }) =>
      car.investigation.causeCategory
        ? CAUSE_CATEGORY_LABELS[car.investigation.causeCategory]
        : null,
    ),
    text('Consultees', 30, ({ car }) => lines(car.investigation.consultees.map((p) => p.name))),
    text('Consultee answers', 50, ({ car }) =>
      lines(car.investigation.consulteeInputs.map((c) => `${c.by.name} (${c.at}): ${c.answer}`)),
    ),
    flag(
      'Similar nonconformities checked',
      ({ car }) => car.investigation.similarCheck?.done ?? false,
    ),
    text(
      'Similar-check findings',
      40,
      ({ car }) => car.investigation.similarCheck?.findings ?? null,
    ),
    text('Related CAR ids', 36, ({ car }) =>
      lines(car.investigation.similarCheck?.relatedCarIds ?? []),
    ),
    integer('Actions', ({ car }) => car.actions.length),
    integer('Actions open', ({ car }) => count(car, 'open')),
    integer('Actions done', ({ car }) => count(car, 'done')),
    integer('Actions cancelled', ({ car }) => count(car, 'cancelled')),
    instant('Action plan confirmed at', ({ car }) => car.plannedAt),
    date('Next due date', (r) => r.nextDueDate),
    flag('Overdue', (r) => r.overdue),
    text('Procedure links', 50, ({ car }) =>
      lines(
        car.procedureLinks.map(
          (l) =>
            `${l.title || l.procedureId} (${l.procedureId}) revision ${l.revisionInForce}` +
            (l.newRevision ? ` -> ${l.newRevision}` : ''),
        ),
      ),
    ),
    integer('Verification round', ({ car }) => car.verificationRound),
    text('Verifications', 50, ({ car }) =>
      lines(
        car.verifications.map(
          (v) =>
            `Round ${v.round}, ${v.at}, ${v.by.name}: ${v.effective ? 'effective' : 'not effective'} (${v.evidence})`,
        ),
      ),
    ),
    date('Effectiveness review due', ({ car }) => car.effectivenessDueDate),
    text('Closed by', 20, ({ car }) => car.closure?.by.name ?? null),
    instant('Closed at', ({ car }) => car.closure?.at ?? null),
    text('Closure summary', 40, ({ car }) => car.closure?.summary ?? null),
    flag('ISMS change needed', ({ car }) => car.closure?.ismsChangeNeeded ?? null),
    text('ISMS change', 40, ({ car }) => car.closure?.ismsChangeDescription ?? null),
    flag('Feeds management review', ({ car }) => car.closure?.feedsManagementReview ?? null),
    integer('Times reopened', ({ car }) => car.reopenings.length),
    text('Reopenings', 40, ({ car }) =>
      lines(car.reopenings.map((r) => `${r.at}, ${r.by.name}: ${r.reason}`)),
    ),
    integer('Committee reviews', ({ car }) => car.committeeReviews.length),
    text('Committee decisions', 50, ({ car }) =>
      lines(
        car.committeeReviews.map(
          (r) =>
            `${r.meetingDate} (${r.minutesRef || 'no minutes ref'}): ${r.decision}` +
            (r.followUp ? `; follow-up: ${r.followUp}` : ''),
        ),
      ),
    ),
  ],
};

export const ACTIONS_TABLE: TableSpec<RegisterAction> = {
  name: 'Actions',
  columns: [
    text('CAR number', 15, ({ car }) => car.number),
    text('CAR record id', 36, ({ car }) => car.id),
    text('CAR state', 16, ({ car }) => STATE_LABELS[car.state]),
    text('Action id', 36, ({ action }) => action.id),
    text('Kind', 18, ({ action }) => ACTION_KIND_LABELS[action.kind]),
    text('Title', 40, ({ action }) => action.title),
    text('Description', 50, ({ action }) => action.description),
    text('Owner', 20, ({ action }) => action.owner.name),
    text('Owner id', 36, ({ action }) => action.owner.id),
    date('Due date', ({ action }) => action.dueDate),
    text('Steps', 40, ({ action }) => lines(action.steps)),
    text('Status', 10, ({ action }) => ACTION_STATUS_LABELS[action.status]),
    flag('Overdue', (a) => a.overdue),
    instant('Created at', ({ action }) => action.createdAt),
    instant('Completed at', ({ action }) => action.completedAt),
    date('Completed on', ({ action }) => action.completedOn),
    text('Completion note', 40, ({ action }) => action.completionNote),
    text('Cancellation reason', 40, ({ action }) => action.cancelReason),
  ],
};

export const headersOf = <T>(table: TableSpec<T>): string[] => table.columns.map((c) => c.header);

export const rowOf = <T>(table: TableSpec<T>, item: T): Cell[] =>
  table.columns.map((c) => c.value(item));

/** The register rows of a stream of CARs, in the order given. */
export async function* registerRows(
  cars: AsyncIterable<CarPrimitives>,
  today: LocalDate,
): AsyncGenerator<Cell[]> {
  for await (const car of cars) yield rowOf(REGISTER_TABLE, toRegisterCar(car, today));
}

/** One row per action of every CAR, CAR by CAR in the order given, actions in their order. */
export async function* actionRows(
  cars: AsyncIterable<CarPrimitives>,
  today: LocalDate,
): AsyncGenerator<Cell[]> {
  for await (const car of cars)
    for (const action of car.actions)
      yield rowOf(ACTIONS_TABLE, {
        car,
        action,
        overdue: action.status === 'open' && action.dueDate < today && car.state !== 'closed',
      });
}
