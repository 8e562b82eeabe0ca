import type { LocalDate } from '../../domain/calendar/local-date.js';
import { isLocalDate } from '../../domain/calendar/local-date.js';
import {
  ACTION_STATUSES,
  CAUSE_CATEGORIES,
  CLASSIFICATIONS,
  RELATES_TO,
  REPORT_TYPES,
  SEVERITIES,
  SOURCES,
} from '../../domain/car/car-vocabulary.js';
import { CAR_STATES } from '../../domain/car/lifecycle.js';
import type { CarFacts } from './car-scan.js';

/**
 * The compact text of a CAR's facts that a store keeps next to the whole record, written in
 * the same transaction, so that a scan of the register reads a few hundred bytes per CAR
 * instead of the whole record.
 *
 * The text is a JSON array with fixed positions (no key names), starting with the format
 * number. Booleans are 0 and 1. `encodeCarFacts` and `decodeCarFacts` are each other's
 * inverse; a change of layout is a new format number and a store migration that rewrites
 * every CAR's facts.
 */
export const CAR_FACTS_FORMAT = 1;

type Tuple = readonly unknown[];

/** The facts as text (see above). */
export function encodeCarFacts(f: CarFacts): string {
  return JSON.stringify([
    CAR_FACTS_FORMAT,
    f.id,
    f.number,
    f.state,
    [
      f.report.type,
      f.report.relatesTo,
      f.report.source,
      f.report.title,
      f.report.confidential ? 1 : 0,
    ],
    f.reportedAt,
    f.triage === null ? null : [f.triage.decision, f.triage.at, f.triage.on],
    f.classification,
    f.severity,
    f.investigation.causeCategory,
    f.actions.map((a) => [
      a.id,
      a.title,
      a.owner.id,
      a.owner.name,
      a.dueDate,
      a.status,
      a.completedOn,
    ]),
    f.plannedAt,
    f.procedureLinks.map((l) => [l.procedureId, l.title]),
    f.verifications.map((v) => [v.round, v.at, v.effective ? 1 : 0]),
    f.effectivenessDueDate,
    f.closure === null ? null : [f.closure.at, f.closure.feedsManagementReview ? 1 : 0],
    f.reopenings.map((r) => [r.at, r.reason]),
    f.committeeReviews.map((r) => [
      r.id,
      r.meetingDate,
      r.minutesRef,
      r.decision,
      r.followUp,
      r.at,
    ]),
  ]);
}

/** A stored text that is not what `encodeCarFacts` writes: a bug or tampering in the store. */
class BadFacts extends Error {}

const bad = (what: string): never => {
  throw new BadFacts(what);
};

const str = (v: unknown, what: string): string => (typeof v === 'string' ? v : bad(what));
const strOrNull = (v: unknown, what: string): string | null => (v === null ? null : str(v, what));
const flag = (v: unknown, what: string): boolean => (v === 1 ? true : v === 0 ? false : bad(what));
/**
 * Dates already found valid: a register of 100,000 CARs holds a few thousand distinct dates,
 * read over and over (every review's meeting date), and the full check builds a Date.
 */
const knownDates = new Set<string>();
const date = (v: unknown, what: string): LocalDate => {
  if (typeof v !== 'string') return bad(what);
  if (knownDates.has(v)) return v as LocalDate;
  if (!isLocalDate(v)) return bad(what);
  if (knownDates.size < 100_000) knownDates.add(v);
  return v;
};
const dateOrNull = (v: unknown, what: string): LocalDate | null =>
  v === null ? null : date(v, what);
const tuple = (v: unknown, length: number, what: string): Tuple =>
  Array.isArray(v) && v.length === length ? (v as Tuple) : bad(what);
const list = (v: unknown, what: string): Tuple => (Array.isArray(v) ? (v as Tuple) : bad(what));

function member<T extends string>(values: readonly T[]): (v: unknown, what: string) => T {
  const set = new Set<unknown>(values);
  return (v, what) => (set.has(v) ? (v as T) : bad(what));
}
const state = member(CAR_STATES);
const reportType = member(REPORT_TYPES);
const relatesTo = member(RELATES_TO);
const source = member(SOURCES);
const decision = member(['recorded', 'rejected', 'merged'] as const);
const classification = member(CLASSIFICATIONS);
const severity = member(SEVERITIES);
const causeCategory = member(CAUSE_CATEGORIES);
const actionStatus = member(ACTION_STATUSES);

function decodeTuple(t: Tuple): CarFacts {
  const [
    format,
    id,
    number,
    carState,
    report,
    reportedAt,
    triage,
    cls,
    sev,
    cause,
    actions,
    plannedAt,
    links,
    verifications,
    effectivenessDueDate,
    closure,
    reopenings,
    reviews,
  ] = t;
  if (format !== CAR_FACTS_FORMAT) bad(`format ${String(format)}`);
  const r = tuple(report, 5, 'report');
  const tr = triage === null ? null : tuple(triage, 3, 'triage');
  const cl = closure === null ? null : tuple(closure, 2, 'closure');
  return {
    id: str(id, 'id'),
    number: strOrNull(number, 'number'),
    state: state(carState, 'state'),
    report: {
      type: reportType(r[0], 'report.type'),
      relatesTo: list(r[1], 'report.relatesTo').map((x) => relatesTo(x, 'report.relatesTo')),
      source: source(r[2], 'report.source'),
      title: str(r[3], 'report.title'),
      confidential: flag(r[4], 'report.confidential'),
    },
    reportedAt: str(reportedAt, 'reportedAt'),
    triage:
      tr === null
        ? null
        : {
            decision: decision(tr[0], 'triage.decision'),
            at: str(tr[1], 'triage.at'),
            on: date(tr[2], 'triage.on'),
          },
    classification: cls === null ? null : classification(cls, 'classification'),
    severity: sev === null ? null : severity(sev, 'severity'),
    investigation: {
      causeCategory: cause === null ? null : causeCategory(cause, 'causeCategory'),
    },
    actions: list(actions, 'actions').map((x) => {
      const a = tuple(x, 7, 'action');
      return {
        id: str(a[0], 'action.id'),
        title: str(a[1], 'action.title'),
        owner: { id: str(a[2], 'action.owner.id'), name: str(a[3], 'action.owner.name') },
        dueDate: date(a[4], 'action.dueDate'),
        status: actionStatus(a[5], 'action.status'),
        completedOn: dateOrNull(a[6], 'action.completedOn'),
      };
    }),
    plannedAt: strOrNull(plannedAt, 'plannedAt'),
    procedureLinks: list(links, 'procedureLinks').map((x) => {
      const l = tuple(x, 2, 'procedureLink');
      return { procedureId: str(l[0], 'procedureId'), title: str(l[1], 'procedureLink.title') };
    }),
    verifications: list(verifications, 'verifications').map((x) => {
      const v = tuple(x, 3, 'verification');
      const round = v[0];
      return {
        round: Number.isInteger(round) ? (round as number) : bad('verification.round'),
        at: str(v[1], 'verification.at'),
        effective: flag(v[2], 'verification.effective'),
      };
    }),
    effectivenessDueDate: dateOrNull(effectivenessDueDate, 'effectivenessDueDate'),
    closure:
      cl === null
        ? null
        : { at: str(cl[0], 'closure.at'), feedsManagementReview: flag(cl[1], 'closure.flag') },
    reopenings: list(reopenings, 'reopenings').map((x) => {
      const o = tuple(x, 2, 'reopening');
      return { at: str(o[0], 'reopening.at'), reason: str(o[1], 'reopening.reason') };
    }),
    committeeReviews: list(reviews, 'committeeReviews').map((x) => {
      const c = tuple(x, 6, 'committeeReview');
      return {
        id: str(c[0], 'review.id'),
        meetingDate: date(c[1], 'review.meetingDate'),
        minutesRef: str(c[2], 'review.minutesRef'),
        decision: str(c[3], 'review.decision'),
        followUp: strOrNull(c[4], 'review.followUp'),
        at: str(c[5], 'review.at'),
      };
    }),
  };
}

/**
 * Reads the facts a store kept for the CAR `carId`. Text that is not what `encodeCarFacts`
 * wrote, or the facts of another CAR, fails loudly with the CAR's id.
 */
export function decodeCarFacts(carId: string, text: string): CarFacts {
  let facts: CarFacts;
  try {
    const json: unknown = JSON.parse(text);
    facts = decodeTuple(tuple(json, 18, 'layout'));
  } catch (e) {
    if (!(e instanceof BadFacts || e instanceof SyntaxError)) throw e;
    throw new Error(`stored facts of CAR ${carId} are not readable: ${e.message}`, { cause: e });
  }
  if (facts.id !== carId) throw new Error(`stored CAR ${carId} holds the facts of ${facts.id}`);
  return facts;
}
