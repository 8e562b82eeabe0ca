import { CLASSIFICATIONS, REPORT_TYPES, SEVERITIES } from '../../domain/car/car-vocabulary.js';
import { CAR_STATES } from '../../domain/car/lifecycle.js';

/**
 * The SharePoint lists Rectify keeps its records in, as provisioning creates them. Internal
 * column names are this adapter's business and never leave src/infrastructure/graph; the
 * committee sees the display names. Every column the product filters or sorts on is indexed
 * (a list past 5,000 items refuses queries on other columns). Person data is an Entra object
 * id plus a display name in text columns: Person columns take a site-local lookup id and
 * fail for users who never visited the site (PLATFORM.md). Hyperlinks would be text too.
 */

export type ColumnFacet =
  | { readonly text: { readonly allowMultipleLines?: boolean; readonly maxLength?: number } }
  | { readonly number: { readonly decimalPlaces?: 'none' } }
  | { readonly dateTime: { readonly format: 'dateOnly' | 'dateTime' } }
  | { readonly boolean: Record<string, never> }
  | {
      readonly choice: { readonly choices: readonly string[]; readonly displayAs: 'dropDownMenu' };
    };

export type ColumnSpec = {
  readonly name: string;
  readonly displayName: string;
  readonly description: string;
  readonly indexed: boolean;
  readonly enforceUniqueValues: boolean;
  readonly hidden: boolean;
} & ColumnFacet;

/** A committee view: provisioned through SharePoint REST (Graph has no list views API). */
export interface ViewSpec {
  readonly title: string;
  /** CAML <Where> ... </Where> and <OrderBy>, on the internal names. */
  readonly query: string;
  readonly fields: readonly string[];
}

export interface ListSpec {
  readonly displayName: string;
  readonly description: string;
  readonly columns: readonly ColumnSpec[];
  readonly views: readonly ViewSpec[];
}

const col = (
  name: string,
  displayName: string,
  facet: ColumnFacet,
  options: { indexed?: boolean; unique?: boolean; hidden?: boolean; description?: string } = {},
): ColumnSpec => ({
  name,
  displayName,
  description: options.description ?? '',
  indexed: options.indexed === true || options.unique === true,
  enforceUniqueValues: options.unique === true,
  hidden: options.hidden === true,
  ...facet,
});

const text = { text: { maxLength: 255 } } as const;
const note = { text: { allowMultipleLines: true } } as const;
const date = { dateTime: { format: 'dateOnly' } } as const;
const instant = { dateTime: { format: 'dateTime' } } as const;
const choice = (choices: readonly string[]): ColumnFacet => ({
  choice: { choices, displayAs: 'dropDownMenu' },
});

/** Internal names of the CAR list's columns. */
export const C = {
  title: 'Title',
  carId: 'CarId',
  number: 'CarNumber',
  state: 'CarState',
  type: 'ReportType',
  classification: 'Classification',
  severity: 'Severity',
  confidential: 'Confidential',
  reporterId: 'ReporterId',
  reporterName: 'ReporterName',
  reportedAt: 'ReportedAt',
  changedAt: 'LastChangedAt',
  recordedOn: 'RecordedOn',
  nextDue: 'NextDueDate',
  actionOwnerIds: 'ActionOwnerIds',
  actionOwnerNames: 'ActionOwnerNames',
  actionKinds: 'ActionKinds',
  sortReported: 'SortReported',
  sortUpdated: 'SortUpdated',
  sortNumberAsc: 'SortNumberAsc',
  sortNumberDesc: 'SortNumberDesc',
  sortDueAsc: 'SortDueAsc',
  sortDueDesc: 'SortDueDesc',
  idempotencyKey: 'IdempotencyKey',
  idempotencyFingerprint: 'IdempotencyFingerprint',
  writeId: 'WriteId',
  auditHead: 'AuditHead',
  lastAudit: 'LastAudit',
  record: 'CarRecord',
} as const;

/** Internal names of the audit list's columns. */
export const A = {
  title: 'Title',
  carId: 'CarId',
  writeId: 'WriteId',
  actorId: 'ActorId',
  actorName: 'ActorName',
  at: 'At',
  reason: 'Reason',
  firstSequence: 'FirstSequence',
  lastSequence: 'LastSequence',
  entries: 'Entries',
} as const;

/** Internal names of the audit checkpoints list's columns. */
export const K = {
  title: 'Title',
  carId: 'CarId',
  sequence: 'EntryNumber',
  checkpoint: 'Checkpoint',
} as const;

/** Internal names of the sequences list's columns. */
export const S = {
  key: 'SequenceKey',
  lastValue: 'LastValue',
  holderId: 'HolderId',
  orphans: 'Orphans',
} as const;

const CAR_FIELDS = [
  C.number,
  'Title',
  C.state,
  C.classification,
  C.severity,
  C.reporterName,
  C.nextDue,
];

export const CARS_LIST: ListSpec = {
  displayName: 'Corrective Action Reports',
  description:
    'ISMS nonconformities and corrective actions (ISO/IEC 27001 clause 10.2), kept by Rectify. Edit through Rectify only.',
  columns: [
    col(C.carId, 'Record id', text, { unique: true, hidden: true }),
    col(C.number, 'CAR number', text, { unique: true }),
    col(C.state, 'State', choice(CAR_STATES), { indexed: true }),
    col(C.type, 'Type of event', choice(REPORT_TYPES), { indexed: true }),
    col(C.classification, 'Classification', choice(CLASSIFICATIONS), { indexed: true }),
    col(C.severity, 'Severity', choice(SEVERITIES)),
    col(C.confidential, 'Confidential', { boolean: {} }),
    col(C.reporterId, 'Reporter (Entra object id)', text, { indexed: true }),
    col(C.reporterName, 'Reporter', text),
    col(C.reportedAt, 'Reported', instant, { indexed: true }),
    col(C.changedAt, 'Last changed', instant, { indexed: true }),
    col(C.recordedOn, 'Recorded on', date, { indexed: true }),
    col(C.nextDue, 'Next due', date, { indexed: true }),
    col(C.actionOwnerIds, 'Action owners (Entra object ids)', note),
    col(C.actionOwnerNames, 'Action owners', note),
    col(C.actionKinds, 'Action kinds', text),
    col(C.sortReported, 'Sort key: reported', text, { indexed: true, hidden: true }),
    col(C.sortUpdated, 'Sort key: last changed', text, { indexed: true, hidden: true }),
    col(C.sortNumberAsc, 'Sort key: number ascending', text, { indexed: true, hidden: true }),
    col(C.sortNumberDesc, 'Sort key: number descending', text, { indexed: true, hidden: true }),
    col(C.sortDueAsc, 'Sort key: due ascending', text, { indexed: true, hidden: true }),
    col(C.sortDueDesc, 'Sort key: due descending', text, { indexed: true, hidden: true }),
    col(C.idempotencyKey, 'Idempotency key', text, { unique: true, hidden: true }),
    col(C.idempotencyFingerprint, 'Idempotency fingerprint', text, { hidden: true }),
    col(C.writeId, 'Last write', text, { indexed: true, hidden: true }),
    col(C.auditHead, 'Audit chain head', text, { hidden: true }),
    col(C.lastAudit, 'Last audit entry', note, { hidden: true }),
    col(C.record, 'CAR record (JSON)', note, { hidden: true }),
  ],
  views: [
    {
      title: 'Open CARs',
      query: `<Where><And><IsNotNull><FieldRef Name="${C.number}"/></IsNotNull><Neq><FieldRef Name="${C.state}"/><Value Type="Text">closed</Value></Neq></And></Where><OrderBy><FieldRef Name="${C.number}"/></OrderBy>`,
      fields: CAR_FIELDS,
    },
    {
      title: 'Overdue',
      query: `<Where><And><Lt><FieldRef Name="${C.nextDue}"/><Value Type="DateTime"><Today/></Value></Lt><Neq><FieldRef Name="${C.state}"/><Value Type="Text">closed</Value></Neq></And></Where><OrderBy><FieldRef Name="${C.nextDue}"/></OrderBy>`,
      fields: CAR_FIELDS,
    },
    {
      title: 'Recorded this quarter',
      query: `<Where><Geq><FieldRef Name="${C.recordedOn}"/><Value Type="DateTime"><Today OffsetDays="-92"/></Value></Geq></Where><OrderBy><FieldRef Name="${C.number}"/></OrderBy>`,
      fields: CAR_FIELDS,
    },
    {
      title: 'By classification',
      query: `<GroupBy Collapse="FALSE"><FieldRef Name="${C.classification}"/></GroupBy><OrderBy><FieldRef Name="${C.number}"/></OrderBy>`,
      fields: CAR_FIELDS,
    },
  ],
};

export const AUDIT_LIST: ListSpec = {
  displayName: 'CAR Audit Trail',
  description: 'Append-only, hash-chained trail of every change to a CAR. Written by Rectify only.',
  columns: [
    col(A.carId, 'Record id', text, { indexed: true }),
    col(A.writeId, 'Write id', text, { unique: true, hidden: true }),
    col(A.actorId, 'Actor (Entra object id)', text),
    col(A.actorName, 'Actor', text),
    col(A.at, 'When (UTC)', instant, { indexed: true }),
    col(A.reason, 'Reason', note),
    col(A.firstSequence, 'First entry', { number: { decimalPlaces: 'none' } }),
    col(A.lastSequence, 'Last entry', { number: { decimalPlaces: 'none' } }),
    col(A.entries, 'Entries (JSON, hash-chained)', note),
  ],
  views: [],
};

/**
 * Signed copies of every CAR's audit head, kept apart from the CAR and audit lists: a trail cut
 * back to an earlier entry (with its record) still shows against the last checkpoint.
 */
export const CHECKPOINTS_LIST: ListSpec = {
  displayName: 'CAR Audit Checkpoints',
  description:
    'Signed checkpoints of the head of every CAR audit trail, checked by audit:verify. Written by Rectify only.',
  columns: [
    col(K.carId, 'Record id', text, { indexed: true }),
    col(K.sequence, 'Entry number', { number: { decimalPlaces: 'none' } }),
    col(K.checkpoint, 'Checkpoint (signed)', note),
  ],
  views: [],
};

export const SEQUENCES_LIST: ListSpec = {
  displayName: 'Rectify Sequences',
  description: 'Counters Rectify hands CAR numbers out from. Do not edit.',
  columns: [
    col(S.key, 'Sequence', text, { unique: true }),
    col(S.lastValue, 'Last value', { number: { decimalPlaces: 'none' } }),
    col(S.holderId, 'Last taken by (record id)', text),
    col(S.orphans, 'Numbers to hand out again', text),
  ],
  views: [],
};

/** Internal names of the shared state list's columns (the StateStore). */
export const T = {
  title: 'Title',
  key: 'StateKey',
  kind: 'StateKind',
  due: 'StateDue',
  value: 'StateValue',
  createId: 'CreateId',
  writeId: 'WriteId',
} as const;

export const STATE_LIST: ListSpec = {
  displayName: 'Rectify State',
  description:
    'Small records Rectify shares between its running instances: notifications to send, processed card actions, conversations. Do not edit.',
  columns: [
    col(T.key, 'Key (encoded)', text, { unique: true, hidden: true }),
    col(T.kind, 'Kind', text, { indexed: true }),
    col(T.due, 'Due (UTC)', text, { indexed: true }),
    col(T.value, 'Value (JSON)', note),
    col(T.createId, 'Created by write', text, { hidden: true }),
    col(T.writeId, 'Last write', text, { hidden: true }),
  ],
  views: [],
};

export const RECTIFY_LISTS: readonly ListSpec[] = [
  CARS_LIST,
  AUDIT_LIST,
  SEQUENCES_LIST,
  STATE_LIST,
  CHECKPOINTS_LIST,
];
