import { describe, expect, it } from '@jest/globals';
import {
  DEFAULT_REMINDER_SETTINGS,
  carEvents,
  digestEvents,
  type DueEventInput,
} from '../../../src/application/reminders/due-events.js';
import { localDate, type LocalDate } from '../../../src/domain/calendar/local-date.js';
import { WorkingCalendar } from '../../../src/domain/calendar/working-calendar.js';
import type { Car } from '../../../src/domain/car/car.js';
import type { CarState } from '../../../src/domain/car/lifecycle.js';
import { anOperationContext, carInState } from '../../support/car-mother.js';

// 2026-12-03 is a Thursday; Monday 2026-12-07 is a holiday.
const DUE = localDate('2026-12-03');
const calendar = new WorkingCalendar({ weekendDays: [0, 6], holidays: [localDate('2026-12-07')] });
const OWNER = { id: 'owner-1', name: 'Sam Taylor' };
const recipients = { mrIds: ['mr-1'], committeeIds: ['committee-1', 'committee-2'] };

const on = (today: string, settings = DEFAULT_REMINDER_SETTINGS): DueEventInput => ({
  today: localDate(today),
  calendar,
  settings,
  recipients,
});

const aCar = (state: CarState = 'implementing', dueDate: LocalDate = DUE): Car =>
  carInState(state, { actionDueDate: dueDate, actionOwner: OWNER, actionId: 'action-1' });

const kindsOn = (car: Car, today: string, settings = DEFAULT_REMINDER_SETTINGS): string[] =>
  carEvents(car.toPrimitives(), on(today, settings)).map((e) => e.kind);

describe('due events of an action', () => {
  it('reminds the owner two working days before the due date, not three', () => {
    const car = aCar();
    expect(kindsOn(car, '2026-11-30')).toEqual([]);
    expect(kindsOn(car, '2026-12-01')).toEqual(['due_soon']);
    const [event] = carEvents(car.toPrimitives(), on('2026-12-01'));
    expect(event?.recipientIds).toEqual([OWNER.id]);
    expect(event?.key).toBe(`car:${car.id}:action:action-1:due_soon:2026-12-03`);
  });

  it('counts the due-soon window in working days across a weekend', () => {
    // Due on Tuesday 2026-12-01: two working days before is Friday 2026-11-27.
    const car = aCar('implementing', localDate('2026-12-01'));
    expect(kindsOn(car, '2026-11-26')).toEqual([]);
    expect(kindsOn(car, '2026-11-27')).toEqual(['due_soon']);
    expect(kindsOn(car, '2026-11-28')).toEqual([]); // a Saturday: nothing goes out
  });

  it('is overdue on the first working day after the due date', () => {
    const car = aCar();
    expect(kindsOn(car, '2026-12-03')).toEqual(['due_soon']);
    expect(kindsOn(car, '2026-12-04')).toEqual(['overdue']);
  });

  it('escalates to the MR after exactly five overdue working days, across a weekend and a holiday', () => {
    const car = aCar();
    // Overdue working days: Fri 4 (1), Tue 8 (2), Wed 9 (3), Thu 10 (4), Fri 11 (5).
    expect(kindsOn(car, '2026-12-10')).toEqual(['overdue']);
    const events = carEvents(car.toPrimitives(), on('2026-12-11'));
    expect(events.map((e) => e.kind)).toEqual(['overdue', 'escalation']);
    expect(events[1]?.recipientIds).toEqual(['mr-1']);
    expect(events[1]?.overdueWorkingDays).toBe(5);
  });

  it('escalates after the configured number of working days', () => {
    const car = aCar();
    const settings = { ...DEFAULT_REMINDER_SETTINGS, escalateAfterDays: 2 };
    expect(kindsOn(car, '2026-12-04', settings)).toEqual(['overdue']);
    expect(kindsOn(car, '2026-12-08', settings)).toEqual(['overdue', 'escalation']);
  });

  it('has no event for a done or cancelled action', () => {
    const done = aCar();
    done.completeAction(anOperationContext(), 'action-1', { note: 'Done.' });
    expect(kindsOn(done, '2026-12-11')).toEqual([]);
    const cancelled = aCar();
    cancelled.cancelAction(anOperationContext(), 'action-1', { reason: 'Not needed.' });
    expect(kindsOn(cancelled, '2026-12-11')).toEqual([]);
  });

  it('has no event for a closed, rejected or merged CAR', () => {
    for (const state of ['closed', 'rejected', 'merged'] as const)
      expect(kindsOn(aCar(state), '2026-12-11')).toEqual([]);
  });

  it('makes a changed due date a new event', () => {
    const car = aCar();
    const before = carEvents(car.toPrimitives(), on('2026-12-04'))[0]?.key;
    car.updateAction(anOperationContext(), 'action-1', { dueDate: localDate('2026-12-04') });
    const after = carEvents(car.toPrimitives(), on('2026-12-04'))[0];
    expect(after?.kind).toBe('due_soon');
    expect(after?.key).not.toBe(before);
    expect(after?.key).toContain(':2026-12-04');
  });

  it('reminds the MR of an effectiveness check coming due', () => {
    const car = carInState('verifying', { actionOwner: OWNER });
    const due = car.toPrimitives().effectivenessDueDate;
    expect(due).not.toBeNull();
    const events = carEvents(car.toPrimitives(), on(due ?? ''));
    expect(events.map((e) => [e.kind, e.recipientIds])).toEqual([['effectiveness_due', ['mr-1']]]);
    expect(events[0]?.key).toBe(`car:${car.id}:effectiveness_due:${due}`);
  });
});

describe('the committee digest', () => {
  const agenda = {
    newSinceLastMeeting: 2,
    overdue: 1,
    closedSinceLastMeeting: 0,
    foundIneffective: 0,
    awaitingDecision: 1,
  };
  const meeting = { date: localDate('2026-12-10'), title: 'Operational review', agenda };

  it('goes to the committee two working days before a planned meeting', () => {
    expect(digestEvents([meeting], on('2026-12-04'))).toEqual([]);
    const [digest] = digestEvents([meeting], on('2026-12-08'));
    expect(digest).toMatchObject({
      key: 'meeting:2026-12-10:digest',
      kind: 'digest',
      recipientIds: ['committee-1', 'committee-2'],
      meeting: { date: '2026-12-10', agenda },
    });
    expect(digestEvents([meeting], on('2026-12-11'))).toEqual([]);
  });
});
