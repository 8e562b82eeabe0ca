/**
 * Two reminder jobs in two operating-system processes on one SQLite file, ticking through the
 * same days at the same time: every due event is recorded once and delivered once per person.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ReminderInbox } from '../../../src/application/reminders/inbox.js';
import {
  REMINDER_RECORD_KIND,
  ReminderRecordSchema,
} from '../../../src/application/ports/reminder.js';
import { addDays, localDate } from '../../../src/domain/calendar/local-date.js';
import { openDatabase, type Database } from '../../../src/infrastructure/sqlite/database.js';
import { SqliteCarRepository } from '../../../src/infrastructure/sqlite/sqlite-car-repository.js';
import { SqliteStateStore } from '../../../src/infrastructure/sqlite/sqlite-state-store.js';
import { storeCarInState } from '../../support/car-mother.js';

const TSX = path.resolve('node_modules/.bin/tsx');
const WORKER = path.resolve('tests/application/reminders/tick-worker.ts');
const OWNERS = ['owner-1', 'owner-2', 'owner-3', 'owner-4'];
/** Enough CARs that a day's events take a while, so the two processes' ticks interleave. */
const CARS = 40;
/** Real time per simulated day. */
const STEP_MS = 700;

let dir: string;
let file: string;
let db: Database;

function runWorker(
  startAt: number,
  out: string,
  days: readonly string[],
): Promise<{ recorded: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [WORKER, String(startAt), String(STEP_MS), file, out, ...days], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(JSON.parse(stdout.trim()) as { recorded: number });
      else reject(new Error(`worker exited ${String(code)}: ${stderr}`));
    });
  });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'rectify-two-processes-'));
  file = path.join(dir, 'rectify.db');
  db = openDatabase(file);
  const repository = new SqliteCarRepository(db);
  // Due on different days from Tue 1 to Fri 4 December 2026.
  for (let i = 0; i < CARS; i += 1)
    await storeCarInState(repository, 'implementing', {
      actionDueDate: addDays(localDate('2026-12-01'), i % 4),
      actionOwner: { id: OWNERS[i % OWNERS.length] ?? 'owner-1', name: `Owner ${i}` },
    });
});

afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('two instances as two processes', () => {
  it('record each due event once and deliver it once to each person', async () => {
    // Two tsx processes on a shared machine: allow for slow starts.
    // The working days on which something falls due (Mon 7 December is a holiday).
    const days = ['2026-11-27', '2026-11-30', '2026-12-01', '2026-12-02', '2026-12-03'];
    days.push('2026-12-04', '2026-12-08', '2026-12-09', '2026-12-10', '2026-12-11', '2026-12-14');
    const out = path.join(dir, 'cards.txt');
    // Both start ticking at the same instant, once tsx has started them.
    const startAt = Date.now() + 5000;
    const [a, b] = await Promise.all([
      runWorker(startAt, out, days),
      runWorker(startAt, out, days),
    ]);
    // Both processes took part.
    expect(a.recorded).toBeGreaterThan(0);
    expect(b.recorded).toBeGreaterThan(0);

    const store = new SqliteStateStore(db);
    const records = (
      await store.list(REMINDER_RECORD_KIND, { prefix: 'reminder:', limit: 1000 })
    ).map((r) => ReminderRecordSchema.parse(r.value).reminder);
    const kinds = new Set(records.map((r) => r.kind));
    expect([...kinds].sort()).toEqual(['due_soon', 'escalation', 'overdue']);
    // Every action: due soon, overdue and escalated, each once.
    expect(records).toHaveLength(3 * CARS);
    expect(a.recorded + b.recorded).toBe(3 * CARS);

    const lines = existsSync(out) ? readFileSync(out, 'utf8').trim().split('\n') : [];
    const deliveries = lines.map((l) => l.split(' ').slice(1).join(' '));
    const expected = records.flatMap((r) => r.recipientIds.map((p) => `${p} ${r.key}`));
    expect(deliveries.sort()).toEqual(expected.sort());
    expect(new Set(deliveries).size).toBe(deliveries.length);

    const inbox = new ReminderInbox(store, { now: () => new Date() });
    for (const owner of OWNERS)
      expect((await inbox.list(owner, 100)).total).toBe((2 * CARS) / OWNERS.length);
    expect((await inbox.list('mr-1', 100)).total).toBe(CARS);
  }, 120_000);
});
