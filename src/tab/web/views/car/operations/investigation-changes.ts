import type { Car, CommandBody } from '../../../api/types.js';
import type { CauseCategory } from '../../../../../domain/car/car-vocabulary.js';
import type { PersonRef } from '../../../components/PersonPicker.js';

type Investigation = Car['investigation'];

/** What the investigation form holds while the person types. */
export interface InvestigationDraft {
  readonly fiveWhys: readonly { question: string; answer: string }[];
  readonly rootCause: string;
  readonly causeCategory: CauseCategory | '';
  readonly consultees: readonly PersonRef[];
  readonly similarDone: boolean;
  readonly findings: string;
  readonly related: readonly string[];
}

export const draftOf = (inv: Investigation): InvestigationDraft => ({
  fiveWhys: inv.fiveWhys.length > 0 ? inv.fiveWhys : [{ question: '', answer: '' }],
  rootCause: inv.rootCause ?? '',
  causeCategory: inv.causeCategory ?? '',
  consultees: inv.consultees,
  similarDone: inv.similarCheck?.done ?? false,
  findings: inv.similarCheck?.findings ?? '',
  related: inv.similarCheck?.relatedCarIds ?? [],
});

type Body = CommandBody<'updateInvestigation'>;
type WhyChange = NonNullable<Body['whys']>[number];

/**
 * Only what the person changed, compared with what the form started from: single 5-Why steps,
 * one related CAR or consultee at a time, each scalar on its own. Sent again after a conflict,
 * it re-applies exactly these fields on the current version and nothing else.
 */
export function investigationChanges(from: InvestigationDraft, to: InvestigationDraft): Body {
  const body: Body = {};
  const whys: WhyChange[] = [];
  const before = from.fiveWhys.filter((w) => w.question.trim() || w.answer.trim());
  const after = to.fiveWhys.filter((w) => w.question.trim() || w.answer.trim());
  after.forEach((w, index) => {
    const was = before[index];
    if (!was) {
      whys.push({ index, question: w.question, answer: w.answer });
      return;
    }
    const change: WhyChange = { index };
    if (w.question.trim() !== was.question.trim()) change.question = w.question;
    if (w.answer.trim() !== was.answer.trim()) change.answer = w.answer;
    if (change.question !== undefined || change.answer !== undefined) whys.push(change);
  });
  for (let index = after.length; index < before.length; index++) whys.push({ index, remove: true });
  if (whys.length > 0) body.whys = whys;
  if (to.rootCause.trim() !== from.rootCause.trim()) body.rootCause = to.rootCause.trim() || null;
  if (to.causeCategory !== from.causeCategory) body.causeCategory = to.causeCategory || null;
  const ids = (people: readonly PersonRef[]) => new Set(people.map((p) => p.id));
  const addConsultees = to.consultees.filter((p) => !ids(from.consultees).has(p.id));
  const removeConsultees = from.consultees.filter((p) => !ids(to.consultees).has(p.id));
  if (addConsultees.length > 0) body.addConsultees = [...addConsultees];
  if (removeConsultees.length > 0) body.removeConsultees = removeConsultees.map((p) => p.id);
  const similar: NonNullable<Body['similarCheck']> = {};
  if (to.similarDone !== from.similarDone) similar.done = to.similarDone;
  if (to.findings !== from.findings) similar.findings = to.findings;
  const addRelated = to.related.filter((id) => !from.related.includes(id));
  const removeRelated = from.related.filter((id) => !to.related.includes(id));
  if (addRelated.length > 0) similar.addRelated = addRelated;
  if (removeRelated.length > 0) similar.removeRelated = removeRelated;
  if (Object.keys(similar).length > 0) body.similarCheck = similar;
  return body;
}

/** One field of a change that met a conflict: what this person sent, what is stored now. */
export interface FieldDifference {
  readonly field: string;
  readonly mine: string;
  readonly current: string;
}

const show = (v: unknown): string =>
  v === null || v === undefined || v === ''
    ? '(empty)'
    : typeof v === 'string'
      ? v
      : JSON.stringify(v);

/** Per field, this person's change beside the value the other person left. */
export function investigationDifferences(body: Body, current: Investigation): FieldDifference[] {
  const out: FieldDifference[] = [];
  for (const w of body.whys ?? []) {
    const now = current.fiveWhys[w.index];
    const label = `Why ${w.index + 1}`;
    if (w.remove) out.push({ field: label, mine: '(removed)', current: show(now?.answer) });
    if (w.question !== undefined)
      out.push({ field: `${label}: question`, mine: w.question, current: show(now?.question) });
    if (w.answer !== undefined)
      out.push({ field: `${label}: answer`, mine: w.answer, current: show(now?.answer) });
  }
  if (body.rootCause !== undefined)
    out.push({ field: 'Root cause', mine: show(body.rootCause), current: show(current.rootCause) });
  if (body.causeCategory !== undefined)
    out.push({
      field: 'Cause category',
      mine: show(body.causeCategory),
      current: show(current.causeCategory),
    });
  if (body.addConsultees || body.removeConsultees)
    out.push({
      field: 'Consultees',
      mine: [
        ...(body.addConsultees ?? []).map((p) => `+ ${p.name}`),
        ...(body.removeConsultees ?? []).map((id) => `− ${id}`),
      ].join(', '),
      current: current.consultees.map((p) => p.name).join(', ') || '(empty)',
    });
  const s = body.similarCheck;
  if (s) {
    if (s.done !== undefined)
      out.push({
        field: 'Similar check done',
        mine: s.done ? 'yes' : 'no',
        current: current.similarCheck?.done ? 'yes' : 'no',
      });
    if (s.findings !== undefined)
      out.push({
        field: 'Findings',
        mine: show(s.findings),
        current: show(current.similarCheck?.findings),
      });
    if (s.addRelated || s.removeRelated)
      out.push({
        field: 'Related CARs',
        mine: [
          ...(s.addRelated ?? []).map((id) => `+ ${id}`),
          ...(s.removeRelated ?? []).map((id) => `− ${id}`),
        ].join(', '),
        current: (current.similarCheck?.relatedCarIds ?? []).join(', ') || '(empty)',
      });
  }
  return out;
}
