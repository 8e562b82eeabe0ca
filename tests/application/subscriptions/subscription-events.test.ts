import { describe, expect, it } from '@jest/globals';
import {
  eventsOfChange,
  overdueEvents,
} from '../../../src/application/subscriptions/subscription-events.js';
import type { CarAction, CarPrimitives, Verification } from '../../../src/domain/car/car.js';
import { localDate } from '../../../src/domain/calendar/local-date.js';
import { aPerson, aReportedCar } from '../../support/car-mother.js';

/** Which webhook events a CAR write or a passed due date makes, with ids stable across reads. */
const base = (): CarPrimitives => aReportedCar({ id: 'car-1' }).toPrimitives();
const change = (operation: string, id = 'w-1') => ({
  id,
  carId: 'car-1',
  operation,
  actorId: 'someone',
  at: '2026-03-02T09:00:00.000Z',
});
const anAction = (over: Partial<CarAction>): CarAction => ({
  id: 'a-1',
  kind: 'corrective',
  title: 'Fix the checklist',
  description: '',
  owner: aPerson({ name: 'Sam' }),
  dueDate: localDate('2026-03-01'),
  steps: [],
  status: 'open',
  createdAt: '2026-02-01T00:00:00.000Z',
  completedAt: null,
  completedOn: null,
  completionNote: null,
  cancelReason: null,
  ...over,
});
const aVerification = (effective: boolean): Verification => ({
  id: 'v-1',
  round: 1,
  by: aPerson(),
  at: '2026-03-02T09:00:00.000Z',
  effective,
  evidence: 'Checked',
});

describe('webhook events of a CAR write', () => {
  it('a report is received, a recording is recorded and a state change', () => {
    expect(eventsOfChange(change('report'), base()).map((e) => e.type)).toEqual(['reportReceived']);
    expect(eventsOfChange(change('record'), base()).map((e) => e.type)).toEqual([
      'carRecorded',
      'carStateChanged',
    ]);
    expect(eventsOfChange(change('updateInvestigation'), base())).toEqual([]);
  });

  it('a verification that finds the action not effective, and only that one', () => {
    const ineffective = { ...base(), verifications: [aVerification(false)] };
    expect(eventsOfChange(change('verifyEffectiveness'), ineffective).map((e) => e.type)).toEqual([
      'carStateChanged',
      'verificationIneffective',
    ]);
    const effective = { ...base(), verifications: [aVerification(true)] };
    expect(eventsOfChange(change('verifyEffectiveness'), effective)).toEqual([]);
  });

  it('names each event after the write, the same on every read', () => {
    const first = eventsOfChange(change('record', 'w-9'), base());
    const again = eventsOfChange(change('record', 'w-9'), base());
    expect(first.map((e) => e.id)).toEqual(again.map((e) => e.id));
    expect(new Set(first.map((e) => e.id)).size).toBe(first.length);
    expect(eventsOfChange(change('record', 'w-10'), base())[0]?.id).not.toBe(first[0]?.id);
  });
});

describe('overdue actions', () => {
  it('an open action due before today, once per action and due date', () => {
    const car = {
      ...base(),
      actions: [
        anAction({ id: 'a-1', dueDate: localDate('2026-03-01') }),
        anAction({ id: 'a-2', dueDate: localDate('2026-03-02') }),
        anAction({ id: 'a-3', dueDate: localDate('2026-02-01'), status: 'done' }),
      ],
    };
    const events = overdueEvents(car, localDate('2026-03-02'));
    expect(events.map((e) => e.action?.id)).toEqual(['a-1']);
    expect(events[0]).toMatchObject({
      id: 'actionOverdue:car-1:a-1:2026-03-01',
      occurredAt: '2026-03-02T00:00:00.000Z',
    });
    // A new due date, overdue again, is a new event.
    const moved = { ...car, actions: [anAction({ id: 'a-1', dueDate: localDate('2026-03-05') })] };
    expect(overdueEvents(moved, localDate('2026-03-09'))[0]?.id).toBe(
      'actionOverdue:car-1:a-1:2026-03-05',
    );
  });
});
