import type { Database } from 'better-sqlite3';
import { encodeCarFacts } from '../../application/ports/car-facts.js';
import { carFactsOf } from '../../application/ports/car-scan.js';
import { parseCarRecord } from './car-record.schema.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly up: string;
  /** Runs after `up`, in the same transaction: data the SQL alone cannot compute. */
  readonly backfill?: (db: Database) => void;
}

/**
 * Writes the facts of every CAR that has none, from its stored record. A record that does not
 * parse keeps no facts: the scan then reads the record and fails on it, naming the CAR, as it
 * did before the facts existed (the upgrade itself does not stop on it).
 */
export function backfillCarFacts(db: Database): number {
  // In pages by rowid, so that a large register is never held in memory at once.
  const page = db.prepare<[number], { rowid: number; id: string; body: string }>(
    'SELECT rowid, id, body FROM cars WHERE rowid > ? AND facts IS NULL ORDER BY rowid LIMIT 1000',
  );
  const write = db.prepare<[string, string]>('UPDATE cars SET facts = ? WHERE id = ?');
  let written = 0;
  for (let after = 0, rows = page.all(after); rows.length > 0; rows = page.all(after)) {
    for (const row of rows) {
      after = row.rowid;
      let facts: string;
      try {
        facts = encodeCarFacts(carFactsOf(parseCarRecord(row.id, row.body)));
      } catch {
        continue;
      }
      write.run(facts, row.id);
      written += 1;
    }
  }
  return written;
}

/** Append only: a released migration is never edited, a change is a new version. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'cars, numbering, idempotency and the audit trail',
    up: `
      CREATE TABLE cars (
        id             TEXT PRIMARY KEY,
        number         TEXT UNIQUE,
        number_year    INTEGER,
        number_seq     INTEGER,
        state          TEXT NOT NULL,
        type           TEXT NOT NULL,
        classification TEXT,
        confidential   INTEGER NOT NULL CHECK (confidential IN (0, 1)),
        reporter_id    TEXT NOT NULL,
        reported_at    TEXT NOT NULL,
        updated_at     TEXT NOT NULL,
        next_due_date  TEXT,
        search_text    TEXT NOT NULL,
        version        INTEGER NOT NULL CHECK (version >= 1),
        body           TEXT NOT NULL,
        CHECK ((number IS NULL) = (number_year IS NULL) AND (number IS NULL) = (number_seq IS NULL))
      ) STRICT;
      CREATE INDEX cars_state ON cars (state);
      CREATE INDEX cars_type ON cars (type);
      CREATE INDEX cars_classification ON cars (classification);
      CREATE INDEX cars_confidential ON cars (confidential);
      CREATE INDEX cars_reporter ON cars (reporter_id);
      CREATE INDEX cars_reported_at ON cars (reported_at, id);
      CREATE INDEX cars_updated_at ON cars (updated_at, id);
      CREATE INDEX cars_number_order ON cars (number_year, number_seq, id);
      CREATE INDEX cars_next_due_date ON cars (next_due_date, id);

      CREATE TABLE car_actions (
        car_id    TEXT NOT NULL REFERENCES cars (id),
        action_id TEXT NOT NULL,
        kind      TEXT NOT NULL,
        owner_id  TEXT NOT NULL,
        status    TEXT NOT NULL,
        PRIMARY KEY (car_id, action_id)
      ) STRICT;
      CREATE INDEX car_actions_owner ON car_actions (owner_id, status, car_id);
      CREATE INDEX car_actions_kind ON car_actions (kind, status, car_id);

      CREATE TABLE car_number_sequence (
        year       INTEGER PRIMARY KEY,
        last_value INTEGER NOT NULL CHECK (last_value >= 1)
      ) STRICT;

      CREATE TABLE idempotency_keys (
        scope       TEXT NOT NULL,
        key         TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        car_id      TEXT NOT NULL REFERENCES cars (id),
        created_at  TEXT NOT NULL,
        PRIMARY KEY (scope, key)
      ) STRICT;

      CREATE TABLE audit_log (
        sequence   INTEGER PRIMARY KEY,
        car_id     TEXT NOT NULL REFERENCES cars (id),
        operation  TEXT NOT NULL,
        field      TEXT NOT NULL,
        old_value  TEXT NOT NULL,
        new_value  TEXT NOT NULL,
        reason     TEXT,
        actor_id   TEXT NOT NULL,
        actor_name TEXT NOT NULL,
        at         TEXT NOT NULL,
        prev_hash  TEXT NOT NULL,
        hash       TEXT NOT NULL
      ) STRICT;
      CREATE INDEX audit_log_car ON audit_log (car_id, sequence);

      -- The trail is append-only in the database itself, whatever the code does.
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
      BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
      BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
    `,
  },
  {
    version: 2,
    name: 'bot: processed card actions and conversation references',
    up: `
      -- A card action (invoke id + verb) that changed state; a redelivery changes nothing.
      CREATE TABLE bot_processed_invokes (
        invoke_key TEXT PRIMARY KEY,
        car_id     TEXT,
        at         TEXT NOT NULL
      ) STRICT;

      -- Where to reach a person proactively: the last 1:1 conversation with the bot.
      CREATE TABLE bot_conversation_refs (
        tenant_id       TEXT NOT NULL,
        aad_object_id   TEXT NOT NULL,
        user_mri        TEXT NOT NULL,
        user_name       TEXT NOT NULL,
        conversation_id TEXT NOT NULL,
        service_url     TEXT NOT NULL,
        bot_id          TEXT NOT NULL,
        updated_at      TEXT NOT NULL,
        PRIMARY KEY (tenant_id, aad_object_id)
      ) STRICT;
    `,
  },
  {
    version: 3,
    name: 'bot: notification outbox fed from the audit trail',
    up: `
      -- How far the notifier has read the audit trail (written in the CAR's own transaction).
      CREATE TABLE bot_feed_cursor (
        name     TEXT PRIMARY KEY,
        sequence INTEGER NOT NULL
      ) STRICT;

      -- One row per notification; the key makes each one unique (written at most once).
      CREATE TABLE bot_outbox (
        notification_key TEXT PRIMARY KEY,
        kind             TEXT NOT NULL,
        car_id           TEXT NOT NULL,
        recipient_id     TEXT NOT NULL,
        recipient_role   TEXT NOT NULL,
        created_at       TEXT NOT NULL,
        attempts         INTEGER NOT NULL DEFAULT 0,
        next_attempt_at  TEXT NOT NULL,
        sent_at          TEXT,
        outcome          TEXT
      ) STRICT;
      CREATE INDEX bot_outbox_due ON bot_outbox (sent_at, next_attempt_at);
    `,
  },
  {
    version: 4,
    name: 'shared state: small records with a key, a kind, a due time and a version',
    up: `
      -- The StateStore: outbox entries, feed cursors, processed card actions, conversation refs.
      CREATE TABLE state_records (
        key        TEXT PRIMARY KEY,
        kind       TEXT NOT NULL,
        value      TEXT NOT NULL,
        version    INTEGER NOT NULL CHECK (version >= 1),
        due_at     TEXT,
        updated_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX state_records_due ON state_records (kind, due_at);
      CREATE INDEX state_records_kind_key ON state_records (kind, key);

      -- The bot moves onto it: its conversations, notifier cursor and outbox come along
      -- (processed card actions do not: they guard only against a redelivery in the moment).
      INSERT INTO state_records (key, kind, value, version, due_at, updated_at)
        SELECT 'bot.ref:' || aad_object_id || ':' || tenant_id, 'bot.ref',
               json_object('tenantId', tenant_id, 'aadObjectId', aad_object_id,
                           'userMri', user_mri, 'userName', user_name,
                           'conversationId', conversation_id, 'serviceUrl', service_url,
                           'botId', bot_id, 'updatedAt', updated_at),
               1, NULL, updated_at
          FROM bot_conversation_refs;
      INSERT INTO state_records (key, kind, value, version, due_at, updated_at)
        SELECT 'cursor:notifications', 'cursor',
               json_object('position', CAST(sequence AS TEXT)),
               1, NULL, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
          FROM bot_feed_cursor WHERE name = 'notifications';
      INSERT INTO state_records (key, kind, value, version, due_at, updated_at)
        SELECT 'outbox.notify:' || notification_key, 'outbox.notify',
               json_object('payload', json_object('key', notification_key, 'kind', kind,
                                                  'carId', car_id, 'recipientId', recipient_id,
                                                  'recipientRole', recipient_role),
                           'attempts', attempts, 'createdAt', created_at,
                           'outcome', CASE WHEN sent_at IS NULL THEN NULL ELSE outcome END,
                           'settledAt', sent_at,
                           'lastError', CASE WHEN sent_at IS NULL THEN outcome ELSE NULL END),
               1, CASE WHEN sent_at IS NULL THEN next_attempt_at ELSE NULL END, created_at
          FROM bot_outbox;
    `,
  },
  {
    version: 5,
    name: 'local task board: buckets and tasks with details, versioned like Planner',
    up: `
      CREATE TABLE board_buckets (
        id         TEXT PRIMARY KEY,
        name       TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL
      ) STRICT;

      -- One row per task; the details (description, checklist, references) have their own version.
      CREATE TABLE board_tasks (
        id               TEXT PRIMARY KEY,
        seq              INTEGER NOT NULL UNIQUE,
        bucket_id        TEXT NOT NULL REFERENCES board_buckets (id),
        title            TEXT NOT NULL,
        assignee_ids     TEXT NOT NULL,
        due_date         TEXT,
        priority         INTEGER NOT NULL,
        percent_complete INTEGER NOT NULL CHECK (percent_complete BETWEEN 0 AND 100),
        completed_at     TEXT,
        completed_by     TEXT,
        version          INTEGER NOT NULL CHECK (version >= 1),
        created_at       TEXT NOT NULL,
        description      TEXT NOT NULL,
        checklist        TEXT NOT NULL,
        refs             TEXT NOT NULL,
        details_version  INTEGER NOT NULL CHECK (details_version >= 1)
      ) STRICT;
      CREATE INDEX board_tasks_title ON board_tasks (title);
    `,
  },
  {
    version: 6,
    name: 'cars: the compact facts the committee analysis reads, written with the record',
    up: `
      -- encodeCarFacts of the record, written by the repository in the same statement as body.
      ALTER TABLE cars ADD COLUMN facts TEXT;

      -- A record changed without its facts (by hand, or by a tool other than the repository,
      -- which always bumps the version) loses them, so they never say something the record
      -- does not: the scan then reads the record itself.
      CREATE TRIGGER cars_facts_follow_body AFTER UPDATE OF body ON cars
        WHEN NEW.facts IS OLD.facts AND NEW.version = OLD.version AND NEW.body IS NOT OLD.body
      BEGIN
        UPDATE cars SET facts = NULL WHERE id = NEW.id;
      END;
    `,
    backfill: (db) => {
      backfillCarFacts(db);
    },
  },
];

export const LATEST_SCHEMA_VERSION = Math.max(0, ...MIGRATIONS.map((m) => m.version));

const CREATE_LEDGER = `
  CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
  ) STRICT`;

/** The highest applied version, or 0 for a database no migration ever touched. */
export function schemaVersion(db: Database): number {
  const ledger = db
    .prepare<[], { n: number }>(
      "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
    )
    .get();
  if (!ledger || ledger.n === 0) return 0;
  const row = db
    .prepare<[], { v: number | null }>('SELECT max(version) AS v FROM schema_migrations')
    .get();
  return row?.v ?? 0;
}

/** Refuses a database written by a newer release: this code would not know its schema. */
export function assertSchemaNotNewer(db: Database, migrations = MIGRATIONS): void {
  const latest = Math.max(0, ...migrations.map((m) => m.version));
  const found = schemaVersion(db);
  if (found > latest)
    throw new Error(
      `database ${db.name} has schema version ${found}, newer than this release knows (${latest}); upgrade Rectify`,
    );
}

/**
 * Applies the migrations the database has not seen, in version order, all in one transaction.
 * Returns the versions applied (empty when the database was up to date).
 */
export function migrate(db: Database, migrations = MIGRATIONS): number[] {
  const ordered = [...migrations].sort((a, b) => a.version - b.version);
  const apply = db.transaction((): number[] => {
    db.exec(CREATE_LEDGER);
    assertSchemaNotNewer(db, migrations);
    const applied = new Set(
      db
        .prepare<[], { version: number }>('SELECT version FROM schema_migrations')
        .all()
        .map((r) => r.version),
    );
    const record = db.prepare<[number, string, string]>(
      'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
    );
    const pending = ordered.filter((m) => !applied.has(m.version));
    for (const m of pending) {
      db.exec(m.up);
      m.backfill?.(db);
      record.run(m.version, m.name, new Date().toISOString());
    }
    return pending.map((m) => m.version);
  });
  return apply.immediate();
}
