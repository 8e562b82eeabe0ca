import { z } from 'zod';
import { isLocalDate, type LocalDate } from '../../domain/calendar/local-date.js';
import { isCarNumber, type CarNumber } from '../../domain/car/car-number.js';
import type { CarPrimitives } from '../../domain/car/car.js';
import {
  ACTION_KINDS,
  ACTION_STATUSES,
  CAUSE_CATEGORIES,
  CLASSIFICATIONS,
  RELATES_TO,
  REPORT_TYPES,
  SEVERITIES,
  SOURCES,
} from '../../domain/car/car-vocabulary.js';
import { CAR_STATES } from '../../domain/car/lifecycle.js';

/** The persisted JSON body of a CAR, parsed on the way in: what the store holds is not trusted blindly. */

const localDate = z.custom<LocalDate>(
  (v) => typeof v === 'string' && isLocalDate(v),
  'a date YYYY-MM-DD',
);
const carNumber = z.custom<CarNumber>(
  (v) => typeof v === 'string' && isCarNumber(v),
  'a number CAR-YYYY-NNNN',
);
const instant = z.string().min(1);

const person = z.object({ id: z.string().min(1), name: z.string() });

const report = z.object({
  type: z.enum(REPORT_TYPES),
  relatesTo: z.array(z.enum(RELATES_TO)),
  source: z.enum(SOURCES),
  title: z.string(),
  description: z.string(),
  occurredAt: z.string().nullable(),
  location: z.string(),
  affected: z.string(),
  immediateAction: z.string(),
  confidential: z.boolean(),
});

const triage = z.object({
  decision: z.enum(['recorded', 'rejected', 'merged']),
  by: person,
  at: instant,
  reason: z.string().nullable(),
  mergedInto: z.object({ id: z.string(), number: z.string() }).nullable(),
});

const investigation = z.object({
  fiveWhys: z.array(z.object({ question: z.string(), answer: z.string() })),
  rootCause: z.string().nullable(),
  causeCategory: z.enum(CAUSE_CATEGORIES).nullable(),
  consultees: z.array(person),
  similarCheck: z
    .object({ done: z.boolean(), findings: z.string(), relatedCarIds: z.array(z.string()) })
    .nullable(),
});

const action = z.object({
  id: z.string().min(1),
  kind: z.enum(ACTION_KINDS),
  title: z.string(),
  description: z.string(),
  owner: person,
  dueDate: localDate,
  steps: z.array(z.string()),
  status: z.enum(ACTION_STATUSES),
  createdAt: instant,
  completedAt: instant.nullable(),
  completionNote: z.string().nullable(),
  cancelReason: z.string().nullable(),
});

const procedureLink = z.object({
  id: z.string().min(1),
  procedureId: z.string(),
  title: z.string(),
  revisionInForce: z.string(),
  newRevision: z.string().nullable(),
  newRevisionChangelog: z.string().nullable(),
  linkedAt: instant,
  revisedAt: instant.nullable(),
});

const verification = z.object({
  id: z.string().min(1),
  round: z.number().int().min(1),
  by: person,
  at: instant,
  effective: z.boolean(),
  evidence: z.string(),
});

const closure = z.object({
  by: person,
  at: instant,
  summary: z.string(),
  ismsChangeNeeded: z.boolean(),
  ismsChangeDescription: z.string().nullable(),
  feedsManagementReview: z.boolean(),
});

const reopening = z.object({ by: person, at: instant, reason: z.string() });

const committeeReview = z.object({
  id: z.string().min(1),
  meetingDate: localDate,
  minutesRef: z.string(),
  decision: z.string(),
  followUp: z.string().nullable(),
  by: person,
  at: instant,
});

export const carRecordSchema = z.object({
  id: z.string().min(1),
  number: carNumber.nullable(),
  state: z.enum(CAR_STATES),
  report,
  reporter: person,
  reportedAt: instant,
  triage: triage.nullable(),
  classification: z.enum(CLASSIFICATIONS).nullable(),
  severity: z.enum(SEVERITIES).nullable(),
  containment: z.object({ description: z.string(), by: person, at: instant }).nullable(),
  investigation,
  actions: z.array(action),
  procedureLinks: z.array(procedureLink),
  verificationRound: z.number().int().min(0),
  verifications: z.array(verification),
  effectivenessDueDate: localDate.nullable(),
  closure: closure.nullable(),
  reopenings: z.array(reopening),
  committeeReviews: z.array(committeeReview),
});

/**
 * Parses a stored body into the aggregate's primitives. A body that does not parse means the
 * store holds something this code never wrote: a bug or tampering, not a user error.
 */
export function parseCarRecord(carId: string, body: string): CarPrimitives {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (e) {
    throw new Error(`stored CAR ${carId} is not valid JSON`, { cause: e });
  }
  const parsed = carRecordSchema.safeParse(json);
  if (!parsed.success)
    throw new Error(
      `stored CAR ${carId} does not match the CAR schema: ${z.prettifyError(parsed.error)}`,
      {
        cause: parsed.error,
      },
    );
  if (parsed.data.id !== carId)
    throw new Error(`stored CAR ${carId} holds the body of ${parsed.data.id}`);
  return parsed.data;
}
