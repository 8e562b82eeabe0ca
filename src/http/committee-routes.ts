import { Router } from 'express';
import { z } from 'zod';
import { MeetingValueSchema } from '../application/committee/meetings.js';
import { MAX_DECISIONS, type MeetingService } from '../application/committee/meeting-service.js';
import { isLocalDate } from '../domain/calendar/local-date.js';
import {
  CAUSE_CATEGORIES,
  CLASSIFICATIONS,
  RELATES_TO,
  REPORT_TYPES,
  SEVERITIES,
  SOURCES,
} from '../domain/car/car-vocabulary.js';
import { CAR_STATES } from '../domain/car/lifecycle.js';
import { principalOf } from './authenticate.js';
import { validationError } from './problem.js';

/**
 * The Steering Committee's routes: meetings, the agenda, decisions in one pass, and the trend
 * figures. For the committee and the MR only (MeetingService decides); others get 403.
 */

export interface CommitteeRouterDeps {
  readonly meetings: MeetingService;
}

const date = z
  .string()
  .refine(isLocalDate, 'A date reads YYYY-MM-DD')
  .meta({ format: 'date', examples: ['2026-12-10'] });

export const MeetingPathSchema = z.object({ date });

export const PlanMeetingSchema = z
  .object({ title: z.string().trim().max(300).default('') })
  .strict()
  .meta({ id: 'PlanMeeting', description: 'A committee meeting to plan, or its new title' });

export const DecisionsSchema = z
  .object({
    decisions: z
      .array(
        z
          .object({
            carId: z.string().trim().min(1).max(64),
            etag: z.string().trim().min(1).max(100).meta({
              description: 'The ETag of the CAR the committee decided on (the agenda gives it)',
            }),
            decision: z.string().trim().min(1, 'Required').max(5000),
            followUp: z.string().trim().max(5000).nullable().optional(),
            minutesRef: z.string().trim().max(300).optional(),
          })
          .strict(),
      )
      .min(1)
      .max(MAX_DECISIONS),
  })
  .strict()
  .meta({ id: 'CommitteeDecisions', description: "The meeting's decisions, one per CAR" });

export const KpiQuerySchema = z
  .object({
    from: date.meta({ description: 'First day of the period (included)' }),
    to: date.meta({ description: 'Last day of the period (included)' }),
  })
  .strict();

// ---- what the routes answer, for the OpenAPI document and the tests --------------------

export const MeetingSchema = MeetingValueSchema.extend({ etag: z.string() }).meta({
  id: 'Meeting',
});

const agendaCar = {
  id: z.string(),
  number: z.string().nullable(),
  title: z.string(),
  state: z.enum(CAR_STATES),
  classification: z.enum(CLASSIFICATIONS).nullable(),
  severity: z.enum(SEVERITIES).nullable(),
  confidential: z.boolean(),
  etag: z.string(),
};
const AgendaCarSchema = z.object(agendaCar).strict();

export const AgendaResponseSchema = z
  .object({
    meeting: MeetingSchema.nullable(),
    agenda: z
      .object({
        meetingDate: z.string(),
        lastMeetingDate: z.string().nullable(),
        newSinceLast: z.array(AgendaCarSchema),
        overdueActions: z.array(
          z
            .object({
              ...agendaCar,
              overdueActions: z.array(
                z
                  .object({
                    id: z.string(),
                    title: z.string(),
                    owner: z.object({ id: z.string(), name: z.string() }),
                    dueDate: z.string(),
                  })
                  .strict(),
              ),
            })
            .strict(),
        ),
        closedSinceLast: z.array(AgendaCarSchema),
        foundIneffective: z.array(
          z.object({ ...agendaCar, foundOn: z.array(z.string()) }).strict(),
        ),
        awaitingDecision: z.array(
          z
            .object({
              ...agendaCar,
              reasons: z.array(z.enum(['major_nc', 'feeds_management_review', 'reopened'])),
            })
            .strict(),
        ),
        previousReview: z.array(
          z
            .object({
              ...agendaCar,
              reviews: z.array(
                z
                  .object({
                    decision: z.string(),
                    followUp: z.string().nullable(),
                    minutesRef: z.string(),
                  })
                  .strict(),
              ),
              openActions: z.number().int(),
              overdueActions: z.number().int(),
            })
            .strict(),
        ),
        reviewedAtThisMeeting: z.array(z.string()),
      })
      .strict(),
  })
  .strict()
  .meta({ id: 'Agenda' });

export const DecisionsResponseSchema = z
  .object({
    results: z.array(
      z.discriminatedUnion('status', [
        z
          .object({
            carId: z.string(),
            status: z.literal('ok'),
            alreadyReviewed: z.boolean(),
            etag: z.string(),
          })
          .strict(),
        z
          .object({ carId: z.string(), status: z.literal('conflict'), currentEtag: z.string() })
          .strict(),
        z
          .object({
            carId: z.string(),
            status: z.literal('error'),
            code: z.string(),
            message: z.string(),
          })
          .strict(),
      ]),
    ),
    meeting: MeetingSchema,
  })
  .strict()
  .meta({ id: 'CommitteeDecisionResults' });

const counts = <T extends readonly [string, ...string[]]>(keys: T) =>
  z.object(Object.fromEntries(keys.map((k) => [k, z.number().int()]))).strict();
const duration = z
  .object({ count: z.number().int(), mean: z.number().nullable(), p90: z.number().nullable() })
  .strict();

export const KpisSchema = z
  .object({
    period: z.object({ from: z.string(), to: z.string() }).strict(),
    asOf: z.string(),
    timeZone: z.string(),
    reports: counts(['total', 'recorded', 'rejected', 'merged', 'awaitingTriage'] as const),
    cars: z.number().int(),
    byType: counts(REPORT_TYPES),
    byRelatesTo: counts(RELATES_TO),
    bySource: counts(SOURCES),
    byClassification: counts(CLASSIFICATIONS),
    byCauseCategory: counts([...CAUSE_CATEGORIES, 'none'] as const),
    byMonth: z.array(z.object({ month: z.string(), count: z.number().int() }).strict()),
    status: counts(['open', 'overdue', 'closed'] as const),
    closedInPeriod: z.number().int(),
    days: z
      .object({ reportToRecord: duration, reportToActionPlan: duration, reportToClosure: duration })
      .strict(),
    firstVerification: z
      .object({
        verified: z.number().int(),
        effective: z.number().int(),
        share: z.number().nullable(),
      })
      .strict(),
    repeatedCauseCategories: z.array(
      z
        .object({
          causeCategory: z.enum(CAUSE_CATEGORIES),
          count: z.number().int(),
          carIds: z.array(z.string()),
        })
        .strict(),
    ),
    repeatedProcedures: z.array(
      z
        .object({
          procedureId: z.string(),
          title: z.string(),
          count: z.number().int(),
          carIds: z.array(z.string()),
        })
        .strict(),
    ),
  })
  .strict()
  .meta({
    id: 'Kpis',
    description:
      'Trends of the CARs recorded in the period. Days are calendar days between dates of the organisation; p90 is the nearest-rank 90th percentile.',
  });

const parse = <T extends z.ZodType>(
  schema: T,
  value: unknown,
  where: 'body' | 'query',
): z.infer<T> => {
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(result.error, where);
  return result.data;
};

const pathDate = (params: Record<string, string>): string => {
  const result = MeetingPathSchema.safeParse(params);
  if (!result.success) throw validationError(result.error, 'query');
  return result.data.date;
};

export function committeeRouter(deps: CommitteeRouterDeps): Router {
  const router = Router();
  const service = deps.meetings;

  router.get('/committee/meetings', async (_req, res) => {
    res.json({ items: await service.listMeetings(principalOf(res)) });
  });

  router.put('/committee/meetings/:date', async (req, res) => {
    const date = pathDate(req.params);
    const body = parse(PlanMeetingSchema, req.body ?? {}, 'body');
    const ifMatch = req.get('if-match')?.trim();
    const { meeting, created } = await service.planMeeting(
      principalOf(res),
      date,
      body,
      ifMatch === '' || ifMatch === '*' ? undefined : ifMatch,
    );
    res
      .status(created ? 201 : 200)
      .setHeader('ETag', meeting.etag)
      .json(meeting);
  });

  router.get('/committee/meetings/:date/agenda', async (req, res) => {
    res.json(await service.agenda(principalOf(res), pathDate(req.params)));
  });

  router.post('/committee/meetings/:date/decisions', async (req, res) => {
    const date = pathDate(req.params);
    const body = parse(DecisionsSchema, req.body ?? {}, 'body');
    const outcome = await service.decide(principalOf(res), date, body.decisions);
    res.setHeader('ETag', outcome.meeting.etag).json(outcome);
  });

  router.get('/kpis', async (req, res) => {
    const query = parse(KpiQuerySchema, req.query, 'query');
    res.json(await service.kpis(principalOf(res), query));
  });

  return router;
}
