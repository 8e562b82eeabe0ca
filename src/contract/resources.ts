import { z } from 'zod';
import type { AvailableCommand } from '../application/available-commands.js';
import { CAR_COMMAND_NAMES, type CarCommandName } from '../application/car-commands.js';
import { CarRecordSchema } from '../application/ports/car-record-schema.js';
import { BUCKET_KINDS } from '../application/ports/task-board.js';
import { CAR_STATES } from '../domain/car/lifecycle.js';

/**
 * The resources the REST API sends, each written once: the routes build them (`satisfies`
 * the inferred type), the OpenAPI document is generated from them, and the tab types its
 * data with `z.infer` (a type-only import, so no zod reaches the browser).
 */

/** What a client receives is read, never changed in place. */
export type DeepReadonly<T> = T extends string | number | boolean | null | undefined
  ? T
  : T extends readonly (infer U)[]
    ? readonly DeepReadonly<U>[]
    : T extends object
      ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
      : T;

export const AvailableCommandSchema = z
  .object({
    name: z.enum(CAR_COMMAND_NAMES as [CarCommandName, ...CarCommandName[]]),
    actionId: z.string().optional().meta({ description: 'The action it works on' }),
    linkId: z.string().optional().meta({ description: 'The procedure link it works on' }),
    blockedBy: z
      .string()
      .nullable()
      .meta({ description: 'Why it cannot run yet (e.g. "2 actions still open"); null: it can' }),
  })
  .meta({
    id: 'AvailableCommand',
    description: 'A command the caller may run on this CAR now (lifecycle and access policy)',
  }) satisfies z.ZodType<AvailableCommand>;

export const CarResourceSchema = CarRecordSchema.extend({
  etag: z.string(),
  updatedAt: z.string(),
  nextDueDate: z.string().nullable(),
  overdue: z.boolean(),
  availableCommands: z.array(AvailableCommandSchema),
}).meta({ id: 'Car' });
export type CarResource = DeepReadonly<z.infer<typeof CarResourceSchema>>;

export const MyActionSchema = z
  .object({
    carId: z.string(),
    carNumber: z.string().nullable(),
    carState: z.enum(CAR_STATES),
    carTitle: z.string().nullable().meta({ description: 'Null where the caller may not read it' }),
    etag: z.string().meta({ description: 'The ETag of the CAR' }),
    action: CarRecordSchema.shape.actions.element,
    availableCommands: z.array(AvailableCommandSchema),
  })
  .meta({ id: 'MyAction' });
export type MyAction = DeepReadonly<z.infer<typeof MyActionSchema>>;

export const ActionTaskSchema = z
  .object({
    actionId: z.string(),
    actionTitle: z.string(),
    task: z
      .object({
        board: z.string().meta({ description: '"Planner" or "local board"' }),
        id: z.string(),
        title: z.string(),
        bucket: z.enum(BUCKET_KINDS).nullable(),
        percentComplete: z.number().int(),
        completedAt: z.string().nullable(),
        url: z.string().meta({ description: 'Where a person opens the task' }),
      })
      .nullable()
      .meta({ description: 'Null while the task sync has not put the action on the board' }),
  })
  .meta({ id: 'ActionTask' });
export type ActionTask = DeepReadonly<z.infer<typeof ActionTaskSchema>>;

export const DecisionResultSchema = z.discriminatedUnion('status', [
  z
    .object({
      carId: z.string(),
      status: z.literal('ok'),
      alreadyReviewed: z.boolean(),
      etag: z.string(),
    })
    .strict(),
  z.object({ carId: z.string(), status: z.literal('conflict'), currentEtag: z.string() }).strict(),
  z
    .object({
      carId: z.string(),
      status: z.literal('error'),
      code: z.string(),
      message: z.string(),
    })
    .strict(),
]);
export type DecisionResult = DeepReadonly<z.infer<typeof DecisionResultSchema>>;
