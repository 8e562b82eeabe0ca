/**
 * Planning a meeting and recording its decisions in one pass, on a real SQLite file: per CAR
 * ok / conflict / error, never a review twice, and the meeting marked done at the end.
 */
import { testAudit } from '../../support/audit-seal.js';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MeetingService } from '../../../src/application/committee/meeting-service.js';
import { getMeeting, listMeetings } from '../../../src/application/committee/meetings.js';
import { CarService } from '../../../src/application/car-service.js';
import type { LocalDate } from '../../../src/domain/calendar/local-date.js';
import { DEFAULT_SERVICE_LEVELS } from '../../../src/domain/calendar/service-levels.js';
import { WorkingCalendar } from '../../../src/domain/calendar/working-calendar.js';
import type { StoredCar } from '../../../src/domain/car/car-repository.js';
import type { Principal } from '../../../src/domain/identity.js';
import { openDatabase, type Database } from '../../../src/infrastructure/sqlite/database.js';
import { SqliteCarRepository } from '../../../src/infrastructure/sqlite/sqlite-car-repository.js';
import { SqliteCarScan } from '../../../src/infrastructure/sqlite/sqlite-car-scan.js';
import { SqliteStateStore } from '../../../src/infrastructure/sqlite/sqlite-state-store.js';
import { storeCarInState } from '../../support/car-mother.js';

const NOW = new Date('2026-12-10T15:00:00.000Z');
const DATE = '2026-12-10' as LocalDate;
const person = (id: string, roles: ('mr' | 'committee')[]): Principal => ({
  id,
  name: id,
  tenantId: 'tenant',
  roles: new Set(roles),
});
const chair = person('committee-chair', ['committee']);
const mr = person('the-mr', ['mr']);
const member = person('a-member', []);

let dir: string;
let db: Database;
let repository: SqliteCarRepository;
let store: SqliteStateStore;
let service: MeetingService;
let closeScan: () => void;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'rectify-meeting-'));
  const file = path.join(dir, 'rectify.db');
  db = openDatabase(file);
  repository = new SqliteCarRepository(db, testAudit());
  store = new SqliteStateStore(db, () => NOW);
  const opened = SqliteCarScan.open(file);
  closeScan = opened.close;
  const clock = { now: () => NOW };
  service = new MeetingService({
    carService: new CarService({
      repository,
      clock,
      newId: randomUUID,
      calendar: new WorkingCalendar(),
      serviceLevels: DEFAULT_SERVICE_LEVELS,
      timeZone: 'UTC',
    }),
    scan: opened.scan,
    store,
    clock,
    timeZone: 'UTC',
  });
});
afterEach(() => {
  closeScan();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const reviewsOn = async (id: string, date: string) =>
  (await repository.findById(id))?.car
    .toPrimitives()
    .committeeReviews.filter((r) => r.meetingDate === date) ?? [];

const decision = (stored: StoredCar, etag = stored.etag) => ({
  carId: stored.car.id,
  etag,
  decision: 'Escalate to top management',
  followUp: 'MR reports at the next meeting',
  minutesRef: 'MIN-2026-12',
});

describe('planning a meeting', () => {
  it('creates it once; the same request again changes nothing', async () => {
    const first = await service.planMeeting(chair, DATE, { title: 'December review' });
    expect(first.created).toBe(true);
    expect(first.meeting).toMatchObject({
      date: DATE,
      status: 'planned',
      title: 'December review',
      decidedCarIds: [],
      doneAt: null,
      doneBy: null,
    });
    const again = await service.planMeeting(chair, DATE, { title: 'December review' });
    expect(again).toEqual({ meeting: first.meeting, created: false });
    expect(await listMeetings(store)).toEqual([first.meeting]);
  });

  it('renames a planned meeting only with its current etag', async () => {
    const { meeting } = await service.planMeeting(mr, DATE, { title: 'December review' });
    const renamed = await service.planMeeting(mr, DATE, { title: 'Year-end review' }, meeting.etag);
    expect(renamed.meeting.title).toBe('Year-end review');
    await expect(
      service.planMeeting(mr, DATE, { title: 'Another' }, meeting.etag),
    ).rejects.toMatchObject({ code: 'MEETING.CONFLICT' });
    expect((await getMeeting(store, DATE))?.title).toBe('Year-end review');
  });

  it('refuses a date that is not one, a long title, and anyone outside the committee and MR', async () => {
    await expect(service.planMeeting(chair, '2026-13-01', { title: 'x' })).rejects.toMatchObject({
      code: 'REQUEST.VALIDATION',
    });
    await expect(
      service.planMeeting(chair, DATE, { title: 'x'.repeat(301) }),
    ).rejects.toMatchObject({ code: 'REQUEST.VALIDATION' });
    await expect(service.planMeeting(member, DATE, { title: 'x' })).rejects.toMatchObject({
      code: 'AUTH.FORBIDDEN',
    });
    expect(await listMeetings(store)).toEqual([]);
  });
});

describe('deciding in one pass', () => {
  it('answers per CAR, records each review once, and marks the meeting done when all are in', async () => {
    await service.planMeeting(chair, DATE, { title: 'December review' });
    const a = await storeCarInState(repository, 'recorded', { classification: 'major_nc' });
    const b = await storeCarInState(repository, 'closed');
    const c = await storeCarInState(repository, 'implementing');
    const staleEtag = c.etag;
    const c2 = await storeCarInState(repository, 'implementing');
    const cNow = await repository.findById(c.car.id);

    const first = await service.decide(chair, DATE, [
      decision(a),
      decision(b),
      decision(c, '"999"'),
    ]);
    expect(first.results).toEqual([
      { carId: a.car.id, status: 'ok', alreadyReviewed: false, etag: expect.any(String) },
      { carId: b.car.id, status: 'ok', alreadyReviewed: false, etag: expect.any(String) },
      { carId: c.car.id, status: 'conflict', currentEtag: cNow?.etag },
    ]);
    expect(first.meeting.status).toBe('planned');
    expect([...first.meeting.decidedCarIds].sort()).toEqual([a.car.id, b.car.id].sort());
    expect(await reviewsOn(c.car.id, DATE)).toHaveLength(0);

    // The same pass again, with the etags the committee first saw, plus the fixed one.
    const second = await service.decide(chair, DATE, [
      decision(a),
      decision(b),
      decision(c, staleEtag),
      decision(c2),
    ]);
    expect(
      second.results.map((r) => [r.status, 'alreadyReviewed' in r && r.alreadyReviewed]),
    ).toEqual([
      ['ok', true],
      ['ok', true],
      ['ok', false],
      ['ok', false],
    ]);
    expect(second.meeting).toMatchObject({
      status: 'done',
      doneAt: NOW.toISOString(),
      doneBy: { id: chair.id, name: chair.name },
    });
    expect([...second.meeting.decidedCarIds].sort()).toEqual(
      [a.car.id, b.car.id, c.car.id, c2.car.id].sort(),
    );
    for (const car of [a, b, c, c2]) {
      const reviews = await reviewsOn(car.car.id, DATE);
      expect(reviews).toHaveLength(1);
      expect(reviews[0]).toMatchObject({
        decision: 'Escalate to top management',
        followUp: 'MR reports at the next meeting',
        minutesRef: 'MIN-2026-12',
        by: { id: chair.id },
      });
    }

    // After the meeting: a repeat adds nothing; a new CAR is refused, the others are fine.
    const d = await storeCarInState(repository, 'recorded');
    const third = await service.decide(chair, DATE, [decision(a), decision(d)]);
    expect(third.results).toEqual([
      { carId: a.car.id, status: 'ok', alreadyReviewed: true, etag: expect.any(String) },
      { carId: d.car.id, status: 'error', code: 'MEETING.DONE', message: expect.any(String) },
    ]);
    expect(await reviewsOn(a.car.id, DATE)).toHaveLength(1);
    expect(await reviewsOn(d.car.id, DATE)).toHaveLength(0);
    expect((await getMeeting(store, DATE))?.etag).toBe(second.meeting.etag);

    const { agenda } = await service.agenda(chair, DATE);
    expect(agenda.reviewedAtThisMeeting).toEqual([a.car.id, b.car.id, c.car.id, c2.car.id].sort());
    expect(agenda.awaitingDecision.map((x) => x.id)).not.toContain(a.car.id);
  });

  it('reports an unknown CAR as an error and leaves the meeting planned', async () => {
    await service.planMeeting(chair, DATE, { title: 'December review' });
    const a = await storeCarInState(repository, 'recorded');
    const out = await service.decide(chair, DATE, [
      decision(a),
      { ...decision(a), carId: 'no-such-car' },
    ]);
    expect(out.results[1]).toMatchObject({ status: 'error', code: 'CAR.NOT_FOUND' });
    expect(out.meeting.status).toBe('planned');
    expect(out.meeting.decidedCarIds).toEqual([a.car.id]);
  });

  it('checks every decision before writing anything', async () => {
    await service.planMeeting(chair, DATE, { title: 'December review' });
    const before = await getMeeting(store, DATE);
    const a = await storeCarInState(repository, 'recorded');
    const b = await storeCarInState(repository, 'recorded');
    for (const bad of [
      [decision(a), { ...decision(b), decision: '   ' }],
      [decision(a), decision(a)],
      [decision(a), { ...decision(b), etag: '' }],
      [],
    ])
      await expect(service.decide(chair, DATE, bad)).rejects.toMatchObject({
        code: 'REQUEST.VALIDATION',
      });
    expect(await reviewsOn(a.car.id, DATE)).toHaveLength(0);
    expect(await getMeeting(store, DATE)).toEqual(before);
  });

  it('needs a planned meeting, a real date, and the committee or the MR', async () => {
    const a = await storeCarInState(repository, 'recorded');
    await expect(service.decide(chair, DATE, [decision(a)])).rejects.toMatchObject({
      code: 'MEETING.NOT_FOUND',
    });
    await service.planMeeting(chair, DATE, { title: 'December review' });
    await expect(service.decide(chair, '10/12/2026', [decision(a)])).rejects.toMatchObject({
      code: 'REQUEST.VALIDATION',
    });
    await expect(service.decide(member, DATE, [decision(a)])).rejects.toMatchObject({
      code: 'AUTH.FORBIDDEN',
    });
    expect(await reviewsOn(a.car.id, DATE)).toHaveLength(0);
    const byMr = await service.decide(mr, DATE, [decision(a)]);
    expect(byMr.meeting.status).toBe('done');
  });
});
