/**
 * The compact facts a store keeps next to each CAR: they hold every field the committee's
 * agenda, the trend figures and the reminders read (checked by recording what those read of
 * whole records of the seeded register), the agenda and figures come out the same from the
 * stored facts as from the whole records, and text that is not facts fails loudly.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AgendaBuilder } from '../../../src/application/committee/agenda.js';
import {
  CAR_FACTS_FORMAT,
  decodeCarFacts,
  encodeCarFacts,
} from '../../../src/application/ports/car-facts.js';
import {
  CarFactsSchema,
  carFactsOf,
  type CarFacts,
  type ScannedCar,
} from '../../../src/application/ports/car-scan.js';
import { KpiBuilder } from '../../../src/application/committee/kpis.js';
import { ZonedDates } from '../../../src/application/committee/zoned-dates.js';
import {
  DEFAULT_REMINDER_SETTINGS,
  carEvents,
} from '../../../src/application/reminders/due-events.js';
import { localDate, type LocalDate } from '../../../src/domain/calendar/local-date.js';
import { WorkingCalendar } from '../../../src/domain/calendar/working-calendar.js';
import type { CarPrimitives } from '../../../src/domain/car/car.js';
import { parseCarRecord } from '../../../src/infrastructure/sqlite/car-record.schema.js';
import { SqliteCarScan } from '../../../src/infrastructure/sqlite/sqlite-car-scan.js';
import { seedCars, type SeededData } from '../../support/seeded-cars.js';

interface Row {
  id: string;
  version: number;
  body: string;
  facts: string | null;
}

let dir: string;
let data: SeededData;
let rows: Row[];
let records: CarPrimitives[];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'rectify-facts-'));
  data = await seedCars({ file: path.join(dir, 'rectify.db'), count: 250 });
  rows = data.db.prepare<[], Row>('SELECT id, version, body, facts FROM cars').all();
  records = rows.map((r) => parseCarRecord(r.id, r.body));
}, 300_000);

afterAll(() => {
  data.db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Every property path of a value, array elements as `[]` (`actions[].owner.name`). */
function pathsOf(value: unknown, prefix: string, out: Set<string>): Set<string> {
  if (Array.isArray(value)) for (const v of value) pathsOf(v, `${prefix}[]`, out);
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      const p = prefix === '' ? k : `${prefix}.${k}`;
      out.add(p);
      pathsOf(v, p, out);
    }
  return out;
}

/** `value` behind a proxy that writes down every property path read through it. */
function recording<T>(value: T, prefix: string, reads: Set<string>): T {
  if (value === null || typeof value !== 'object') return value;
  return new Proxy(value, {
    get(target, key, receiver) {
      const got: unknown = Reflect.get(target, key, receiver);
      if (typeof key === 'symbol') return got;
      if (Array.isArray(target))
        return /^\d+$/.test(key) ? recording(got, `${prefix}[]`, reads) : got;
      const p = prefix === '' ? key : `${prefix}.${key}`;
      reads.add(p);
      return recording(got, p, reads);
    },
  });
}

const meetingDates = (): LocalDate[] => [
  ...data.meetings.map((m) => m.date),
  localDate('2026-12-10'),
];

/** The agenda of every seeded meeting and the figures of several periods, over `cars`. */
function analyse(cars: readonly ScannedCar[]): unknown[] {
  const dates = new ZonedDates(data.timeZone);
  const out: unknown[] = [];
  let last: LocalDate | null = null;
  for (const date of meetingDates()) {
    const agenda = new AgendaBuilder(date, last, dates);
    for (const c of cars) agenda.add(c);
    out.push(agenda.result());
    last = date;
  }
  for (const period of [
    { from: localDate('2024-12-01'), to: localDate('2026-11-30') },
    { from: localDate('2025-06-01'), to: localDate('2025-09-30') },
  ]) {
    const kpis = new KpiBuilder(period, data.today, dates);
    for (const c of cars) kpis.add(c.car);
    out.push(kpis.result());
  }
  return out;
}

describe('carFactsOf', () => {
  it('keeps every field that the agenda, the trend figures and the reminders read', () => {
    const reads = new Set<string>();
    const watched = records.map((p) => ({ car: recording<CarFacts>(p, '', reads), etag: '"1"' }));
    analyse(watched);
    const calendar = new WorkingCalendar();
    for (const { car } of watched)
      for (const today of ['2026-11-27', '2026-12-01', '2026-12-10'])
        carEvents(car, {
          today: localDate(today),
          calendar,
          settings: DEFAULT_REMINDER_SETTINGS,
          recipients: { mrIds: ['mr'], committeeIds: ['committee'] },
        });

    const kept = new Set<string>();
    for (const p of records) pathsOf(carFactsOf(p), '', kept);
    expect([...reads].filter((p) => !kept.has(p))).toEqual([]);
    // And nothing more than these few small fields of the CarFacts interface that today's
    // analysis does not read: a new field in the facts is a decision, not an accident.
    expect([...kept].filter((p) => !reads.has(p)).sort()).toEqual([
      'actions[].completedOn',
      'committeeReviews[].at',
      'committeeReviews[].id',
      'reopenings[].reason',
      'triage.at',
      'verifications[].round',
    ]);
  });

  it('is the projection of the stored-record schema, and the stored facts are its text', () => {
    for (const [i, p] of records.entries()) {
      const row = rows[i] as Row;
      const facts = carFactsOf(p);
      expect(facts).toEqual(CarFactsSchema.parse(JSON.parse(row.body)));
      expect(row.facts).toBe(encodeCarFacts(facts));
      expect(decodeCarFacts(row.id, row.facts ?? '')).toEqual(facts);
    }
  });

  it('copies: a later change of the record does not reach the facts', () => {
    const p = structuredClone(records.find((r) => r.actions.length > 0) as CarPrimitives);
    const facts = carFactsOf(p);
    const before = structuredClone(facts);
    // The clone is the test's own: change it in place, as a later operation on a record would.
    const mutable = p as unknown as {
      actions: { status: string }[];
      report: { relatesTo: string[] };
    };
    const first = mutable.actions[0];
    if (first) first.status = 'cancelled';
    mutable.report.relatesTo.push('equipment');
    expect(p.actions[0]?.status).toBe('cancelled');
    expect(facts).toEqual(before);
  });

  it('gives the same agenda and figures from the stored facts as from the whole records', async () => {
    const opened = SqliteCarScan.open(data.file);
    try {
      const scanned: ScannedCar[] = [];
      for await (const batch of opened.scan.scan()) scanned.push(...batch);
      const order = new Map(rows.map((r, i) => [r.id, i]));
      scanned.sort((a, b) => (order.get(a.car.id) ?? 0) - (order.get(b.car.id) ?? 0));
      const whole = rows.map((r, i) => ({ car: records[i] as CarFacts, etag: `"${r.version}"` }));
      const fromFacts = analyse(scanned);
      expect(fromFacts).toEqual(analyse(whole));
      // Not vacuous: the seeded register fills the sections.
      expect(JSON.stringify(fromFacts)).toContain('feeds_management_review');
    } finally {
      opened.close();
    }
  });
});

describe('decodeCarFacts', () => {
  const sample = (): { id: string; text: string } => {
    const row = rows.find((r) => r.facts !== null && r.facts.includes('"closed"')) as Row;
    return { id: row.id, text: row.facts ?? '' };
  };
  const layout = (text: string): unknown[] => JSON.parse(text) as unknown[];

  it('reads back what was written, null parts and empty lists included', () => {
    const fresh = records.find((p) => p.triage === null) as CarPrimitives;
    expect(decodeCarFacts(fresh.id, encodeCarFacts(carFactsOf(fresh)))).toEqual(carFactsOf(fresh));
    expect(layout(encodeCarFacts(carFactsOf(fresh)))[0]).toBe(CAR_FACTS_FORMAT);
  });

  it.each([
    ['not JSON', (t: string) => t.slice(0, -3)],
    ['another format', (t: string) => JSON.stringify([99, ...layout(t).slice(1)])],
    ['a short layout', (t: string) => JSON.stringify(layout(t).slice(0, 10))],
    [
      'an unknown state',
      (t: string) => JSON.stringify(layout(t).map((v, i) => (i === 3 ? 'lost' : v))),
    ],
    [
      'a date that is not a date',
      (t: string) =>
        JSON.stringify(layout(t).map((v, i) => (i === 6 ? ['recorded', 'x', '2026-13-40'] : v))),
    ],
    ['a flag that is not 0 or 1', (t: string) => t.replace(/,([01])\]\]/, ',true]]')],
  ])('fails loudly, naming the CAR, on %s', (_what, spoil) => {
    const { id, text } = sample();
    const spoiled = spoil(text);
    expect(spoiled).not.toBe(text);
    expect(() => decodeCarFacts(id, spoiled)).toThrow(id);
  });

  it('refuses the facts of another CAR', () => {
    const { text } = sample();
    expect(() => decodeCarFacts('car-someone-else', text)).toThrow(
      /car-someone-else holds the facts of/,
    );
  });
});
