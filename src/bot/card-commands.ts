import { z, type ZodType } from 'zod';
import {
  CarCommandSchemas,
  ReportInputSchema,
  type CarCommand,
  type ReportInput,
} from '../application/car-commands.js';
import { RectifyError } from '../domain/errors.js';
import type { PersonRef } from '../domain/identity.js';
import type { CarVerb } from './card-verbs.js';

/** The values of an Action.Execute: the card's data merged with its inputs, all as sent. */
export type CardData = Readonly<Record<string, unknown>>;

const str = (d: CardData, key: string): string | undefined => {
  const v = d[key];
  return typeof v === 'string' ? v : undefined;
};
const filled = (d: CardData, key: string): string | undefined => {
  const v = str(d, key)?.trim();
  return v ? v : undefined;
};
const flag = (d: CardData, key: string): boolean => str(d, key) === 'true';
const ids = (d: CardData, key: string): string[] =>
  (str(d, key) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Parses with the use case's own schema; a failure is the same validation error as the API's. */
export function parseWith<T>(schema: ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw new RectifyError('REQUEST.VALIDATION', {
    in: 'card',
    errors: r.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })),
  });
}

/** Resolves the people picked on a card to Entra object ids and names. */
export type PeopleLookup = (id: string) => PersonRef;

const WHYS = 5;

/**
 * Only what the person changed on the card, compared with what the card showed (it carries
 * those values as `shown.*`): a field left as shown is not sent, so the bot never overwrites
 * what someone else saved in the tab meanwhile (a 5-Why question, a related CAR, a finding).
 */
function investigationChanges(d: CardData, person: PeopleLookup): Record<string, unknown> {
  const changed = (key: string): string | undefined => {
    const now = str(d, key);
    return now !== undefined && now.trim() !== (str(d, `shown.${key}`) ?? '').trim()
      ? now
      : undefined;
  };
  const out: Record<string, unknown> = { op: 'updateInvestigation' };
  const stepsShown = Number(str(d, 'shown.whys') ?? '0');
  const whys: { index: number; question?: string; answer?: string; remove?: boolean }[] = [];
  let next = stepsShown;
  for (let n = 0; n < WHYS; n++) {
    const answer = changed(`why${n + 1}`);
    if (answer === undefined) continue;
    if (n < stepsShown)
      whys.push(answer.trim() ? { index: n, answer } : { index: n, remove: true });
    else if (answer.trim()) whys.push({ index: next++, question: `Why ${n + 1}?`, answer });
  }
  // A removed step keeps its place until the whole change is applied, so indexes hold.
  if (whys.length > 0) out.whys = whys;
  const rootCause = changed('rootCause');
  if (rootCause !== undefined) out.rootCause = rootCause.trim() || null;
  const causeCategory = changed('causeCategory');
  if (causeCategory !== undefined) out.causeCategory = causeCategory.trim() || null;
  if (changed('consultees') !== undefined) {
    const before = new Set(ids(d, 'shown.consultees'));
    const after = ids(d, 'consultees');
    const add = after.filter((id) => !before.has(id)).map(person);
    const remove = [...before].filter((id) => !after.includes(id));
    if (add.length > 0) out.addConsultees = add;
    if (remove.length > 0) out.removeConsultees = remove;
  }
  const similar: Record<string, unknown> = {};
  if (changed('similarDone') !== undefined) similar.done = flag(d, 'similarDone');
  const findings = changed('similarFindings');
  if (findings !== undefined) similar.findings = findings;
  if (Object.keys(similar).length > 0) out.similarCheck = similar;
  return out;
}

/** For each verb, the lifecycle command it asks for, built from the card's inputs. */
export const CAR_VERB_COMMANDS: {
  readonly [V in CarVerb]: (d: CardData, person: PeopleLookup) => CarCommand;
} = {
  'car.record': (d) =>
    parseWith(CarCommandSchemas.record, {
      op: 'record',
      classification: str(d, 'classification'),
      severity: str(d, 'severity'),
    }),
  'car.reject': (d) =>
    parseWith(CarCommandSchemas.reject, { op: 'reject', reason: str(d, 'reason') }),
  'car.merge': (d) =>
    parseWith(CarCommandSchemas.merge, {
      op: 'merge',
      target: str(d, 'target')?.toUpperCase(),
      reason: str(d, 'mergeReason'),
    }),
  'car.containment': (d) =>
    parseWith(CarCommandSchemas.recordContainment, {
      op: 'recordContainment',
      description: str(d, 'containment'),
    }),
  'car.startInvestigation': () =>
    parseWith(CarCommandSchemas.startInvestigation, { op: 'startInvestigation' }),
  'car.investigation': (d, person) =>
    parseWith(CarCommandSchemas.updateInvestigation, investigationChanges(d, person)),
  'car.consulteeInput': (d) =>
    parseWith(CarCommandSchemas.addConsulteeInput, {
      op: 'addConsulteeInput',
      answer: str(d, 'answer'),
    }),
  'car.addAction': (d, person) => {
    const owner = filled(d, 'actionOwner');
    return parseWith(CarCommandSchemas.addAction, {
      op: 'addAction',
      kind: str(d, 'actionKind'),
      title: str(d, 'actionTitle'),
      owner: owner === undefined ? undefined : person(owner),
      ...(filled(d, 'actionDue') ? { dueDate: filled(d, 'actionDue') } : {}),
    });
  },
  'car.planActions': () => parseWith(CarCommandSchemas.planActions, { op: 'planActions' }),
  'car.startImplementation': () =>
    parseWith(CarCommandSchemas.startImplementation, { op: 'startImplementation' }),
  'action.complete': (d) =>
    parseWith(CarCommandSchemas.completeAction, {
      op: 'completeAction',
      actionId: str(d, 'actionId'),
      note: str(d, 'note') ?? '',
    }),
  'car.startVerification': () =>
    parseWith(CarCommandSchemas.startVerification, { op: 'startVerification' }),
  'car.verify': (d) =>
    parseWith(CarCommandSchemas.verifyEffectiveness, {
      op: 'verifyEffectiveness',
      effective:
        str(d, 'effective') === 'true' ? true : str(d, 'effective') === 'false' ? false : undefined,
      evidence: str(d, 'evidence'),
    }),
  'car.close': (d) =>
    parseWith(CarCommandSchemas.close, {
      op: 'close',
      summary: str(d, 'summary'),
      ismsChangeNeeded: flag(d, 'ismsChangeNeeded'),
      ismsChangeDescription: filled(d, 'ismsChangeDescription') ?? null,
      feedsManagementReview: flag(d, 'feedsManagementReview'),
    }),
};

const FormIdSchema = z.string().regex(/^[\w-]{8,100}$/);

/** The report form's inputs as the report use case takes them, and its idempotency key. */
export function reportFromCard(d: CardData): { input: ReportInput; idempotencyKey: string } {
  const formId = parseWith(FormIdSchema, d.formId);
  const input = parseWith(ReportInputSchema, {
    type: str(d, 'type'),
    relatesTo: ids(d, 'relatesTo'),
    source: filled(d, 'source') ?? 'member_report',
    title: str(d, 'title'),
    description: str(d, 'description'),
    occurredAt: filled(d, 'occurredOn') ?? null,
    location: str(d, 'location') ?? '',
    affected: str(d, 'affected') ?? '',
    immediateAction: str(d, 'immediateAction') ?? '',
    confidential: flag(d, 'confidential'),
  });
  return { input, idempotencyKey: `card-${formId}` };
}
