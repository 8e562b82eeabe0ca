import { describe, expect, it } from '@jest/globals';
import { notificationsFor } from '../../../src/application/notifications/notification-rules.js';
import { aPerson, anOperationContext, carInState } from '../../support/car-mother.js';

const reporter = aPerson({ id: 'reporter-1', name: 'Rae Porter' });
const owner = aPerson({ id: 'owner-1', name: 'Olu Owner' });
const mr = 'mr-1';

describe('who hears about a change', () => {
  it('tells every MR but the one who reported of a new report', () => {
    const car = carInState('reported', { reporter }).toPrimitives();
    const change = { id: '1', carId: car.id, operation: 'report', actorId: reporter.id };
    expect(notificationsFor(change, car, [mr, 'mr-2']).map((n) => [n.kind, n.recipientId])).toEqual(
      [
        ['reportReceived', mr],
        ['reportReceived', 'mr-2'],
      ],
    );
    expect(notificationsFor({ ...change, actorId: mr }, car, [mr])).toEqual([]);
  });

  it('tells the reporter of a state change and an owner of an open action, keyed once per action', () => {
    const car = carInState('action_planned', { reporter, actionOwner: owner }).toPrimitives();
    const change = { id: '9', carId: car.id, operation: 'planActions', actorId: mr };
    const notes = notificationsFor(change, car, [mr]);
    expect(notes.map((n) => [n.kind, n.recipientId])).toEqual([
      ['actionAssigned', owner.id],
      ['carStateChanged', reporter.id],
    ]);
    const again = notificationsFor({ ...change, id: '12', operation: 'reclassify' }, car, [mr]);
    expect(again.map((n) => n.key)).toEqual([notes[0]?.key]);
  });

  it('asks each consultee but the actor during the investigation, keyed once per consultee', () => {
    const consultee = aPerson({ id: 'consultee-1', name: 'Cora Sult' });
    const car = carInState('investigating', { reporter });
    const mrPerson = aPerson({ id: mr, name: 'Morgan Reyes' });
    car.updateInvestigation(anOperationContext({ actor: mrPerson }), {
      consultees: [consultee, mrPerson],
    });
    const p = car.toPrimitives();
    const change = { id: '5', carId: p.id, operation: 'updateInvestigation', actorId: mr };
    const notes = notificationsFor(change, p, [mr]);
    expect(notes.map((n) => [n.kind, n.recipientId, n.key])).toEqual([
      ['consulteeNamed', consultee.id, `consultee:${p.id}:${consultee.id}`],
    ]);
    // Once the investigation is over there is nothing left to answer.
    const later = { ...p, state: 'action_planned' as const };
    expect(notificationsFor(change, later, [mr])).toEqual([]);
  });
});
