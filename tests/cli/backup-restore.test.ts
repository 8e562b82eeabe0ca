import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from '@jest/globals';
import { openDatabase } from '../../src/infrastructure/sqlite/database.js';
import { SqliteCarRepository } from '../../src/infrastructure/sqlite/sqlite-car-repository.js';
import { TEST_AUDIT_KEY, testAudit } from '../support/audit-seal.js';
import { storeCarInState } from '../support/car-mother.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const folder = mkdtempSync(join(tmpdir(), 'rectify-backup-'));
const dataDir = join(folder, 'data');
const checkpoints = join(folder, 'checkpoints');
const ENV = { AUDIT_KEY: TEST_AUDIT_KEY, AUDIT_CHECKPOINT_DIR: checkpoints, DATA_DIR: dataDir };

afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

function cli(
  script: string,
  ...args: string[]
): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync('npx', ['tsx', `src/cli/${script}.ts`, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, ...ENV },
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('npm run backup and npm run restore', () => {
  it('round-trips the store with an intact trail, and refuses to lose checkpointed entries silently', async () => {
    const file = join(dataDir, 'rectify.db');
    const db = openDatabase(file);
    const repository = new SqliteCarRepository(db, testAudit(checkpoints));
    const first = await storeCarInState(repository, 'investigating');
    await storeCarInState(repository, 'closed');

    const backup = cli('backup', '--out', join(folder, 'one.db'));
    expect(backup.stderr).toBe('');
    expect(backup.stdout).toMatch(
      /^backup written to .*one\.db: 2 CARs, \d+ audit entries, trail intact\n$/,
    );
    expect(backup.status).toBe(0);
    expect(cli('backup', '--out', join(folder, 'one.db')).status).toBe(2);

    const elsewhere = join(folder, 'restored', 'rectify.db');
    const restored = cli('restore', join(folder, 'one.db'), '--db', elsewhere);
    expect(restored.stderr).toBe('');
    expect(restored.stdout).toContain('2 CARs');
    expect(restored.stdout).toContain('trail intact, checked against the checkpoints');
    expect(restored.status).toBe(0);

    // A later write, then the older backup back: it would lose an entry the checkpoints saw.
    await repository.update(first.car, first.etag, {
      carId: first.car.id,
      operation: 'acknowledge',
      actor: { id: 'mr', name: 'MR' },
      at: '2026-03-09T09:00:00.000Z',
      reason: 'seen',
      changes: [],
    });
    db.close();
    const refused = cli('restore', join(folder, 'one.db'));
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(first.car.id);

    const accepted = cli('restore', join(folder, 'one.db'), '--accept-loss');
    expect(accepted.stderr).toBe('');
    expect(accepted.status).toBe(0);
    expect(cli('audit-verify').status).toBe(0);
    expect(existsSync(checkpoints)).toBe(true);
  }, 180_000);
});
