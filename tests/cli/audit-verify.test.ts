import { TEST_AUDIT_KEY, testAudit, testSeal } from '../support/audit-seal.js';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config.js';
import type { StoredCar } from '../../src/domain/car/car-repository.js';
import type { GraphListCarRepository } from '../../src/infrastructure/graph/graph-list-car-repository.js';
import { openGraphCarRepository } from '../../src/infrastructure/graph/open-graph-store.js';
import { A, AUDIT_LIST } from '../../src/infrastructure/graph/rectify-lists.js';
import { openDatabase } from '../../src/infrastructure/sqlite/database.js';
import { SqliteCarRepository } from '../../src/infrastructure/sqlite/sqlite-car-repository.js';
import type { Database } from '../../src/infrastructure/sqlite/database.js';
import { THE_MR, storeCarInState } from '../support/car-mother.js';
import { startEmulatedTenant, type EmulatedTenant } from '../graph/support/emulated-tenant.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const folder = mkdtempSync(join(tmpdir(), 'rectify-audit-verify-'));

afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

const KEY_ENV = {
  AUDIT_KEY: TEST_AUDIT_KEY,
  AUDIT_CHECKPOINT_DIR: join(folder, 'checkpoints'),
};

function auditVerify(
  env: Readonly<Record<string, string>>,
  ...args: string[]
): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync('npx', ['tsx', 'src/cli/audit-verify.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, ...env },
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** A store with two CARs; `tamper` runs raw SQL on it before it is closed. */
async function aStoreFile(
  name: string,
  tamper?: (db: Database, ids: { investigating: string; rejected: string }) => void,
): Promise<{ file: string; entries: number; ids: { investigating: string; rejected: string } }> {
  const file = join(folder, name);
  const db = openDatabase(file);
  const repository = new SqliteCarRepository(db, testAudit(KEY_ENV.AUDIT_CHECKPOINT_DIR));
  const investigating = await storeCarInState(repository, 'investigating');
  const rejected = await storeCarInState(repository, 'rejected');
  const ids = { investigating: investigating.car.id, rejected: rejected.car.id };
  const entries =
    db.prepare<[], { n: number }>('SELECT count(*) AS n FROM audit_trail').get()?.n ?? 0;
  tamper?.(db, ids);
  db.close();
  return { file, entries, ids };
}

describe('npm run audit:verify', () => {
  it('reports an intact store with its CARs and entries, checked against the checkpoints', async () => {
    const { file, entries } = await aStoreFile('intact.db');

    const run = auditVerify(KEY_ENV, '--db', file);

    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(
      `audit trail intact: 2 CARs, ${entries} entries, checked against the checkpoints\n`,
    );
    expect(run.status).toBe(0);
  });

  it('reports every broken entry, not only the first, and names every CAR affected', async () => {
    const { file, ids } = await aStoreFile('tampered.db', (db, ids) => {
      db.exec('DROP TRIGGER audit_trail_no_update');
      for (const [id, seq] of [
        [ids.investigating, 1],
        [ids.investigating, 3],
        [ids.rejected, 2],
      ] as const)
        db.prepare(
          `UPDATE audit_trail SET entry = replace(entry, '"at":', '"at" :') WHERE car_id = ? AND car_seq = ?`,
        ).run(id, seq);
    });

    const run = auditVerify(KEY_ENV, '--db', file);

    expect(run.stdout).toContain(`(${ids.investigating}): audit trail BROKEN\n`);
    expect(run.stdout).toContain('  entry #1: entry_forged');
    expect(run.stdout).toContain('  entry #3: entry_forged');
    expect(run.stdout).toContain(`${ids.rejected}: audit trail BROKEN\n  entry #2: entry_forged`);
    // Both CARs named, in the order of their ids (random): the numbered one by its number.
    expect(run.stdout).toMatch(/audit trail BROKEN for 2 of 2 CARs: .*CAR-\d{4}-\d{4} \(/);
    expect(run.stdout).toMatch(new RegExp(`BROKEN for 2 of 2 CARs: .*${ids.rejected}`));
    expect(run.status).toBe(1);
  });

  it('cannot check without the audit key, and says so (exit 2), making no key', async () => {
    const { file } = await aStoreFile('no-key.db');
    const keyFile = join(folder, 'nowhere', 'audit.key');

    const run = auditVerify(
      { AUDIT_KEY_FILE: keyFile, AUDIT_CHECKPOINT_DIR: KEY_ENV.AUDIT_CHECKPOINT_DIR },
      '--db',
      file,
    );

    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`no audit key file at ${keyFile}`);
    expect(existsSync(keyFile)).toBe(false);
  });

  it('reports a trail checked with another key as sealed with another key', async () => {
    const { file } = await aStoreFile('other-key.db');

    const run = auditVerify({ ...KEY_ENV, AUDIT_KEY: 'b7'.repeat(32) }, '--db', file);

    expect(run.stdout).toContain('other_key');
    expect(run.status).toBe(1);
  });

  it('fails clearly, creating nothing, when there is no database', () => {
    const missing = join(folder, 'missing', 'rectify.db');

    const run = auditVerify(KEY_ENV, '--db', missing);

    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`no database at ${missing}`);
    expect(existsSync(missing)).toBe(false);
  });

  it('refuses an unknown option', () => {
    const run = auditVerify(KEY_ENV, '--database', 'x.db');

    expect(run.status).toBe(2);
    expect(run.stderr).toContain('usage: npm run audit:verify');
  });
});

/** Runs the CLI without blocking this process, which serves the emulated tenant meanwhile. */
function auditVerifyOn(
  env: Readonly<Record<string, string>>,
  ...args: string[]
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', 'src/cli/audit-verify.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const timer = setTimeout(() => {
      child.kill();
    }, 60_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

describe('npm run audit:verify -- --store sharepoint', () => {
  let tenant: EmulatedTenant;
  let repository: GraphListCarRepository;
  let numbered: StoredCar;
  let entries = 0;

  beforeAll(async () => {
    tenant = await startEmulatedTenant({ dir: join(folder, 'tenant') });
    const config = loadConfig(tenant.env);
    if (config.store.kind !== 'sharepoint') throw new Error('the tenant sets STORE=sharepoint');
    repository = await openGraphCarRepository(config.store, testSeal());
    const reported = await storeCarInState(repository, 'reported');
    numbered = await storeCarInState(repository, 'investigating');
    for (const s of [reported, numbered]) entries += (await repository.history(s.car.id)).length;
  }, 60_000);

  afterAll(async () => {
    await tenant.close();
  });

  it('walks every CAR on the list and exits 0 when every trail is intact', async () => {
    const run = await auditVerifyOn(tenant.env, '--store', 'sharepoint');

    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(
      `audit trail intact: 2 CARs, ${entries} entries, checked against the checkpoints\n`,
    );
    expect(run.status).toBe(0);
  }, 60_000);

  it('fails clearly with exit 2 when the site cannot be reached', async () => {
    const run = await auditVerifyOn(
      { ...tenant.env, SHAREPOINT_SITE_ID: 'contoso.sharepoint.com,no,site' },
      '--store',
      'sharepoint',
    );

    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(
      'cannot verify the audit trail: Graph cannot find the SharePoint site',
    );
    expect(run.status).toBe(2);
  }, 60_000);

  it('refuses --db with the SharePoint store', async () => {
    const run = await auditVerifyOn(tenant.env, '--store', 'sharepoint', '--db', 'x.db');

    expect(run.stderr).toContain('usage: npm run audit:verify');
    expect(run.status).toBe(2);
  }, 60_000);

  it('names the CAR whose audit item was changed in SharePoint and exits 1', async () => {
    const items = [...(tenant.emulator.listByName(AUDIT_LIST.displayName)?.items.values() ?? [])];
    const recordItem = items.find(
      (i) => i.fields[A.carId] === numbered.car.id && i.fields.Title === 'record',
    );
    if (!recordItem) throw new Error('the numbered CAR has an audit item for record');
    recordItem.fields[A.entries] = String(recordItem.fields[A.entries]).replace(
      THE_MR.name,
      'Someone Else',
    );

    const run = await auditVerifyOn(tenant.env, '--store', 'sharepoint');

    expect(run.stdout).toMatch(
      new RegExp(
        `^${numbered.car.number ?? 'no number'} \\(${numbered.car.id}\\): audit trail BROKEN\n` +
          '  entry #\\d+: entry_forged \\(the entry does not match its MAC\\)\n' +
          `audit trail BROKEN for 1 of 2 CARs: ${numbered.car.number ?? ''}`,
      ),
    );
    expect(run.status).toBe(1);
  }, 60_000);
});
