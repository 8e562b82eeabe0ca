import type { CarChange } from '../ports/audit-feed.js';
import type { LocalDate } from '../../domain/calendar/local-date.js';
import type { CarPrimitives } from '../../domain/car/car.js';
import { LIFECYCLE, type CarOperation } from '../../domain/car/lifecycle.js';
import type { DeliveredEvent, SubscriptionEvent } from './subscription.js';

/**
 * Which webhook events a write of a CAR, or the passing of a due date, makes. Pure. Each event
 * has an id made of what it is about, the same on every instance and every re-read of the feed:
 * receivers de-duplicate on it.
 */
export interface PendingEvent {
  readonly id: string;
  readonly type: SubscriptionEvent;
  readonly occurredAt: string;
  readonly carId: string;
  readonly action: DeliveredEvent['action'];
  readonly operation: string | null;
}

const isOperation = (op: string): op is CarOperation => op in LIFECYCLE;

export function eventsOfChange(change: CarChange, car: CarPrimitives): PendingEvent[] {
  const base = { occurredAt: change.at, carId: car.id, action: null, operation: change.operation };
  const out: PendingEvent[] = [];
  if (change.operation === 'report')
    out.push({ ...base, id: `reportReceived:${change.id}`, type: 'reportReceived' });
  if (change.operation === 'record')
    out.push({ ...base, id: `carRecorded:${change.id}`, type: 'carRecorded' });
  const op = change.operation;
  const ineffective =
    op === 'verifyEffectiveness' &&
    car.verifications[car.verifications.length - 1]?.effective === false;
  const moves = op !== 'report' && isOperation(op) && LIFECYCLE[op].to !== null;
  if (moves || ineffective)
    out.push({ ...base, id: `carStateChanged:${change.id}`, type: 'carStateChanged' });
  if (ineffective)
    out.push({
      ...base,
      id: `verificationIneffective:${change.id}`,
      type: 'verificationIneffective',
    });
  return out;
}

/** An open action due before `today` is overdue: one event per action and due date. */
export function overdueEvents(car: CarPrimitives, today: LocalDate): PendingEvent[] {
  return car.actions
    .filter((a) => a.status === 'open' && a.dueDate < today)
    .map((a) => ({
      id: `actionOverdue:${car.id}:${a.id}:${a.dueDate}`,
      type: 'actionOverdue' as const,
      occurredAt: `${dayAfter(a.dueDate)}T00:00:00.000Z`,
      carId: car.id,
      action: { id: a.id, title: a.title, dueDate: a.dueDate, ownerName: a.owner.name },
      operation: null,
    }));
}

function dayAfter(date: string): string {
  const d = new Date(`${date}T00:00:00.000Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}
