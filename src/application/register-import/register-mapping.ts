import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { isLocalDate, type LocalDate } from '../../domain/calendar/local-date.js';
import {
  ACTION_KIND_LABELS,
  CAUSE_CATEGORY_LABELS,
  CLASSIFICATION_LABELS,
  RELATES_TO_LABELS,
  REPORT_TYPE_LABELS,
  SEVERITY_LABELS,
  SOURCE_LABELS,
} from '../../domain/car/car-labels.js';
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
import { IMPORTABLE_STATES } from '../../domain/car/imported-car.js';
import { ACTION_STATUS_LABELS, STATE_LABELS } from '../exports/register-rows.js';

import type { RegisterCell, RegisterTable } from '../ports/register-table.js';

export type { RegisterCell, RegisterTable };

/** The CAR fields a register column can fill. */
export const IMPORT_FIELDS = [
  'number',
  'state',
  'title',
  'description',
  'reportType',
  'relatesTo',
  'source',
  'occurredAt',
  'location',
  'affected',
  'immediateAction',
  'reportedBy',
  'reportedOn',
  'recordedOn',
  'classification',
  'severity',
  'containment',
  'rootCause',
  'causeCategory',
  'actionTitle',
  'actionKind',
  'actionOwner',
  'actionDue',
  'actionStatus',
  'actionCompletedOn',
  'closedOn',
  'closureSummary',
  'rejectionReason',
] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];

/** Header words that name each field in registers people keep (compared without case or punctuation). */
const SYNONYMS: Record<ImportField, readonly string[]> = {
  number: [
    'car number',
    'car no',
    'nc no',
    'nc number',
    'number',
    'no',
    'ref',
    'reference',
    'id',
    'car',
  ],
  state: ['state', 'status', 'car status', 'nc status'],
  title: ['title', 'summary', 'title summary', 'subject', 'nonconformity', 'non conformance'],
  description: ['description', 'what happened', 'details', 'finding', 'nonconformity description'],
  reportType: ['report type', 'type', 'nc type', 'failure type'],
  relatesTo: ['relates to', 'area', 'category'],
  source: ['source', 'how it was recognised', 'origin', 'raised from'],
  occurredAt: ['when it happened', 'date occurred', 'occurred', 'incident date'],
  location: ['where', 'location', 'site'],
  affected: ['who or what is affected', 'affected', 'asset'],
  immediateAction: ['immediate action taken', 'immediate action'],
  reportedBy: ['reported by', 'raised by', 'reporter', 'originator'],
  reportedOn: ['reported at', 'date raised', 'date reported', 'reported', 'raised', 'date'],
  recordedOn: ['triage date', 'date recorded', 'recorded', 'recorded on', 'date logged'],
  classification: ['classification', 'grade', 'nc grade', 'major minor'],
  severity: ['severity', 'priority', 'risk'],
  containment: ['containment correction', 'containment', 'correction'],
  rootCause: ['root cause', 'cause', 'root cause analysis'],
  causeCategory: ['cause category', 'root cause category'],
  actionTitle: [
    'corrective action',
    'action',
    'actions',
    'corrective action description',
    'action description',
  ],
  actionKind: ['action kind', 'action type'],
  actionOwner: ['action owner', 'owner', 'responsible', 'corrective action owner', 'actionee'],
  actionDue: ['target date', 'due date', 'action due', 'corrective action target date', 'due'],
  actionStatus: ['action status', 'corrective action status'],
  actionCompletedOn: [
    'action completed',
    'date completed',
    'completion date',
    'corrective action completed',
  ],
  closedOn: ['date closed', 'closed at', 'closed', 'closure date', 'closed on'],
  closureSummary: ['closure summary', 'closure comments', 'verification', 'closure notes'],
  rejectionReason: ['rejection reason', 'triage reason', 'reason rejected'],
};

export const normalHeader = (h: string): string =>
  h
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

/** A column per field, guessed from the header texts; a header matched by two fields goes to the first. */
export function suggestMapping(headers: readonly string[]): Record<string, ImportField> {
  const columns: Record<string, ImportField> = {};
  const taken = new Set<ImportField>();
  // Exact names first, so that "Action status" is not taken by "status".
  for (const header of headers) {
    const h = normalHeader(header);
    const field = IMPORT_FIELDS.find((f) => !taken.has(f) && SYNONYMS[f].includes(h));
    if (field) {
      columns[header] = field;
      taken.add(field);
    }
  }
  return columns;
}

const VALUE_FIELDS = [
  'state',
  'classification',
  'severity',
  'reportType',
  'relatesTo',
  'source',
  'causeCategory',
  'actionKind',
  'actionStatus',
] as const;
type ValueField = (typeof VALUE_FIELDS)[number];

/**
 * `mapping.yaml`: which column fills which field (for the headers the suggestion does not
 * know), what the register's words mean, and how its dates are written.
 *
 * ```yaml
 * columns:
 *   "NC Ref": number
 *   "Lead auditor comments": closureSummary
 * values:
 *   state: { "Open": implementing, "Awaiting verification": verifying }
 *   classification: { "Cat 1": major_nc, "Cat 2": minor_nc }
 * dates: dmy            # 03/04/2024 is 3 April (mdy: 4 March)
 * ```
 */
export interface RegisterMapping {
  readonly columns: Readonly<Record<string, ImportField>>;
  readonly values: Partial<Record<ValueField, Readonly<Record<string, string>>>>;
  readonly dates: 'dmy' | 'mdy';
}

const MappingSchema = z
  .object({
    columns: z.record(z.string(), z.enum(IMPORT_FIELDS)).default({}),
    values: z
      .object(
        Object.fromEntries(
          VALUE_FIELDS.map((f) => [f, z.record(z.string(), z.string()).optional()]),
        ) as Record<ValueField, z.ZodOptional<z.ZodRecord<z.ZodString, z.ZodString>>>,
      )
      .strict()
      .default({}),
    dates: z.enum(['dmy', 'mdy']).default('dmy'),
  })
  .strict();

export function parseMappingFile(
  text: string,
): { ok: true; mapping: Partial<RegisterMapping> } | { ok: false; reason: string } {
  let raw: unknown;
  try {
    raw = parseYaml(text, { uniqueKeys: true }) ?? {};
  } catch (e) {
    return {
      ok: false,
      reason: `broken YAML: ${(e instanceof Error ? e.message : String(e)).split('\n')[0] ?? ''}`,
    };
  }
  const parsed = MappingSchema.safeParse(raw);
  if (!parsed.success)
    return {
      ok: false,
      reason: parsed.error.issues
        .map((i) => `${i.path.join('.') || 'mapping'}: ${i.message}`)
        .join('; '),
    };
  return { ok: true, mapping: parsed.data };
}

/** The suggestion for these headers, with the mapping file's columns and values over it. */
export function mappingFor(
  headers: readonly string[],
  given: Partial<RegisterMapping> = {},
): RegisterMapping {
  const suggested = suggestMapping(headers);
  const columns: Record<string, ImportField> = {};
  const byNormal = new Map(headers.map((h) => [normalHeader(h), h]));
  const overridden = new Set<ImportField>();
  for (const [header, field] of Object.entries(given.columns ?? {})) {
    const real = byNormal.get(normalHeader(header));
    if (real !== undefined) {
      columns[real] = field;
      overridden.add(field);
    }
  }
  for (const [header, field] of Object.entries(suggested))
    if (columns[header] === undefined && !overridden.has(field)) columns[header] = field;
  return { columns, values: given.values ?? {}, dates: given.dates ?? 'dmy' };
}

// ---- values ------------------------------------------------------------------------------

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

const isoDay = (y: number, m: number, d: number): LocalDate | null => {
  const s = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  return isLocalDate(s) ? s : null;
};

/** Excel's day 1 is 1900-01-01, with its 1900 leap-year bug: serial 25569 is 1970-01-01. */
const fromSerial = (n: number): LocalDate | null =>
  n > 0 && n < 2958466
    ? (new Date(Math.round((n - 25569) * 86_400_000)).toISOString().slice(0, 10) as LocalDate)
    : null;

/**
 * A day as registers write it: 2024-03-05, 05/03/2024 or 5.3.24 (day first unless the mapping
 * says mdy), 5 March 2024, March 5, 2024, a spreadsheet date or its serial number.
 */
export function parseRegisterDate(
  cell: RegisterCell,
  order: 'dmy' | 'mdy',
): LocalDate | null | 'invalid' {
  if (cell === null || cell === '') return null;
  if (cell instanceof Date)
    return Number.isNaN(cell.getTime())
      ? 'invalid'
      : (cell.toISOString().slice(0, 10) as LocalDate);
  if (typeof cell === 'number') return fromSerial(cell) ?? 'invalid';
  const s = String(cell).trim();
  if (s === '') return null;
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(s);
  if (m) return isoDay(Number(m[1]), Number(m[2]), Number(m[3])) ?? 'invalid';
  m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$/.exec(s);
  if (m) {
    const a = Number(m[1]);
    const b = Number(m[2]);
    const y = m[3]?.length === 2 ? 2000 + Number(m[3]) : Number(m[3]);
    return (order === 'dmy' ? isoDay(y, b, a) : isoDay(y, a, b)) ?? 'invalid';
  }
  const month = (word: string): number => MONTHS.indexOf(word.slice(0, 3).toLowerCase()) + 1;
  m = /^(\d{1,2})(?:st|nd|rd|th)?[\s-]+([A-Za-z]{3,})\.?[\s-,]+(\d{4})$/.exec(s);
  if (m && month(m[2] ?? '') > 0)
    return isoDay(Number(m[3]), month(m[2] ?? ''), Number(m[1])) ?? 'invalid';
  m = /^([A-Za-z]{3,})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$/.exec(s);
  if (m && month(m[1] ?? '') > 0)
    return isoDay(Number(m[3]), month(m[1] ?? ''), Number(m[2])) ?? 'invalid';
  return 'invalid';
}

/** The words Rectify itself writes for each code, and a few registers commonly use. */
const KNOWN_WORDS: Record<ValueField, Record<string, string>> = {
  state: {
    ...Object.fromEntries(IMPORTABLE_STATES.map((s) => [STATE_LABELS[s], s])),
    new: 'reported',
    open: 'recorded',
    'in progress': 'implementing',
    'under investigation': 'investigating',
    'awaiting verification': 'verifying',
    complete: 'closed',
    completed: 'closed',
    done: 'closed',
  },
  classification: {
    ...Object.fromEntries(CLASSIFICATIONS.map((c) => [CLASSIFICATION_LABELS[c], c])),
    major: 'major_nc',
    minor: 'minor_nc',
    'major nonconformity': 'major_nc',
    'minor nonconformity': 'minor_nc',
    ofi: 'ofi',
    observation: 'ofi',
  },
  severity: Object.fromEntries(SEVERITIES.map((c) => [SEVERITY_LABELS[c], c])),
  reportType: {
    ...Object.fromEntries(REPORT_TYPES.map((c) => [REPORT_TYPE_LABELS[c], c])),
    incident: 'security_incident',
    'near miss': 'near_miss',
    weakness: 'near_miss',
    breach: 'isms_breach',
    nonconformance: 'policy_nonconformance',
    'non conformance': 'policy_nonconformance',
  },
  relatesTo: Object.fromEntries(RELATES_TO.map((c) => [RELATES_TO_LABELS[c], c])),
  source: {
    ...Object.fromEntries(SOURCES.map((c) => [SOURCE_LABELS[c], c])),
    audit: 'internal_audit',
    inspection: 'inspection',
  },
  causeCategory: Object.fromEntries(CAUSE_CATEGORIES.map((c) => [CAUSE_CATEGORY_LABELS[c], c])),
  actionKind: Object.fromEntries(ACTION_KINDS.map((c) => [ACTION_KIND_LABELS[c], c])),
  actionStatus: {
    ...Object.fromEntries(ACTION_STATUSES.map((c) => [ACTION_STATUS_LABELS[c], c])),
    closed: 'done',
    complete: 'done',
    completed: 'done',
    'in progress': 'open',
  },
};

const CODES: Record<ValueField, readonly string[]> = {
  state: IMPORTABLE_STATES,
  classification: CLASSIFICATIONS,
  severity: SEVERITIES,
  reportType: REPORT_TYPES,
  relatesTo: RELATES_TO,
  source: SOURCES,
  causeCategory: CAUSE_CATEGORIES,
  actionKind: ACTION_KINDS,
  actionStatus: ACTION_STATUSES,
};

/** The code a register's word stands for: the mapping's meaning, Rectify's words, or the code itself. */
export function codeFor(field: ValueField, word: string, mapping: RegisterMapping): string | null {
  const w = normalHeader(word);
  const given = Object.entries(mapping.values[field] ?? {}).find(
    ([k]) => normalHeader(k) === w,
  )?.[1];
  const code =
    given ??
    Object.entries(KNOWN_WORDS[field]).find(([k]) => normalHeader(k) === w)?.[1] ??
    CODES[field].find((c) => normalHeader(c) === w || c === word.trim());
  return code !== undefined && CODES[field].includes(code) ? code : null;
}

/** A cell as text: a spreadsheet date as its day, a number as written. */
export const cellText = (cell: RegisterCell | undefined): string | null => {
  if (cell === null || cell === undefined) return null;
  if (cell instanceof Date)
    return Number.isNaN(cell.getTime()) ? null : cell.toISOString().slice(0, 10);
  const s = String(cell).trim();
  return s === '' ? null : s;
};
