import { toEpochDay, type LocalDate } from '../../domain/calendar/local-date.js';
import {
  CAUSE_CATEGORIES,
  CLASSIFICATIONS,
  RELATES_TO,
  REPORT_TYPES,
  SOURCES,
  type CauseCategory,
  type Classification,
  type RelatesTo,
  type ReportType,
  type Source,
} from '../../domain/car/car-vocabulary.js';
import { OPEN_STATES } from '../../domain/car/lifecycle.js';
import type { CarFacts } from '../ports/car-scan.js';
import type { ZonedDates } from './zoned-dates.js';

/**
 * Trends and key figures of CARs for a period [from, to] (both dates included, in the
 * organisation's calendar), for the committee's review of trends (clause 9.3.2).
 *
 * Definitions:
 * - The CARs of the period are the reports recorded as a CAR on a date in the period (the
 *   record date is already a date of the organisation's calendar). Every count, duration and
 *   share below is over them, except `reports` (reports made in the period, whatever their
 *   triage) and `closedInPeriod` (CARs closed in the period, whenever recorded).
 * - Months are the months of the record date; every month of the period is listed, zeros too.
 * - `relatesTo` may name several things: a CAR counts once under each. A CAR without a cause
 *   category counts under `none`.
 * - `status` is as of `asOf` (today): open (a working state), overdue (open, and an open
 *   action due before `asOf`, or the effectiveness review due before it while verifying),
 *   closed (closed now; a reopened CAR is open).
 * - Durations are calendar days between the organisation's dates of two instants (weekends
 *   and holidays count): report to record, report to the first confirmed action plan (CARs
 *   recorded before the plan's time was kept have none and are left out), report to closure
 *   (CARs closed now). `mean` is the arithmetic mean; `p90` is the nearest-rank 90th
 *   percentile: the value at position ceil(0.9 × n) of the n values sorted ascending. Both are
 *   null when there is no value.
 * - Effective at the first verification: of the CARs with at least one verification, the
 *   share whose first verification (round 1) found the actions effective.
 * - Repeated: cause categories and procedures (by procedure id) found in two or more CARs of
 *   the period, most frequent first.
 */

export interface KpiPeriod {
  readonly from: LocalDate;
  readonly to: LocalDate;
}

export interface DurationFigures {
  readonly count: number;
  readonly mean: number | null;
  readonly p90: number | null;
}

export interface Kpis {
  readonly period: KpiPeriod;
  readonly asOf: LocalDate;
  readonly timeZone: string;
  readonly reports: {
    readonly total: number;
    readonly recorded: number;
    readonly rejected: number;
    readonly merged: number;
    readonly awaitingTriage: number;
  };
  readonly cars: number;
  readonly byType: Readonly<Record<ReportType, number>>;
  readonly byRelatesTo: Readonly<Record<RelatesTo, number>>;
  readonly bySource: Readonly<Record<Source, number>>;
  readonly byClassification: Readonly<Record<Classification, number>>;
  readonly byCauseCategory: Readonly<Record<CauseCategory | 'none', number>>;
  readonly byMonth: readonly { readonly month: string; readonly count: number }[];
  readonly status: { readonly open: number; readonly overdue: number; readonly closed: number };
  readonly closedInPeriod: number;
  readonly days: {
    readonly reportToRecord: DurationFigures;
    readonly reportToActionPlan: DurationFigures;
    readonly reportToClosure: DurationFigures;
  };
  readonly firstVerification: {
    readonly verified: number;
    readonly effective: number;
    readonly share: number | null;
  };
  readonly repeatedCauseCategories: readonly {
    readonly causeCategory: CauseCategory;
    readonly count: number;
    readonly carIds: readonly string[];
  }[];
  readonly repeatedProcedures: readonly {
    readonly procedureId: string;
    readonly title: string;
    readonly count: number;
    readonly carIds: readonly string[];
  }[];
}

/** The nearest-rank percentile `p` (0 < p <= 100) of values sorted ascending; null if none. */
export function nearestRank(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? null;
}

export function durationFigures(values: readonly number[]): DurationFigures {
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((s, v) => s + v, 0);
  return {
    count: sorted.length,
    mean: sorted.length === 0 ? null : sum / sorted.length,
    p90: nearestRank(sorted, 90),
  };
}

const zeros = <K extends string>(keys: readonly K[]): Record<K, number> =>
  Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;

/** Every month YYYY-MM from the month of `from` to the month of `to`. */
export function monthsOf(period: KpiPeriod): string[] {
  const out: string[] = [];
  let y = Number(period.from.slice(0, 4));
  let m = Number(period.from.slice(5, 7));
  const last = period.to.slice(0, 7);
  for (;;) {
    const month = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}`;
    out.push(month);
    if (month >= last) return out;
    m += 1;
    if (m > 12) {
      m = 1;
      y += 1;
    }
  }
}

const days = (from: LocalDate, to: LocalDate): number => toEpochDay(to) - toEpochDay(from);

/** Adds up the figures one CAR at a time. */
export class KpiBuilder {
  private readonly reports = { total: 0, recorded: 0, rejected: 0, merged: 0, awaitingTriage: 0 };
  private cars = 0;
  private readonly byType = zeros(REPORT_TYPES);
  private readonly byRelatesTo = zeros(RELATES_TO);
  private readonly bySource = zeros(SOURCES);
  private readonly byClassification = zeros(CLASSIFICATIONS);
  private readonly byCauseCategory = zeros([...CAUSE_CATEGORIES, 'none'] as const);
  private readonly byMonth = new Map<string, number>();
  private readonly status = { open: 0, overdue: 0, closed: 0 };
  private closedInPeriod = 0;
  private readonly toRecord: number[] = [];
  private readonly toPlan: number[] = [];
  private readonly toClosure: number[] = [];
  private readonly first = { verified: 0, effective: 0 };
  private readonly causes = new Map<CauseCategory, string[]>();
  private readonly procedures = new Map<string, { title: string; carIds: string[] }>();

  constructor(
    private readonly period: KpiPeriod,
    private readonly asOf: LocalDate,
    private readonly dates: ZonedDates,
  ) {
    for (const month of monthsOf(period)) this.byMonth.set(month, 0);
  }

  private inPeriod(date: LocalDate): boolean {
    return date >= this.period.from && date <= this.period.to;
  }

  add(car: CarFacts): void {
    const reportedOn = this.dates.dateOf(car.reportedAt);
    if (this.inPeriod(reportedOn)) {
      this.reports.total += 1;
      if (car.triage === null) this.reports.awaitingTriage += 1;
      else this.reports[car.triage.decision] += 1;
    }
    const closedOn = car.closure ? this.dates.dateOf(car.closure.at) : null;
    if (closedOn !== null && car.triage?.decision === 'recorded' && this.inPeriod(closedOn))
      this.closedInPeriod += 1;

    if (car.triage?.decision !== 'recorded' || !this.inPeriod(car.triage.on)) return;
    this.cars += 1;
    this.byType[car.report.type] += 1;
    for (const r of new Set(car.report.relatesTo)) this.byRelatesTo[r] += 1;
    this.bySource[car.report.source] += 1;
    if (car.classification) this.byClassification[car.classification] += 1;
    this.byCauseCategory[car.investigation.causeCategory ?? 'none'] += 1;
    const month = car.triage.on.slice(0, 7);
    this.byMonth.set(month, (this.byMonth.get(month) ?? 0) + 1);

    if (OPEN_STATES.includes(car.state)) {
      this.status.open += 1;
      const late =
        car.actions.some((a) => a.status === 'open' && a.dueDate < this.asOf) ||
        (car.state === 'verifying' &&
          car.effectivenessDueDate !== null &&
          car.effectivenessDueDate < this.asOf);
      if (late) this.status.overdue += 1;
    } else if (car.state === 'closed') this.status.closed += 1;

    this.toRecord.push(days(reportedOn, car.triage.on));
    if (car.plannedAt !== null)
      this.toPlan.push(days(reportedOn, this.dates.dateOf(car.plannedAt)));
    if (closedOn !== null) this.toClosure.push(days(reportedOn, closedOn));

    const firstVerification = car.verifications[0];
    if (firstVerification) {
      this.first.verified += 1;
      if (firstVerification.effective) this.first.effective += 1;
    }

    const cause = car.investigation.causeCategory;
    if (cause) {
      const ids = this.causes.get(cause);
      if (ids) ids.push(car.id);
      else this.causes.set(cause, [car.id]);
    }
    const seen = new Set<string>();
    for (const link of car.procedureLinks) {
      if (seen.has(link.procedureId)) continue;
      seen.add(link.procedureId);
      const entry = this.procedures.get(link.procedureId);
      if (entry) entry.carIds.push(car.id);
      else this.procedures.set(link.procedureId, { title: link.title, carIds: [car.id] });
    }
  }

  result(): Kpis {
    const byCount = <T extends { count: number; key: string }>(a: T, b: T): number =>
      b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
    return {
      period: this.period,
      asOf: this.asOf,
      timeZone: this.dates.timeZone,
      reports: { ...this.reports },
      cars: this.cars,
      byType: { ...this.byType },
      byRelatesTo: { ...this.byRelatesTo },
      bySource: { ...this.bySource },
      byClassification: { ...this.byClassification },
      byCauseCategory: { ...this.byCauseCategory },
      byMonth: [...this.byMonth].map(([month, count]) => ({ month, count })),
      status: { ...this.status },
      closedInPeriod: this.closedInPeriod,
      days: {
        reportToRecord: durationFigures(this.toRecord),
        reportToActionPlan: durationFigures(this.toPlan),
        reportToClosure: durationFigures(this.toClosure),
      },
      firstVerification: {
        ...this.first,
        share: this.first.verified === 0 ? null : this.first.effective / this.first.verified,
      },
      repeatedCauseCategories: [...this.causes]
        .filter(([, ids]) => ids.length >= 2)
        .map(([causeCategory, ids]) => ({
          key: causeCategory,
          causeCategory,
          count: ids.length,
          carIds: [...ids].sort(),
        }))
        .sort(byCount)
        .map(({ causeCategory, count, carIds }) => ({ causeCategory, count, carIds })),
      repeatedProcedures: [...this.procedures]
        .filter(([, e]) => e.carIds.length >= 2)
        .map(([procedureId, e]) => ({
          key: procedureId,
          procedureId,
          title: e.title,
          count: e.carIds.length,
          carIds: [...e.carIds].sort(),
        }))
        .sort(byCount)
        .map(({ procedureId, title, count, carIds }) => ({ procedureId, title, count, carIds })),
    };
  }
}

export function computeKpis(
  cars: Iterable<CarFacts>,
  options: { readonly period: KpiPeriod; readonly asOf: LocalDate; readonly dates: ZonedDates },
): Kpis {
  const builder = new KpiBuilder(options.period, options.asOf, options.dates);
  for (const car of cars) builder.add(car);
  return builder.result();
}
