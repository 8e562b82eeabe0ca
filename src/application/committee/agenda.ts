import type { LocalDate } from '../../domain/calendar/local-date.js';
import { OPEN_STATES } from '../../domain/car/lifecycle.js';
import type { CarFacts, ScannedCar } from '../ports/car-scan.js';
import type { ZonedDates } from './zoned-dates.js';

/**
 * The Steering Committee's agenda for one meeting (procedure ISMSP02; ISO/IEC 27001 clause
 * 9.3.2: the status of actions from previous reviews, trends in nonconformities and corrective
 * actions). Pure: computed from CAR facts, the meeting date and the date of the last meeting.
 *
 * "Since the last meeting" means on a date (in the organisation's calendar) after the last
 * meeting's date and on or before this meeting's date; with no earlier meeting, every date up
 * to this meeting's. The last meeting is the latest meeting marked done before this one.
 * Only recorded CARs appear (reports still waiting for triage, rejected or merged do not).
 */

export interface AgendaCar {
  readonly id: string;
  readonly number: string | null;
  readonly title: string;
  readonly state: CarFacts['state'];
  readonly classification: CarFacts['classification'];
  readonly severity: CarFacts['severity'];
  readonly confidential: boolean;
  /** The version to send with a decision on this CAR. */
  readonly etag: string;
}

export interface OverdueAction {
  readonly id: string;
  readonly title: string;
  readonly owner: { readonly id: string; readonly name: string };
  readonly dueDate: LocalDate;
}

export interface OverdueItem extends AgendaCar {
  readonly overdueActions: readonly OverdueAction[];
}

export interface IneffectiveItem extends AgendaCar {
  /** Dates of the verifications since the last meeting that found the actions not effective. */
  readonly foundOn: readonly LocalDate[];
}

export type DecisionReason = 'major_nc' | 'feeds_management_review' | 'reopened';

export interface AwaitingItem extends AgendaCar {
  /** What calls for a decision, each not yet answered by a committee review. */
  readonly reasons: readonly DecisionReason[];
}

export interface PreviousReviewItem extends AgendaCar {
  /** The reviews the CAR got at the last meeting: decision, follow-up, minutes. */
  readonly reviews: readonly {
    readonly decision: string;
    readonly followUp: string | null;
    readonly minutesRef: string;
  }[];
  readonly openActions: number;
  readonly overdueActions: number;
}

export interface Agenda {
  readonly meetingDate: LocalDate;
  readonly lastMeetingDate: LocalDate | null;
  /** Recorded (triaged as a CAR) since the last meeting. */
  readonly newSinceLast: readonly AgendaCar[];
  /** Open CARs with an open action due before the meeting date. */
  readonly overdueActions: readonly OverdueItem[];
  /** Closed since the last meeting, and closed still. */
  readonly closedSinceLast: readonly AgendaCar[];
  /** A verification since the last meeting found the actions not effective. */
  readonly foundIneffective: readonly IneffectiveItem[];
  readonly awaitingDecision: readonly AwaitingItem[];
  /** CARs reviewed at the last meeting: their follow-ups and where they stand now. */
  readonly previousReview: readonly PreviousReviewItem[];
  /** CARs that already have a review of this meeting. */
  readonly reviewedAtThisMeeting: readonly string[];
}

const byNumber = (a: AgendaCar, b: AgendaCar): number => {
  // Numbered CARs by year and sequence (CAR-YYYY-NNNN sorts as text), then by id.
  const x = a.number ?? '~';
  const y = b.number ?? '~';
  return x < y ? -1 : x > y ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
};

/** Builds the agenda one CAR at a time, so that a scan never holds the whole store. */
export class AgendaBuilder {
  private readonly newSinceLast: AgendaCar[] = [];
  private readonly overdue: OverdueItem[] = [];
  private readonly closed: AgendaCar[] = [];
  private readonly ineffective: IneffectiveItem[] = [];
  private readonly awaiting: AwaitingItem[] = [];
  private readonly previous: PreviousReviewItem[] = [];
  private readonly reviewedNow: string[] = [];

  constructor(
    private readonly meetingDate: LocalDate,
    private readonly lastMeetingDate: LocalDate | null,
    private readonly dates: ZonedDates,
  ) {}

  private since(date: LocalDate): boolean {
    return (
      (this.lastMeetingDate === null || date > this.lastMeetingDate) && date <= this.meetingDate
    );
  }

  add({ car, etag }: ScannedCar): void {
    if (car.triage?.decision !== 'recorded') return;
    const D = this.meetingDate;
    // Made only for the CARs that appear in a section: most of a large register does not.
    let made: AgendaCar | null = null;
    const summary = (): AgendaCar =>
      (made ??= {
        id: car.id,
        number: car.number,
        title: car.report.title,
        state: car.state,
        classification: car.classification,
        severity: car.severity,
        confidential: car.report.confidential,
        etag,
      });

    if (this.since(car.triage.on)) this.newSinceLast.push(summary());

    const isOpen = OPEN_STATES.includes(car.state);
    const openActions = car.actions.filter((a) => a.status === 'open');
    const late = isOpen ? openActions.filter((a) => a.dueDate < D) : [];
    if (late.length > 0)
      this.overdue.push({
        ...summary(),
        overdueActions: late.map((a) => ({
          id: a.id,
          title: a.title,
          owner: { id: a.owner.id, name: a.owner.name },
          dueDate: a.dueDate,
        })),
      });

    const closedOn = car.closure ? this.dates.dateOf(car.closure.at) : null;
    if (closedOn !== null && this.since(closedOn)) this.closed.push(summary());

    const foundOn: LocalDate[] = [];
    for (const v of car.verifications) {
      if (v.effective) continue;
      const on = this.dates.dateOf(v.at);
      if (this.since(on)) foundOn.push(on);
    }
    if (foundOn.length > 0) this.ineffective.push({ ...summary(), foundOn });

    // Awaiting a committee decision: the CAR has an event that calls for one on or before the
    // meeting date, and no committee review on a meeting date on or after that event (and not
    // after this meeting). The events: recorded as a major nonconformity (its record date),
    // closed with "feeds the management review" (its closure date), reopened (the date of its
    // latest reopening). A review at this very meeting answers them all.
    let lastReview: LocalDate | null = null;
    for (const r of car.committeeReviews)
      if (r.meetingDate <= D && (lastReview === null || r.meetingDate > lastReview))
        lastReview = r.meetingDate;
    const unanswered = (date: LocalDate | null): boolean =>
      date !== null && date <= D && (lastReview === null || date > lastReview);
    const reasons: DecisionReason[] = [];
    if (car.classification === 'major_nc' && unanswered(car.triage.on)) reasons.push('major_nc');
    if (car.closure?.feedsManagementReview && unanswered(closedOn))
      reasons.push('feeds_management_review');
    const reopening = car.reopenings.at(-1);
    if (reopening && unanswered(this.dates.dateOf(reopening.at))) reasons.push('reopened');
    if (reasons.length > 0) this.awaiting.push({ ...summary(), reasons });

    if (this.lastMeetingDate !== null) {
      const reviews = car.committeeReviews.filter((r) => r.meetingDate === this.lastMeetingDate);
      if (reviews.length > 0)
        this.previous.push({
          ...summary(),
          reviews: reviews.map((r) => ({
            decision: r.decision,
            followUp: r.followUp,
            minutesRef: r.minutesRef,
          })),
          openActions: isOpen ? openActions.length : 0,
          overdueActions: late.length,
        });
    }

    if (car.committeeReviews.some((r) => r.meetingDate === D)) this.reviewedNow.push(car.id);
  }

  result(): Agenda {
    return {
      meetingDate: this.meetingDate,
      lastMeetingDate: this.lastMeetingDate,
      newSinceLast: [...this.newSinceLast].sort(byNumber),
      overdueActions: [...this.overdue].sort(byNumber),
      closedSinceLast: [...this.closed].sort(byNumber),
      foundIneffective: [...this.ineffective].sort(byNumber),
      awaitingDecision: [...this.awaiting].sort(byNumber),
      previousReview: [...this.previous].sort(byNumber),
      reviewedAtThisMeeting: [...this.reviewedNow].sort(),
    };
  }
}

export function buildAgenda(
  cars: Iterable<ScannedCar>,
  meeting: {
    readonly meetingDate: LocalDate;
    readonly lastMeetingDate: LocalDate | null;
    readonly dates: ZonedDates;
  },
): Agenda {
  const builder = new AgendaBuilder(meeting.meetingDate, meeting.lastMeetingDate, meeting.dates);
  for (const car of cars) builder.add(car);
  return builder.result();
}
