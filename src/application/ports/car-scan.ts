import { z } from 'zod';
import type { LocalDate } from '../../domain/calendar/local-date.js';
import { isLocalDate } from '../../domain/calendar/local-date.js';
import type { CarPrimitives } from '../../domain/car/car.js';
import {
  ACTION_STATUSES,
  CAUSE_CATEGORIES,
  CLASSIFICATIONS,
  RELATES_TO,
  REPORT_TYPES,
  SEVERITIES,
  SOURCES,
} from '../../domain/car/car-vocabulary.js';
import { CAR_STATES } from '../../domain/car/lifecycle.js';

/**
 * What the committee's agenda and the trend figures read of a CAR: the dates, the vocabulary
 * and the statuses, without the long texts. Every `CarPrimitives` is a `CarFacts`, so the
 * analysis runs as well on whole records as on what a scan reads.
 */
export interface CarFacts {
  readonly id: string;
  readonly number: string | null;
  readonly state: CarPrimitives['state'];
  readonly report: Pick<
    CarPrimitives['report'],
    'type' | 'relatesTo' | 'source' | 'title' | 'confidential'
  >;
  readonly reportedAt: string;
  readonly triage: Pick<NonNullable<CarPrimitives['triage']>, 'decision' | 'at' | 'on'> | null;
  readonly classification: CarPrimitives['classification'];
  readonly severity: CarPrimitives['severity'];
  readonly investigation: Pick<CarPrimitives['investigation'], 'causeCategory'>;
  readonly actions: readonly Pick<
    CarPrimitives['actions'][number],
    'id' | 'title' | 'owner' | 'dueDate' | 'status' | 'completedOn'
  >[];
  readonly plannedAt: string | null;
  readonly procedureLinks: readonly Pick<
    CarPrimitives['procedureLinks'][number],
    'procedureId' | 'title'
  >[];
  readonly verifications: readonly Pick<
    CarPrimitives['verifications'][number],
    'round' | 'at' | 'effective'
  >[];
  readonly effectivenessDueDate: LocalDate | null;
  readonly closure: Pick<
    NonNullable<CarPrimitives['closure']>,
    'at' | 'feedsManagementReview'
  > | null;
  readonly reopenings: readonly Pick<CarPrimitives['reopenings'][number], 'at' | 'reason'>[];
  readonly committeeReviews: readonly Pick<
    CarPrimitives['committeeReviews'][number],
    'id' | 'meetingDate' | 'minutesRef' | 'decision' | 'followUp' | 'at'
  >[];
}

/** One CAR as a scan reads it, with the concurrency token a decision on it needs. */
export interface ScannedCar {
  readonly car: CarFacts;
  readonly etag: string;
}

/**
 * Reads every CAR of the store for analysis, in batches and in no particular order, without
 * the paging and visibility rules of the list API: callers are the committee's use cases,
 * which decide who may see the result.
 */
export interface CarScan {
  scan(options?: { readonly batchSize?: number }): AsyncIterable<readonly ScannedCar[]>;
}

export const DEFAULT_SCAN_BATCH = 500;

const localDate = z.string().refine(isLocalDate, 'YYYY-MM-DD') as unknown as z.ZodType<
  LocalDate,
  LocalDate
>;
const person = z.object({ id: z.string(), name: z.string() });

/**
 * The stored record read for analysis: only the fields of `CarFacts` are checked and kept
 * (the rest is dropped unread), which is what makes a scan of 100,000 CARs affordable.
 */
export const CarFactsSchema = z.object({
  id: z.string(),
  number: z.string().nullable(),
  state: z.enum(CAR_STATES),
  report: z.object({
    type: z.enum(REPORT_TYPES),
    relatesTo: z.array(z.enum(RELATES_TO)),
    source: z.enum(SOURCES),
    title: z.string(),
    confidential: z.boolean(),
  }),
  reportedAt: z.string(),
  triage: z
    .object({
      decision: z.enum(['recorded', 'rejected', 'merged']),
      at: z.string(),
      on: localDate,
    })
    .nullable(),
  classification: z.enum(CLASSIFICATIONS).nullable(),
  severity: z.enum(SEVERITIES).nullable(),
  investigation: z.object({ causeCategory: z.enum(CAUSE_CATEGORIES).nullable() }),
  actions: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      owner: person,
      dueDate: localDate,
      status: z.enum(ACTION_STATUSES),
      completedOn: localDate.nullable(),
    }),
  ),
  plannedAt: z.string().nullable().default(null),
  procedureLinks: z.array(z.object({ procedureId: z.string(), title: z.string() })),
  verifications: z.array(
    z.object({ round: z.number().int(), at: z.string(), effective: z.boolean() }),
  ),
  effectivenessDueDate: localDate.nullable(),
  closure: z.object({ at: z.string(), feedsManagementReview: z.boolean() }).nullable(),
  reopenings: z.array(z.object({ at: z.string(), reason: z.string() })),
  committeeReviews: z.array(
    z.object({
      id: z.string(),
      meetingDate: localDate,
      minutesRef: z.string(),
      decision: z.string(),
      followUp: z.string().nullable(),
      at: z.string(),
    }),
  ),
}) satisfies z.ZodType<CarFacts>;

/**
 * The facts of a CAR, and nothing else: the projection a store keeps next to each record
 * (`encodeCarFacts`), and what every analysis reads. Pure; takes the whole record
 * (`CarPrimitives`, which is a `CarFacts` with more fields) and copies out exactly the fields
 * of `CarFacts`.
 */
export function carFactsOf(car: CarFacts): CarFacts;
/**
 * Reads the facts out of a stored record's JSON (the whole record, as the SharePoint list
 * keeps it). A record that does not parse is a bug or tampering in the store, not user input:
 * it fails loudly with the CAR's id.
 */
export function carFactsOf(carId: string, json: unknown): CarFacts;
export function carFactsOf(first: CarFacts | string, json?: unknown): CarFacts {
  return typeof first === 'string' ? parsedFacts(first, json) : projectFacts(first);
}

function projectFacts(p: CarFacts): CarFacts {
  return {
    id: p.id,
    number: p.number,
    state: p.state,
    report: {
      type: p.report.type,
      relatesTo: [...p.report.relatesTo],
      source: p.report.source,
      title: p.report.title,
      confidential: p.report.confidential,
    },
    reportedAt: p.reportedAt,
    triage:
      p.triage === null ? null : { decision: p.triage.decision, at: p.triage.at, on: p.triage.on },
    classification: p.classification,
    severity: p.severity,
    investigation: { causeCategory: p.investigation.causeCategory },
    actions: p.actions.map((a) => ({
      id: a.id,
      title: a.title,
      owner: { id: a.owner.id, name: a.owner.name },
      dueDate: a.dueDate,
      status: a.status,
      completedOn: a.completedOn,
    })),
    plannedAt: p.plannedAt,
    procedureLinks: p.procedureLinks.map((l) => ({ procedureId: l.procedureId, title: l.title })),
    verifications: p.verifications.map((v) => ({
      round: v.round,
      at: v.at,
      effective: v.effective,
    })),
    effectivenessDueDate: p.effectivenessDueDate,
    closure:
      p.closure === null
        ? null
        : { at: p.closure.at, feedsManagementReview: p.closure.feedsManagementReview },
    reopenings: p.reopenings.map((r) => ({ at: r.at, reason: r.reason })),
    committeeReviews: p.committeeReviews.map((r) => ({
      id: r.id,
      meetingDate: r.meetingDate,
      minutesRef: r.minutesRef,
      decision: r.decision,
      followUp: r.followUp,
      at: r.at,
    })),
  };
}

function parsedFacts(carId: string, json: unknown): CarFacts {
  const parsed = CarFactsSchema.safeParse(json);
  if (!parsed.success)
    throw new Error(`stored CAR ${carId} does not match the CAR schema: ${parsed.error.message}`, {
      cause: parsed.error,
    });
  if (parsed.data.id !== carId)
    throw new Error(`stored CAR ${carId} holds the body of ${parsed.data.id}`);
  return parsed.data;
}
