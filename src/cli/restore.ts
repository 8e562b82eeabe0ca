/**
 * `npm run restore -- <backup> [--db <file>] [--accept-loss]`: puts a backup made by
 * `npm run backup` back as the embedded store, through SQLite's online backup API
 * (https://www.sqlite.org/backup.html), and runs the audit verification on the restored copy.
 *
 * The backup's own trail must verify. When the checkpoints (kept outside the store) saw entries
 * the backup does not have, the restore would lose them: it is refused and the CARs named,
 * unless --accept-loss is given; then the old checkpoint file is kept aside, renamed, and the
 * restored heads are checkpointed afresh. Exit 0 = restored and intact, 1 = refused or the
 * restored trail does not verify, 2 = could not (bad arguments, no backup, no key).
 */
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { sealFor } from '../infrastructure/audit/audit-seal.js';
import { CheckpointFile } from '../infrastructure/audit/checkpoints.js';
import { openDatabase, openDatabaseReadOnly } from '../infrastructure/sqlite/database.js';
import { storeIdOf, verifyStore } from '../infrastructure/sqlite/sqlite-car-repository.js';

const USAGE = 'usage: npm run restore -- <backup file> [--db <file>] [--accept-loss]\n';

const fail = (message: string, code = 2): number => {
  process.stderr.write(`${message}\n`);
  return code;
};

async function run(argv: readonly string[]): Promise<number> {
  let backup: string;
  let dbFile: string | undefined;
  let acceptLoss: boolean;
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: { db: { type: 'string' }, 'accept-loss': { type: 'boolean' } },
      strict: true,
      allowPositionals: true,
    });
    if (positionals.length !== 1 || !positionals[0]) return fail(`one backup file\n${USAGE}`);
    backup = positionals[0];
    dbFile = values.db;
    acceptLoss = values['accept-loss'] === true;
  } catch (e) {
    return fail(`${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
  }
  let config;
  let seal;
  try {
    config = loadConfig(undefined, { STORE: 'sqlite' });
    seal = sealFor(
      config.audit.key.kind === 'file'
        ? { ...config.audit, key: { ...config.audit.key, create: false } }
        : config.audit,
    );
  } catch (e) {
    return fail(`cannot restore: ${e instanceof Error ? e.message : String(e)}`);
  }
  const target = dbFile ?? config.databaseFile;
  const checkpointDir = config.audit.checkpointDir;

  let store: string;
  try {
    const source = openDatabaseReadOnly(backup);
    try {
      const own = verifyStore(source, seal, null);
      if (own.broken.length > 0)
        return fail(
          `refused: the backup's audit trail does not verify for ${own.broken.length} CARs (npm run audit:verify -- --db ${backup})`,
          1,
        );
      const anchored = verifyStore(source, seal, checkpointDir);
      const lost = anchored.broken.filter((v) =>
        v.problems.some((p) => ['truncated', 'rewritten', 'car_missing'].includes(p.kind)),
      );
      if (lost.length > 0 && !acceptLoss)
        return fail(
          `refused: the checkpoints saw later audit entries of ${lost.length} CARs than the backup holds (${lost
            .map((v) => v.carId)
            .join(', ')}); restore with --accept-loss to lose them`,
          1,
        );
      store = storeIdOf(source);
      if (existsSync(target)) {
        const current = openDatabaseReadOnly(target);
        try {
          if (storeIdOf(current) !== store)
            process.stdout.write(`note: ${target} was another store; it is replaced\n`);
        } finally {
          current.close();
        }
      }
      mkdirSync(dirname(target), { recursive: true });
      await source.backup(target);
    } finally {
      source.close();
    }
  } catch (e) {
    return fail(`cannot restore: ${e instanceof Error ? e.message : String(e)}`);
  }

  if (acceptLoss) {
    const file = CheckpointFile.inDirectory(checkpointDir, store, seal);
    if (existsSync(file.file))
      renameSync(
        file.file,
        `${file.file}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`,
      );
    const restored = openDatabaseReadOnly(target);
    try {
      for (const h of restored
        .prepare<[], { id: string; audit_seq: number; audit_mac: string; updated_at: string }>(
          'SELECT id, audit_seq, audit_mac, updated_at FROM cars WHERE audit_seq IS NOT NULL',
        )
        .all())
        file.append(store, h.id, { seq: h.audit_seq, mac: h.audit_mac }, h.updated_at);
    } finally {
      restored.close();
    }
  }

  // The restored file, opened as Rectify opens it (migrations of a newer release), then checked.
  openDatabase(target).close();
  const check = openDatabaseReadOnly(target);
  try {
    const result = verifyStore(check, seal, checkpointDir);
    if (result.broken.length > 0 || result.other.length > 0) {
      process.stdout.write(
        `restored to ${target}, but its audit trail does not verify: run npm run audit:verify -- --db ${target}\n`,
      );
      return 1;
    }
    process.stdout.write(
      `restored ${backup} to ${target}: ${result.cars} CARs, ${result.entries} audit entries, trail intact, checked against the checkpoints\n`,
    );
    return 0;
  } finally {
    check.close();
  }
}

process.exitCode = await run(process.argv.slice(2));
