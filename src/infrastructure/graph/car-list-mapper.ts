import { createHash } from 'node:crypto';
import { z } from 'zod';
import { CarRecordSchema } from '../../application/ports/car-record-schema.js';
import { parseCarNumber } from '../../domain/car/car-number.js';
import type { CarSortField, IdempotencyClaim, StoredCar } from '../../domain/car/car-repository.js';
import { Car } from '../../domain/car/car.js';
import type { TrailHead } from '../audit/audit-trail.js';
import { CHECKED_COLUMNS, parseAuditItem, type AuditItemFields } from './graph-car-trail.js';
import { C } from './rectify-lists.js';
import type { ListItem } from './sharepoint-list-client.js';

/**
 * Between a CAR and its list item. Only this file and the repository know the column names;
 * what comes back from SharePoint is parsed with a schema before the domain sees it.
 */

/** What the adapter keeps about the item a CAR was read from, to write it back. */
export interface ItemMeta {
  readonly itemId: string;
  readonly etag: string;
  readonly writeId: string;
  readonly auditHead: TrailHead;
  /** The audit item of the last write, kept on the CAR until it is surely in the audit list. */
  readonly lastAudit: AuditItemFields | null;
  /**
   * This instance saw that audit item stored (201, or 409: already there), so the next write
   * need not send it again. False for whatever is read from SharePoint.
   */
  readonly lastAuditStored: boolean;
}

const EnvelopeSchema = z.object({
  v: z.literal(1),
  updatedAt: z.string(),
  car: CarRecordSchema,
});

const CarItemSchema = z.object({
  [C.carId]: z.string(),
  [C.writeId]: z.string(),
  [C.auditHead]: z.string().regex(/^\d+:[0-9a-f]{64}$/),
  [C.lastAudit]: z.string().nullable().optional(),
  [C.record]: z.string(),
  [C.idempotencyFingerprint]: z.string().nullable().optional(),
});

/** The columns a read of a CAR needs. */
export const CAR_SELECT: readonly string[] = [
  C.carId,
  C.writeId,
  C.auditHead,
  C.lastAudit,
  C.record,
  C.idempotencyFingerprint,
  ...CHECKED_COLUMNS,
];

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new Error(`${what} is not valid JSON`, { cause: e });
  }
}

function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new Error(`${what} does not match its schema: ${z.prettifyError(parsed.error)}`, {
      cause: parsed.error,
    });
  return parsed.data;
}

/** Instants are stored in one spelling, with milliseconds, so that they compare as text. */
export function normalisedInstant(value: string, what: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new Error(`${what} is not an ISO instant: ${value}`);
  return new Date(ms).toISOString();
}

/** A tie-breaker that sorts the same everywhere: hex digits, which every collation orders alike. */
const tie = (carId: string): string =>
  createHash('sha256').update(carId, 'utf8').digest('hex').slice(0, 24);

const epochKey = (instant: string): string => String(Date.parse(instant)).padStart(15, '0');

export interface SortColumns {
  readonly [C.sortReported]: string;
  readonly [C.sortUpdated]: string;
  readonly [C.sortNumberAsc]: string;
  readonly [C.sortNumberDesc]: string;
  readonly [C.sortDueAsc]: string;
  readonly [C.sortDueDesc]: string;
}

/**
 * One text column per sort order, each value unique (the tie-breaker) so that a page can start
 * strictly after the last key seen. Nullable sorts get two columns so that "nothing" sorts last
 * both ways.
 */
export function sortColumns(car: Car, updatedAt: string): SortColumns {
  const p = car.toPrimitives();
  const t = tie(p.id);
  const n = p.number === null ? null : parseCarNumber(p.number);
  const numberKey = n === null ? null : `${n.year}${String(n.sequence).padStart(8, '0')}`;
  const due = car.nextDueDate();
  const dueKey = due === null ? null : due.replace(/-/g, '');
  return {
    [C.sortReported]: `${epochKey(p.reportedAt)}${t}`,
    [C.sortUpdated]: `${epochKey(updatedAt)}${t}`,
    [C.sortNumberAsc]: numberKey === null ? `9${t}` : `1${numberKey}${t}`,
    [C.sortNumberDesc]: numberKey === null ? `0${t}` : `5${numberKey}${t}`,
    [C.sortDueAsc]: dueKey === null ? `9${t}` : `1${dueKey}${t}`,
    [C.sortDueDesc]: dueKey === null ? `0${t}` : `5${dueKey}${t}`,
  };
}

export function sortColumnOf(sort: CarSortField, order: 'asc' | 'desc'): keyof SortColumns {
  switch (sort) {
    case 'reportedAt':
      return C.sortReported;
    case 'updatedAt':
      return C.sortUpdated;
    case 'number':
      return order === 'asc' ? C.sortNumberAsc : C.sortNumberDesc;
    case 'dueDate':
      return order === 'asc' ? C.sortDueAsc : C.sortDueDesc;
  }
}

/** Scope and key in one fixed-length value for the unique column. */
export const idempotencyKeyOf = (claim: IdempotencyClaim): string =>
  createHash('sha256')
    .update(JSON.stringify([claim.scope, claim.key]), 'utf8')
    .digest('hex');

export interface WriteState {
  readonly updatedAt: string;
  readonly writeId: string;
  readonly auditHead: TrailHead;
  readonly lastAudit: AuditItemFields;
  /** The record column's text (`recordTextOf`), which the audit entry seals. */
  readonly recordText: string;
  /** The organisation's time zone, for date-only columns (UTC when not given). */
  readonly timeZone?: string | undefined;
}

/** The text of the record column: what the audit entry's digest covers. */
export const recordTextOf = (car: Car, updatedAt: string): string =>
  JSON.stringify({ v: 1, updatedAt, car: car.toPrimitives() });

const uniqueList = (values: readonly string[]): string =>
  values.length === 0 ? '' : `;${[...new Set(values)].join(';')};`;

/**
 * A day for a date-only column. SharePoint keeps the day the instant falls on in the site's
 * time zone (https://learn.microsoft.com/en-us/graph/api/resources/datetimecolumn), so the day
 * is written as its noon in the organisation's time zone: the same day for a site up to 11
 * hours either side of it (midnight UTC is the day before anywhere west of UTC).
 */
export function dateOnlyInstant(day: string, timeZone = 'UTC'): string {
  const noonUtc = Date.parse(`${day}T12:00:00Z`);
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(new Date(noonUtc));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
  return new Date(noonUtc - (local - noonUtc)).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The columns kept beside the record (for filtering, sorting and the committee's views). */
export function indexedFieldsOf(
  car: Car,
  updatedAt: string,
  timeZone?: string,
): Record<string, unknown> {
  const p = car.toPrimitives();
  const live = p.actions.filter((a) => a.status !== 'cancelled');
  const due = car.nextDueDate();
  return {
    [C.title]: p.report.title.slice(0, 255),
    [C.number]: p.number,
    [C.state]: p.state,
    [C.type]: p.report.type,
    [C.classification]: p.classification,
    [C.severity]: p.severity,
    [C.confidential]: p.report.confidential,
    [C.reporterId]: p.reporter.id,
    [C.reporterName]: p.reporter.name.slice(0, 255),
    [C.reportedAt]: normalisedInstant(p.reportedAt, `reportedAt of CAR ${p.id}`),
    [C.changedAt]: updatedAt,
    [C.recordedOn]:
      p.triage?.decision === 'recorded' ? dateOnlyInstant(p.triage.on, timeZone) : null,
    [C.nextDue]: due === null ? null : dateOnlyInstant(due, timeZone),
    [C.actionOwnerIds]: uniqueList(live.map((a) => a.owner.id)),
    [C.actionOwnerNames]: [...new Set(live.map((a) => a.owner.name))].join('; '),
    [C.actionKinds]: uniqueList(live.map((a) => a.kind)).slice(0, 255),
    ...sortColumns(car, updatedAt),
  };
}

/** The fields of a CAR's list item, for a create or a full update. */
export function carFields(car: Car, state: WriteState): Record<string, unknown> {
  return {
    ...indexedFieldsOf(car, state.updatedAt, state.timeZone),
    [C.carId]: car.id,
    [C.writeId]: state.writeId,
    [C.auditHead]: `${state.auditHead.seq}:${state.auditHead.mac}`,
    [C.lastAudit]: JSON.stringify(state.lastAudit),
    [C.record]: state.recordText,
  };
}

/** Reads a CAR list item back: a stored item that does not parse is a bug, not user input. */
export function storedCarOf(item: ListItem): {
  stored: StoredCar;
  meta: ItemMeta;
  fingerprint: string | null;
} {
  const what = `CAR list item ${item.id}`;
  const f = parseOrThrow(CarItemSchema, item.fields, what);
  const envelope = parseOrThrow(EnvelopeSchema, parseJson(f[C.record], what), what);
  if (envelope.car.id !== f[C.carId])
    throw new Error(`${what} holds the body of CAR ${envelope.car.id}, not ${f[C.carId]}`);
  const [seq = '0', hash = ''] = f[C.auditHead].split(':');
  const lastAuditText = f[C.lastAudit];
  const lastAudit =
    lastAuditText === null || lastAuditText === undefined || lastAuditText === ''
      ? null
      : parseAuditItem(parseJson(lastAuditText, what), `${what} last audit`);
  return {
    stored: {
      car: Car.fromPrimitives(envelope.car),
      etag: item.etag,
      updatedAt: envelope.updatedAt,
    },
    meta: {
      itemId: item.id,
      etag: item.etag,
      writeId: f[C.writeId],
      auditHead: { seq: Number(seq), mac: hash },
      lastAudit,
      lastAuditStored: false,
    },
    fingerprint: f[C.idempotencyFingerprint] ?? null,
  };
}
