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

/**
 * The CAR record as a schema: adapters parse what they read back with it (a stored record
 * that does not parse is a bug, not user input), and the OpenAPI document describes it.
 * `satisfies` keeps it in step with the aggregate's primitives.
 */

const instant = z.string().meta({ format: 'date-time' });
const localDate = z
  .string()
  .refine(isLocalDate, 'YYYY-MM-DD')
  .meta({ format: 'date' }) as unknown as z.ZodType<LocalDate, LocalDate>;
const carNumber = z
  .string()
  .refine(isCarNumber, 'CAR-YYYY-NNNN')
  .meta({ examples: ['CAR-2026-0007'] }) as unknown as z.ZodType<CarNumber, CarNumber>;
const person = z.object({ id: z.string(), name: z.string() });

export const CarRecordSchema = z
  .object({
    id: z.string(),
    number: carNumber.nullable(),
    state: z.enum(CAR_STATES),
    report: z.object({
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
    }),
    reporter: person,
    reportedAt: instant,
    triage: z
      .object({
        decision: z.enum(['recorded', 'rejected', 'merged']),
        by: person,
        at: instant,
        on: localDate,
        reason: z.string().nullable(),
        mergedInto: z.object({ id: z.string(), number: z.string() }).nullable(),
      })
      .nullable(),
    classification: z.enum(CLASSIFICATIONS).nullable(),
    severity: z.enum(SEVERITIES).nullable(),
    containment: z.object({ description: z.string(), by: person, at: instant }).nullable(),
    investigation: z.object({
      fiveWhys: z.array(z.object({ question: z.string(), answer: z.string() })),
      rootCause: z.string().nullable(),
      causeCategory: z.enum(CAUSE_CATEGORIES).nullable(),
      consultees: z.array(person),
      // Records stored before consultee inputs existed have none.
      consulteeInputs: z
        .array(z.object({ id: z.string(), by: person, at: instant, answer: z.string() }))
        .default([]),
      similarCheck: z
        .object({ done: z.boolean(), findings: z.string(), relatedCarIds: z.array(z.string()) })
        .nullable(),
    }),
    actions: z.array(
      z.object({
        id: z.string(),
        kind: z.enum(ACTION_KINDS),
        title: z.string(),
        description: z.string(),
        owner: person,
        dueDate: localDate,
        steps: z.array(z.string()),
        status: z.enum(ACTION_STATUSES),
        createdAt: instant,
        completedAt: instant.nullable(),
        completedOn: localDate.nullable(),
        completionNote: z.string().nullable(),
        cancelReason: z.string().nullable(),
      }),
    ),
    // Records stored before the plan's time was kept have none.
    plannedAt: instant.nullable().default(null),
    procedureLinks: z.array(
      z.object({
        id: z.string(),
        procedureId: z.string(),
        title: z.string(),
        revisionInForce: z.string(),
        newRevision: z.string().nullable(),
        newRevisionChangelog: z.string().nullable(),
        linkedAt: instant,
        revisedAt: instant.nullable(),
      }),
    ),
    verificationRound: z.number().int().min(0),
    verifications: z.array(
      z.object({
        id: z.string(),
        round: z.number().int(),
        by: person,
        at: instant,
        effective: z.boolean(),
        evidence: z.string(),
      }),
    ),
    effectivenessDueDate: localDate.nullable(),
    closure: z
      .object({
        by: person,
        at: instant,
        summary: z.string(),
        ismsChangeNeeded: z.boolean(),
        ismsChangeDescription: z.string().nullable(),
        feedsManagementReview: z.boolean(),
      })
      .nullable(),
    reopenings: z.array(z.object({ by: person, at: instant, reason: z.string() })),
    committeeReviews: z.array(
      z.object({
        id: z.string(),
        meetingDate: localDate,
        minutesRef: z.string(),
        decision: z.string(),
        followUp: z.string().nullable(),
        by: person,
        at: instant,
      }),
    ),
  })
  .meta({ id: 'CarRecord' }) satisfies z.ZodType<CarPrimitives>;
