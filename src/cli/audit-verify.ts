/**
 * `npm run audit:verify [-- --db <file>]`: checks the hash chain of the embedded store's audit
 * trail. Exit 0 = intact, 1 = broken, 2 = could not check (bad arguments, no such store).
 */
import { parseArgs } from 'node:util';
import { openDatabaseReadOnly, type Database } from '../infrastructure/sqlite/database.js';
import { verifyAuditTrail } from '../infrastructure/sqlite/sqlite-car-repository.js';

const DEFAULT_DB = 'data/rectify.db';
const USAGE = 'usage: npm run audit:verify -- [--db <file>]\n';

function verify(argv: readonly string[]): number {
  let file: string;
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: { db: { type: 'string', default: DEFAULT_DB } },
      strict: true,
      allowPositionals: false,
    });
    file = values.db;
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
    return 2;
  }

  let db: Database;
  try {
    db = openDatabaseReadOnly(file);
  } catch (e) {
    process.stderr.write(
      `cannot verify the audit trail: ${e instanceof Error ? e.message : String(e)}\n`,
    );
    return 2;
  }
  try {
    const result = verifyAuditTrail(db);
    if (result.ok) {
      process.stdout.write(`audit trail intact: ${result.count} entries\n`);
      return 0;
    }
    const { sequence, reason } = result.firstBroken;
    process.stdout.write(`audit trail BROKEN at entry #${sequence} (${reason})\n`);
    return 1;
  } catch (e) {
    process.stderr.write(
      `cannot verify the audit trail: ${e instanceof Error ? e.message : String(e)}\n`,
    );
    return 2;
  } finally {
    db.close();
  }
}

process.exitCode = verify(process.argv.slice(2));
