/** The time of the action plan: kept by the first `planActions`, absent from older records. */
import { describe, expect, it } from '@jest/globals';
import { CarRecordSchema } from '../../../src/application/ports/car-record-schema.js';
import { Car } from '../../../src/domain/car/car.js';
import {
  A_DUE_DATE_POLICY,
  anOperationContext,
  carInState,
  DEFAULT_NOW,
} from '../../support/car-mother.js';

describe('plannedAt', () => {
  it('is null until the plan is confirmed, then the time of the first plan', () => {
    expect(carInState('investigating').toPrimitives().plannedAt).toBeNull();
    const car = carInState('verifying', { verifier: { id: 'v-1', name: 'Lea Dubois' } });
    expect(car.toPrimitives().plannedAt).toBe(DEFAULT_NOW);

    // Found not effective: a second plan later keeps the first plan's time.
    const later = anOperationContext({ now: '2026-05-04T10:00:00.000Z' });
    car.verifyEffectiveness(
      { ...later, actor: { id: 'v-1', name: 'Lea Dubois' } },
      { id: 'v-1', effective: false, evidence: 'It happened again' },
    );
    car.addAction(
      later,
      {
        id: 'action-2',
        kind: 'corrective',
        title: 'Second try',
        description: '',
        owner: { id: 'o-2', name: 'Sam Taylor' },
      },
      A_DUE_DATE_POLICY,
    );
    car.planActions(later);
    expect(car.state).toBe('action_planned');
    expect(car.toPrimitives().plannedAt).toBe(DEFAULT_NOW);
  });

  it('reads as null from a record stored before it existed', () => {
    const older: Record<string, unknown> = { ...carInState('implementing').toPrimitives() };
    delete older.plannedAt;
    expect('plannedAt' in older).toBe(false);
    const parsed = CarRecordSchema.parse(older);
    expect(parsed.plannedAt).toBeNull();
    expect(
      Car.fromPrimitives({ ...parsed, plannedAt: undefined }).toPrimitives().plannedAt,
    ).toBeNull();
  });
});
