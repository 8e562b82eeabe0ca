/**
 * `npm run backup -- --out <file> [--db <file>]`: copies the embedded store, while Rectify
 * runs, through SQLite's online backup API (https://www.sqlite.org/backup.html), then checks
 * the copy's audit trail as audit:verify does. Exit 0 = written and intact, 1 = written but
 * the trail does not verify, 2 = could not (bad arguments, no store, no key, no room).
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { sealFor } from '../infrastructure/audit/audit-seal.js';
import { openDatabaseReadOnly } from '../infrastructure/sqlite/database.js';
import { verifyStore } from '../infrastructure/sqlite/sqlite-car-repository.js';

const USAGE = 'usage: npm run backup -- --out <file> [--db <file>]\n';

const fail = (message: string): number => {
  process.stderr.write(`${message}\n`);
  return 2;
};

async function run(argv: readonly string[]): Promise<number> {
  let out: string;
  let dbFile: string | undefined;
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: { out: { type: 'string' }, db: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    });
    if (!values.out) return fail(`--out is required\n${USAGE}`);
    out = values.out;
    dbFile = values.db;
  } catch (e) {
    return fail(`${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
  }
  if (existsSync(out)) return fail(`${out} exists already: a backup never overwrites a file`);
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
    return fail(`cannot back up: ${e instanceof Error ? e.message : String(e)}`);
  }
  const partial = `${out}.partial`;
  try {
    const source = openDatabaseReadOnly(dbFile ?? config.databaseFile);
    try {
      await source.backup(partial);
    } finally {
      source.close();
    }
    renameSync(partial, out);
  } catch (e) {
    rmSync(partial, { force: true });
    return fail(`cannot back up: ${e instanceof Error ? e.message : String(e)}`);
  }
  const copy = openDatabaseReadOnly(out);
  try {
    const result = verifyStore(copy, seal, null);
    if (result.broken.length > 0) {
      process.stdout.write(
        `backup written to ${out}, but its audit trail does not verify for ${result.broken.length} CARs: run npm run audit:verify -- --db ${out}\n`,
      );
      return 1;
    }
    process.stdout.write(
      `backup written to ${out}: ${result.cars} CARs, ${result.entries} audit entries, trail intact\n`,
    );
    return 0;
  } finally {
    copy.close();
  }
}

process.exitCode = await run(process.argv.slice(2));
