import { afterAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startCallbackServer, type CallbackServer } from '../support/callback-server.js';
import { aReportBody, people } from '../support/rectify-harness.js';

/**
 * Kills a real Rectify process with SIGKILL while it is delivering a webhook (the receiver
 * holds the request open), restarts it on the same data folder, and checks that the receiver
 * gets every event, under the same event id and body, and that de-duplicating on the id
 * leaves each event exactly once.
 */
const dataDir = mkdtempSync(path.join(tmpdir(), 'rectify-webhook-crash-'));
const children: ChildProcess[] = [];
let hook: CallbackServer | undefined;

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await hook?.close();
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
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      WEBHOOK_INTERVAL_MS: '100',
      WEBHOOK_LEASE_MS: '1000',
      WEBHOOK_RETRY_BASE_MS: '50',
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

async function tokenFor(base: string, personId: string): Promise<string> {
  const res = await fetch(`${base}/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ personId }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

const exited = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });

describe('a crash while a webhook is being delivered', () => {
  it('delivers every event again under the same id, so each is received once per id', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    hook = await startCallbackServer();
    const first = await startProcess(port);

    // Until the three reports are in, deliveries are refused (503: retried later, same id);
    // then the next one is held open, and the process killed while it waits for the answer.
    let reported = false;
    let killed = false;
    const acknowledged: string[] = [];
    hook.answer = (r) => {
      if (!reported) return 503;
      if (killed) {
        acknowledged.push(r.json.id);
        return 200;
      }
      killed = true;
      first.kill('SIGKILL');
      return 'hold';
    };

    const mr = await tokenFor(base, people.mr.id);
    const subscribed = await fetch(`${base}/api/subscriptions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${mr}`, 'content-type': 'application/json' },
      body: JSON.stringify({ event: 'reportReceived', notificationUrl: hook.url }),
    });
    expect(subscribed.status).toBe(201);

    const reporter = await tokenFor(base, people.reporter.id);
    const carIds: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const res = await fetch(`${base}/api/cars`, {
        method: 'POST',
        headers: { authorization: `Bearer ${reporter}`, 'content-type': 'application/json' },
        body: JSON.stringify(aReportBody({ title: `Report ${i}` })),
      });
      expect(res.status).toBe(201);
      carIds.push(((await res.json()) as { id: string }).id);
    }

    reported = true;
    await hook.waitFor(() => killed);
    await exited(first);
    expect(first.signalCode).toBe('SIGKILL');
    const heldId = hook.received[hook.received.length - 1]?.json.id;

    await startProcess(port);
    const current = hook;
    await current.waitFor(() => new Set(acknowledged).size === 3, 30_000);
    // Anything still in flight has the time of a lease to arrive, then the count must hold.
    await new Promise((r) => setTimeout(r, 1500));

    const byId = new Map<string, string[]>();
    for (const r of current.received) byId.set(r.json.id, [...(byId.get(r.json.id) ?? []), r.body]);
    expect([...byId.keys()]).toHaveLength(3);
    expect(new Set(current.received.map((r) => r.json.car.id))).toEqual(new Set(carIds));
    for (const bodies of byId.values()) expect(new Set(bodies).size).toBe(1);
    // The delivery cut by the crash came again after the restart, and every event was
    // acknowledged exactly once: nothing is sent again once the receiver said 2xx.
    expect(acknowledged).toContain(heldId);
    expect([...acknowledged].sort()).toEqual([...byId.keys()].sort());
  }, 90_000);
});
