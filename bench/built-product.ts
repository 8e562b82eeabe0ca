import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Rectify built as `npm start` runs it (tsc, then node on the JavaScript), into a folder of
 * its own under node_modules/.cache so that its imports resolve to the project's packages, and
 * a bare Express 5 + better-sqlite3 server with Rectify's pragmas beside it: the baseline of
 * the start-up and HTTP benches.
 */
export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

/** The bare server: GET /healthz runs SELECT 1; POST /api/cars stores the JSON body with one INSERT. */
const BARE = `import { randomUUID } from 'node:crypto';
import express from 'express';
import Database from 'better-sqlite3';
const db = new Database(process.env.DB_FILE);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.pragma('foreign_keys = ON');
db.pragma('busy_timeout = 5000');
db.exec('CREATE TABLE IF NOT EXISTS cars (id TEXT PRIMARY KEY, body TEXT NOT NULL) STRICT');
const insert = db.prepare('INSERT INTO cars (id, body) VALUES (?, ?)');
const app = express();
app.use(express.json({ limit: '1mb' }));
app.get('/healthz', (_req, res) => { db.prepare('SELECT 1').get(); res.json({ status: 'ok' }); });
app.post('/api/cars', (req, res) => {
  const car = { id: randomUUID(), ...req.body };
  insert.run(car.id, JSON.stringify(car));
  res.status(201).json(car);
});
const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ url: 'http://127.0.0.1:' + server.address().port }) + '\\n');
});
`;

export interface Built {
  readonly main: string;
  readonly bare: string;
  readonly dir: string;
  remove(): void;
}

export function buildProduct(): Built {
  const cache = path.join(ROOT, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(path.join(cache, 'bench-build-'));
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const built = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', dir], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (built.status !== 0) throw new Error('the build failed');
  // Under node_modules the package scope stops: say the files are ES modules.
  writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}\n');
  const bare = path.join(dir, 'bare-server.js');
  writeFileSync(bare, BARE);
  return {
    main: path.join(dir, 'src', 'main.js'),
    bare,
    dir,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface Started {
  readonly url: string;
  readonly child: ChildProcess;
  /** ms from spawn to the first 200 from /healthz. */
  readonly healthyAfterMs: number;
  stop(): void;
}

/** Spawns `script`, reads the URL it prints (Rectify's log line or the bare server's), waits for /healthz. */
export async function startServer(script: string, env: Record<string, string>): Promise<Started> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [script], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stop = (): void => {
    child.kill('SIGKILL');
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const onData = (chunk: Buffer): void => {
        out += chunk.toString('utf8');
        const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out);
        if (m?.[1]) {
          child.stdout.off('data', onData);
          child.stdout.resume();
          resolve(m[1]);
        }
      };
      child.stdout.on('data', onData);
      child.once('exit', (code) => reject(new Error(`${script} exited with ${code}: ${out}`)));
    });
    for (;;) {
      const res = await fetch(`${url}/healthz`).catch(() => null);
      if (res?.status === 200) return { url, child, healthyAfterMs: performance.now() - t0, stop };
      await new Promise((r) => setTimeout(r, 5));
    }
  } catch (e) {
    stop();
    throw e;
  }
}
