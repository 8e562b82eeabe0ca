import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BenchReport } from './bench-report.js';

/**
 * Start-up: the time from spawning `node` to the first 200 from /healthz, for Rectify built as
 * `npm start` builds it (tsc) in local mode on an empty data folder, next to a bare Express 5
 * server that opens a better-sqlite3 file with the same pragmas and answers /healthz with
 * `SELECT 1`, in the same run. Each is started RUNS times, interleaved; medians.
 */
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const RUNS = 5;
const TARGET = 2;

const BARE = `import express from 'express';
import Database from 'better-sqlite3';
const db = new Database(process.env.DB_FILE);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.pragma('foreign_keys = ON');
db.pragma('busy_timeout = 5000');
const app = express();
app.get('/healthz', (_req, res) => { db.prepare('SELECT 1').get(); res.json({ status: 'ok' }); });
const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ url: 'http://127.0.0.1:' + server.address().port }) + '\\n');
});
`;

const median = (xs: number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** Spawns `script`, reads the URL it prints, and answers the ms until /healthz gave 200. */
async function timeToHealthy(script: string, env: Record<string, string>): Promise<number> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [script], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
        const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out);
        if (m?.[1]) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`${script} exited with ${code}: ${out}`)));
    });
    for (;;) {
      const res = await fetch(`${url}/healthz`).catch(() => null);
      if (res?.status === 200) return performance.now() - t0;
      await new Promise((r) => setTimeout(r, 5));
    }
  } finally {
    child.kill('SIGKILL');
  }
}

export default async function startupBench(): Promise<BenchReport> {
  // Built into a folder of its own, as `npm start` runs it: node on compiled JavaScript.
  const cache = path.join(ROOT, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const out = mkdtempSync(path.join(cache, 'startup-bench-'));
  const data = mkdtempSync(path.join(tmpdir(), 'rectify-bench-startup-'));
  try {
    const built = spawnSync(
      process.execPath,
      [
        path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
        '-p',
        'tsconfig.build.json',
        '--outDir',
        out,
      ],
      { cwd: ROOT, stdio: 'inherit' },
    );
    if (built.status !== 0) throw new Error('the build failed');
    // Under node_modules the package scope stops: say the files are ES modules.
    writeFileSync(path.join(out, 'package.json'), '{"type":"module"}\n');
    const bare = path.join(out, 'bare-server.js');
    writeFileSync(bare, BARE);
    const product: number[] = [];
    const baseline: number[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      const dir = path.join(data, `run-${run}`);
      mkdirSync(dir);
      product.push(
        await timeToHealthy(path.join(out, 'src', 'main.js'), {
          DATA_DIR: path.join(dir, 'rectify'),
          PORT: '0',
          HOST: '127.0.0.1',
          LOG_LEVEL: 'info',
        }),
      );
      baseline.push(await timeToHealthy(bare, { DB_FILE: path.join(dir, 'bare.db') }));
    }
    return {
      name: `Start-up to the first 200 from /healthz (${RUNS} interleaved starts, medians)`,
      baselineName: 'bare Express 5 + better-sqlite3, same pragmas, same run',
      rows: [
        {
          metric: 'spawn to /healthz, local mode, empty data folder',
          value: median(product),
          unit: 'ms',
          baseline: median(baseline),
          target: TARGET,
        },
      ],
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
    rmSync(data, { recursive: true, force: true });
  }
}
