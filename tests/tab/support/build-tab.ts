import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';

/**
 * Builds the tab into dist/tab (where the server serves it) unless a build of the same
 * sources is there already, so `npm test` works from a clean clone and costs nothing when the
 * tab did not change. A lock directory keeps parallel test files from building twice.
 */
const ROOT = process.cwd();
const OUT = path.join(ROOT, 'dist', 'tab');
const STAMP = path.join(OUT, '.source-hash');
const LOCK = path.join(ROOT, 'dist', '.tab-build-lock');
const INPUTS = [
  'src/tab/web',
  'src/domain',
  'src/contract',
  'vite.config.ts',
  'tsconfig.tab.json',
  'package-lock.json',
  'tests/tab/support/build-tab.ts',
];

function files(p: string): string[] {
  const full = path.join(ROOT, p);
  if (!existsSync(full)) return [];
  if (!statSync(full).isDirectory()) return [p];
  return readdirSync(full)
    .sort()
    .flatMap((f) => files(path.join(p, f)));
}

export function tabSourceHash(): string {
  const hash = createHash('sha256');
  for (const f of INPUTS.flatMap(files)) hash.update(f).update(readFileSync(path.join(ROOT, f)));
  return hash.digest('hex');
}

const fresh = (wanted: string) =>
  existsSync(STAMP) &&
  readFileSync(STAMP, 'utf8') === wanted &&
  existsSync(path.join(OUT, 'index.html'));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function ensureTabBuilt(): Promise<void> {
  const wanted = tabSourceHash();
  if (fresh(wanted)) return;
  mkdirSync(path.dirname(LOCK), { recursive: true });
  const started = Date.now();
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (Date.now() - statSync(LOCK).mtimeMs > 300_000)
        rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() - started > 240_000) throw new Error('timed out waiting for the tab build');
      await sleep(250);
    }
  }
  try {
    if (fresh(wanted)) return;
    execFileSync(
      process.execPath,
      ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'error'],
      {
        cwd: ROOT,
        // Jest sets NODE_ENV=test, which would make Vite bundle React's development build.
        env: { ...process.env, NODE_ENV: 'production' },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    writeFileSync(STAMP, wanted);
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}
