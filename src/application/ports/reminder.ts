import { z } from 'zod';
import { isLocalDate, type LocalDate } from '../../domain/calendar/local-date.js';

/**
 * A reminder: one due event (an action due soon, overdue or escalated, an effectiveness check
 * due, a committee digest) and the people it goes to. It is stored once per due event under
 * `reminder:<event key>` and is the record that the reminder was sent.
 */
export const REMINDER_KINDS = [
  'due_soon',
  'overdue',
  'escalation',
  'effectiveness_due',
  'digest',
] as const;
export type ReminderKind = (typeof REMINDER_KINDS)[number];

/** The Teams activity type of each kind, as the app manifest declares them. */
export const ACTIVITY_TYPES: Readonly<Record<ReminderKind, string>> = {
  due_soon: 'actionDueSoon',
  overdue: 'actionOverdue',
  escalation: 'actionEscalated',
  effectiveness_due: 'effectivenessCheckDue',
  digest: 'committeeDigest',
};

/** What the committee's next agenda will hold, counted by section. */
export interface AgendaCounts {
  readonly newSinceLastMeeting: number;
  readonly overdue: number;
  readonly closedSinceLastMeeting: number;
  readonly foundIneffective: number;
  readonly awaitingDecision: number;
}

export interface Reminder {
  /** The due event: car id + action id + kind + the date it refers to, or the meeting date. */
  readonly key: string;
  readonly kind: ReminderKind;
  /** The date the event refers to: the action's or the review's due date, the meeting date. */
  readonly dueDate: LocalDate;
  readonly car: {
    readonly id: string;
    readonly number: string | null;
    readonly title: string;
  } | null;
  readonly action: {
    readonly id: string;
    readonly title: string;
    readonly owner: { readonly id: string; readonly name: string };
  } | null;
  readonly meeting: {
    readonly date: LocalDate;
    readonly title: string;
    readonly agenda: AgendaCounts;
  } | null;
  /** Working days past the due date on the day the event was found (0 if not yet due). */
  readonly overdueWorkingDays: number;
  readonly recipientIds: readonly string[];
}

const localDateSchema = z.string().refine(isLocalDate, 'a date YYYY-MM-DD');

export const ReminderSchema = z.object({
  key: z.string().min(1),
  kind: z.enum(REMINDER_KINDS),
  dueDate: localDateSchema,
  car: z.object({ id: z.string(), number: z.string().nullable(), title: z.string() }).nullable(),
  action: z
    .object({
      id: z.string(),
      title: z.string(),
      owner: z.object({ id: z.string(), name: z.string() }),
    })
    .nullable(),
  meeting: z
    .object({
      date: localDateSchema,
      title: z.string(),
      agenda: z.object({
        newSinceLastMeeting: z.number().int().min(0),
        overdue: z.number().int().min(0),
        closedSinceLastMeeting: z.number().int().min(0),
        foundIneffective: z.number().int().min(0),
        awaitingDecision: z.number().int().min(0),
      }),
    })
    .nullable(),
  overdueWorkingDays: z.number().int().min(0),
  recipientIds: z.array(z.string().min(1)),
});

/** The stored reminder record: the reminder, when it was found, and whether its deliveries are queued. */
export const ReminderRecordSchema = z.object({
  reminder: ReminderSchema,
  foundAt: z.string(),
  /** Set once every delivery is in the outbox; until then any instance may (re)queue them. */
  queuedAt: z.string().nullable(),
});
export interface ReminderRecord {
  readonly reminder: Reminder;
  readonly foundAt: string;
  readonly queuedAt: string | null;
}

export const REMINDER_RECORD_KIND = 'reminder';
export const reminderRecordKey = (eventKey: string): string => `reminder:${eventKey}`;

/** One short line a person reads in the feed, the inbox or a card. */
export function reminderText(r: Reminder): string {
  const car = r.car ? (r.car.number ?? 'a report') : '';
  const action = r.action ? `"${r.action.title}"` : '';
  switch (r.kind) {
    case 'due_soon':
      return `Action ${action} on ${car} is due on ${r.dueDate}.`;
    case 'overdue':
      return `Action ${action} on ${car} was due on ${r.dueDate} and is overdue.`;
    case 'escalation':
      return `Action ${action} on ${car}, owned by ${r.action?.owner.name ?? 'nobody'}, is ${r.overdueWorkingDays} working days overdue (due ${r.dueDate}).`;
    case 'effectiveness_due':
      return `The effectiveness check of ${car} is due on ${r.dueDate}.`;
    case 'digest': {
      const a = r.meeting?.agenda;
      const counts = a
        ? `${a.newSinceLastMeeting} new, ${a.overdue} overdue, ${a.closedSinceLastMeeting} closed, ${a.foundIneffective} found ineffective, ${a.awaitingDecision} awaiting a decision`
        : '';
      return `Committee meeting "${r.meeting?.title ?? ''}" on ${r.dueDate}: ${counts}.`;
    }
  }
}
