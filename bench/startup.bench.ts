import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BenchReport } from './bench-report.js';
import { buildProduct, startServer } from './built-product.js';

/**
 * Start-up: the time from spawning `node` to the first 200 from /healthz, for Rectify built as
 * `npm start` builds it (tsc) in local mode on an empty data folder, next to a bare Express 5
 * server that opens a better-sqlite3 file with the same pragmas and answers /healthz with
 * `SELECT 1`, in the same run. Each is started RUNS times, interleaved; medians.
 */
const RUNS = 5;
const TARGET = 2;

const median = (xs: number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

export default async function startupBench(): Promise<BenchReport> {
  const built = buildProduct();
  const data = mkdtempSync(path.join(tmpdir(), 'rectify-bench-startup-'));
  try {
    const product: number[] = [];
    const baseline: number[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      const dir = path.join(data, `run-${run}`);
      mkdirSync(dir);
      const rectify = await startServer(built.main, {
        DATA_DIR: path.join(dir, 'rectify'),
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
      });
      rectify.stop();
      product.push(rectify.healthyAfterMs);
      const bare = await startServer(built.bare, { DB_FILE: path.join(dir, 'bare.db') });
      bare.stop();
      baseline.push(bare.healthyAfterMs);
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
    built.remove();
    rmSync(data, { recursive: true, force: true });
  }
}
