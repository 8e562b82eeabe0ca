import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SAMPLE_PEOPLE } from '../src/infrastructure/auth/sample-people.js';
import { percentile, type BenchReport, type BenchRow } from './bench-report.js';
import { ROOT, buildProduct, startServer } from './built-product.js';

/**
 * `POST /api/cars` over HTTP: Rectify built as `npm start` runs it (local mode, its own data
 * folder, info logging) next to a bare Express 5 + better-sqlite3 server doing one INSERT of the
 * same JSON with the same pragmas, started in the same run. One load generator, in a process
 * of its own (bench/load-generator.ts), drives each at 1 and at 16 concurrent clients, in
 * interleaved rounds; p50, p99 and throughput over all rounds.
 */
const ROUNDS = 3;
const PLANS = [
  { clients: 1, requests: 150 },
  { clients: 16, requests: 480 },
];

const REPORT = {
  type: 'policy_nonconformance',
  relatesTo: ['procedure'],
  source: 'member_report',
  title: 'Visitor badge not returned',
  description: 'A visitor left the server room area without returning the badge.',
  occurredAt: '2026-11-20T09:30:00Z',
  location: 'Reception, level 1',
  affected: 'Physical access control',
  immediateAction: 'Badge deactivated in the access system.',
  confidential: false,
};

interface Load {
  readonly latencies: number[];
  readonly elapsedMs: number;
  readonly failures: number;
}

function drive(
  url: string,
  headers: Record<string, string>,
  clients: number,
  requests: number,
): Promise<Load> {
  const plan = JSON.stringify({ url, path: '/api/cars', headers, body: REPORT, clients, requests });
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'bench', 'load-generator.ts'), plan],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`the load generator exited with ${code}`));
      else resolve(JSON.parse(out) as Load);
    });
  });
}

export default async function httpBench(): Promise<BenchReport> {
  const built = buildProduct();
  const data = mkdtempSync(path.join(tmpdir(), 'rectify-bench-http-'));
  const rectify = await startServer(built.main, {
    DATA_DIR: path.join(data, 'rectify'),
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
  });
  const bare = await startServer(built.bare, { DB_FILE: path.join(data, 'bare.db') });
  try {
    const reporter = SAMPLE_PEOPLE.find((p) => p.name === 'Alex Morgan');
    const tokenRes = await fetch(`${rectify.url}/dev/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ personId: reporter?.id }),
    });
    const { access_token: token } = (await tokenRes.json()) as { access_token: string };
    const auth = { Authorization: `Bearer ${token}` };
    const rows: BenchRow[] = [];
    for (const { clients, requests } of PLANS) {
      const product: Load[] = [];
      const baseline: Load[] = [];
      for (let round = 0; round < ROUNDS; round += 1) {
        product.push(await drive(rectify.url, auth, clients, requests));
        baseline.push(await drive(bare.url, {}, clients, requests));
      }
      const merged = (loads: Load[]) => {
        const all = loads.flatMap((l) => l.latencies).sort((a, b) => a - b);
        const failures = loads.reduce((n, l) => n + l.failures, 0);
        if (failures > 0) throw new Error(`${failures} requests failed`);
        const elapsed = loads.reduce((n, l) => n + l.elapsedMs, 0);
        return {
          p50: percentile(all, 50),
          p99: percentile(all, 99),
          perSecond: (all.length / elapsed) * 1000,
        };
      };
      const p = merged(product);
      const b = merged(baseline);
      rows.push(
        {
          metric: `p50 at ${clients} client(s)`,
          value: p.p50,
          unit: 'ms',
          baseline: b.p50,
          target: clients === 1 ? 1.5 : undefined,
        },
        { metric: `p99 at ${clients} client(s)`, value: p.p99, unit: 'ms', baseline: b.p99 },
        {
          metric: `Rectify's p99 at ${clients} client(s) against its own p50 (baseline: Rectify's p50)`,
          value: p.p99,
          unit: 'ms',
          baseline: p.p50,
          target: clients === 1 ? 3 : undefined,
        },
        {
          metric: `throughput at ${clients} client(s) (value: the bare server's, baseline: Rectify's; target: Rectify at least 0.66 of it)`,
          value: b.perSecond,
          unit: 'req/s',
          baseline: p.perSecond,
          target: clients === 16 ? 1.5 : undefined,
        },
      );
    }
    return {
      name: `HTTP: POST /api/cars, ${ROUNDS} interleaved rounds per load, load generator in its own process`,
      baselineName: 'bare Express 5 + better-sqlite3, one INSERT of the same JSON, same pragmas',
      rows,
    };
  } finally {
    rectify.stop();
    bare.stop();
    built.remove();
    rmSync(data, { recursive: true, force: true });
  }
}
