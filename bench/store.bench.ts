import { testAudit } from '../tests/support/audit-seal.js';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { diffFields } from '../src/domain/audit/audit-entry.js';
import { Car } from '../src/domain/car/car.js';
import { openDatabase } from '../src/infrastructure/sqlite/database.js';
import { SqliteCarRepository } from '../src/infrastructure/sqlite/sqlite-car-repository.js';
import type { BenchReport } from './bench-report.js';

/**
 * Reporting throughput of the embedded store (a CAR row, its audit entries and hash chain, in
 * one synchronous=FULL transaction), next to a bare INSERT of the same JSON body with the
 * same durability settings in the same run.
 */
const N = 1000;
const person = { id: 'p-1', name: 'Alex Morgan' };
const details = {
  type: 'near_miss' as const,
  relatesTo: ['equipment' as const],
  source: 'member_report' as const,
  title: 'Laptop left unlocked',
  description: 'An unlocked laptop was left in meeting room 3.',
  occurredAt: null,
  location: 'Room 3',
  affected: 'Laptop',
  immediateAction: 'Locked it',
  confidential: false,
};

/** Rounds of product and baseline, interleaved, so that a change in the machine's load hits both. */
const ROUNDS = 10;
const median = (xs: number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

export default async function storeBench(): Promise<BenchReport> {
  const dir = mkdtempSync(path.join(tmpdir(), 'rectify-bench-'));
  try {
    const db = openDatabase(path.join(dir, 'rectify.db'));
    const repo = new SqliteCarRepository(db, testAudit());
    const raw = openDatabase(path.join(dir, 'baseline.db'));
    raw.exec('CREATE TABLE plain (id TEXT PRIMARY KEY, body TEXT NOT NULL)');
    const insert = raw.prepare('INSERT INTO plain (id, body) VALUES (?, ?)');
    const perRound = N / ROUNDS;
    const product: number[] = [];
    const baseline: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const t0 = performance.now();
      for (let i = 0; i < perRound; i += 1) {
        const at = new Date().toISOString();
        const car = Car.report({ id: randomUUID(), reporter: person, reportedAt: at, details });
        await repo.create(car, {
          carId: car.id,
          operation: 'report',
          actor: person,
          at,
          reason: null,
          changes: diffFields({}, car.toPrimitives()),
        });
      }
      product.push((performance.now() - t0) / perRound);
      const t1 = performance.now();
      for (let i = 0; i < perRound; i += 1) {
        const car = Car.report({
          id: randomUUID(),
          reporter: person,
          reportedAt: new Date().toISOString(),
          details,
        });
        insert.run(car.id, JSON.stringify(car.toPrimitives()));
      }
      baseline.push((performance.now() - t1) / perRound);
    }
    db.close();
    raw.close();
    return {
      name: `Embedded store: create ${N} reports (${ROUNDS} interleaved rounds, medians)`,
      baselineName: 'one plain INSERT per report, same pragmas',
      rows: [
        {
          metric: 'time per report',
          value: median(product),
          unit: 'ms',
          baseline: median(baseline),
          target: 1.5,
        },
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
