import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { assertSchemaNotNewer, migrate, schemaVersion } from './migrations.js';

export type { Database } from 'better-sqlite3';

const IN_MEMORY = ':memory:';

/**
 * Opens (creating if needed) the embedded store and brings its schema up to date. Records
 * must survive a crash, so every commit is synced (`synchronous = FULL`), not only the WAL.
 */
export function openDatabase(file: string): Database {
  if (file !== IN_MEMORY) mkdirSync(dirname(file), { recursive: true });
  const db = new BetterSqlite3(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db);
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

/**
 * Opens an existing store for reading only (the audit verification): no migration runs and
 * nothing is created. Fails on a missing file, a file that is not a Rectify store, or a
 * schema newer than this release.
 */
export function openDatabaseReadOnly(file: string): Database {
  if (!existsSync(file)) throw new Error(`no database at ${file}`);
  const db = new BetterSqlite3(file, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    if (schemaVersion(db) === 0) throw new Error(`${file} is not a Rectify database`);
    assertSchemaNotNewer(db);
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}
