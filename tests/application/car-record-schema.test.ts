import { describe, expect, it } from '@jest/globals';
import { CarRecordSchema } from '../../src/application/ports/car-record-schema.js';
import { carInState } from '../support/car-mother.js';

describe('the stored CAR record', () => {
  it('reads a record stored before consultee inputs existed as having none', () => {
    const car = carInState('investigating').toPrimitives();
    const { consulteeInputs, ...older } = car.investigation;
    expect(consulteeInputs).toEqual([]);
    const parsed = CarRecordSchema.parse({ ...car, investigation: older });
    expect(parsed).toEqual(car);
  });
});
