/**
 * The in-tab notification list through the real API app on loopback, over a real SQLite file.
 * Tokens are checked by a stand-in validator that knows two people.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import request from 'supertest';
import { createApp } from '../../../src/http/app.js';
import { CarService } from '../../../src/application/car-service.js';
import { ReminderInbox } from '../../../src/application/reminders/inbox.js';
import { DEFAULT_SERVICE_LEVELS } from '../../../src/domain/calendar/service-levels.js';
import { WorkingCalendar } from '../../../src/domain/calendar/working-calendar.js';
import { RectifyError } from '../../../src/domain/errors.js';
import type { Principal } from '../../../src/domain/identity.js';
import { openDatabase, type Database } from '../../../src/infrastructure/sqlite/database.js';
import { SqliteCarRepository } from '../../../src/infrastructure/sqlite/sqlite-car-repository.js';
import { SqliteStateStore } from '../../../src/infrastructure/sqlite/sqlite-state-store.js';
import { aReminder } from './reminder-mother.js';

const person = (id: string, name: string): Principal => ({
  id,
  name,
  tenantId: 'tenant-1',
  roles: new Set(),
});
const PEOPLE: Record<string, Principal> = {
  'token-sam': person('owner-1', 'Sam Taylor'),
  'token-maria': person('owner-2', 'Maria Garcia'),
};

let dir: string;
let db: Database;
let server: Server;
let url: string;
let inbox: ReminderInbox;
let now = new Date('2026-12-01T08:00:00.000Z');
const clock = { now: () => new Date(now) };

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'rectify-inbox-'));
  db = openDatabase(path.join(dir, 'rectify.db'));
  const store = new SqliteStateStore(db, () => clock.now());
  inbox = new ReminderInbox(store, clock);
  const app = await createApp({
    carService: new CarService({
      repository: new SqliteCarRepository(db),
      clock,
      newId: randomUUID,
      calendar: new WorkingCalendar(),
      serviceLevels: DEFAULT_SERVICE_LEVELS,
      timeZone: 'UTC',
    }),
    tokenValidator: {
      validate: (token) => {
        const p = PEOPLE[token];
        return p ? Promise.resolve(p) : Promise.reject(new RectifyError('AUTH.UNAUTHENTICATED'));
      },
    },
    logger: pino({ level: 'silent' }),
    maxBodyBytes: 65_536,
    ready: () => Promise.resolve(),
    notifications: { inbox },
  });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => {
      resolve(s);
    });
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const channel = inbox.channel();
  await channel.deliver('owner-1', aReminder('due_soon', { key: 'k:due_soon' }));
  now = new Date('2026-12-04T08:00:00.000Z');
  await channel.deliver('owner-1', aReminder('overdue', { key: 'k:overdue' }));
  // Delivered again (a retried delivery): still one notification.
  await channel.deliver('owner-1', aReminder('overdue', { key: 'k:overdue' }));
  await channel.deliver('owner-2', aReminder('escalation', { key: 'k:escalation' }));
});

afterAll(async () => {
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const as = (token: string) => ({
  get: (p: string) => request(url).get(p).set('Authorization', `Bearer ${token}`),
  post: (p: string) => request(url).post(p).set('Authorization', `Bearer ${token}`),
});

describe('GET /api/me/notifications', () => {
  it("lists the caller's own notifications, newest first, with the unread count", async () => {
    const res = await as('token-sam').get('/api/me/notifications');
    expect(res.status).toBe(200);
    const body = res.body as {
      items: { id: string; kind: string; text: string }[];
      unread: number;
    };
    expect(body.items.map((i) => [i.id, i.kind])).toEqual([
      ['k:overdue', 'overdue'],
      ['k:due_soon', 'due_soon'],
    ]);
    expect(body.items[0]?.text).toContain('CAR-2026-0007');
    expect(body.unread).toBe(2);
  });

  it('needs a token', async () => {
    expect((await request(url).get('/api/me/notifications')).status).toBe(401);
  });

  it('refuses a bad limit', async () => {
    const res = await as('token-sam').get('/api/me/notifications?limit=0');
    expect(res.status).toBe(400);
    expect((res.body as { code: string }).code).toBe('REQUEST.VALIDATION');
  });
});

describe('POST /api/me/notifications/:key/read', () => {
  it('marks one read, and reading it again changes nothing', async () => {
    const first = await as('token-sam').post('/api/me/notifications/k%3Adue_soon/read');
    expect(first.status).toBe(200);
    const readAt = (first.body as { readAt: string }).readAt;
    expect(readAt).toBe('2026-12-04T08:00:00.000Z');
    now = new Date('2026-12-05T08:00:00.000Z');
    const again = await as('token-sam').post('/api/me/notifications/k%3Adue_soon/read');
    expect((again.body as { readAt: string }).readAt).toBe(readAt);
    const list = await as('token-sam').get('/api/me/notifications');
    expect((list.body as { unread: number }).unread).toBe(1);
  });

  it("does not reach someone else's notification", async () => {
    const res = await as('token-sam').post('/api/me/notifications/k%3Aescalation/read');
    expect(res.status).toBe(404);
    expect((res.body as { code: string }).code).toBe('NOTIFICATION.NOT_FOUND');
    const maria = await as('token-maria').get('/api/me/notifications');
    expect((maria.body as { unread: number }).unread).toBe(1);
  });

  it('refuses a key with control characters and changes nothing', async () => {
    const res = await as('token-sam').post('/api/me/notifications/k%0Aoverdue/read');
    expect(res.status).toBe(400);
    const list = await as('token-sam').get('/api/me/notifications');
    expect((list.body as { unread: number }).unread).toBe(1);
  });
});
