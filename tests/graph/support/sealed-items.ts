import type { Car } from '../../../src/domain/car/car.js';
import { NO_HEAD, sealEntry } from '../../../src/infrastructure/audit/audit-trail.js';
import { carFields, recordTextOf } from '../../../src/infrastructure/graph/car-list-mapper.js';
import { trailItemFields } from '../../../src/infrastructure/graph/graph-car-trail.js';
import { testSeal } from '../../support/audit-seal.js';

/**
 * The fields of a CAR item as Rectify would have written it with the test key (one 'import'
 * entry), for seeding many CARs into the emulator without walking each through the domain.
 */
export function sealedCarFields(
  store: string,
  car: Car,
  updatedAt: string,
  writeId: string,
): Record<string, unknown> {
  const recordText = recordTextOf(car, updatedAt);
  const sealed = sealEntry(testSeal(), {
    store,
    head: NO_HEAD,
    audit: {
      carId: car.id,
      operation: 'import',
      actor: { id: 'x', name: 'X' },
      at: updatedAt,
      reason: null,
      changes: [],
    },
    extra: [],
    recordText,
  });
  return carFields(car, {
    updatedAt,
    writeId,
    auditHead: { seq: sealed.entry.seq, mac: sealed.mac },
    lastAudit: trailItemFields(writeId, sealed),
    recordText,
  });
}
