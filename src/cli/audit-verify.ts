/**
 * `npm run audit:verify [-- --db <file>]`: checks the hash chain of the embedded store's audit
 * trail. `npm run audit:verify -- --store sharepoint`: checks every CAR's chain on the SharePoint
 * lists, with the same settings as the server (STORE=sharepoint, SHAREPOINT_SITE_ID, GRAPH_*).
 * Exit 0 = intact, 1 = broken, 2 = could not check (bad arguments, no such store, no access).
 */
import { parseArgs } from 'node:util';
import { answeredHelp } from './cli-args.js';
import { loadConfig } from '../config.js';
import { GraphRequestError } from '../infrastructure/graph/graph-client.js';
import type { GraphListCarRepository } from '../infrastructure/graph/graph-list-car-repository.js';
import { openGraphCarRepository } from '../infrastructure/graph/open-graph-store.js';
import { openDatabaseReadOnly, type Database } from '../infrastructure/sqlite/database.js';
import { verifyAuditTrail } from '../infrastructure/sqlite/sqlite-car-repository.js';

const DEFAULT_DB = 'data/rectify.db';
const USAGE =
  'usage: npm run audit:verify -- [--db <file> | --store sqlite | --store sharepoint]\n';

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

function cannotVerify(e: unknown): number {
  process.stderr.write(`cannot verify the audit trail: ${messageOf(e)}\n`);
  return 2;
}

function verifySqlite(file: string): number {
  let db: Database;
  try {
    db = openDatabaseReadOnly(file);
  } catch (e) {
    return cannotVerify(e);
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
    return cannotVerify(e);
  } finally {
    db.close();
  }
}

/** Graph could not be asked (network, permission, throttling past the retries): not a verdict. */
const isGraphFailure = (e: unknown): boolean =>
  e instanceof GraphRequestError || (e instanceof Error && e.cause instanceof GraphRequestError);

async function verifySharePoint(): Promise<number> {
  let repository: GraphListCarRepository;
  try {
    const config = loadConfig(undefined, { STORE: 'sharepoint' });
    if (config.store.kind !== 'sharepoint') throw new Error('STORE=sharepoint was not taken');
    repository = await openGraphCarRepository(config.store);
  } catch (e) {
    return cannotVerify(e);
  }
  let cars = 0;
  let entries = 0;
  let broken = 0;
  try {
    for await (const car of repository.everyCar()) {
      cars += 1;
      const name = car.number === null ? car.id : `${car.number} (${car.id})`;
      let verdict: string | null;
      try {
        const result = await repository.verifyTrail(car.id);
        entries += result.count;
        verdict = result.ok
          ? null
          : `entry #${result.firstBroken.sequence} (${result.firstBroken.reason})`;
      } catch (e) {
        if (isGraphFailure(e)) throw e;
        // An audit item that no longer parses was changed behind the product.
        verdict = `an audit item is unreadable: ${messageOf(e)}`;
      }
      if (verdict !== null) {
        broken += 1;
        process.stdout.write(`${name}: audit trail BROKEN at ${verdict}\n`);
      }
    }
  } catch (e) {
    return cannotVerify(e);
  }
  if (broken === 0) {
    process.stdout.write(`audit trail intact: ${cars} CARs, ${entries} entries\n`);
    return 0;
  }
  process.stdout.write(`audit trail BROKEN for ${broken} of ${cars} CARs\n`);
  return 1;
}

async function verify(argv: readonly string[]): Promise<number> {
  if (answeredHelp(argv, USAGE)) return 0;
  let values: { db?: string | undefined; store?: string | undefined };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { db: { type: 'string' }, store: { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
    if (values.store !== undefined && !['sqlite', 'sharepoint'].includes(values.store))
      throw new Error(`--store is sqlite or sharepoint, not '${values.store}'`);
    if (values.store === 'sharepoint' && values.db !== undefined)
      throw new Error('--db is for the SQLite store, not with --store sharepoint');
  } catch (e) {
    process.stderr.write(`${messageOf(e)}\n${USAGE}`);
    return 2;
  }
  return values.store === 'sharepoint' ? verifySharePoint() : verifySqlite(values.db ?? DEFAULT_DB);
}

process.exitCode = await verify(process.argv.slice(2));
