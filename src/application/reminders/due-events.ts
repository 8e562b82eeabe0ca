import type { LocalDate } from '../../domain/calendar/local-date.js';
import type { WorkingCalendar } from '../../domain/calendar/working-calendar.js';
import { OPEN_STATES } from '../../domain/car/lifecycle.js';
import type { CarFacts } from '../ports/car-scan.js';
import type { AgendaCounts, Reminder } from '../ports/reminder.js';

/**
 * Which reminders are due on a given day. Pure: the job hands in the open CARs, the planned
 * meetings and the organisation's date, and gets the due events back. Every event has a key
 * made of what it is about and the date it refers to, so a changed due date is a new event
 * and the same event found twice (by two instances, or on two ticks) has the same key.
 *
 * The CARs are what a scan reads (`CarFacts`); the agenda counts of a digest come from the
 * committee's agenda builder.
 *
 * Reminders go out on working days only: a window that opens on a weekend or a holiday is
 * noticed on the next working day.
 */

export interface ReminderSettings {
  /** Working days before an action's due date (or an effectiveness check) to remind. */
  readonly dueSoonDays: number;
  /** Working days overdue after which the MR is told; at least 1. */
  readonly escalateAfterDays: number;
  /** Working days before a planned committee meeting to send the digest. */
  readonly digestDaysBefore: number;
}

export const DEFAULT_REMINDER_SETTINGS: ReminderSettings = {
  dueSoonDays: 2,
  escalateAfterDays: 5,
  digestDaysBefore: 2,
};

/** Who is told, by role, from the configuration and role mapping. */
export interface ReminderRecipients {
  readonly mrIds: readonly string[];
  readonly committeeIds: readonly string[];
}

export interface DigestMeeting {
  readonly date: LocalDate;
  readonly title: string;
  readonly agenda: AgendaCounts;
}

export interface DueEventInput {
  readonly today: LocalDate;
  readonly calendar: WorkingCalendar;
  readonly settings: ReminderSettings;
  readonly recipients: ReminderRecipients;
}

const unique = (ids: readonly string[]): string[] => [...new Set(ids.filter((id) => id !== ''))];

/** True on a working day from `dueSoonDays` working days before `due` up to `due` itself. */
function isDueSoon(due: LocalDate, days: number, input: DueEventInput): boolean {
  const { today, calendar } = input;
  return today <= due && calendar.workingDaysBetween(today, due) <= days;
}

/** The action and effectiveness events of one CAR due on `input.today`. */
export function carEvents(p: CarFacts, input: DueEventInput): Reminder[] {
  if (!OPEN_STATES.includes(p.state)) return [];
  const { today, calendar, settings, recipients } = input;
  if (!calendar.isWorkingDay(today)) return [];
  const carRef = { id: p.id, number: p.number, title: p.report.title };
  const events: Reminder[] = [];
  const mrIds = unique(recipients.mrIds);
  for (const action of p.actions) {
    if (action.status !== 'open') continue;
    const due = action.dueDate;
    const overdueDays = today > due ? calendar.workingDaysBetween(due, today) : 0;
    const base = {
      dueDate: due,
      car: carRef,
      action: { id: action.id, title: action.title, owner: action.owner },
      meeting: null,
      overdueWorkingDays: overdueDays,
    };
    const key = (kind: string) => `car:${p.id}:action:${action.id}:${kind}:${due}`;
    const owner = unique([action.owner.id]);
    if (isDueSoon(due, settings.dueSoonDays, input))
      events.push({ ...base, key: key('due_soon'), kind: 'due_soon', recipientIds: owner });
    if (overdueDays >= 1)
      events.push({ ...base, key: key('overdue'), kind: 'overdue', recipientIds: owner });
    if (overdueDays >= Math.max(1, settings.escalateAfterDays) && mrIds.length > 0)
      events.push({ ...base, key: key('escalation'), kind: 'escalation', recipientIds: mrIds });
  }
  const reviewDue = p.effectivenessDueDate;
  if (p.state === 'verifying' && reviewDue !== null && mrIds.length > 0) {
    const reviewOverdue = today > reviewDue;
    if (reviewOverdue || isDueSoon(reviewDue, settings.dueSoonDays, input))
      events.push({
        key: `car:${p.id}:effectiveness_due:${reviewDue}`,
        kind: 'effectiveness_due',
        dueDate: reviewDue,
        car: carRef,
        action: null,
        meeting: null,
        overdueWorkingDays: reviewOverdue ? calendar.workingDaysBetween(reviewDue, today) : 0,
        recipientIds: mrIds,
      });
  }
  return events;
}

/** Planned meetings whose digest window is open on `today`. */
export function meetingsNeedingDigest<M extends { readonly date: LocalDate }>(
  meetings: readonly M[],
  input: DueEventInput,
): M[] {
  if (!input.calendar.isWorkingDay(input.today)) return [];
  return meetings.filter((m) => isDueSoon(m.date, input.settings.digestDaysBefore, input));
}

/** The committee digest of each meeting (already filtered to its window). */
export function digestEvents(meetings: readonly DigestMeeting[], input: DueEventInput): Reminder[] {
  const committee = unique(input.recipients.committeeIds);
  if (committee.length === 0) return [];
  return meetingsNeedingDigest(meetings, input).map((m) => ({
    key: `meeting:${m.date}:digest`,
    kind: 'digest',
    dueDate: m.date,
    car: null,
    action: null,
    meeting: { date: m.date, title: m.title, agenda: m.agenda },
    overdueWorkingDays: 0,
    recipientIds: committee,
  }));
}

/** Every event due on `input.today`, CAR events first. */
export function dueEvents(
  cars: readonly CarFacts[],
  meetings: readonly DigestMeeting[],
  input: DueEventInput,
): Reminder[] {
  return [...cars.flatMap((c) => carEvents(c, input)), ...digestEvents(meetings, input)];
}
