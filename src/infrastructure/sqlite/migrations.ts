import type { Database } from 'better-sqlite3';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly up: string;
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
      record.run(m.version, m.name, new Date().toISOString());
    }
    return pending.map((m) => m.version);
  });
  return apply.immediate();
}
