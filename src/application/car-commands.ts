import { z } from 'zod';
import { isLocalDate } from '../domain/calendar/local-date.js';
import {
  ACTION_KINDS,
  CAUSE_CATEGORIES,
  CLASSIFICATIONS,
  RELATES_TO,
  REPORT_TYPES,
  SEVERITIES,
  SOURCES,
} from '../domain/car/car-vocabulary.js';
import { CAR_STATES } from '../domain/car/lifecycle.js';
import { wellFormedText } from './ports/text-schema.js';

/**
 * The inputs of every use case, validated once here and shared by the REST API, the bot and
 * scripts. The OpenAPI document is generated from these same schemas.
 */

const text = (max: number) => wellFormedText().trim().max(max);
const requiredText = (max: number) => wellFormedText().trim().min(1, 'Required').max(max);
const reason = wellFormedText()
  .trim()
  .max(2000)
  .optional()
  .meta({ description: 'Why the change is made; kept in the audit trail' });
const localDateSchema = z
  .string()
  .refine(isLocalDate, 'A date reads YYYY-MM-DD')
  .meta({ format: 'date', examples: ['2026-12-01'] });
const personRef = z
  .object({ id: requiredText(128), name: requiredText(256) })
  .strict()
  .meta({ id: 'PersonRef', description: 'An Entra object id and the display name' });

export const ReportInputSchema = z
  .object({
    type: z.enum(REPORT_TYPES),
    relatesTo: z.array(z.enum(RELATES_TO)).min(1, 'Choose at least one').max(3),
    source: z.enum(SOURCES).default('member_report'),
    title: requiredText(200),
    description: requiredText(10_000),
    occurredAt: z
      .union([z.iso.datetime({ offset: true }), z.iso.date()])
      .nullable()
      .default(null),
    location: text(500).default(''),
    affected: text(2000).default(''),
    immediateAction: text(5000).default(''),
    confidential: z.boolean().default(false),
  })
  .strict()
  .meta({ id: 'ReportInput', description: 'An ISMS failure as a member reports it' });
export type ReportInput = z.infer<typeof ReportInputSchema>;

const actionFields = {
  kind: z.enum(ACTION_KINDS),
  title: requiredText(300),
  description: text(5000).default(''),
  owner: personRef,
  dueDate: localDateSchema
    .optional()
    .meta({ description: 'Defaults to the service level for the classification' }),
  steps: z.array(requiredText(500)).max(50).optional(),
};

const command = <T extends string, S extends z.ZodRawShape>(op: T, shape: S, description: string) =>
  z
    .object({ op: z.literal(op), reason })
    .extend(shape)
    .strict()
    .meta({ description });

export const CarCommandSchemas = {
  record: command(
    'record',
    { classification: z.enum(CLASSIFICATIONS), severity: z.enum(SEVERITIES) },
    'Record the report as a CAR (it gets its CAR number) and classify it',
  ),
  reject: command(
    'reject',
    { reason: requiredText(2000) },
    'Decide that the report needs no CAR; the reporter sees the reason',
  ),
  merge: command(
    'merge',
    { target: requiredText(64).meta({ description: 'Id or number of the CAR it duplicates' }) },
    'Merge the report into an existing CAR as a duplicate',
  ),
  reclassify: command(
    'reclassify',
    { classification: z.enum(CLASSIFICATIONS), severity: z.enum(SEVERITIES) },
    'Change the classification or severity',
  ),
  recordContainment: command(
    'recordContainment',
    { description: requiredText(5000) },
    'Containment and correction (clause 10.2 a)',
  ),
  startInvestigation: command('startInvestigation', {}, 'Start the root-cause investigation'),
  updateInvestigation: command(
    'updateInvestigation',
    {
      fiveWhys: z
        .array(z.object({ question: requiredText(1000), answer: requiredText(2000) }).strict())
        .max(10)
        .optional(),
      whys: z
        .array(
          z
            .object({
              index: z.number().int().min(0).max(9),
              question: requiredText(1000).optional(),
              answer: requiredText(2000).optional(),
              remove: z.boolean().optional(),
            })
            .strict(),
        )
        .max(20)
        .optional()
        .meta({ description: 'Single 5-Why steps changed (by index); the others stay' }),
      rootCause: text(5000).nullable().optional(),
      causeCategory: z.enum(CAUSE_CATEGORIES).nullable().optional(),
      consultees: z.array(personRef).max(50).optional(),
      addConsultees: z.array(personRef).max(50).optional(),
      removeConsultees: z.array(requiredText(128)).max(50).optional(),
      similarCheck: z
        .object({
          done: z.boolean().optional(),
          findings: text(5000).optional(),
          relatedCarIds: z.array(requiredText(64)).max(100).optional(),
          addRelated: z.array(requiredText(64)).max(100).optional(),
          removeRelated: z.array(requiredText(64)).max(100).optional(),
        })
        .strict()
        .nullable()
        .optional()
        .meta({ description: 'Only the parts named change; the rest stays as stored' }),
    },
    'Root cause (10.2 b2) with 5-Whys and cause category, consultees, and the check for similar nonconformities (10.2 b3). Field by field: what the body does not name stays as stored, so two people editing different fields keep both changes',
  ),
  addConsulteeInput: command(
    'addConsulteeInput',
    { answer: requiredText(5000) },
    "A consultee's answer to the investigation questions (only the people the MR consulted)",
  ),
  addAction: command(
    'addAction',
    actionFields,
    'Add a correction, corrective, preventive, procedure-change or training action',
  ),
  updateAction: command(
    'updateAction',
    {
      actionId: requiredText(64),
      title: actionFields.title.optional(),
      description: text(5000).optional(),
      owner: personRef.optional(),
      dueDate: localDateSchema.optional(),
      steps: actionFields.steps,
    },
    'Change an open action',
  ),
  completeAction: command(
    'completeAction',
    { actionId: requiredText(64), note: text(5000).default('') },
    'Mark an action done (its owner or the MR)',
  ),
  cancelAction: command(
    'cancelAction',
    { actionId: requiredText(64), reason: requiredText(2000) },
    'Cancel an open action',
  ),
  planActions: command('planActions', {}, 'Confirm the action plan'),
  startImplementation: command('startImplementation', {}, 'Start implementing the actions'),
  linkProcedure: command(
    'linkProcedure',
    {
      procedureId: requiredText(100),
      title: text(300).default(''),
      revisionInForce: requiredText(50),
    },
    'Link the procedure document and the revision in force that the CAR changes',
  ),
  recordProcedureRevision: command(
    'recordProcedureRevision',
    {
      linkId: requiredText(64),
      newRevision: requiredText(50).meta({
        description: 'Higher than the revision in force, e.g. 1.1.0',
      }),
      changelog: requiredText(2000).meta({ description: 'Must cite the CAR number' }),
      trainees: z.array(personRef).max(200).optional().meta({
        description:
          'Who gets a training action; omitted: the people and groups the procedure library configures for the procedure; [] for nobody',
      }),
    },
    'Record the new procedure revision the change produced; it creates the training actions',
  ),
  startVerification: command(
    'startVerification',
    {},
    'All actions are done: start the effectiveness verification',
  ),
  verifyEffectiveness: command(
    'verifyEffectiveness',
    { effective: z.boolean(), evidence: requiredText(5000) },
    'Record the effectiveness verification (10.2 d); not effective reopens the investigation',
  ),
  close: command(
    'close',
    {
      summary: requiredText(5000),
      ismsChangeNeeded: z.boolean(),
      ismsChangeDescription: text(5000).nullable().optional(),
      feedsManagementReview: z.boolean(),
    },
    'Close the CAR; the record is then locked',
  ),
  reopen: command('reopen', { reason: requiredText(2000) }, 'Reopen a closed CAR'),
  addCommitteeReview: command(
    'addCommitteeReview',
    {
      meetingDate: localDateSchema,
      minutesRef: text(300).default(''),
      decision: requiredText(5000),
      followUp: text(5000).nullable().optional(),
    },
    'Record a Steering Committee review of the CAR',
  ),
} as const;

export type CarCommandName = keyof typeof CarCommandSchemas;
export type CarCommand = {
  [K in CarCommandName]: z.infer<(typeof CarCommandSchemas)[K]>;
}[CarCommandName];
export const CAR_COMMAND_NAMES = Object.keys(CarCommandSchemas) as CarCommandName[];

const csv = <T extends z.ZodType<unknown, string>>(item: T) =>
  z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(item))
    .optional();

export const CarListQuerySchema = z
  .object({
    state: csv(z.enum(CAR_STATES)),
    type: csv(z.enum(REPORT_TYPES)),
    classification: csv(z.enum(CLASSIFICATIONS)),
    causeCategory: csv(z.enum(CAUSE_CATEGORIES)),
    reporter: wellFormedText()
      .trim()
      .min(1)
      .max(128)
      .optional()
      .meta({ description: "A reporter's id, or 'me'" }),
    owner: wellFormedText()
      .trim()
      .min(1)
      .max(128)
      .optional()
      .meta({ description: "An action owner's id, or 'me'" }),
    overdue: z
      .enum(['true', 'false'])
      .transform((v) => v === 'true')
      .optional(),
    q: wellFormedText().trim().max(200).optional().meta({ description: 'Words to find' }),
    sort: z.enum(['reportedAt', 'updatedAt', 'number', 'dueDate']).default('reportedAt'),
    order: z.enum(['asc', 'desc']).default('desc'),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: wellFormedText().max(500).optional(),
  })
  .strict();
export type CarListQuery = z.infer<typeof CarListQuerySchema>;
