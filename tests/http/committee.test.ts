/**
 * The committee routes over HTTP: a real Rectify app on loopback, a real SQLite file, and the
 * answers checked against the schemas the OpenAPI document publishes.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import request from 'supertest';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/http/app.js';
import {
  AgendaResponseSchema,
  DecisionsResponseSchema,
  KpisSchema,
  MeetingSchema,
} from '../../src/http/committee-routes.js';
import { MeetingService } from '../../src/application/committee/meeting-service.js';
import { CarService } from '../../src/application/car-service.js';
import { localDate } from '../../src/domain/calendar/local-date.js';
import { DEFAULT_SERVICE_LEVELS } from '../../src/domain/calendar/service-levels.js';
import { WorkingCalendar } from '../../src/domain/calendar/working-calendar.js';
import { RectifyError } from '../../src/domain/errors.js';
import type { Principal } from '../../src/domain/identity.js';
import { openDatabase, type Database } from '../../src/infrastructure/sqlite/database.js';
import { SqliteCarRepository } from '../../src/infrastructure/sqlite/sqlite-car-repository.js';
import { SqliteCarScan } from '../../src/infrastructure/sqlite/sqlite-car-scan.js';
import { SqliteStateStore } from '../../src/infrastructure/sqlite/sqlite-state-store.js';
import { storeCarInState } from '../support/car-mother.js';

const NOW = new Date('2026-03-20T10:00:00.000Z');
const principals: Record<string, Principal> = {
  committee: { id: 'c-1', name: 'Chris Walker', tenantId: 't', roles: new Set(['committee']) },
  mr: { id: 'mr-1', name: 'Jordan Lee', tenantId: 't', roles: new Set(['mr']) },
  member: { id: 'm-1', name: 'Alex Morgan', tenantId: 't', roles: new Set() },
};

let dir: string;
let db: Database;
let server: Server;
let url: string;
let closeScan: () => void;
const ids: Record<string, string> = {};

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'rectify-committee-api-'));
  const file = path.join(dir, 'rectify.db');
  db = openDatabase(file);
  const repository = new SqliteCarRepository(db);
  const clock = { now: () => NOW };
  const carService = new CarService({
    repository,
    clock,
    newId: randomUUID,
    calendar: new WorkingCalendar(),
    serviceLevels: DEFAULT_SERVICE_LEVELS,
    timeZone: 'UTC',
  });
  ids.major = (
    await storeCarInState(repository, 'recorded', { classification: 'major_nc' })
  ).car.id;
  ids.closed = (await storeCarInState(repository, 'closed')).car.id;
  ids.late = (
    await storeCarInState(repository, 'implementing', { actionDueDate: localDate('2026-03-10') })
  ).car.id;
  const opened = SqliteCarScan.open(file);
  closeScan = opened.close;
  const meetings = new MeetingService({
    carService,
    scan: opened.scan,
    store: new SqliteStateStore(db, () => NOW),
    clock,
    timeZone: 'UTC',
  });
  const app = await createApp({
    carService,
    // Tokens are the people's names here; the bearer check itself is tested elsewhere.
    tokenValidator: {
      validate: (token) => {
        const p = principals[token];
        return p ? Promise.resolve(p) : Promise.reject(new RectifyError('AUTH.UNAUTHENTICATED'));
      },
    },
    logger: pino({ level: 'silent' }),
    maxBodyBytes: 100_000,
    ready: () => Promise.resolve(),
    committee: { meetings },
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  closeScan();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const as = (who: string) => ({
  get: (p: string) => request(url).get(p).set('Authorization', `Bearer ${who}`),
  put: (p: string, body?: object) =>
    request(url).put(p).set('Authorization', `Bearer ${who}`).send(body),
  post: (p: string, body?: object) =>
    request(url).post(p).set('Authorization', `Bearer ${who}`).send(body),
});

describe('the committee routes', () => {
  it('are for the committee and the MR: others get 403, no token 401', async () => {
    expect((await request(url).get('/api/committee/meetings')).status).toBe(401);
    const member = as('member');
    for (const res of [
      await member.get('/api/committee/meetings'),
      await member.put('/api/committee/meetings/2026-03-26', { title: 'x' }),
      await member.get('/api/committee/meetings/2026-03-26/agenda'),
      await member.post('/api/committee/meetings/2026-03-26/decisions', {
        decisions: [{ carId: ids.major, etag: '"1"', decision: 'Noted' }],
      }),
      await member.get('/api/kpis?from=2026-01-01&to=2026-03-31'),
    ]) {
      expect(res.status).toBe(403);
      expect(res.type).toBe('application/problem+json');
      expect(res.body).toMatchObject({ code: 'AUTH.FORBIDDEN' });
    }
    expect((await as('mr').get('/api/committee/meetings')).body).toEqual({ items: [] });
  });

  it('plan a meeting, show its agenda, record its decisions in one pass', async () => {
    const committee = as('committee');
    const planned = await committee.put('/api/committee/meetings/2026-03-26', {
      title: 'March review',
    });
    expect(planned.status).toBe(201);
    expect(planned.headers.etag).toBe(MeetingSchema.parse(planned.body).etag);
    expect(
      (await committee.put('/api/committee/meetings/2026-03-26', { title: 'March review' })).status,
    ).toBe(200);
    const list = await committee.get('/api/committee/meetings');
    expect((list.body as { items: unknown[] }).items).toEqual([planned.body]);

    const res = await committee.get('/api/committee/meetings/2026-03-26/agenda');
    expect(res.status).toBe(200);
    const { agenda, meeting } = AgendaResponseSchema.parse(res.body);
    expect(meeting?.status).toBe('planned');
    expect(agenda.lastMeetingDate).toBeNull();
    expect(agenda.newSinceLast.map((c) => c.id).sort()).toEqual(Object.values(ids).sort());
    expect(agenda.awaitingDecision.map((c) => [c.id, c.reasons])).toEqual(
      expect.arrayContaining([[ids.major, ['major_nc']]]),
    );
    expect(agenda.overdueActions.map((c) => c.id)).toEqual([ids.late]);
    expect(agenda.closedSinceLast.map((c) => c.id)).toEqual([ids.closed]);

    const decisions = agenda.newSinceLast.map((c) => ({
      carId: c.id,
      etag: c.etag,
      decision: 'Noted',
      followUp: c.id === ids.late ? 'Owner to finish by April' : null,
      minutesRef: 'MIN-2026-03',
    }));
    const decided = await committee.post('/api/committee/meetings/2026-03-26/decisions', {
      decisions,
    });
    expect(decided.status).toBe(200);
    const outcome = DecisionsResponseSchema.parse(decided.body);
    expect(outcome.results.every((r) => r.status === 'ok' && !r.alreadyReviewed)).toBe(true);
    expect(outcome.meeting.status).toBe('done');
    expect(decided.headers.etag).toBe(outcome.meeting.etag);

    const again = await committee.post('/api/committee/meetings/2026-03-26/decisions', {
      decisions,
    });
    expect(
      DecisionsResponseSchema.parse(again.body).results.map(
        (r) => r.status === 'ok' && r.alreadyReviewed,
      ),
    ).toEqual([true, true, true]);
    const history = await as('mr').get(`/api/cars/${ids.late}`);
    expect(
      (history.body as { committeeReviews: { meetingDate: string; followUp: string }[] })
        .committeeReviews,
    ).toEqual([
      expect.objectContaining({ meetingDate: '2026-03-26', followUp: 'Owner to finish by April' }),
    ]);

    // The next meeting's agenda starts after this one and shows what it decided.
    const next = AgendaResponseSchema.parse(
      (await committee.get('/api/committee/meetings/2026-04-23/agenda')).body,
    );
    expect(next.meeting).toBeNull();
    expect(next.agenda.lastMeetingDate).toBe('2026-03-26');
    expect(next.agenda.newSinceLast).toEqual([]);
    expect(next.agenda.awaitingDecision).toEqual([]);
    expect(next.agenda.previousReview.map((c) => c.id).sort()).toEqual(Object.values(ids).sort());
  });

  it('refuse bad input with problem+json and change nothing', async () => {
    const committee = as('committee');
    await committee.put('/api/committee/meetings/2026-05-28', { title: 'May review' });
    for (const res of [
      await committee.put('/api/committee/meetings/2026-02-30', { title: 'x' }),
      await committee.put('/api/committee/meetings/2026-05-28', { title: 'x', extra: 1 }),
      await committee.get('/api/committee/meetings/next-week/agenda'),
      await committee.post('/api/committee/meetings/2026-05-28/decisions', { decisions: [] }),
      await committee.post('/api/committee/meetings/2026-05-28/decisions', {
        decisions: [
          { carId: ids.major, etag: '"9"', decision: 'Noted' },
          { carId: ids.closed, etag: '"9"', decision: '' },
        ],
      }),
      await committee.get('/api/kpis?from=2026-03-31'),
      await committee.get('/api/kpis?from=2026-03-31&to=2026-03-01'),
    ]) {
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'REQUEST.VALIDATION' });
    }
    const missing = await committee.post('/api/committee/meetings/2026-06-25/decisions', {
      decisions: [{ carId: ids.major, etag: '"9"', decision: 'Noted' }],
    });
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ code: 'MEETING.NOT_FOUND' });
    const may = (
      (await committee.get('/api/committee/meetings')).body as { items: { date: string }[] }
    ).items.find((m) => m.date === '2026-05-28');
    expect(may).toMatchObject({ status: 'planned', title: 'May review', decidedCarIds: [] });
  });

  it('give the trend figures of a period', async () => {
    const res = await as('mr').get('/api/kpis?from=2026-01-01&to=2026-03-31');
    expect(res.status).toBe(200);
    const kpis = KpisSchema.parse(res.body);
    expect(kpis.cars).toBe(3);
    expect(kpis.byClassification).toEqual({ major_nc: 1, minor_nc: 2, ofi: 0 });
    expect(kpis.status).toEqual({ open: 2, overdue: 1, closed: 1 });
    expect(kpis.byMonth.map((m) => m.month)).toEqual(['2026-01', '2026-02', '2026-03']);
  });

  it('are in the OpenAPI document', async () => {
    const doc = (await request(url).get('/api/openapi.json')).body as {
      paths: Record<string, object>;
    };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/committee/meetings',
        '/api/committee/meetings/{date}',
        '/api/committee/meetings/{date}/agenda',
        '/api/committee/meetings/{date}/decisions',
        '/api/kpis',
      ]),
    );
  });
});
