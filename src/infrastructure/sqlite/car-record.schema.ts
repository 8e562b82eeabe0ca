import { z } from 'zod';
import { CarRecordSchema } from '../../application/ports/car-record-schema.js';
import type { CarPrimitives } from '../../domain/car/car.js';

/**
 * Parses a stored body into the aggregate's primitives. A body that does not parse means the
 * store holds something this code never wrote: a bug or tampering, not a user error.
 */
export function parseCarRecord(carId: string, body: string): CarPrimitives {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (e) {
    throw new Error(`stored CAR ${carId} is not valid JSON`, { cause: e });
  }
  const parsed = CarRecordSchema.safeParse(json);
  if (!parsed.success)
    throw new Error(
      `stored CAR ${carId} does not match the CAR schema: ${z.prettifyError(parsed.error)}`,
      {
        cause: parsed.error,
      },
    );
  if (parsed.data.id !== carId)
    throw new Error(`stored CAR ${carId} holds the body of ${parsed.data.id}`);
  return parsed.data;
}
