import { afterAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { verifyStore } from '../../src/infrastructure/sqlite/sqlite-car-repository.js';
import { TEST_AUDIT_KEY, testSeal } from '../support/audit-seal.js';
import { aReportBody, people } from '../support/rectify-harness.js';

/**
 * Kills a real Rectify process with SIGKILL while clients create reports, restarts it on the
 * same data folder, and checks that every report that was acknowledged (201) survived.
 */

const dataDir = mkdtempSync(path.join(tmpdir(), 'rectify-crash-'));
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => {
        resolve(port);
      });
    });
    s.on('error', reject);
  });

async function startProcess(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      RECTIFY_MODE: 'local',
      DATA_DIR: dataDir,
      AUDIT_KEY: TEST_AUDIT_KEY,
      AUDIT_CHECKPOINT_DIR: `${dataDir}-checkpoints`,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Rectify exited with ${child.exitCode}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (res.ok) return child;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('Rectify did not become ready');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function tokenFor(base: string): Promise<string> {
  const res = await fetch(`${base}/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ personId: people.reporter.id }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

describe('a crash while reports are coming in', () => {
  it('loses no acknowledged report and leaves a sound database', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const first = await startProcess(port);
    const token = await tokenFor(base);

    const acknowledged: string[] = [];
    let stop = false;
    const client = async (n: number): Promise<void> => {
      for (let i = 0; !stop; i += 1) {
        try {
          const res = await fetch(`${base}/api/cars`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              authorization: `Bearer ${token}`,
              'idempotency-key': `c${n}-${i}`,
            },
            body: JSON.stringify(aReportBody({ title: `crash test ${n}-${i}` })),
          });
          if (res.status === 201) acknowledged.push(((await res.json()) as { id: string }).id);
        } catch {
          return; // the server is gone: the request was never acknowledged
        }
      }
    };
    const clients = Array.from({ length: 8 }, (_, n) => client(n));
    while (acknowledged.length < 150) await new Promise((r) => setTimeout(r, 20));
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    stop = true;
    await Promise.all(clients);
    expect(acknowledged.length).toBeGreaterThanOrEqual(150);

    const db = new Database(path.join(dataDir, 'rectify.db'), { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();

    const second = await startProcess(port);
    const mrToken = await (async () => {
      const res = await fetch(`${base}/dev/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ personId: people.mr.id }),
      });
      return ((await res.json()) as { access_token: string }).access_token;
    })();
    const missing: string[] = [];
    for (const id of acknowledged) {
      const res = await fetch(`${base}/api/cars/${id}`, {
        headers: { authorization: `Bearer ${mrToken}` },
      });
      if (res.status !== 200) missing.push(id);
    }
    expect(missing).toEqual([]);
    second.kill('SIGTERM');
    await new Promise((r) => second.once('exit', r));

    const after = new Database(path.join(dataDir, 'rectify.db'), { readonly: true });
    expect(after.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(verifyStore(after, testSeal(), `${dataDir}-checkpoints`)).toMatchObject({
      broken: [],
      other: [],
    });
    after.close();
  }, 120_000);
});
