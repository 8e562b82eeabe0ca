import type { AuditEntry } from '../../domain/audit/audit-entry.js';
import {
  ACTION_KIND_LABELS,
  CAUSE_CATEGORY_LABELS,
  CLASSIFICATION_LABELS,
  RELATES_TO_LABELS,
  REPORT_TYPE_LABELS,
  SEVERITY_LABELS,
  SOURCE_LABELS,
} from '../../domain/car/car-labels.js';
import type { CarPrimitives } from '../../domain/car/car.js';
import { ACTION_STATUS_LABELS, STATE_LABELS } from './register-rows.js';
import {
  show,
  showInstant,
  table,
  type Block,
  type ReportDocument,
} from '../ports/report-document.js';

/** A task on the board linked to the CAR, as the caller found it (Planner or the local board). */
export interface LinkedTask {
  readonly title: string;
  readonly status: string;
  readonly assignee: string | null;
  readonly due: string | null;
  readonly url: string | null;
}

export interface CarRecordInput {
  readonly car: CarPrimitives;
  /** The CAR's whole audit trail, in order. */
  readonly history: readonly AuditEntry[];
  readonly tasks: readonly LinkedTask[];
  readonly generatedAt: string;
  readonly generatedBy: string;
}

/** An audit value as text: strings as they are, anything else as JSON, nothing as "(none)". */
export const auditValue = (value: unknown): string => {
  if (value === null || value === undefined) return '(none)';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
};

const carLabel = (car: CarPrimitives): string => car.number ?? `report ${car.id}`;

/**
 * Everything Rectify holds about one CAR, section by section in the order of clause 10.2, then
 * its procedure revisions, tasks, committee reviews and the complete audit trail: the document
 * an auditor asks for.
 */
export function carRecordDocument(input: CarRecordInput): ReportDocument {
  const { car, history, tasks } = input;
  const inv = car.investigation;
  const blocks: Block[] = [];
  const h1 = (text: string): void => {
    blocks.push({ kind: 'heading', level: 1, text });
  };
  const h2 = (text: string): void => {
    blocks.push({ kind: 'heading', level: 2, text });
  };
  const fields = (rows: (readonly [string, string])[]): void => {
    blocks.push({ kind: 'fields', rows });
  };
  const note = (text: string): void => {
    blocks.push({ kind: 'paragraph', text });
  };

  fields([
    ['State', STATE_LABELS[car.state]],
    ['Classification', car.classification ? CLASSIFICATION_LABELS[car.classification] : '-'],
    ['Severity', car.severity ? SEVERITY_LABELS[car.severity] : '-'],
    ['Record id', car.id],
  ]);

  h1('1. Report');
  fields([
    ['Title', car.report.title],
    ['Type', REPORT_TYPE_LABELS[car.report.type]],
    ['Relates to', car.report.relatesTo.map((r) => RELATES_TO_LABELS[r]).join(', ')],
    ['How it was recognised', SOURCE_LABELS[car.report.source]],
    ['Reported by', car.reporter.name],
    ['Reported at', showInstant(car.reportedAt)],
    ['When it happened', show(car.report.occurredAt)],
    ['Where', show(car.report.location)],
    ['Who or what is affected', show(car.report.affected)],
    ['What happened', car.report.description],
    ['Immediate action taken', show(car.report.immediateAction)],
    ['Confidential handling', show(car.report.confidential)],
  ]);

  h1('2. Triage');
  if (car.triage)
    fields([
      ['Decision', car.triage.decision],
      ['By', car.triage.by.name],
      ['At', showInstant(car.triage.at)],
      ['Date', car.triage.on],
      ['Reason', show(car.triage.reason)],
      ['Merged into', show(car.triage.mergedInto?.number)],
    ]);
  else note('Not triaged yet.');

  h1('3. Containment and correction (clause 10.2 a)');
  if (car.containment)
    fields([
      ['What was done', car.containment.description],
      ['By', car.containment.by.name],
      ['At', showInstant(car.containment.at)],
    ]);
  else note('No containment recorded.');

  h1('4. Investigation and root cause (clause 10.2 b)');
  h2('5 Whys');
  blocks.push(
    table(
      [
        ['#', 1],
        ['Why?', 10],
        ['Because', 10],
      ],
      inv.fiveWhys.map((w, i) => [String(i + 1), w.question, w.answer]),
      'No 5-Whys recorded.',
    ),
  );
  fields([
    ['Root cause', show(inv.rootCause)],
    ['Cause category', inv.causeCategory ? CAUSE_CATEGORY_LABELS[inv.causeCategory] : '-'],
    ['Consultees', show(inv.consultees.map((p) => p.name).join(', '))],
  ]);
  h2('What the consultees answered');
  blocks.push(
    table(
      [
        ['Who', 3],
        ['When', 3],
        ['Answer', 10],
      ],
      inv.consulteeInputs.map((c) => [c.by.name, showInstant(c.at), c.answer]),
      'No answers from consultees.',
    ),
  );
  h2('Similar nonconformities (clause 10.2 b3)');
  fields([
    ['Checked', show(inv.similarCheck?.done ?? false)],
    ['Findings', show(inv.similarCheck?.findings)],
    ['Related CARs', show(inv.similarCheck?.relatedCarIds.join(', '))],
  ]);

  h1('5. Actions (clause 10.2 c)');
  if (car.plannedAt) fields([['Action plan confirmed', showInstant(car.plannedAt)]]);
  blocks.push(
    table(
      [
        ['#', 1],
        ['Kind', 3],
        ['Action', 8],
        ['Owner', 3],
        ['Due', 3],
        ['Status', 2],
        ['Done on', 3],
      ],
      car.actions.map((a, i) => [
        `A${i + 1}`,
        ACTION_KIND_LABELS[a.kind],
        a.title,
        a.owner.name,
        a.dueDate,
        ACTION_STATUS_LABELS[a.status],
        show(a.completedOn),
      ]),
      'No actions.',
    ),
  );
  car.actions.forEach((a, i) => {
    h2(`A${i + 1}. ${a.title}`);
    fields([
      ['Description', show(a.description)],
      ['Steps', show(a.steps.map((s, n) => `${n + 1}. ${s}`).join('\n'))],
      ['Created', showInstant(a.createdAt)],
      ['Completed', showInstant(a.completedAt)],
      ['Completion note', show(a.completionNote)],
      ['Cancellation reason', show(a.cancelReason)],
    ]);
  });

  h1('6. Procedure revisions');
  blocks.push(
    table(
      [
        ['Procedure', 3],
        ['Title', 5],
        ['Revision in force', 2],
        ['New revision', 2],
        ['Change log', 5],
        ['Revised at', 3],
      ],
      car.procedureLinks.map((l) => [
        l.procedureId,
        show(l.title),
        l.revisionInForce,
        show(l.newRevision),
        show(l.newRevisionChangelog),
        showInstant(l.revisedAt),
      ]),
      'No procedure linked.',
    ),
  );

  h1('7. Linked tasks');
  blocks.push(
    table(
      [
        ['Task', 6],
        ['Status', 2],
        ['Assigned to', 3],
        ['Due', 2],
        ['Link', 6],
      ],
      tasks.map((t) => [t.title, t.status, show(t.assignee), show(t.due), show(t.url)]),
      'No linked tasks.',
    ),
  );

  h1('8. Verification of effectiveness (clause 10.2 d)');
  fields([
    ['Verification round', String(car.verificationRound)],
    ['Effectiveness review due', show(car.effectivenessDueDate)],
  ]);
  blocks.push(
    table(
      [
        ['Round', 1.6],
        ['Verified by', 3],
        ['At', 3],
        ['Result', 2],
        ['Evidence', 8],
      ],
      car.verifications.map((v) => [
        String(v.round),
        v.by.name,
        showInstant(v.at),
        v.effective ? 'Effective' : 'Not effective',
        v.evidence,
      ]),
      'Not verified yet.',
    ),
  );

  h1('9. Closure (clause 10.2 e, f)');
  if (car.closure)
    fields([
      ['Closed by', car.closure.by.name],
      ['Closed at', showInstant(car.closure.at)],
      ['Summary', car.closure.summary],
      ['ISMS change needed', show(car.closure.ismsChangeNeeded)],
      ['ISMS change', show(car.closure.ismsChangeDescription)],
      ['Feeds the management review', show(car.closure.feedsManagementReview)],
    ]);
  else note('Not closed.');
  h2('Reopenings');
  blocks.push(
    table(
      [
        ['At', 3],
        ['By', 3],
        ['Reason', 10],
      ],
      car.reopenings.map((r) => [showInstant(r.at), r.by.name, r.reason]),
      'Never reopened.',
    ),
  );

  h1('10. Committee reviews');
  blocks.push(
    table(
      [
        ['Meeting', 2],
        ['Minutes', 2.8],
        ['Decision', 6],
        ['Follow-up', 5],
        ['Recorded by', 3],
      ],
      car.committeeReviews.map((r) => [
        r.meetingDate,
        show(r.minutesRef),
        r.decision,
        show(r.followUp),
        r.by.name,
      ]),
      'No committee reviews.',
    ),
  );

  h1('11. Audit history');
  note(
    `${history.length} entries, oldest first. Each entry is one changed field of one operation; ` +
      'the entries are chained by hash, which the audit:verify command checks.',
  );
  blocks.push(
    table(
      [
        ['#', 1.3],
        ['When, who, operation', 5],
        ['Field', 4.5],
        ['Old -> new', 9],
      ],
      history.map((e) => [
        String(e.sequence),
        [e.at, e.actor.name, e.operation, ...(e.reason ? [`Reason: ${e.reason}`] : [])].join('\n'),
        e.field,
        `${auditValue(e.oldValue)} -> ${auditValue(e.newValue)}`,
      ]),
      'No audit entries.',
    ),
  );
  const last = history.at(-1);
  if (last) note(`Hash of the last entry: ${last.hash}`);

  return {
    title: `Corrective Action Report ${carLabel(car)}`,
    subtitle: [car.report.title],
    titlePage: false,
    stamp: `Rectify record of ${carLabel(car)}, generated ${showInstant(input.generatedAt)} for ${input.generatedBy}`,
    blocks,
  };
}
