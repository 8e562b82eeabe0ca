import { z } from 'zod';
import type { Car } from '../../domain/car/car.js';
import type { AuditSeal } from '../audit/audit-seal.js';
import {
  checkRecordAgainstHead,
  type SealedEntry,
  type StoredEntry,
  type TrailHead,
} from '../audit/audit-trail.js';
import { signCheckpoint, type SignedCheckpoint } from '../audit/checkpoints.js';
import { A, C, K } from './rectify-lists.js';
import type { Fields } from './sharepoint-list-client.js';

/**
 * The CAR audit trail on SharePoint: one item per operation on the audit list, holding the
 * entry's exact text and its MAC; the CAR item keeps the head and a copy of the head's audit
 * item (so that a read checks its record in the same round trip); the checkpoints list keeps
 * a signed copy of every head, written in the same $batch as the CAR write.
 */

const AuditItemSchema = z.object({
  [A.title]: z.string(),
  [A.carId]: z.string(),
  [A.writeId]: z.string(),
  [A.actorId]: z.string(),
  [A.actorName]: z.string(),
  [A.at]: z.string(),
  [A.reason]: z.string().nullable().optional(),
  [A.firstSequence]: z.number(),
  [A.lastSequence]: z.number(),
  [A.entries]: z.string(),
});
export type AuditItemFields = z.infer<typeof AuditItemSchema>;

const EntriesSchema = z.object({ v: z.literal(2), mac: z.string(), entry: z.string() });

export const AUDIT_SELECT: readonly string[] = Object.values(A);

/** The audit item of one write. */
export function trailItemFields(writeId: string, sealed: SealedEntry): AuditItemFields {
  const e = sealed.entry;
  return {
    [A.title]: e.operation.slice(0, 255),
    [A.carId]: e.carId,
    [A.writeId]: writeId,
    [A.actorId]: e.actor.id,
    [A.actorName]: e.actor.name.slice(0, 255),
    [A.at]: e.at,
    [A.reason]: e.reason,
    [A.firstSequence]: e.seq,
    [A.lastSequence]: e.seq,
    [A.entries]: JSON.stringify({ v: 2, mac: sealed.mac, entry: sealed.text }),
  };
}

/** Parses the audit item fields a CAR item keeps (its last write's), or throws. */
export function parseAuditItem(value: unknown, what: string): AuditItemFields {
  const parsed = AuditItemSchema.safeParse(value);
  if (!parsed.success) throw new Error(`${what} is not an audit item`);
  return parsed.data;
}

/** The stored entry of an audit item (text and MAC exactly as written), or throws. */
export function storedEntryOfItem(fields: Fields, what: string): StoredEntry {
  const f = parseAuditItem(fields, what);
  let json: unknown;
  try {
    json = JSON.parse(f[A.entries]);
  } catch (e) {
    throw new Error(`${what} holds no readable entry`, { cause: e });
  }
  const parsed = EntriesSchema.safeParse(json);
  if (!parsed.success) throw new Error(`${what} holds an entry of an older format`);
  return { text: parsed.data.entry, mac: parsed.data.mac };
}

/** The item of the checkpoints list for a head. */
export function checkpointItemFields(
  seal: AuditSeal,
  store: string,
  carId: string,
  head: TrailHead,
  at: string,
): Record<string, unknown> {
  const signed = signCheckpoint(seal, store, carId, head, at);
  return {
    [K.title]: `${carId} #${head.seq}`,
    [K.carId]: carId,
    [K.sequence]: head.seq,
    [K.checkpoint]: `${signed.text}\t${signed.sig}`,
  };
}

export function signedCheckpointOf(fields: Fields): SignedCheckpoint {
  const value = fields[K.checkpoint];
  const raw = typeof value === 'string' ? value : '';
  const tab = raw.lastIndexOf('\t');
  return tab < 0 ? { text: raw, sig: '' } : { text: raw.slice(0, tab), sig: raw.slice(tab + 1) };
}

/** Columns kept beside the record, and how to compare what SharePoint gives back. */
type ColumnKind = 'text' | 'instant' | 'flag' | 'day';

const CHECKED: readonly { readonly name: string; readonly kind: ColumnKind }[] = [
  { name: C.title, kind: 'text' },
  { name: C.number, kind: 'text' },
  { name: C.state, kind: 'text' },
  { name: C.type, kind: 'text' },
  { name: C.classification, kind: 'text' },
  { name: C.severity, kind: 'text' },
  { name: C.confidential, kind: 'flag' },
  { name: C.reporterId, kind: 'text' },
  { name: C.reporterName, kind: 'text' },
  { name: C.reportedAt, kind: 'instant' },
  { name: C.changedAt, kind: 'instant' },
  { name: C.recordedOn, kind: 'day' },
  { name: C.nextDue, kind: 'day' },
  { name: C.actionOwnerIds, kind: 'text' },
  { name: C.actionOwnerNames, kind: 'text' },
  { name: C.actionKinds, kind: 'text' },
  { name: C.sortReported, kind: 'text' },
  { name: C.sortUpdated, kind: 'text' },
  { name: C.sortNumberAsc, kind: 'text' },
  { name: C.sortNumberDesc, kind: 'text' },
  { name: C.sortDueAsc, kind: 'text' },
  { name: C.sortDueDesc, kind: 'text' },
];

/** The columns a check reads besides the record. */
export const CHECKED_COLUMNS: readonly string[] = CHECKED.map((c) => c.name);

const HOUR = 3_600_000;

/**
 * A date-only column holds a day in the site's time zone and answers its midnight there
 * (https://learn.microsoft.com/en-us/graph/api/resources/datetimecolumn); the record's day is
 * written as its noon in the organisation's time zone (`expected`). The stored value says the
 * record's day when it lies in the 24 hours up to that noon: the day's midnight in a site up
 * to 12 hours either side, or the noon itself. A day before or after is outside.
 */
function sameDay(stored: unknown, expected: unknown): boolean {
  if (stored === null || stored === undefined || stored === '')
    return expected === null || expected === undefined || expected === '';
  if (typeof stored !== 'string' || typeof expected !== 'string') return false;
  const at = Date.parse(stored);
  const noon = Date.parse(expected);
  if (Number.isNaN(at) || Number.isNaN(noon)) return false;
  return at > noon - 24 * HOUR && at <= noon;
}

function comparable(
  kind: 'text' | 'instant' | 'flag',
  value: unknown,
): string | number | boolean | null {
  if (value === null || value === undefined || value === '') return kind === 'flag' ? false : null;
  if (kind === 'flag') return value === true;
  if (kind === 'instant') {
    const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
    // SharePoint keeps date and time to the second.
    return Number.isNaN(ms) ? JSON.stringify(value) : Math.floor(ms / 1000);
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Every column whose value is not what the record gives (`expected`: carFields of the record). */
export function columnProblemsOfItem(
  fields: Fields,
  expected: Readonly<Record<string, unknown>>,
): string[] {
  return CHECKED.filter((c) =>
    c.kind === 'day'
      ? !sameDay(fields[c.name], expected[c.name])
      : comparable(c.kind, fields[c.name]) !== comparable(c.kind, expected[c.name]),
  ).map(
    (c) =>
      `column ${c.name} is ${JSON.stringify(fields[c.name] ?? null)} but the record says ${JSON.stringify(expected[c.name] ?? null)}`,
  );
}

/**
 * The check of a CAR item as read: the head entry it keeps is authentic and sealed this very
 * record, and the indexed columns say what the record says. Null when it holds.
 */
export function checkCarItem(input: {
  readonly seal: AuditSeal;
  readonly store: string;
  readonly car: Car;
  readonly fields: Fields;
  readonly head: TrailHead;
  readonly lastAudit: AuditItemFields | null;
  readonly expected: Readonly<Record<string, unknown>>;
}): string | null {
  const recordText = input.fields[C.record];
  if (typeof recordText !== 'string') return 'the item holds no record';
  let headEntry: StoredEntry | null = null;
  try {
    headEntry =
      input.lastAudit === null ? null : storedEntryOfItem(input.lastAudit, 'the head audit item');
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  return (
    checkRecordAgainstHead({
      seal: input.seal,
      store: input.store,
      carId: input.car.id,
      head: input.head.seq === 0 ? null : input.head,
      headEntry,
      recordText,
    }) ??
    columnProblemsOfItem(input.fields, input.expected)[0] ??
    null
  );
}
