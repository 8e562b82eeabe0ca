/**
 * Who is involved in a CAR, as the embedded store lists it: migration 8 fills the
 * `car_involved` table from the records of a database file written before it, by the domain's
 * rule (`Car.involvedPeople`), so that a consultee finds their CAR in the list after upgrading.
 */
import { testAudit } from '../../support/audit-seal.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { localDate } from '../../../src/domain/calendar/local-date.js';
import type { CarQuery } from '../../../src/domain/car/car-repository.js';
import { openDatabase } from '../../../src/infrastructure/sqlite/database.js';
import { SqliteCarRepository } from '../../../src/infrastructure/sqlite/sqlite-car-repository.js';
import {
  aPerson,
  anOperationContext,
  changeWithAudit,
  storeCarInState,
} from '../../support/car-mother.js';

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

const involvedQuery = (personId: string): CarQuery => ({
  today: localDate('2026-06-01'),
  visibility: { kind: 'involved', personId },
  sort: 'reportedAt',
  order: 'asc',
  limit: 50,
});

describe('migration 8 on a database file written before it', () => {
  it('lists each CAR to its reporter, consultees and (not confidential) action owners', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'rectify-involved-'));
    folders.push(folder);
    const file = join(folder, 'rectify.db');
    const consultee = aPerson();
    const owner = aPerson();
    const db = openDatabase(file);
    const repository = new SqliteCarRepository(db, testAudit());
    const investigating = await storeCarInState(repository, 'investigating', {
      details: { confidential: true },
    });
    const consulted = await repository.update(
      investigating.car,
      investigating.etag,
      changeWithAudit(investigating.car, 'updateInvestigation', (c) => {
        c.updateInvestigation(anOperationContext(), { consultees: [consultee] });
      }),
    );
    const owned = await storeCarInState(repository, 'action_planned', { actionOwner: owner });
    // The file as the release before migration 8 left it.
    db.exec('DROP TABLE car_involved; DELETE FROM schema_migrations WHERE version = 8');
    db.close();

    const upgraded = openDatabase(file);
    try {
      const again = new SqliteCarRepository(upgraded, testAudit());
      const ids = async (personId: string) =>
        (await again.list(involvedQuery(personId))).items.map((s) => s.car.id);
      expect(await ids(consultee.id)).toEqual([consulted.car.id]);
      expect(await ids(owner.id)).toEqual([owned.car.id]);
      expect(await ids(consulted.car.reporter.id)).toContain(consulted.car.id);
      expect(await ids(aPerson().id)).toEqual([]);
    } finally {
      upgraded.close();
    }
  });
});
