import {
  checkStateDue,
  checkStateInstant,
  checkStateKey,
  checkStateKind,
  checkStatePage,
  encodeStateValue,
  prefixUpperBound,
  type NewStateRecord,
  type StateChange,
  type StateRecord,
  type StateStore,
} from '../../application/ports/state-store.js';
import type { Database, Statement } from 'better-sqlite3';

interface StateRow {
  key: string;
  kind: string;
  value: string;
  version: number;
  due_at: string | null;
  updated_at: string;
}

const COLUMNS = 'key, kind, value, version, due_at, updated_at';

const toEtag = (version: number): string => `"${version}"`;

/** The version an etag names, or null for anything this store never answered. */
function versionOf(etag: string): number | null {
  const m = /^"([1-9]\d{0,15})"$/.exec(etag);
  return m ? Number(m[1]) : null;
}

function toRecord(row: StateRow): StateRecord {
  return {
    key: row.key,
    kind: row.kind,
    value: JSON.parse(row.value) as unknown,
    etag: toEtag(row.version),
    dueAt: row.due_at,
    updatedAt: row.updated_at,
  };
}

/**
 * Shared state in the embedded store (table `state_records`, migration 4). The etag is a
 * version counter; a create is one IMMEDIATE transaction (insert unless present, then read), a
 * replace is one UPDATE guarded by the version, so several processes may share the file.
 */
export class SqliteStateStore implements StateStore {
  private readonly byKey: Statement<[string], StateRow>;
  private readonly insert: Statement<[string, string, string, string | null, string]>;
  private readonly update: Statement<[string, string | null, string, string, number], StateRow>;
  private readonly dueStmt: Statement<[string, string, number], StateRow>;
  private readonly createTx: (record: NewStateRecord, value: string, now: string) => StateRow[];

  constructor(
    private readonly db: Database,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.byKey = db.prepare(`SELECT ${COLUMNS} FROM state_records WHERE key = ?`);
    this.insert = db.prepare(
      `INSERT INTO state_records (key, kind, value, version, due_at, updated_at)
       VALUES (?, ?, ?, 1, ?, ?) ON CONFLICT (key) DO NOTHING`,
    );
    this.update = db.prepare(
      `UPDATE state_records SET value = ?, due_at = ?, updated_at = ?, version = version + 1
        WHERE key = ? AND version = ? RETURNING ${COLUMNS}`,
    );
    this.dueStmt = db.prepare(
      `SELECT ${COLUMNS} FROM state_records
        WHERE kind = ? AND due_at IS NOT NULL AND due_at <= ?
        ORDER BY due_at, key LIMIT ?`,
    );
    const tx = db.transaction((record: NewStateRecord, value: string, now: string) => {
      const created = this.insert.run(record.key, record.kind, value, record.dueAt, now).changes;
      const row = this.byKey.get(record.key) as StateRow;
      return created === 1 ? [row, row] : [row];
    });
    this.createTx = (record, value, now) => tx.immediate(record, value, now);
  }

  get(key: string): Promise<StateRecord | null> {
    return settle(() => {
      checkStateKey(key);
      const row = this.byKey.get(key);
      return row ? toRecord(row) : null;
    });
  }

  createIfAbsent(record: NewStateRecord): Promise<{ record: StateRecord; created: boolean }> {
    return settle(() => {
      checkStateKey(record.key);
      checkStateKind(record.kind);
      checkStateDue(record.dueAt);
      const value = encodeStateValue(record.value);
      const rows = this.createTx(record, value, this.now());
      return { record: toRecord(rows[0] as StateRow), created: rows.length === 2 };
    });
  }

  replace(key: string, etag: string, change: StateChange): Promise<StateRecord | null> {
    return settle(() => {
      checkStateKey(key);
      checkStateDue(change.dueAt);
      const value = encodeStateValue(change.value);
      const version = versionOf(etag);
      if (version === null) return null;
      const row = this.update.get(value, change.dueAt, this.now(), key, version);
      return row ? toRecord(row) : null;
    });
  }

  due(kind: string, before: string, limit: number): Promise<readonly StateRecord[]> {
    return settle(() => {
      checkStateKind(kind);
      checkStateInstant(before, 'before');
      checkStatePage(limit);
      return this.dueStmt.all(kind, before, limit).map(toRecord);
    });
  }

  list(
    kind: string,
    options: { readonly prefix?: string; readonly after?: string; readonly limit: number },
  ): Promise<readonly StateRecord[]> {
    return settle(() => {
      checkStateKind(kind);
      checkStatePage(options.limit);
      const where = ['kind = ?'];
      const params: (string | number)[] = [kind];
      if (options.after !== undefined) {
        where.push('key > ?');
        params.push(checkStateKey(options.after, 'after'));
      }
      const prefix = options.prefix ?? '';
      if (prefix !== '') {
        checkStateKey(prefix, 'prefix');
        where.push('key >= ?');
        params.push(prefix);
        const upper = prefixUpperBound(prefix);
        if (upper !== null) {
          where.push('key < ?');
          params.push(upper);
        }
      }
      params.push(options.limit);
      const rows = this.db
        .prepare<(string | number)[], StateRow>(
          `SELECT ${COLUMNS} FROM state_records WHERE ${where.join(' AND ')} ORDER BY key LIMIT ?`,
        )
        .all(...params);
      return rows.filter((r) => r.key.startsWith(prefix)).map(toRecord);
    });
  }

  private now(): string {
    return this.clock().toISOString();
  }
}

/** Runs synchronous store work as a promise, so that a failure is a rejection, not a throw. */
const settle = <T>(work: () => T): Promise<T> =>
  new Promise<T>((resolve) => {
    resolve(work());
  });
