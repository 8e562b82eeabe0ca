import type { Database } from 'better-sqlite3';
import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  DEFAULT_SCAN_BATCH,
  carFactsOf,
  type CarFacts,
  type CarScan,
  type ScannedCar,
} from '../../application/ports/car-scan.js';
import { decodeCarFacts } from '../../application/ports/car-facts.js';
import { openDatabaseReadOnly } from './database.js';

interface ScanRow {
  id: string;
  version: number;
  /** The facts written with the record (`encodeCarFacts`); null when the store has none. */
  facts: string | null;
  /** Read only when there are no facts. */
  body: string | null;
}

/**
 * The facts column, and the record itself only for a row without facts: one whose record did
 * not parse when migration 6 backfilled the column, one inserted by hand, or one whose record
 * was changed outside the repository (a trigger then drops its facts, see migration 6).
 */
const SCAN_SQL =
  'SELECT id, version, facts, CASE WHEN facts IS NULL THEN body END AS body FROM cars';

function factsOf(row: ScanRow): CarFacts {
  if (row.facts !== null) return decodeCarFacts(row.id, row.facts);
  if (row.body === null) throw new Error(`stored CAR ${row.id} has neither facts nor a record`);
  return carFactsOf(row.id, parseBody(row.id, row.body));
}

function parseBody(id: string, body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch (e) {
    throw new Error(`stored CAR ${id} is not valid JSON`, { cause: e });
  }
}

/**
 * Streams the `cars` table for analysis with one `iterate()` over the rows: one read
 * transaction, so a whole scan sees one consistent state of the store. It reads each CAR's
 * facts column (a few hundred bytes, written in the same transaction as the record), not the
 * whole record.
 *
 * Give it a connection of its own (`SqliteCarScan.open`): while a scan is paused between
 * batches its statement keeps the connection busy, and a write on the same connection would
 * fail. With WAL, writers on the other connection carry on meanwhile.
 */
export class SqliteCarScan implements CarScan {
  constructor(private readonly db: Database) {}

  /** A read-only connection of its own to the store at `file`. */
  static open(file: string): { scan: SqliteCarScan; close: () => void } {
    const db = openDatabaseReadOnly(file);
    return { scan: new SqliteCarScan(db), close: () => db.close() };
  }

  async *scan(options: { readonly batchSize?: number } = {}): AsyncGenerator<ScannedCar[]> {
    const size = Math.max(1, options.batchSize ?? DEFAULT_SCAN_BATCH);
    const rows = this.db.prepare<[], ScanRow>(SCAN_SQL).iterate();
    let batch: ScannedCar[] = [];
    try {
      for (const row of rows) {
        batch.push({
          car: factsOf(row),
          etag: `"${row.version}"`,
        });
        if (batch.length >= size) {
          yield batch;
          batch = [];
          // Let the server answer other requests between batches of a long scan.
          await nextTurn();
        }
      }
      if (batch.length > 0) yield batch;
    } finally {
      // A consumer that stops early must not leave the statement holding the connection.
      rows.return?.();
    }
  }
}
