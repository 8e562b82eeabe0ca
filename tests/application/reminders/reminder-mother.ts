/** Object Mother for reminders, one of each kind, readable defaults. */
import { localDate } from '../../../src/domain/calendar/local-date.js';
import {
  REMINDER_KINDS,
  type Reminder,
  type ReminderKind,
} from '../../../src/application/ports/reminder.js';

export function aReminder(
  kind: ReminderKind = 'overdue',
  overrides: Partial<Reminder> = {},
): Reminder {
  const onCar = kind !== 'digest';
  const onAction = kind === 'due_soon' || kind === 'overdue' || kind === 'escalation';
  return {
    key: `car:car-1:action:action-1:${kind}:2026-12-04`,
    kind,
    dueDate: localDate('2026-12-04'),
    car: onCar ? { id: 'car-1', number: 'CAR-2026-0007', title: 'Visitor log not kept' } : null,
    action: onAction
      ? {
          id: 'action-1',
          title: 'Add ISMS duties to the onboarding checklist',
          owner: { id: 'owner-1', name: 'Sam Taylor' },
        }
      : null,
    meeting:
      kind === 'digest'
        ? {
            date: localDate('2026-12-04'),
            title: 'Operational review',
            agenda: {
              newSinceLastMeeting: 3,
              overdue: 1,
              closedSinceLastMeeting: 2,
              foundIneffective: 0,
              awaitingDecision: 1,
            },
          }
        : null,
    overdueWorkingDays: kind === 'escalation' ? 5 : 0,
    recipientIds: ['owner-1'],
    ...overrides,
  };
}

export const aReminderOfEachKind = (): Reminder[] => REMINDER_KINDS.map((k) => aReminder(k));
