/**
 * A seeded data set of CARs for tests that need a realistic register: several hundred CARs
 * over two years, in every state, each walked through the real domain operations and saved
 * step by step (with its audit trail) in a real SQLite file. Deterministic: the same seed gives
 * the same CARs, dates and decisions.
 *
 * Besides the store, the generator returns its own log of what it did to every CAR (dates in
 * the organisation's calendar, outcomes, actions, reviews), so that a test can compute what it
 * expects from the log alone, with its own code, and compare with what Rectify computes.
 */
import type { Database } from 'better-sqlite3';
import { dateInZone, type LocalDate } from '../../src/domain/calendar/local-date.js';
import type { StoredCar } from '../../src/domain/car/car-repository.js';
import { Car, type OperationContext } from '../../src/domain/car/car.js';
import {
  CAUSE_CATEGORIES,
  RELATES_TO,
  REPORT_TYPES,
  SOURCES,
  type CauseCategory,
  type Classification,
  type RelatesTo,
  type ReportType,
  type Source,
} from '../../src/domain/car/car-vocabulary.js';
import type { CarState } from '../../src/domain/car/lifecycle.js';
import type { PersonRef } from '../../src/domain/identity.js';
import type { StateStore } from '../../src/application/ports/state-store.js';
import { MEETING_KIND, meetingKey } from '../../src/application/committee/meetings.js';
import { openDatabase } from '../../src/infrastructure/sqlite/database.js';
import { SqliteCarRepository } from '../../src/infrastructure/sqlite/sqlite-car-repository.js';
import { A_DUE_DATE_POLICY, auditFor, changeWithAudit } from './car-mother.js';

export const SEED_NOW = new Date('2026-11-28T12:00:00.000Z');
export const SEED_TIME_ZONE = 'Europe/Berlin';
const SEED_START = Date.parse('2024-12-01T00:00:00.000Z');
const DAY = 86_400_000;

/** The committee met on the 10th of every month, at 09:00 UTC, from January 2025. */
export function seededMeetingDates(now: Date = SEED_NOW): LocalDate[] {
  const out: LocalDate[] = [];
  for (let y = 2025; ; y += 1)
    for (let m = 1; m <= 12; m += 1) {
      const date = `${y}-${String(m).padStart(2, '0')}-10` as LocalDate;
      if (Date.parse(`${date}T09:00:00.000Z`) > now.getTime()) return out;
      out.push(date);
    }
}

export const SEED_MR: PersonRef = { id: 'seed-mr', name: 'Jordan Lee' };
const REPORTERS: PersonRef[] = [
  { id: 'seed-reporter-1', name: 'Alex Morgan' },
  { id: 'seed-reporter-2', name: 'Priya Shah' },
  { id: 'seed-reporter-3', name: 'Kenji Sato' },
];
const OWNERS: PersonRef[] = [
  { id: 'seed-owner-1', name: 'Sam Taylor' },
  { id: 'seed-owner-2', name: 'Maria Garcia' },
  { id: 'seed-owner-3', name: 'Lea Dubois' },
  { id: 'seed-owner-4', name: 'Amara Okafor' },
];
const PROCEDURES = [
  { procedureId: 'ISMSP01', title: 'Access control' },
  { procedureId: 'ISMSP03', title: 'Backup and restore' },
  { procedureId: 'ISMSP05', title: 'Visitors and physical access' },
  { procedureId: 'ISMSP07', title: 'Supplier security' },
  { procedureId: 'ISMSP09', title: 'Change management' },
  { procedureId: 'ISMSP11', title: 'Incident response' },
];
const TITLES = [
  'Visitor badge not returned',
  'Backup job failed unnoticed',
  'Laptop left unlocked',
  'Shared admin password in use',
  'Supplier contract without security clause',
  'Firewall change without approval',
  'Phishing mail opened',
  'Server room door propped open',
];

export interface SeededAction {
  readonly id: string;
  readonly title: string;
  readonly owner: PersonRef;
  readonly dueDate: LocalDate;
  status: 'open' | 'done' | 'cancelled';
  completedOn: LocalDate | null;
}

/** What the generator did to one CAR, in its own terms. */
export interface SeededCarLog {
  readonly id: string;
  readonly title: string;
  readonly reportedAt: string;
  readonly reportedOn: LocalDate;
  readonly type: ReportType;
  readonly relatesTo: readonly RelatesTo[];
  readonly source: Source;
  readonly confidential: boolean;
  triage: 'pending' | 'recorded' | 'rejected' | 'merged';
  number: string | null;
  recordedOn: LocalDate | null;
  classification: Classification | null;
  causeCategory: CauseCategory | null;
  /** The first confirmed action plan. */
  plannedOn: LocalDate | null;
  /** The closure in force now (null when never closed or reopened since). */
  closedOn: LocalDate | null;
  feedsManagementReview: boolean;
  readonly verifications: { on: LocalDate; effective: boolean }[];
  readonly reopenedOn: LocalDate[];
  readonly reviews: {
    meetingDate: LocalDate;
    decision: string;
    followUp: string | null;
    minutesRef: string;
  }[];
  readonly actions: SeededAction[];
  readonly procedureIds: string[];
  /** The effectiveness review's due date while verifying (the domain computes it). */
  effectivenessDueDate: LocalDate | null;
  state: CarState;
}

export interface SeededMeeting {
  readonly date: LocalDate;
  readonly decidedCarIds: string[];
}

export interface SeededData {
  readonly file: string;
  readonly db: Database;
  readonly repository: SqliteCarRepository;
  readonly cars: readonly SeededCarLog[];
  /** Every meeting before `now`, all held (done), with the CARs reviewed at each. */
  readonly meetings: readonly SeededMeeting[];
  readonly now: Date;
  readonly today: LocalDate;
  readonly timeZone: string;
}

export interface SeedOptions {
  /** The SQLite file to create (its folder is created). */
  readonly file: string;
  readonly count?: number;
  readonly seed?: number;
  readonly now?: Date;
  readonly timeZone?: string;
}

/** mulberry32: a small, well-known 32-bit PRNG; enough for test data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Thrown inside a CAR's walk when its next step would be after `now`: the walk stops there. */
class Later extends Error {}

export async function seedCars(options: SeedOptions): Promise<SeededData> {
  const count = options.count ?? 600;
  const now = options.now ?? SEED_NOW;
  const timeZone = options.timeZone ?? SEED_TIME_ZONE;
  const random = seededRandom(options.seed ?? 20_261_128);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const chance = (p: number): boolean => random() < p;
  const between = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));

  const db = openDatabase(options.file);
  // Test data: durability is not what is tested here, speed of seeding is.
  db.pragma('synchronous = OFF');
  const repository = new SqliteCarRepository(db);
  const meetingDates = seededMeetingDates(now);
  const meetings = meetingDates.map((date) => ({ date, decidedCarIds: [] as string[] }));
  const nowMs = now.getTime();
  const logs: SeededCarLog[] = [];

  const reportTimes = Array.from(
    { length: count },
    () => SEED_START + Math.floor(random() * (nowMs - DAY - SEED_START)),
  ).sort((a, b) => a - b);

  for (const [index, reportedMs] of reportTimes.entries()) {
    const id = `seed-car-${String(index + 1).padStart(4, '0')}`;
    const relatesTo = RELATES_TO.filter(() => chance(0.45));
    const log: SeededCarLog = {
      id,
      title: `${pick(TITLES)} (${index + 1})`,
      reportedAt: new Date(reportedMs).toISOString(),
      reportedOn: dateInZone(new Date(reportedMs), timeZone),
      type: pick(REPORT_TYPES),
      relatesTo: relatesTo.length > 0 ? relatesTo : [pick(RELATES_TO)],
      source: pick(SOURCES),
      confidential: chance(0.1),
      triage: 'pending',
      number: null,
      recordedOn: null,
      classification: null,
      causeCategory: null,
      plannedOn: null,
      closedOn: null,
      feedsManagementReview: false,
      verifications: [],
      reopenedOn: [],
      reviews: [],
      actions: [],
      procedureIds: [],
      effectivenessDueDate: null,
      state: 'reported',
    };
    logs.push(log);
    const reported = Car.report({
      id,
      reporter: pick(REPORTERS),
      reportedAt: log.reportedAt,
      details: {
        type: log.type,
        relatesTo: log.relatesTo,
        source: log.source,
        title: log.title,
        description: 'Seeded report for the committee figures.',
        occurredAt: null,
        location: 'Head office',
        affected: 'ISMS',
        immediateAction: '',
        confidential: log.confidential,
      },
    });
    let stored: StoredCar = (
      await repository.create(
        reported,
        auditFor(reported, 'report', reported.reporter, { at: log.reportedAt }),
      )
    ).stored;

    let t = reportedMs;
    let reviewedUpTo = reportedMs;
    const save = async (
      operation: string,
      at: number,
      change: (car: Car, ctx: OperationContext) => void,
    ) => {
      const ctx: OperationContext = {
        actor: SEED_MR,
        now: new Date(at).toISOString(),
        today: dateInZone(new Date(at), timeZone),
      };
      const car = stored.car;
      const audit = changeWithAudit(car, operation, (c) => change(c, ctx), SEED_MR, {
        at: ctx.now,
      });
      stored = await repository.update(car, stored.etag, audit);
      return ctx.today;
    };
    /** The meetings held up to `until`: the committee reviews some recorded CARs at each. */
    const meetingsUpTo = async (until: number) => {
      for (const m of meetings) {
        const at = Date.parse(`${m.date}T09:00:00.000Z`);
        if (at <= reviewedUpTo || at > until || log.triage !== 'recorded') continue;
        const pressing =
          log.classification === 'major_nc' ||
          (log.closedOn !== null && log.feedsManagementReview) ||
          log.reopenedOn.length > 0;
        if (!chance(pressing ? 0.6 : 0.12)) continue;
        const review = {
          meetingDate: m.date,
          decision: pick(['Noted', 'Escalate to top management', 'Keep open', 'Accept closure']),
          followUp: chance(0.5) ? 'MR to report progress at the next meeting' : null,
          minutesRef: `MIN-${m.date}`,
        };
        await save('addCommitteeReview', at, (car, ctx) => {
          car.addCommitteeReview(ctx, { id: `${id}-review-${m.date}`, ...review });
        });
        log.reviews.push(review);
        m.decidedCarIds.push(id);
      }
      reviewedUpTo = Math.max(reviewedUpTo, until);
    };
    /** Moves the walk on by some days; stops the walk if that is after `now`. */
    const later = async (minDays: number, maxDays: number): Promise<number> => {
      const next = t + between(minDays, maxDays) * DAY + Math.floor(random() * 8 * 3_600_000);
      if (next > nowMs) throw new Later();
      await meetingsUpTo(next);
      t = next;
      return t;
    };

    try {
      if (chance(0.03)) throw new Later(); // never triaged
      await later(0, 6);
      const earlier = logs.find((l) => l.number !== null && l.triage === 'recorded');
      if (chance(0.07)) {
        await save('reject', t, (car, ctx) => {
          car.reject(ctx, { reason: 'Not a nonconformity of the ISMS' });
        });
        log.triage = 'rejected';
        log.state = 'rejected';
        throw new Later();
      }
      if (earlier?.number && chance(0.05)) {
        const target = { id: earlier.id, number: earlier.number, state: 'investigating' as const };
        await save('merge', t, (car, ctx) => {
          car.merge(ctx, { target, reason: 'The same failure' });
        });
        log.triage = 'merged';
        log.state = 'merged';
        throw new Later();
      }
      const classification = pick<Classification>(['major_nc', 'minor_nc', 'minor_nc', 'ofi']);
      log.recordedOn = await save('record', t, (car, ctx) => {
        car.record(ctx, { classification, severity: pick(['low', 'medium', 'high'] as const) });
      });
      log.triage = 'recorded';
      log.classification = classification;
      log.number = stored.car.number;
      log.state = 'recorded';
      if (chance(0.05)) throw new Later();

      await later(0, 4);
      await save('startInvestigation', t, (car, ctx) => {
        car.startInvestigation(ctx);
      });
      log.state = 'investigating';

      for (let round = 1; ; round += 1) {
        if (chance(0.04)) throw new Later();
        await later(1, 8);
        const cause = pick([...CAUSE_CATEGORIES, 'process', 'people'] as const);
        await save('updateInvestigation', t, (car, ctx) => {
          car.updateInvestigation(ctx, {
            fiveWhys: [{ question: 'Why?', answer: 'Because the control was not applied.' }],
            rootCause: 'The control was not applied.',
            causeCategory: cause,
            similarCheck: { done: true, findings: 'None similar', relatedCarIds: [] },
          });
        });
        log.causeCategory = cause;
        if (round === 1 && chance(0.35)) {
          const procedure = pick(PROCEDURES);
          await save('linkProcedure', t, (car, ctx) => {
            car.linkProcedure(ctx, {
              id: `${id}-link-1`,
              procedureId: procedure.procedureId,
              title: procedure.title,
              revisionInForce: '3',
            });
          });
          log.procedureIds.push(procedure.procedureId);
        }
        const newActions = round === 1 ? between(1, 3) : 1;
        for (let i = 0; i < newActions; i += 1) {
          const today = dateInZone(new Date(t), timeZone);
          const dueDate = dateInZone(new Date(t + between(7, 35) * DAY), timeZone);
          const action: SeededAction = {
            id: `${id}-action-${log.actions.length + 1}`,
            title: `Action ${log.actions.length + 1} of ${id}`,
            owner: pick(OWNERS),
            dueDate,
            status: 'open',
            completedOn: null,
          };
          await save('addAction', t, (car, ctx) => {
            car.addAction(
              ctx,
              {
                id: action.id,
                kind: pick(['correction', 'corrective', 'preventive', 'training'] as const),
                title: action.title,
                description: '',
                owner: action.owner,
                dueDate: action.dueDate,
              },
              A_DUE_DATE_POLICY,
            );
          });
          if (today > dueDate) throw new Error('a due date before the day it was set');
          log.actions.push(action);
        }
        await later(1, 6);
        const plannedOn = await save('planActions', t, (car, ctx) => {
          car.planActions(ctx);
        });
        log.plannedOn ??= plannedOn;
        log.state = 'action_planned';
        if (chance(0.04)) throw new Later();

        await later(0, 3);
        await save('startImplementation', t, (car, ctx) => {
          car.startImplementation(ctx);
        });
        log.state = 'implementing';
        const open = log.actions.filter((a) => a.status === 'open');
        for (const [i, action] of open.entries()) {
          if (i > 0 && chance(0.1)) {
            await save('cancelAction', t, (car, ctx) => {
              car.cancelAction(ctx, action.id, { reason: 'Covered by another action' });
            });
            action.status = 'cancelled';
            continue;
          }
          if (chance(0.04)) throw new Later(); // left open: it may be overdue now
          await later(2, 30);
          action.completedOn = await save('completeAction', t, (car, ctx) => {
            car.completeAction(ctx, action.id, { note: 'Done' });
          });
          action.status = 'done';
        }

        await later(0, 2);
        await save('startVerification', t, (car, ctx) => {
          car.startVerification(ctx, A_DUE_DATE_POLICY);
        });
        log.effectivenessDueDate = stored.car.toPrimitives().effectivenessDueDate;
        log.state = 'verifying';

        await later(10, 40);
        const effective = chance(round === 1 ? 0.78 : 0.9);
        const verifiedOn = await save('verifyEffectiveness', t, (car, ctx) => {
          car.verifyEffectiveness(ctx, {
            id: `${id}-verification-${log.verifications.length + 1}`,
            effective,
            evidence: effective ? 'No recurrence in the sample' : 'The failure happened again',
          });
        });
        log.verifications.push({ on: verifiedOn, effective });
        if (!effective) {
          log.state = 'investigating';
          log.effectivenessDueDate = null;
          continue;
        }

        await later(0, 4);
        const feeds = chance(0.35);
        const ismsChange = chance(0.15);
        log.closedOn = await save('close', t, (car, ctx) => {
          car.close(ctx, {
            summary: 'Actions effective',
            ismsChangeNeeded: ismsChange,
            ismsChangeDescription: ismsChange ? 'Policy section updated' : null,
            feedsManagementReview: feeds,
          });
        });
        log.feedsManagementReview = feeds;
        log.effectivenessDueDate = null;
        log.state = 'closed';

        if (!chance(0.07)) break;
        await later(5, 60);
        log.reopenedOn.push(
          await save('reopen', t, (car, ctx) => {
            car.reopen(ctx, { reason: 'The failure came back' });
          }),
        );
        log.closedOn = null;
        log.feedsManagementReview = false;
        log.state = 'investigating';
      }
      throw new Later();
    } catch (e) {
      if (!(e instanceof Later)) throw e;
    }
    await meetingsUpTo(nowMs);
    if (stored.car.state !== log.state)
      throw new Error(`seeded CAR ${id}: the log says ${log.state}, the store ${stored.car.state}`);
  }

  return {
    file: options.file,
    db,
    repository,
    cars: logs,
    meetings,
    now,
    today: dateInZone(now, timeZone),
    timeZone,
  };
}

/** Stores the seeded meetings as the committee's meeting records, each held (status done). */
export async function storeSeededMeetings(
  store: StateStore,
  meetings: readonly SeededMeeting[],
  by: PersonRef = { id: 'seed-committee', name: 'Chris Walker' },
): Promise<void> {
  for (const m of meetings)
    await store.createIfAbsent({
      key: meetingKey(m.date),
      kind: MEETING_KIND,
      value: {
        date: m.date,
        status: 'done',
        title: `Steering Committee ${m.date}`,
        decidedCarIds: m.decidedCarIds,
        doneAt: `${m.date}T12:00:00.000Z`,
        doneBy: by,
      },
      dueAt: null,
    });
}
