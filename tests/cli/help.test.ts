import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

/**
 * Every command line of Rectify (src/cli, scripts, bench) answers --help with its usage on
 * stdout and exit 0, and an unknown option with its usage on stderr and exit 2, before it
 * touches anything (no store opened, no server started).
 */
const TSX = path.resolve('node_modules/.bin/tsx');
const COMMANDS: readonly (readonly [string, readonly string[]])[] = [
  ['npm run audit:verify', [TSX, 'src/cli/audit-verify.ts']],
  ['npm run review-pack', [TSX, 'src/cli/review-pack.ts']],
  ['npm run provision', [TSX, 'src/cli/provision.ts']],
  ['npm run procedures', [TSX, 'src/cli/procedures.ts']],
  ['npm run import', [TSX, 'src/cli/import.ts']],
  ['npm run connector', [TSX, 'scripts/connector.ts']],
  ['npm run package', [TSX, 'scripts/package-app.ts']],
  ['npm run emulator', [TSX, 'scripts/graph-emulator.ts']],
  ['npm run start:sharepoint', [TSX, 'scripts/start-sharepoint.ts']],
  ['npm run playground', [TSX, 'scripts/playground.ts']],
  ['npm run bench', [TSX, 'bench/run.ts']],
  ['scripts/curl-walkthrough.sh', ['bash', 'scripts/curl-walkthrough.sh']],
];

const run = (argv: readonly string[], extra: string[]) =>
  spawnSync(argv[0] ?? '', [...argv.slice(1), ...extra], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, LOG_LEVEL: 'silent' },
  });

describe.each(COMMANDS)('%s', (_name, argv) => {
  it('answers --help with its usage and exit 0', () => {
    const res = run(argv, ['--help']);
    expect(res.stderr).toBe('');
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/^usage: /);
  });

  it('answers an unknown option with its usage on stderr and exit 2', () => {
    const res = run(argv, ['--no-such-option']);
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/usage: /);
    expect(res.stdout).toBe('');
  });
});
