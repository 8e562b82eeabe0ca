import type { CarChange as FeedChange } from '../ports/audit-feed.js';
import type { CarPrimitives } from '../../domain/car/car.js';
import { LIFECYCLE, type CarOperation } from '../../domain/car/lifecycle.js';

/**
 * Who hears about what (PRODUCT.md): a new report, an assigned action, a state change, and
 * being consulted on an investigation.
 */
export const NOTIFICATION_KINDS = [
  'reportReceived',
  'actionAssigned',
  'carStateChanged',
  'consulteeNamed',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export interface Notification {
  /** Unique per notification: the outbox keeps the first and ignores repeats. */
  readonly key: string;
  readonly kind: NotificationKind;
  readonly carId: string;
  readonly recipientId: string;
  readonly recipientRole: 'mr' | 'member';
}

/** One change of the audit trail (only what the rules look at). */
export type CarChange = Pick<FeedChange, 'id' | 'carId' | 'operation' | 'actorId'>;

const isOperation = (op: string): op is CarOperation => op in LIFECYCLE;

/** The notifications one change calls for, given the CAR as it is now and the MRs. */
export function notificationsFor(
  change: CarChange,
  car: CarPrimitives,
  mrIds: readonly string[],
): Notification[] {
  const out: Notification[] = [];
  if (change.operation === 'report')
    for (const mr of mrIds)
      if (mr !== change.actorId)
        out.push({
          key: `report:${car.id}:${mr}`,
          kind: 'reportReceived',
          carId: car.id,
          recipientId: mr,
          recipientRole: 'mr',
        });
  for (const a of car.actions)
    if (a.status === 'open' && a.owner.id !== change.actorId)
      out.push({
        key: `action:${car.id}:${a.id}`,
        kind: 'actionAssigned',
        carId: car.id,
        recipientId: a.owner.id,
        recipientRole: 'member',
      });
  // Once per person and CAR: a consultee named again after a reopening is not asked twice.
  if (car.state === 'investigating')
    for (const c of car.investigation.consultees)
      if (c.id !== change.actorId)
        out.push({
          key: `consultee:${car.id}:${c.id}`,
          kind: 'consulteeNamed',
          carId: car.id,
          recipientId: c.id,
          recipientRole: 'member',
        });
  const op = change.operation === 'verifyEffectiveness' ? 'findIneffective' : change.operation;
  const changesState =
    change.operation !== 'report' && isOperation(op) && LIFECYCLE[op].to !== null;
  if (changesState && car.reporter.id !== change.actorId)
    out.push({
      key: `state:${car.id}:${change.id}`,
      kind: 'carStateChanged',
      carId: car.id,
      recipientId: car.reporter.id,
      recipientRole: 'member',
    });
  return out;
}
