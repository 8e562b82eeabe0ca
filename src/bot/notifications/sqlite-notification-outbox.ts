import type { Database } from 'better-sqlite3';
import type { CarChange, Notification, NotificationKind } from './notification-rules.js';

export interface PendingNotification extends Notification {
  readonly attempts: number;
}

const CURSOR = 'notifications';

/**
 * The notification outbox. It is fed from the audit trail, which the store writes in the same
 * transaction as the CAR itself, so a change that committed is never lost to a crash; the
 * unique key makes a repeat a no-op, so a notification is queued at most once.
 */
export class SqliteNotificationOutbox {
  constructor(private readonly db: Database) {}

  /** The next changes after the cursor, one per audit record (its rows share car, op, time). */
  changesAfterCursor(limit = 200): CarChange[] {
    const cursor =
      this.db
        .prepare<[string], { sequence: number }>(
          'SELECT sequence FROM bot_feed_cursor WHERE name = ?',
        )
        .get(CURSOR)?.sequence ?? 0;
    const rows = this.db
      .prepare<
        [number, number],
        { sequence: number; car_id: string; operation: string; actor_id: string; at: string }
      >(
        `SELECT sequence, car_id, operation, actor_id, at FROM audit_log
          WHERE sequence > ? ORDER BY sequence LIMIT ?`,
      )
      .all(cursor, limit);
    const changes: CarChange[] = [];
    let last: { carId: string; operation: string; at: string } | undefined;
    for (const r of rows) {
      const same =
        last && last.carId === r.car_id && last.operation === r.operation && last.at === r.at;
      if (same)
        changes[changes.length - 1] = {
          ...(changes[changes.length - 1] as CarChange),
          sequence: r.sequence,
        };
      else
        changes.push({
          sequence: r.sequence,
          carId: r.car_id,
          operation: r.operation,
          actorId: r.actor_id,
        });
      last = { carId: r.car_id, operation: r.operation, at: r.at };
    }
    return changes;
  }

  /** Queues the notifications of some changes and moves the cursor past them, atomically. */
  enqueue(notifications: readonly Notification[], upTo: number, now: string): void {
    const insert = this.db.prepare<
      [string, NotificationKind, string, string, string, string, string]
    >(
      `INSERT OR IGNORE INTO bot_outbox
         (notification_key, kind, car_id, recipient_id, recipient_role, created_at, next_attempt_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    const cursor = this.db.prepare<[string, number]>(
      `INSERT INTO bot_feed_cursor (name, sequence) VALUES (?, ?)
       ON CONFLICT (name) DO UPDATE SET sequence = max(sequence, excluded.sequence)`,
    );
    this.db
      .transaction(() => {
        for (const n of notifications)
          insert.run(n.key, n.kind, n.carId, n.recipientId, n.recipientRole, now, now);
        cursor.run(CURSOR, upTo);
      })
      .immediate();
  }

  due(now: string, limit = 50): PendingNotification[] {
    return this.db
      .prepare<
        [string, number],
        {
          notification_key: string;
          kind: NotificationKind;
          car_id: string;
          recipient_id: string;
          recipient_role: 'mr' | 'member';
          attempts: number;
        }
      >(
        `SELECT notification_key, kind, car_id, recipient_id, recipient_role, attempts FROM bot_outbox
          WHERE sent_at IS NULL AND next_attempt_at <= ? ORDER BY created_at LIMIT ?`,
      )
      .all(now, limit)
      .map((r) => ({
        key: r.notification_key,
        kind: r.kind,
        carId: r.car_id,
        recipientId: r.recipient_id,
        recipientRole: r.recipient_role,
        attempts: r.attempts,
      }));
  }

  /** Done: delivered, or nothing to deliver to (outcome says which). */
  settle(
    key: string,
    outcome: 'sent' | 'no_conversation' | 'not_visible' | 'gave_up',
    now: string,
  ): void {
    this.db
      .prepare<[string, string, string]>(
        'UPDATE bot_outbox SET sent_at = ?, outcome = ? WHERE notification_key = ?',
      )
      .run(now, outcome, key);
  }

  retryLater(key: string, nextAttemptAt: string, error: string): void {
    this.db
      .prepare<[string, string, string]>(
        'UPDATE bot_outbox SET attempts = attempts + 1, next_attempt_at = ?, outcome = ? WHERE notification_key = ?',
      )
      .run(nextAttemptAt, error.slice(0, 500), key);
  }
}
