import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEST_AUDIT_KEY } from '../support/audit-seal.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Runs `npm run audit:verify` on a store file of the test harness, as an auditor would, with the
 * harness's audit key and checkpoints (kept beside its data folder); exit 0 means intact.
 */
export function auditVerify(databaseFile: string): { status: number | null; output: string } {
  const run = spawnSync(
    process.execPath,
    [
      path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'),
      'src/cli/audit-verify.ts',
      '--db',
      databaseFile,
    ],
    {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        ...process.env,
        AUDIT_KEY: TEST_AUDIT_KEY,
        AUDIT_CHECKPOINT_DIR: `${path.dirname(databaseFile)}-checkpoints`,
      },
    },
  );
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}
