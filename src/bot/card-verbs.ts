import { z } from 'zod';
import { wellFormedText } from '../application/ports/text-schema.js';
import type { CarCommandName } from '../application/car-commands.js';

/** Every verb an `Action.Execute` on a Rectify card can carry. */
export const CARD_VERBS = [
  'report.submit',
  'car.refresh',
  'car.record',
  'car.reject',
  'car.merge',
  'car.containment',
  'car.startInvestigation',
  'car.investigation',
  'car.consulteeInput',
  'car.addAction',
  'car.planActions',
  'car.startImplementation',
  'action.complete',
  'car.startVerification',
  'car.verify',
  'car.close',
] as const;
export type CardVerb = (typeof CARD_VERBS)[number];
export type CarVerb = Exclude<CardVerb, 'report.submit' | 'car.refresh'>;

export const isCardVerb = (v: unknown): v is CardVerb =>
  typeof v === 'string' && (CARD_VERBS as readonly string[]).includes(v);

/** The data a CAR card carries with each action: which CAR, and the version the person saw. */
export const CarTargetSchema = z.object({
  carId: wellFormedText().trim().min(1).max(64),
  etag: wellFormedText().trim().min(1).max(200),
});
export type CarTarget = z.infer<typeof CarTargetSchema>;

/** Card inputs arrive as strings (choice sets and toggles included). */
export const cardString = wellFormedText().max(10_000).optional();

/**
 * The card verb that runs each command, or null where the bot offers no button for it (those
 * are done in the tab). A command added to the catalogue fails the type check until it is here.
 */
export const COMMAND_VERBS = {
  record: 'car.record',
  reject: 'car.reject',
  merge: 'car.merge',
  reclassify: null,
  recordContainment: 'car.containment',
  startInvestigation: 'car.startInvestigation',
  updateInvestigation: 'car.investigation',
  addConsulteeInput: 'car.consulteeInput',
  addAction: 'car.addAction',
  updateAction: null,
  completeAction: 'action.complete',
  cancelAction: null,
  planActions: 'car.planActions',
  startImplementation: 'car.startImplementation',
  linkProcedure: null,
  recordProcedureRevision: null,
  startVerification: 'car.startVerification',
  verifyEffectiveness: 'car.verify',
  close: 'car.close',
  reopen: null,
  addCommitteeReview: null,
} as const satisfies Record<CarCommandName, CarVerb | null>;
