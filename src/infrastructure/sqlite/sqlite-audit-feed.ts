import type { AuditFeed, CarChange } from '../../application/ports/audit-feed.js';
import type { Database, Statement } from 'better-sqlite3';

interface FeedRow {
  sequence: number;
  car_id: string;
  operation: string;
  actor_id: string;
  at: string;
}

/** Rows of one write share car, operation, actor and time and follow each other. */
const sameWrite = (a: FeedRow, b: FeedRow): boolean =>
  a.car_id === b.car_id &&
  a.operation === b.operation &&
  a.actor_id === b.actor_id &&
  a.at === b.at;

/**
 * The CAR writes from the embedded audit trail, read by sequence. A write is one transaction,
 * so its rows are consecutive and none commits after a later one. A change is named by the
 * sequence of its last row (what the notifier has always keyed on), and the position is that
 * sequence too.
 */
export class SqliteAuditFeed implements AuditFeed {
  private readonly after: Statement<[number, number], FeedRow>;
  private readonly last: Statement<[], { s: number | null }>;

  constructor(db: Database) {
    this.after = db.prepare(
      `SELECT sequence, car_id, operation, actor_id, at FROM audit_log
        WHERE sequence > ? ORDER BY sequence LIMIT ?`,
    );
    this.last = db.prepare('SELECT max(sequence) AS s FROM audit_log');
  }

  read(
    after: string | null,
    limit: number,
  ): Promise<{ readonly changes: readonly CarChange[]; readonly next: string | null }> {
    return settle(() => {
      if (!Number.isInteger(limit) || limit < 1) throw new Error('a feed limit is a whole number');
      let from = positionOf(after);
      const groups: FeedRow[][] = [];
      // Reads a few rows more than changes wanted; a write cut off at the end is read again whole.
      for (;;) {
        const batch = limit + 16;
        const rows = this.after.all(from, batch);
        for (const row of rows) {
          const current = groups.at(-1);
          const previous = current?.at(-1);
          if (current && previous && sameWrite(previous, row)) current.push(row);
          else groups.push([row]);
        }
        const full = rows.length === batch;
        if (!full) break;
        if (groups.length > limit) break;
        from = rows.at(-1)?.sequence ?? from;
      }
      const taken = groups.slice(0, limit);
      const changes = taken.map((rows): CarChange => {
        const first = rows[0] as FeedRow;
        const last = rows.at(-1) as FeedRow;
        return {
          id: String(last.sequence),
          carId: first.car_id,
          operation: first.operation,
          actorId: first.actor_id,
          at: first.at,
        };
      });
      const lastChange = changes.at(-1);
      return { changes, next: lastChange ? lastChange.id : null };
    });
  }

  head(): Promise<string | null> {
    return settle(() => {
      const s = this.last.get()?.s ?? null;
      return s === null ? null : String(s);
    });
  }
}

function positionOf(after: string | null): number {
  if (after === null) return 0;
  if (!/^\d{1,15}$/.test(after))
    throw new Error(`not a position of the SQLite audit feed: ${after}`);
  return Number(after);
}

/** Runs synchronous store work as a promise, so that a failure is a rejection, not a throw. */
const settle = <T>(work: () => T): Promise<T> =>
  new Promise<T>((resolve) => {
    resolve(work());
  });
