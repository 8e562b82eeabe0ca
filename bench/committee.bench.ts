import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodeCarFacts, encodeCarFacts } from '../src/application/ports/car-facts.js';
import { CarFactsSchema } from '../src/application/ports/car-scan.js';
import { MeetingService } from '../src/application/committee/meeting-service.js';
import { CarRecordSchema } from '../src/application/ports/car-record-schema.js';
import { CarService } from '../src/application/car-service.js';
import { DEFAULT_SERVICE_LEVELS } from '../src/domain/calendar/service-levels.js';
import { WorkingCalendar } from '../src/domain/calendar/working-calendar.js';
import type { Principal } from '../src/domain/identity.js';
import { SqliteCarScan } from '../src/infrastructure/sqlite/sqlite-car-scan.js';
import { SqliteStateStore } from '../src/infrastructure/sqlite/sqlite-state-store.js';
import { seedCars, storeSeededMeetings } from '../tests/support/seeded-cars.js';
import type { BenchReport } from './bench-report.js';

/**
 * The committee's agenda and trend figures over 100,000 CARs in the embedded store, next to
 * one SQL aggregate over the same table (`SELECT state, count(*) FROM cars GROUP BY state`) in
 * the same run.
 *
 * The CARs: 400 are walked through the domain operations by the seeded generator (every
 * state, two years); the table is then filled to 100,000 rows by copying those rows with a new
 * id and CAR number (same body otherwise), with plain INSERTs in one transaction.
 */
const TOTAL = 100_000;
const TEMPLATES = 400;
const RUNS = 3;

const committee: Principal = {
  id: 'bench-committee',
  name: 'Chris Walker',
  tenantId: 'bench',
  roles: new Set(['committee']),
};

interface CarRow {
  id: string;
  number: string | null;
  number_year: number | null;
  state: string;
  type: string;
  classification: string | null;
  confidential: number;
  reporter_id: string;
  reported_at: string;
  updated_at: string;
  next_due_date: string | null;
  search_text: string;
  version: number;
  body: string;
  facts: string | null;
}

const median = (xs: number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function time(runs: number, work: () => unknown): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const t0 = performance.now();
    await work();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

export default async function committeeBench(): Promise<BenchReport> {
  const dir = mkdtempSync(path.join(tmpdir(), 'rectify-bench-committee-'));
  try {
    const file = path.join(dir, 'rectify.db');
    const seeded = await seedCars({ file, count: TEMPLATES });
    const db = seeded.db;

    const templates = db
      .prepare<[], CarRow>(
        'SELECT id, number, number_year, state, type, classification, confidential, reporter_id, reported_at, updated_at, next_due_date, search_text, version, body, facts FROM cars',
      )
      .all();
    const insert = db.prepare(
      `INSERT INTO cars (id, number, number_year, number_seq, state, type, classification, confidential,
         reporter_id, reported_at, updated_at, next_due_date, search_text, version, body, facts)
       VALUES (@id, @number, @number_year, @number_seq, @state, @type, @classification, @confidential,
         @reporter_id, @reported_at, @updated_at, @next_due_date, @search_text, @version, @body, @facts)`,
    );
    const tFill = performance.now();
    db.transaction(() => {
      for (let i = templates.length; i < TOTAL; i += 1) {
        const t = templates[i % templates.length] as CarRow;
        const id = randomUUID();
        const seq = 100_000 + i;
        const number = t.number_year === null ? null : `CAR-${t.number_year}-${seq}`;
        const body = JSON.parse(t.body) as Record<string, unknown>;
        body.id = id;
        body.number = number;
        if (t.facts === null) throw new Error(`template CAR ${t.id} has no facts`);
        insert.run({
          ...t,
          id,
          number,
          number_seq: number === null ? null : seq,
          body: JSON.stringify(body),
          facts: encodeCarFacts({ ...decodeCarFacts(t.id, t.facts), id, number }),
        });
      }
    })();
    const fillMs = performance.now() - tFill;

    const store = new SqliteStateStore(db, () => seeded.now);
    await storeSeededMeetings(store, seeded.meetings, { id: committee.id, name: committee.name });

    const opened = SqliteCarScan.open(file);
    const clock = { now: () => seeded.now };
    const service = new MeetingService({
      carService: new CarService({
        repository: seeded.repository,
        clock,
        newId: randomUUID,
        calendar: new WorkingCalendar(),
        serviceLevels: DEFAULT_SERVICE_LEVELS,
        timeZone: seeded.timeZone,
      }),
      scan: opened.scan,
      store,
      clock,
      timeZone: seeded.timeZone,
    });
    const count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM cars').get()?.n ?? 0;
    if (count !== TOTAL) throw new Error(`expected ${TOTAL} CARs, found ${count}`);
    const sizes = db
      .prepare<[], { facts: number; body: number; missing: number }>(
        'SELECT avg(length(facts)) AS facts, avg(length(body)) AS body, sum(facts IS NULL) AS missing FROM cars',
      )
      .get();
    if (!sizes || sizes.missing !== 0) throw new Error('some CARs have no facts');

    const rssBefore = process.memoryUsage().rss / 2 ** 20;
    const groupBy = db.prepare('SELECT state, count(*) AS n FROM cars GROUP BY state');
    const sqlMs = await time(RUNS, () => groupBy.all());
    let agendaItems = 0;
    const agendaMs = await time(RUNS, async () => {
      const { agenda } = await service.agenda(committee, '2026-12-10');
      agendaItems = agenda.newSinceLast.length + agenda.overdueActions.length;
    });
    let kpiCars = 0;
    const kpiMs = await time(RUNS, async () => {
      kpiCars = (await service.kpis(committee, { from: '2024-12-01', to: '2026-11-30' })).cars;
    });
    let scanned = 0;
    const scanMs = await time(RUNS, async () => {
      scanned = 0;
      for await (const batch of opened.scan.scan()) scanned += batch.length;
    });
    if (scanned !== TOTAL) throw new Error(`the scan read ${scanned} CARs`);
    // The floor of any analysis that looks at every CAR in JavaScript: reading two small
    // columns of every row, nothing decoded (the aggregate answers from the state index alone).
    const idsOnly = db.prepare<[], { id: string; version: number }>('SELECT id, version FROM cars');
    const floorMs = await time(RUNS, () => {
      let n = 0;
      for (const row of idsOnly.iterate()) n += row.version > 0 ? 1 : 0;
      if (n !== TOTAL) throw new Error(`read ${n} rows`);
    });
    const peakRss = process.resourceUsage().maxRSS / 1024;

    // Why the scan reads the stored facts: the same CARs decoded from the facts column, and
    // their whole records parsed as the scan did before (facts schema, whole CAR schema).
    const sample = db
      .prepare<[], { id: string; body: string; facts: string }>(
        'SELECT id, body, facts FROM cars LIMIT 20000',
      )
      .all();
    const bodies = sample.map((r) => r.body);
    const factsParse = await time(RUNS, () => {
      for (const b of bodies) CarFactsSchema.parse(JSON.parse(b));
    });
    const fullParse = await time(RUNS, () => {
      for (const b of bodies) CarRecordSchema.parse(JSON.parse(b));
    });
    const jsonOnly = await time(RUNS, () => {
      for (const b of bodies) JSON.parse(b);
    });
    const factsDecode = await time(RUNS, () => {
      for (const r of sample) decodeCarFacts(r.id, r.facts);
    });

    opened.close();
    db.close();
    if (agendaItems === 0 || kpiCars === 0)
      throw new Error('the agenda or the figures came out empty');
    return {
      name: `Committee: agenda and trend figures over ${TOTAL} CARs (embedded store, filled in ${Math.round(fillMs)} ms)`,
      baselineName: 'SELECT state, count(*) FROM cars GROUP BY state, same file, same run',
      rows: [
        {
          metric: 'agenda and trend figures together (target: within 100x of the SQL aggregate)',
          value: agendaMs + kpiMs,
          unit: 'ms',
          baseline: sqlMs,
          target: 100,
        },
        {
          metric: 'agenda of a meeting (scan + build)',
          value: agendaMs,
          unit: 'ms',
          baseline: sqlMs,
        },
        {
          metric: 'trend figures of two years (scan + build)',
          value: kpiMs,
          unit: 'ms',
          baseline: sqlMs,
        },
        {
          metric: 'scan alone (read + decode the stored facts)',
          value: scanMs,
          unit: 'ms',
          baseline: sqlMs,
        },
        {
          metric: 'read id and version of every CAR, nothing decoded (the floor of a scan)',
          value: floorMs,
          unit: 'ms',
          baseline: sqlMs,
        },
        {
          metric: 'stored facts per CAR (baseline: the whole record per CAR)',
          value: sizes.facts,
          unit: 'bytes',
          baseline: sizes.body,
        },
        {
          metric: 'decode 20,000 stored facts (baseline: JSON.parse of their whole records)',
          value: factsDecode,
          unit: 'ms',
          baseline: jsonOnly,
        },
        {
          metric:
            'parse 20,000 whole records with the facts schema, as before the facts column (baseline: JSON.parse alone)',
          value: factsParse,
          unit: 'ms',
          baseline: jsonOnly,
        },
        {
          metric: 'parse 20,000 bodies with the whole CAR schema (baseline: JSON.parse alone)',
          value: fullParse,
          unit: 'ms',
          baseline: jsonOnly,
        },
        {
          metric: 'peak RSS of the process (baseline: RSS before the runs)',
          value: peakRss,
          unit: 'MB',
          baseline: rssBefore,
        },
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
