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
import { storeCarInState } from '../support/car-mother.js';
import { startEmulatedTenant, type EmulatedTenant } from '../graph/support/emulated-tenant.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const folder = mkdtempSync(join(tmpdir(), 'rectify-audit-verify-'));

afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

function auditVerify(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync('npx', ['tsx', 'src/cli/audit-verify.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** A store with a small trail; `tamper` runs raw SQL on it before it is closed. */
async function aStoreFile(
  name: string,
  tamper?: string,
): Promise<{ file: string; entries: number }> {
  const file = join(folder, name);
  const db = openDatabase(file);
  const repository = new SqliteCarRepository(db);
  await storeCarInState(repository, 'investigating');
  await storeCarInState(repository, 'rejected');
  const entries =
    db.prepare<[], { n: number }>('SELECT count(*) AS n FROM audit_log').get()?.n ?? 0;
  if (tamper) db.exec(tamper);
  db.close();
  return { file, entries };
}

describe('npm run audit:verify', () => {
  it('reports an intact trail with its number of entries and exits 0', async () => {
    const { file, entries } = await aStoreFile('intact.db');

    const run = auditVerify('--db', file);

    expect(run.stdout).toBe(`audit trail intact: ${entries} entries\n`);
    expect(run.status).toBe(0);
  });

  it('reports the first entry changed behind the product and exits 1', async () => {
    const { file } = await aStoreFile(
      'tampered.db',
      `DROP TRIGGER audit_log_no_update;
       UPDATE audit_log SET new_value = '"nothing to see"' WHERE sequence = 3;`,
    );

    const run = auditVerify('--db', file);

    expect(run.stdout).toBe('audit trail BROKEN at entry #3 (hash_mismatch)\n');
    expect(run.status).toBe(1);
  });

  it('reports a deleted entry and exits 1', async () => {
    const { file } = await aStoreFile(
      'truncated.db',
      `DROP TRIGGER audit_log_no_delete;
       DELETE FROM audit_log WHERE sequence = 5;`,
    );

    const run = auditVerify('--db', file);

    expect(run.stdout).toBe('audit trail BROKEN at entry #6 (sequence_gap)\n');
    expect(run.status).toBe(1);
  });

  it('fails clearly, creating nothing, when there is no database', () => {
    const missing = join(folder, 'missing', 'rectify.db');

    const run = auditVerify('--db', missing);

    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`no database at ${missing}`);
    expect(existsSync(missing)).toBe(false);
  });

  it('refuses an unknown option', () => {
    const run = auditVerify('--database', 'x.db');

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
    repository = await openGraphCarRepository(config.store);
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
    expect(run.stdout).toBe(`audit trail intact: 2 CARs, ${entries} entries\n`);
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
    const rows = JSON.parse(String(recordItem.fields[A.entries])) as Record<string, unknown>[];
    const first = rows[0];
    if (!first) throw new Error('the audit item holds entries');
    first.actorName = 'Someone Else';
    recordItem.fields[A.entries] = JSON.stringify(rows);

    const run = await auditVerifyOn(tenant.env, '--store', 'sharepoint');

    expect(run.stdout).toMatch(
      new RegExp(
        `^${numbered.car.number ?? 'no number'} \\(${numbered.car.id}\\): audit trail BROKEN at entry #\\d+ \\(hash_mismatch\\)\n` +
          'audit trail BROKEN for 1 of 2 CARs\n$',
      ),
    );
    expect(run.status).toBe(1);
  }, 60_000);
});
