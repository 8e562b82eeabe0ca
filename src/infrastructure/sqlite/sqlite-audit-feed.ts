import type { AuditFeed, CarChange } from '../../application/ports/audit-feed.js';
import type { Database, Statement } from 'better-sqlite3';

interface FeedRow {
  sequence: number;
  car_id: string;
  operation: string;
  actor_id: string;
  at: string;
}

/**
 * The CAR writes from the embedded audit trail, read by position (the order of writes across
 * the store). A write is one entry now; a trail carried over from an older release keeps, for
 * each write, the sequence of its last row as position, which is what the notifier has always
 * keyed a change on.
 */
export class SqliteAuditFeed implements AuditFeed {
  private readonly after: Statement<[number, number], FeedRow>;
  private readonly last: Statement<[], { s: number | null }>;

  constructor(db: Database) {
    this.after = db.prepare(
      `SELECT position AS sequence, car_id, operation, actor_id, at FROM audit_trail
        WHERE position > ? ORDER BY position LIMIT ?`,
    );
    this.last = db.prepare('SELECT max(position) AS s FROM audit_trail');
  }

  read(
    after: string | null,
    limit: number,
  ): Promise<{ readonly changes: readonly CarChange[]; readonly next: string | null }> {
    return settle(() => {
      if (!Number.isInteger(limit) || limit < 1) throw new Error('a feed limit is a whole number');
      const changes = this.after.all(positionOf(after), limit).map((row): CarChange => ({
        id: String(row.sequence),
        carId: row.car_id,
        operation: row.operation,
        actorId: row.actor_id,
        at: row.at,
      }));
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
