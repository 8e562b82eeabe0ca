/**
 * A large register for scale tests and benches: a few hundred CARs walked through the domain
 * operations by the seeded generator, then the `cars` table filled to `total` rows by copying
 * those rows with a new id and CAR number (same body and facts otherwise), with plain INSERTs in
 * one transaction. Copies keep their template's dates, states and actions, so the due events
 * and figures of the register scale with its size.
 */
import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { decodeCarFacts, encodeCarFacts } from '../../src/application/ports/car-facts.js';
import { seedCars, type SeededData } from './seeded-cars.js';

interface CarRow {
  id: string;
  number: string | null;
  number_year: number | null;
  state: string;
  type: string;
  classification: string | null;
  confidential: number;
  reporter_id: string;
  reported_at: string;
  updated_at: string;
  next_due_date: string | null;
  search_text: string;
  version: number;
  body: string;
  facts: string | null;
}

/** Copies the CARs already in `db` until the table holds `total` rows; answers the time taken. */
export function fillRegister(db: Database, total: number): number {
  const started = performance.now();
  const templates = db
    .prepare<[], CarRow>(
      'SELECT id, number, number_year, state, type, classification, confidential, reporter_id, reported_at, updated_at, next_due_date, search_text, version, body, facts FROM cars ORDER BY id',
    )
    .all();
  if (templates.length === 0) throw new Error('fillRegister needs template CARs');
  const insert = db.prepare(
    `INSERT INTO cars (id, number, number_year, number_seq, state, type, classification, confidential,
       reporter_id, reported_at, updated_at, next_due_date, search_text, version, body, facts)
     VALUES (@id, @number, @number_year, @number_seq, @state, @type, @classification, @confidential,
       @reporter_id, @reported_at, @updated_at, @next_due_date, @search_text, @version, @body, @facts)`,
  );
  db.transaction(() => {
    for (let i = templates.length; i < total; i += 1) {
      const t = templates[i % templates.length] as CarRow;
      const id = randomUUID();
      const seq = 100_000 + i;
      const number = t.number_year === null ? null : `CAR-${t.number_year}-${seq}`;
      const body = JSON.parse(t.body) as Record<string, unknown>;
      body.id = id;
      body.number = number;
      if (t.facts === null) throw new Error(`template CAR ${t.id} has no facts`);
      insert.run({
        ...t,
        id,
        number,
        number_seq: number === null ? null : seq,
        body: JSON.stringify(body),
        facts: encodeCarFacts({ ...decodeCarFacts(t.id, t.facts), id, number }),
      });
    }
  })();
  const count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM cars').get()?.n ?? 0;
  if (count !== Math.max(total, templates.length))
    throw new Error(`expected ${total} CARs, found ${count}`);
  return performance.now() - started;
}

/** Seeds `templates` CARs in the file and fills the register to `total`. */
export async function seedLargeRegister(options: {
  readonly file: string;
  readonly total: number;
  readonly templates?: number;
}): Promise<SeededData & { readonly fillMs: number }> {
  const seeded = await seedCars({ file: options.file, count: options.templates ?? 400 });
  const fillMs = fillRegister(seeded.db, options.total);
  // The seeder writes without syncing; what is measured after it runs as the product runs.
  seeded.db.pragma('synchronous = FULL');
  return { ...seeded, fillMs };
}
