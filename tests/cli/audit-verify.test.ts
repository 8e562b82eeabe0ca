import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from '@jest/globals';
import { openDatabase } from '../../src/infrastructure/sqlite/database.js';
import { SqliteCarRepository } from '../../src/infrastructure/sqlite/sqlite-car-repository.js';
import { storeCarInState } from '../support/car-mother.js';

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
