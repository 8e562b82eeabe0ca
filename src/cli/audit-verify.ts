/**
 * `npm run audit:verify [-- --db <file>]`: checks the embedded store's audit trail: every CAR's
 * entries (each authenticated with the audit key), its head, its record and indexed columns, and
 * the signed checkpoints kept outside the store. `npm run audit:verify -- --store sharepoint`:
 * the same on the SharePoint lists, with the same settings as the server (STORE=sharepoint,
 * SHAREPOINT_SITE_ID, GRAPH_*). Every broken entry is reported, with the CARs it concerns.
 * Exit 0 = intact, 1 = broken, 2 = could not check (bad arguments, no such store, no key, no access).
 */
import { parseArgs } from 'node:util';
import { answeredHelp } from './cli-args.js';
import { loadConfig, type Config } from '../config.js';
import { sealFor, type AuditSeal } from '../infrastructure/audit/audit-seal.js';
import type { TrailProblem, TrailVerdict } from '../infrastructure/audit/audit-trail.js';
import { GraphRequestError } from '../infrastructure/graph/graph-client.js';
import type { GraphListCarRepository } from '../infrastructure/graph/graph-list-car-repository.js';
import { openGraphCarRepository } from '../infrastructure/graph/open-graph-store.js';
import { openDatabaseReadOnly, type Database } from '../infrastructure/sqlite/database.js';
import { verifyStore } from '../infrastructure/sqlite/sqlite-car-repository.js';

const USAGE =
  'usage: npm run audit:verify -- [--db <file> | --store sqlite | --store sharepoint] [--no-checkpoints]\n';

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

function cannotVerify(e: unknown): number {
  process.stderr.write(`cannot verify the audit trail: ${messageOf(e)}\n`);
  return 2;
}

const problemLine = (p: TrailProblem): string =>
  `  ${p.sequence === null ? 'record' : `entry #${p.sequence}`}: ${p.kind} (${p.detail})\n`;

/** Prints the verdict; returns the exit code. */
function report(
  summary: { cars: number; entries: number; checkpoints: boolean },
  broken: readonly TrailVerdict[],
  other: readonly TrailProblem[],
  nameOf: (carId: string) => string,
): number {
  for (const v of broken) {
    process.stdout.write(`${nameOf(v.carId)}: audit trail BROKEN\n`);
    for (const p of v.problems) process.stdout.write(problemLine(p));
  }
  for (const p of other) process.stdout.write(`checkpoints: ${p.kind} (${p.detail})\n`);
  const anchored = summary.checkpoints ? ', checked against the checkpoints' : ', no checkpoints';
  if (broken.length === 0 && other.length === 0) {
    process.stdout.write(
      `audit trail intact: ${summary.cars} CARs, ${summary.entries} entries${anchored}\n`,
    );
    return 0;
  }
  const affected = broken.map((v) => nameOf(v.carId));
  process.stdout.write(
    `audit trail BROKEN for ${broken.length} of ${summary.cars} CARs${affected.length > 0 ? `: ${affected.join(', ')}` : ''}\n`,
  );
  return 1;
}

function verifySqlite(config: Config, seal: AuditSeal, file: string, checkpoints: boolean): number {
  let db: Database;
  try {
    db = openDatabaseReadOnly(file);
  } catch (e) {
    return cannotVerify(e);
  }
  try {
    const result = verifyStore(db, seal, checkpoints ? config.audit.checkpointDir : null);
    const numbers = new Map(
      db
        .prepare<[], { id: string; number: string | null }>('SELECT id, number FROM cars')
        .all()
        .map((r) => [r.id, r.number]),
    );
    const nameOf = (id: string): string => {
      const n = numbers.get(id);
      return n ? `${n} (${id})` : id;
    };
    return report(result, result.broken, result.other, nameOf);
  } catch (e) {
    return cannotVerify(e);
  } finally {
    db.close();
  }
}

/** Graph could not be asked (network, permission, throttling past the retries): not a verdict. */
const isGraphFailure = (e: unknown): boolean =>
  e instanceof GraphRequestError || (e instanceof Error && e.cause instanceof GraphRequestError);

async function verifySharePoint(
  config: Config,
  seal: AuditSeal,
  checkpoints: boolean,
): Promise<number> {
  let repository: GraphListCarRepository;
  try {
    if (config.store.kind !== 'sharepoint') throw new Error('STORE=sharepoint was not taken');
    repository = await openGraphCarRepository(config.store, seal);
  } catch (e) {
    return cannotVerify(e);
  }
  try {
    const result = await repository.verifyAll({ checkpoints });
    const names = new Map(result.names);
    const nameOf = (id: string): string => {
      const n = names.get(id);
      return n ? `${n} (${id})` : id;
    };
    return report(result, result.broken, result.other, nameOf);
  } catch (e) {
    if (isGraphFailure(e)) return cannotVerify(e);
    return cannotVerify(e);
  }
}

async function verify(argv: readonly string[]): Promise<number> {
  if (answeredHelp(argv, USAGE)) return 0;
  let values: {
    db?: string | undefined;
    store?: string | undefined;
    'no-checkpoints'?: boolean | undefined;
  };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        db: { type: 'string' },
        store: { type: 'string' },
        'no-checkpoints': { type: 'boolean' },
      },
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
  let config: Config;
  let seal: AuditSeal;
  try {
    config = loadConfig(
      undefined,
      values.store === 'sharepoint' ? { STORE: 'sharepoint' } : { STORE: 'sqlite' },
    );
    // The verifier never makes a key: a missing key is "cannot check", not a new trail.
    seal = sealFor(
      config.audit.key.kind === 'file'
        ? { ...config.audit, key: { ...config.audit.key, create: false } }
        : config.audit,
    );
  } catch (e) {
    return cannotVerify(e);
  }
  const checkpoints = values['no-checkpoints'] !== true;
  return values.store === 'sharepoint'
    ? verifySharePoint(config, seal, checkpoints)
    : verifySqlite(config, seal, values.db ?? config.databaseFile, checkpoints);
}

process.exitCode = await verify(process.argv.slice(2));
