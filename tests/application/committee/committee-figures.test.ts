/**
 * The agenda and every trend figure on the seeded register (600 CARs over two years, in a
 * real SQLite file), against answers this test computes itself from the generator's own log.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Agenda, AgendaCar } from '../../../src/application/committee/agenda.js';
import type { Kpis } from '../../../src/application/committee/kpis.js';
import { MeetingService } from '../../../src/application/committee/meeting-service.js';
import { CarService } from '../../../src/application/car-service.js';
import type { LocalDate } from '../../../src/domain/calendar/local-date.js';
import { DEFAULT_SERVICE_LEVELS } from '../../../src/domain/calendar/service-levels.js';
import { WorkingCalendar } from '../../../src/domain/calendar/working-calendar.js';
import { CAR_STATES, type CarState } from '../../../src/domain/car/lifecycle.js';
import type { Principal } from '../../../src/domain/identity.js';
import { SqliteCarScan } from '../../../src/infrastructure/sqlite/sqlite-car-scan.js';
import { SqliteStateStore } from '../../../src/infrastructure/sqlite/sqlite-state-store.js';
import {
  seedCars,
  storeSeededMeetings,
  type SeededCarLog,
  type SeededData,
} from '../../support/seeded-cars.js';

const committee: Principal = {
  id: 'seed-committee',
  name: 'Chris Walker',
  tenantId: 'tenant',
  roles: new Set(['committee']),
};

let dir: string;
let data: SeededData;
let service: MeetingService;
let closeScan: () => void;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'rectify-committee-'));
  data = await seedCars({ file: path.join(dir, 'rectify.db') });
  const store = new SqliteStateStore(data.db, () => data.now);
  await storeSeededMeetings(store, data.meetings);
  const opened = SqliteCarScan.open(data.file);
  closeScan = opened.close;
  const clock = { now: () => data.now };
  const carService = new CarService({
    repository: data.repository,
    clock,
    newId: () => 'unused',
    calendar: new WorkingCalendar(),
    serviceLevels: DEFAULT_SERVICE_LEVELS,
    timeZone: data.timeZone,
  });
  service = new MeetingService({
    carService,
    scan: opened.scan,
    store,
    clock,
    timeZone: data.timeZone,
  });
  await service.planMeeting(committee, '2026-12-10', { title: 'December review' });
}, 300_000);

afterAll(() => {
  closeScan();
  data.db.close();
  rmSync(dir, { recursive: true, force: true });
});

// ---- the expected answers, from the generator's log only ---------------------------------

const OPEN: readonly CarState[] = [
  'reported',
  'recorded',
  'investigating',
  'action_planned',
  'implementing',
  'verifying',
];
const dayNumber = (d: string): number =>
  Date.UTC(+d.slice(0, 4), +d.slice(5, 7) - 1, +d.slice(8, 10)) / 86_400_000;
const ids = (cars: readonly { id: string }[]): string[] => cars.map((c) => c.id).sort();
const recorded = (): SeededCarLog[] => data.cars.filter((c) => c.triage === 'recorded');

function expectedAgenda(D: string, L: string | null) {
  const since = (d: string | null): boolean => d !== null && (L === null || d > L) && d <= D;
  const cars = recorded();
  const awaiting = cars
    .map((c) => {
      const reviewed = c.reviews.map((r) => r.meetingDate).filter((m) => m <= D);
      const last = reviewed.length ? reviewed.reduce((a, b) => (a > b ? a : b)) : null;
      const open = (d: string | null) => d !== null && d <= D && (last === null || d > last);
      const reasons: string[] = [];
      if (c.classification === 'major_nc' && open(c.recordedOn)) reasons.push('major_nc');
      if (c.feedsManagementReview && open(c.closedOn)) reasons.push('feeds_management_review');
      if (open(c.reopenedOn.at(-1) ?? null)) reasons.push('reopened');
      return { id: c.id, reasons };
    })
    .filter((c) => c.reasons.length > 0);
  return {
    newSinceLast: ids(cars.filter((c) => since(c.recordedOn))),
    overdueActions: cars
      .filter((c) => OPEN.includes(c.state))
      .map((c) => ({
        id: c.id,
        late: c.actions.filter((a) => a.status === 'open' && a.dueDate < D).map((a) => a.id),
      }))
      .filter((c) => c.late.length > 0)
      .sort((a, b) => (a.id < b.id ? -1 : 1)),
    closedSinceLast: ids(cars.filter((c) => since(c.closedOn))),
    foundIneffective: ids(
      cars.filter((c) => c.verifications.some((v) => !v.effective && since(v.on))),
    ),
    awaiting: awaiting.sort((a, b) => (a.id < b.id ? -1 : 1)),
    previousReview: cars
      .filter((c) => L !== null && c.reviews.some((r) => r.meetingDate === L))
      .map((c) => ({
        id: c.id,
        reviews: c.reviews
          .filter((r) => r.meetingDate === L)
          .map((r) => ({ decision: r.decision, followUp: r.followUp, minutesRef: r.minutesRef })),
      }))
      .sort((a, b) => (a.id < b.id ? -1 : 1)),
    reviewedAtThisMeeting: ids(cars.filter((c) => c.reviews.some((r) => r.meetingDate === D))),
  };
}

function actualAgenda(a: Agenda) {
  const sorted = <T extends AgendaCar>(xs: readonly T[]): T[] =>
    [...xs].sort((x, y) => (x.id < y.id ? -1 : 1));
  return {
    newSinceLast: ids(a.newSinceLast),
    overdueActions: sorted(a.overdueActions).map((c) => ({
      id: c.id,
      late: c.overdueActions.map((x) => x.id),
    })),
    closedSinceLast: ids(a.closedSinceLast),
    foundIneffective: ids(a.foundIneffective),
    awaiting: sorted(a.awaitingDecision).map((c) => ({ id: c.id, reasons: [...c.reasons] })),
    previousReview: sorted(a.previousReview).map((c) => ({ id: c.id, reviews: [...c.reviews] })),
    reviewedAtThisMeeting: [...a.reviewedAtThisMeeting],
  };
}

function expectedKpis(from: string, to: string, today: string) {
  const inPeriod = (d: string | null): boolean => d !== null && d >= from && d <= to;
  const cars = recorded().filter((c) => inPeriod(c.recordedOn));
  const tally = (keys: (c: SeededCarLog) => readonly string[]) => {
    const out: Record<string, number> = {};
    for (const c of cars) for (const k of keys(c)) out[k] = (out[k] ?? 0) + 1;
    return out;
  };
  const figures = (values: number[]) => {
    const s = [...values].sort((a, b) => a - b);
    const n = s.length;
    return {
      count: n,
      mean: n ? s.reduce((a, b) => a + b, 0) / n : null,
      p90: n ? (s[Math.ceil(n * 0.9) - 1] ?? null) : null,
    };
  };
  const gap = (a: string, b: string) => dayNumber(b) - dayNumber(a);
  const reports = data.cars.filter((c) => inPeriod(c.reportedOn));
  const repeated = (keys: (c: SeededCarLog) => readonly string[]) =>
    Object.entries(tally((c) => [...new Set(keys(c))]))
      .filter(([, n]) => n >= 2)
      .map(([key, n]) => ({ key, n }))
      .sort((a, b) => b.n - a.n || (a.key < b.key ? -1 : 1));
  const verified = cars.filter((c) => c.verifications.length > 0);
  const months: Record<string, number> = {};
  for (let d = from.slice(0, 7); d <= to.slice(0, 7);) {
    months[d] = 0;
    const [y, m] = [Number(d.slice(0, 4)), Number(d.slice(5, 7))];
    d = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
  }
  for (const c of cars) {
    const month = (c.recordedOn ?? '').slice(0, 7);
    months[month] = (months[month] ?? 0) + 1;
  }
  const open = cars.filter((c) => OPEN.includes(c.state));
  return {
    reports: {
      total: reports.length,
      recorded: reports.filter((c) => c.triage === 'recorded').length,
      rejected: reports.filter((c) => c.triage === 'rejected').length,
      merged: reports.filter((c) => c.triage === 'merged').length,
      awaitingTriage: reports.filter((c) => c.triage === 'pending').length,
    },
    cars: cars.length,
    byType: tally((c) => [c.type]),
    byRelatesTo: tally((c) => c.relatesTo),
    bySource: tally((c) => [c.source]),
    byClassification: tally((c) => [c.classification ?? '']),
    byCauseCategory: tally((c) => [c.causeCategory ?? 'none']),
    byMonth: months,
    status: {
      open: open.length,
      overdue: open.filter(
        (c) =>
          c.actions.some((a) => a.status === 'open' && a.dueDate < today) ||
          (c.state === 'verifying' &&
            c.effectivenessDueDate !== null &&
            c.effectivenessDueDate < today),
      ).length,
      closed: cars.filter((c) => c.state === 'closed').length,
    },
    closedInPeriod: recorded().filter((c) => inPeriod(c.closedOn)).length,
    reportToRecord: figures(cars.map((c) => gap(c.reportedOn, c.recordedOn ?? ''))),
    reportToActionPlan: figures(
      cars.filter((c) => c.plannedOn).map((c) => gap(c.reportedOn, c.plannedOn ?? '')),
    ),
    reportToClosure: figures(
      cars.filter((c) => c.closedOn).map((c) => gap(c.reportedOn, c.closedOn ?? '')),
    ),
    firstVerification: {
      verified: verified.length,
      effective: verified.filter((c) => c.verifications[0]?.effective).length,
    },
    repeatedCauseCategories: repeated((c) => (c.causeCategory ? [c.causeCategory] : [])),
    repeatedProcedures: repeated((c) => c.procedureIds),
  };
}

const nonZero = (r: Readonly<Record<string, number>>): Record<string, number> =>
  Object.fromEntries(Object.entries(r).filter(([, n]) => n > 0));

function actualKpis(k: Kpis) {
  return {
    reports: k.reports,
    cars: k.cars,
    byType: nonZero(k.byType),
    byRelatesTo: nonZero(k.byRelatesTo),
    bySource: nonZero(k.bySource),
    byClassification: nonZero(k.byClassification),
    byCauseCategory: nonZero(k.byCauseCategory),
    byMonth: Object.fromEntries(k.byMonth.map((m) => [m.month, m.count])),
    status: k.status,
    closedInPeriod: k.closedInPeriod,
    reportToRecord: k.days.reportToRecord,
    reportToActionPlan: k.days.reportToActionPlan,
    reportToClosure: k.days.reportToClosure,
    firstVerification: {
      verified: k.firstVerification.verified,
      effective: k.firstVerification.effective,
    },
    repeatedCauseCategories: k.repeatedCauseCategories.map((r) => ({
      key: r.causeCategory,
      n: r.count,
    })),
    repeatedProcedures: k.repeatedProcedures.map((r) => ({ key: r.procedureId, n: r.count })),
  };
}

// ---- the tests ----------------------------------------------------------------------------

describe('the seeded register', () => {
  it('holds 500+ CARs over two years, several in every state', () => {
    expect(data.cars.length).toBeGreaterThanOrEqual(500);
    const reported = data.cars.map((c) => c.reportedOn).sort();
    expect(dayNumber(reported.at(-1) ?? '') - dayNumber(reported[0] ?? '')).toBeGreaterThan(700);
    const counts = Object.fromEntries(
      CAR_STATES.map((s) => [s, data.cars.filter((c) => c.state === s).length]),
    );
    expect(Math.min(...CAR_STATES.map((s) => counts[s] ?? 0))).toBeGreaterThanOrEqual(2);
    expect(data.cars.filter((c) => c.reopenedOn.length > 0).length).toBeGreaterThan(0);
    expect(data.meetings.length).toBe(23);
  });
});

describe('the agenda', () => {
  const cases: [string, LocalDate, LocalDate][] = [
    ['the planned December meeting', '2026-12-10' as LocalDate, '2026-11-10' as LocalDate],
    ['a past meeting', '2026-06-10' as LocalDate, '2026-05-10' as LocalDate],
  ];
  const seen = new Map<string, number>();

  it.each(cases)('matches the independent computation for %s', async (_name, date, last) => {
    const { agenda, meeting } = await service.agenda(committee, date);
    expect(agenda.lastMeetingDate).toBe(last);
    expect(meeting?.date).toBe(date);
    const actual = actualAgenda(agenda);
    expect(actual).toEqual(expectedAgenda(date, last));
    for (const [section, items] of Object.entries(actual))
      seen.set(section, (seen.get(section) ?? 0) + items.length);
  });

  it('had something in every section across the two meetings', () => {
    for (const section of [
      'newSinceLast',
      'overdueActions',
      'closedSinceLast',
      'foundIneffective',
      'awaiting',
      'previousReview',
    ])
      expect({ section, items: (seen.get(section) ?? 0) > 0 }).toEqual({ section, items: true });
  });

  it('without an earlier meeting, "since" covers everything up to the date', async () => {
    const { agenda } = await service.agenda(committee, '2025-01-05');
    expect(agenda.lastMeetingDate).toBeNull();
    expect(actualAgenda(agenda)).toEqual(expectedAgenda('2025-01-05', null));
  });
});

describe('the trend figures', () => {
  it.each([
    ['two years', '2024-12-01', '2026-11-30'],
    ['one quarter', '2026-03-01', '2026-05-31'],
    ['one day', '2025-07-14', '2025-07-14'],
  ])('match the independent computation over %s', async (_name, from, to) => {
    const kpis = await service.kpis(committee, { from, to });
    expect(kpis.asOf).toBe(data.today);
    const expected = expectedKpis(from, to, data.today);
    const actual = actualKpis(kpis);
    const { reportToRecord, reportToActionPlan, reportToClosure, ...rest } = expected;
    const { reportToRecord: r, reportToActionPlan: p, reportToClosure: c, ...actualRest } = actual;
    expect(actualRest).toEqual(rest);
    for (const [got, want] of [
      [r, reportToRecord],
      [p, reportToActionPlan],
      [c, reportToClosure],
    ] as const) {
      expect(got.count).toBe(want.count);
      expect(got.p90).toBe(want.p90);
      if (want.mean === null) expect(got.mean).toBeNull();
      else expect(got.mean).toBeCloseTo(want.mean, 9);
    }
    if (from === '2024-12-01') {
      expect(kpis.cars).toBeGreaterThan(400);
      expect(kpis.repeatedProcedures.length).toBeGreaterThan(0);
      expect(kpis.days.reportToClosure.count).toBeGreaterThan(100);
      expect(kpis.firstVerification.share).toBeCloseTo(
        expected.firstVerification.effective / expected.firstVerification.verified,
        12,
      );
    }
  });

  it('refuses a period that ends before it starts, or a date that is not one', async () => {
    await expect(
      service.kpis(committee, { from: '2026-02-01', to: '2026-01-31' }),
    ).rejects.toMatchObject({
      code: 'REQUEST.VALIDATION',
    });
    await expect(
      service.kpis(committee, { from: '2026-02-30', to: '2026-03-31' }),
    ).rejects.toMatchObject({
      code: 'REQUEST.VALIDATION',
    });
  });

  it('is for the committee and the MR only', async () => {
    const member: Principal = { ...committee, id: 'someone', roles: new Set() };
    await expect(
      service.kpis(member, { from: '2026-01-01', to: '2026-01-31' }),
    ).rejects.toMatchObject({
      code: 'AUTH.FORBIDDEN',
    });
    await expect(service.agenda(member, '2026-12-10')).rejects.toMatchObject({
      code: 'AUTH.FORBIDDEN',
    });
  });
});
