import type { RelatesTo, ReportType, Source } from '../../../../domain/car/car-vocabulary.js';
import type { ReportInput } from '../../api/types.js';

/** What the reporter has typed, as the form holds it (dates as the input gives them). */
export interface ReportFields {
  type: ReportType | '';
  relatesTo: RelatesTo[];
  source: Source;
  title: string;
  description: string;
  occurredAt: string;
  location: string;
  affected: string;
  immediateAction: string;
  confidential: boolean;
}

/**
 * A draft lives in this browser until the server confirms the report, with one
 * Idempotency-Key for its whole life: a retried submit, even after a reload, can never
 * create a second report.
 */
export interface ReportDraft {
  readonly fields: ReportFields;
  readonly idempotencyKey: string;
}

export const emptyFields = (): ReportFields => ({
  type: '',
  relatesTo: [],
  source: 'member_report',
  title: '',
  description: '',
  occurredAt: '',
  location: '',
  affected: '',
  immediateAction: '',
  confidential: false,
});

const keyOf = (personId: string) => `rectify.reportDraft.${personId}`;

export const newDraft = (fields: ReportFields = emptyFields()): ReportDraft => ({
  fields,
  idempotencyKey: crypto.randomUUID(),
});

export function loadDraft(personId: string): ReportDraft {
  const raw = localStorage.getItem(keyOf(personId));
  if (!raw) return newDraft();
  try {
    const parsed = JSON.parse(raw) as Partial<ReportDraft>;
    if (typeof parsed.idempotencyKey !== 'string' || typeof parsed.fields !== 'object')
      return newDraft();
    return {
      idempotencyKey: parsed.idempotencyKey,
      fields: { ...emptyFields(), ...parsed.fields },
    };
  } catch (e) {
    if (e instanceof SyntaxError) return newDraft();
    throw e;
  }
}

export function saveDraft(personId: string, draft: ReportDraft): void {
  localStorage.setItem(keyOf(personId), JSON.stringify(draft));
}

export function clearDraft(personId: string): void {
  localStorage.removeItem(keyOf(personId));
}

/** `datetime-local` gives local wall-clock time without an offset; the API wants one. */
export function toReportInput(fields: ReportFields): ReportInput {
  const occurred = fields.occurredAt ? new Date(fields.occurredAt) : null;
  return {
    type: fields.type as ReportType,
    relatesTo: fields.relatesTo,
    source: fields.source,
    title: fields.title,
    description: fields.description,
    occurredAt: occurred && !Number.isNaN(occurred.getTime()) ? occurred.toISOString() : null,
    location: fields.location,
    affected: fields.affected,
    immediateAction: fields.immediateAction,
    confidential: fields.confidential,
  };
}

/** The checks a person can fix before sending; the API checks everything again. */
export function checkFields(fields: ReportFields): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!fields.type) errors.type = 'Choose what kind of event this is';
  if (fields.relatesTo.length === 0) errors.relatesTo = 'Choose at least one';
  if (!fields.title.trim()) errors.title = 'Give the report a short title';
  if (!fields.description.trim()) errors.description = 'Say what happened';
  return errors;
}
