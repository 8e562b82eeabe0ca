import { yearOf, type LocalDate } from '../calendar/local-date.js';
import type { ServiceLevels } from '../calendar/service-levels.js';
import type { WorkingCalendar } from '../calendar/working-calendar.js';
import { RectifyError } from '../errors.js';
import type { PersonRef } from '../identity.js';
import { citesCarNumber } from '../procedure/procedure.js';
import { compareVersions, formatVersion, versionOf } from '../procedure/semantic-version.js';
import type { CarNumber } from './car-number.js';
import type {
  ActionKind,
  ActionStatus,
  CauseCategory,
  Classification,
  RelatesTo,
  ReportType,
  Severity,
  Source,
} from './car-vocabulary.js';
import {
  LIFECYCLE,
  OPEN_STATES,
  isAllowed,
  targetState,
  type CarOperation,
  type CarState,
} from './lifecycle.js';

export interface ReportDetails {
  readonly type: ReportType;
  readonly relatesTo: readonly RelatesTo[];
  readonly source: Source;
  readonly title: string;
  readonly description: string;
  /** When it happened, as the reporter gives it (ISO date or date-time), if known. */
  readonly occurredAt: string | null;
  readonly location: string;
  readonly affected: string;
  readonly immediateAction: string;
  /** Visible to the MR and the committee only (and the reporter). */
  readonly confidential: boolean;
}

export interface TriageDecision {
  readonly decision: 'recorded' | 'rejected' | 'merged';
  readonly by: PersonRef;
  readonly at: string;
  /** The organisation's date of the decision; a recorded CAR is numbered in its year. */
  readonly on: LocalDate;
  readonly reason: string | null;
  readonly mergedInto: { readonly id: string; readonly number: string } | null;
}

export interface Containment {
  readonly description: string;
  readonly by: PersonRef;
  readonly at: string;
}

export interface WhyStep {
  readonly question: string;
  readonly answer: string;
}

export interface SimilarCheck {
  readonly done: boolean;
  readonly findings: string;
  readonly relatedCarIds: readonly string[];
}

/** What a consultee answered to the MR's investigation questions. */
export interface ConsulteeInput {
  readonly id: string;
  readonly by: PersonRef;
  readonly at: string;
  readonly answer: string;
}

export interface Investigation {
  readonly fiveWhys: readonly WhyStep[];
  readonly rootCause: string | null;
  readonly causeCategory: CauseCategory | null;
  readonly consultees: readonly PersonRef[];
  /** What the people consulted answered, in the order given. */
  readonly consulteeInputs: readonly ConsulteeInput[];
  readonly similarCheck: SimilarCheck | null;
}

export interface CarAction {
  readonly id: string;
  readonly kind: ActionKind;
  readonly title: string;
  readonly description: string;
  readonly owner: PersonRef;
  readonly dueDate: LocalDate;
  readonly steps: readonly string[];
  readonly status: ActionStatus;
  readonly createdAt: string;
  readonly completedAt: string | null;
  /** The organisation's date of completion: effectiveness reviews count from it. */
  readonly completedOn: LocalDate | null;
  readonly completionNote: string | null;
  readonly cancelReason: string | null;
}

export interface ProcedureLink {
  readonly id: string;
  readonly procedureId: string;
  readonly title: string;
  readonly revisionInForce: string;
  readonly newRevision: string | null;
  readonly newRevisionChangelog: string | null;
  readonly linkedAt: string;
  readonly revisedAt: string | null;
}

export interface Verification {
  readonly id: string;
  readonly round: number;
  readonly by: PersonRef;
  readonly at: string;
  readonly effective: boolean;
  readonly evidence: string;
}

export interface Closure {
  readonly by: PersonRef;
  readonly at: string;
  readonly summary: string;
  /** Clause 10.2 e: whether the ISMS itself needed a change. */
  readonly ismsChangeNeeded: boolean;
  readonly ismsChangeDescription: string | null;
  readonly feedsManagementReview: boolean;
}

export interface Reopening {
  readonly by: PersonRef;
  readonly at: string;
  readonly reason: string;
}

export interface CommitteeReview {
  readonly id: string;
  readonly meetingDate: LocalDate;
  readonly minutesRef: string;
  readonly decision: string;
  readonly followUp: string | null;
  readonly by: PersonRef;
  readonly at: string;
}

export interface CarPrimitives {
  readonly id: string;
  readonly number: CarNumber | null;
  readonly state: CarState;
  readonly report: ReportDetails;
  readonly reporter: PersonRef;
  readonly reportedAt: string;
  readonly triage: TriageDecision | null;
  readonly classification: Classification | null;
  readonly severity: Severity | null;
  readonly containment: Containment | null;
  readonly investigation: Investigation;
  readonly actions: readonly CarAction[];
  /** When the action plan was first confirmed; null before that and for older records. */
  readonly plannedAt: string | null;
  readonly procedureLinks: readonly ProcedureLink[];
  readonly verificationRound: number;
  readonly verifications: readonly Verification[];
  readonly effectivenessDueDate: LocalDate | null;
  readonly closure: Closure | null;
  readonly reopenings: readonly Reopening[];
  readonly committeeReviews: readonly CommitteeReview[];
  /**
   * The Entra tenant whose member reported it: the CAR is that tenant's alone. Empty for
   * records stored before tenants were recorded (they belong to the first allowed tenant).
   */
  readonly tenantId: string;
}

/** Who acts and when, for every operation. `now` is an ISO instant, `today` the organisation's date. */
export interface OperationContext {
  readonly actor: PersonRef;
  readonly now: string;
  readonly today: LocalDate;
}

/** The organisation's due-date rules, handed to the operations that compute due dates. */
export interface DueDatePolicy {
  readonly calendar: WorkingCalendar;
  readonly serviceLevels: ServiceLevels;
}

export interface NewAction {
  readonly id: string;
  readonly kind: ActionKind;
  readonly title: string;
  readonly description: string;
  readonly owner: PersonRef;
  readonly dueDate?: LocalDate | undefined;
  readonly steps?: readonly string[] | undefined;
}

export interface ActionChanges {
  readonly title?: string | undefined;
  readonly description?: string | undefined;
  readonly owner?: PersonRef | undefined;
  readonly dueDate?: LocalDate | undefined;
  readonly steps?: readonly string[] | undefined;
}

/** One 5-Why step changed: its question, its answer, or the step removed. */
export interface WhyStepChange {
  /** 0-based; the step after the last one adds a step. */
  readonly index: number;
  readonly question?: string | undefined;
  readonly answer?: string | undefined;
  /** Removes the step (and so the ones after it move up). */
  readonly remove?: boolean | undefined;
}

/** What a person changed in the similar-nonconformity check; the rest stays as stored. */
export interface SimilarCheckChanges {
  readonly done?: boolean | undefined;
  readonly findings?: string | undefined;
  /** The whole list, when given; `addRelated` and `removeRelated` change one CAR at a time. */
  readonly relatedCarIds?: readonly string[] | undefined;
  readonly addRelated?: readonly string[] | undefined;
  readonly removeRelated?: readonly string[] | undefined;
}

/**
 * A change to the investigation, field by field: what is not named stays as stored, so that
 * two people editing different fields (or different 5-Why steps, or different related CARs)
 * never erase each other's work. `fiveWhys` and `consultees` still replace a whole list.
 */
export interface InvestigationChanges {
  readonly fiveWhys?: readonly WhyStep[] | undefined;
  readonly whys?: readonly WhyStepChange[] | undefined;
  readonly rootCause?: string | null | undefined;
  readonly causeCategory?: CauseCategory | null | undefined;
  readonly consultees?: readonly PersonRef[] | undefined;
  readonly addConsultees?: readonly PersonRef[] | undefined;
  readonly removeConsultees?: readonly string[] | undefined;
  readonly similarCheck?: SimilarCheckChanges | null | undefined;
}

const mergeWhys = (now: readonly WhyStep[], changes: readonly WhyStepChange[]): WhyStep[] => {
  const steps: (WhyStep | null)[] = [...now];
  for (const c of changes) {
    if (!Number.isInteger(c.index) || c.index < 0 || c.index > steps.length)
      throw new RectifyError('REQUEST.VALIDATION', {
        field: `whys.${c.index}`,
        reason: 'a new step comes right after the last one',
      });
    if (c.remove) {
      if (c.index < steps.length) steps[c.index] = null;
      continue;
    }
    const was = steps[c.index] ?? { question: '', answer: '' };
    const step = {
      question: c.question === undefined ? was.question : c.question.trim(),
      answer: c.answer === undefined ? was.answer : c.answer.trim(),
    };
    required(`whys.${c.index}.question`, step.question);
    required(`whys.${c.index}.answer`, step.answer);
    steps[c.index] = step;
  }
  return steps.filter((s): s is WhyStep => s !== null);
};

const mergeSimilarCheck = (
  now: SimilarCheck | null,
  c: SimilarCheckChanges | null | undefined,
): SimilarCheck | null => {
  if (c === undefined) return now;
  if (c === null) return null;
  const was = now ?? { done: false, findings: '', relatedCarIds: [] };
  const remove = new Set(c.removeRelated ?? []);
  const related = [...(c.relatedCarIds ?? was.relatedCarIds), ...(c.addRelated ?? [])].filter(
    (id) => !remove.has(id),
  );
  return {
    done: c.done ?? was.done,
    findings: c.findings ?? was.findings,
    relatedCarIds: [...new Set(related)],
  };
};

const mergeConsultees = (now: readonly PersonRef[], c: InvestigationChanges): PersonRef[] => {
  const remove = new Set(c.removeConsultees ?? []);
  const byId = new Map<string, PersonRef>();
  for (const p of [...(c.consultees ?? now), ...(c.addConsultees ?? [])])
    if (!remove.has(p.id) && !byId.has(p.id)) byId.set(p.id, p);
  return [...byId.values()];
};

/** A CAR that merges can absorb a report: recorded and still being worked. */
export interface MergeTarget {
  readonly id: string;
  readonly number: string | null;
  readonly state: CarState;
}

const EMPTY_INVESTIGATION: Investigation = {
  fiveWhys: [],
  rootCause: null,
  causeCategory: null,
  consultees: [],
  consulteeInputs: [],
  similarCheck: null,
};

const required = (field: string, value: string): string => {
  const trimmed = value.trim();
  if (trimmed.length === 0)
    throw new RectifyError('REQUEST.VALIDATION', { field, reason: 'required' });
  return trimmed;
};

/**
 * The Corrective Action Report aggregate: a member's report and, once recorded, the whole
 * clause-10.2 loop. Every method first asks the lifecycle table, then guards its own rules.
 */
export class Car {
  private constructor(private props: CarPrimitives) {}

  static report(input: {
    id: string;
    /** The reporter's tenant; empty only where no tenant is known (tools, tests). */
    tenantId?: string;
    reporter: PersonRef;
    reportedAt: string;
    details: ReportDetails;
  }): Car {
    const d = input.details;
    if (d.relatesTo.length === 0)
      throw new RectifyError('REQUEST.VALIDATION', { field: 'relatesTo', reason: 'required' });
    return new Car({
      id: input.id,
      number: null,
      state: 'reported',
      report: {
        ...d,
        relatesTo: [...new Set(d.relatesTo)],
        title: required('title', d.title),
        description: required('description', d.description),
      },
      reporter: input.reporter,
      reportedAt: input.reportedAt,
      triage: null,
      classification: null,
      severity: null,
      containment: null,
      investigation: EMPTY_INVESTIGATION,
      actions: [],
      plannedAt: null,
      procedureLinks: [],
      verificationRound: 0,
      verifications: [],
      effectivenessDueDate: null,
      closure: null,
      reopenings: [],
      committeeReviews: [],
      tenantId: input.tenantId ?? '',
    });
  }

  /** Records stored before `plannedAt` or `tenantId` existed come without them. */
  static fromPrimitives(
    p: Omit<CarPrimitives, 'plannedAt' | 'tenantId'> & {
      readonly plannedAt?: string | null | undefined;
      readonly tenantId?: string | undefined;
    },
  ): Car {
    return new Car(
      structuredClone({ ...p, plannedAt: p.plannedAt ?? null, tenantId: p.tenantId ?? '' }),
    );
  }

  toPrimitives(): CarPrimitives {
    return structuredClone(this.props);
  }

  get id(): string {
    return this.props.id;
  }
  get number(): CarNumber | null {
    return this.props.number;
  }
  get state(): CarState {
    return this.props.state;
  }
  get reporter(): PersonRef {
    return this.props.reporter;
  }
  get tenantId(): string {
    return this.props.tenantId;
  }
  get confidential(): boolean {
    return this.props.report.confidential;
  }
  get classification(): Classification | null {
    return this.props.classification;
  }
  get actions(): readonly CarAction[] {
    return this.props.actions;
  }
  get isOpen(): boolean {
    return OPEN_STATES.includes(this.props.state);
  }

  isReportedBy(personId: string): boolean {
    return this.props.reporter.id === personId;
  }

  ownsAction(personId: string): boolean {
    return this.props.actions.some((a) => a.owner.id === personId && a.status !== 'cancelled');
  }

  /**
   * The people involved in this CAR, who read it without a role: its reporter, the people
   * consulted on the investigation and, unless the report is confidential, the owners of its
   * actions that are not cancelled. Both stores list by this rule (`involvedPeople`).
   */
  involvedPeople(): readonly string[] {
    const ids = new Set<string>([this.props.reporter.id]);
    for (const c of this.props.investigation.consultees) ids.add(c.id);
    if (!this.confidential)
      for (const a of this.props.actions) if (a.status !== 'cancelled') ids.add(a.owner.id);
    return [...ids];
  }

  involves(personId: string): boolean {
    return this.involvedPeople().includes(personId);
  }

  /** The earliest date something is due: an open action, or the effectiveness review. */
  nextDueDate(): LocalDate | null {
    const dates: LocalDate[] = this.props.actions
      .filter((a) => a.status === 'open')
      .map((a) => a.dueDate);
    if (this.props.state === 'verifying' && this.props.effectivenessDueDate)
      dates.push(this.props.effectivenessDueDate);
    return dates.length === 0 ? null : dates.reduce((a, b) => (a < b ? a : b));
  }

  isOverdue(today: LocalDate): boolean {
    const due = this.nextDueDate();
    return this.isOpen && due !== null && due < today;
  }

  /** True once the CAR is past triage as a CAR but the store has not numbered it yet. */
  needsNumber(): boolean {
    return this.props.number === null && this.props.triage?.decision === 'recorded';
  }

  /** The year the CAR is numbered in: the year it was recorded, in the organisation's calendar. */
  numberYear(): number {
    if (this.props.triage?.decision !== 'recorded')
      throw new Error(`CAR ${this.id} is not recorded`);
    return yearOf(this.props.triage.on);
  }

  /** Called by the store, inside the transaction that saves the recording. */
  assignNumber(number: CarNumber): void {
    if (!this.needsNumber()) throw new Error(`CAR ${this.id} cannot take a number now`);
    this.props = { ...this.props, number };
  }

  // ---- triage -------------------------------------------------------------

  record(
    ctx: OperationContext,
    input: { classification: Classification; severity: Severity; reason?: string | null },
  ): void {
    this.transition('record', {
      triage: {
        decision: 'recorded',
        by: ctx.actor,
        at: ctx.now,
        on: ctx.today,
        reason: input.reason ?? null,
        mergedInto: null,
      },
      classification: input.classification,
      severity: input.severity,
    });
  }

  reject(ctx: OperationContext, input: { reason: string }): void {
    this.transition('reject', {
      triage: {
        decision: 'rejected',
        by: ctx.actor,
        at: ctx.now,
        on: ctx.today,
        reason: required('reason', input.reason),
        mergedInto: null,
      },
    });
  }

  merge(ctx: OperationContext, input: { target: MergeTarget; reason?: string | null }): void {
    this.guard('merge');
    const reason = (input.reason ?? '').trim();
    if (reason === '') throw new RectifyError('CAR.MERGE_REASON_MISSING');
    const t = input.target;
    if (
      t.id === this.id ||
      t.number === null ||
      t.state === 'reported' ||
      !OPEN_STATES.includes(t.state)
    )
      throw new RectifyError('CAR.MERGE_TARGET_INVALID', { target: t.id });
    this.transition('merge', {
      triage: {
        decision: 'merged',
        by: ctx.actor,
        at: ctx.now,
        on: ctx.today,
        reason,
        mergedInto: { id: t.id, number: t.number },
      },
    });
  }

  reclassify(
    _ctx: OperationContext,
    input: { classification: Classification; severity: Severity },
  ): void {
    this.transition('reclassify', {
      classification: input.classification,
      severity: input.severity,
    });
  }

  // ---- containment and investigation --------------------------------------

  recordContainment(ctx: OperationContext, input: { description: string }): void {
    this.transition('recordContainment', {
      containment: {
        description: required('description', input.description),
        by: ctx.actor,
        at: ctx.now,
      },
    });
  }

  startInvestigation(_ctx: OperationContext): void {
    this.transition('startInvestigation', {});
  }

  updateInvestigation(_ctx: OperationContext, changes: InvestigationChanges): void {
    const c = this.props.investigation;
    const keep = <T>(next: T | undefined, now: T): T => (next === undefined ? now : next);
    // Field by field, so that nothing else the caller's object carries is ever stored.
    this.guard('updateInvestigation');
    this.transition('updateInvestigation', {
      investigation: {
        fiveWhys: mergeWhys(keep(changes.fiveWhys, c.fiveWhys), changes.whys ?? []),
        rootCause: keep(changes.rootCause, c.rootCause),
        causeCategory: keep(changes.causeCategory, c.causeCategory),
        consultees: mergeConsultees(c.consultees, changes),
        consulteeInputs: c.consulteeInputs,
        similarCheck: mergeSimilarCheck(c.similarCheck, changes.similarCheck),
      },
    });
  }

  isConsultee(personId: string): boolean {
    return this.props.investigation.consultees.some((c) => c.id === personId);
  }

  /** A consultee's answer to the investigation ("in consultation with any staff involved"). */
  addConsulteeInput(ctx: OperationContext, input: { id: string; answer: string }): void {
    this.guard('addConsulteeInput');
    if (!this.isConsultee(ctx.actor.id))
      throw new RectifyError('CAR.NOT_A_CONSULTEE', { actor: ctx.actor.id });
    const inv = this.props.investigation;
    this.transition('addConsulteeInput', {
      investigation: {
        ...inv,
        consulteeInputs: [
          ...inv.consulteeInputs,
          { id: input.id, by: ctx.actor, at: ctx.now, answer: required('answer', input.answer) },
        ],
      },
    });
  }

  // ---- actions --------------------------------------------------------------

  addAction(ctx: OperationContext, action: NewAction, policy: DueDatePolicy): void {
    this.guard('addAction');
    const classification = this.props.classification ?? 'minor_nc';
    const dueDate =
      action.dueDate ??
      policy.calendar.addWorkingDays(
        ctx.today,
        policy.serviceLevels.actionDays[classification][action.kind],
      );
    if (this.props.actions.some((a) => a.id === action.id))
      throw new Error(`action id ${action.id} is already used`);
    this.transition('addAction', {
      actions: [
        ...this.props.actions,
        {
          id: action.id,
          kind: action.kind,
          title: required('title', action.title),
          description: action.description,
          owner: action.owner,
          dueDate,
          steps: action.steps ?? [],
          status: 'open',
          createdAt: ctx.now,
          completedAt: null,
          completedOn: null,
          completionNote: null,
          cancelReason: null,
        },
      ],
    });
  }

  updateAction(_ctx: OperationContext, actionId: string, changes: ActionChanges): void {
    this.guard('updateAction');
    this.openAction(actionId);
    this.transition('updateAction', {
      actions: this.props.actions.map((a) =>
        a.id === actionId
          ? {
              ...a,
              title: changes.title === undefined ? a.title : required('title', changes.title),
              description: changes.description ?? a.description,
              owner: changes.owner ?? a.owner,
              dueDate: changes.dueDate ?? a.dueDate,
              steps: changes.steps ?? a.steps,
            }
          : a,
      ),
    });
  }

  completeAction(ctx: OperationContext, actionId: string, input: { note: string }): void {
    this.guard('completeAction');
    const action = this.openAction(actionId);
    // A procedure change is done when the procedure's new revision exists (ISO 27001 7.5.3).
    const unrevised = this.props.procedureLinks.filter((l) => l.newRevision === null);
    if (
      action.kind === 'procedure_change' &&
      (this.props.procedureLinks.length === 0 || unrevised.length > 0)
    )
      throw new RectifyError('ACTION.PROCEDURE_REVISION_MISSING', {
        actionId,
        procedureLinks: unrevised.map((l) => l.id),
      });
    this.transition('completeAction', {
      actions: this.props.actions.map((a) =>
        a.id === actionId
          ? {
              ...a,
              status: 'done',
              completedAt: ctx.now,
              completedOn: ctx.today,
              completionNote: input.note.trim() || null,
            }
          : a,
      ),
    });
  }

  cancelAction(_ctx: OperationContext, actionId: string, input: { reason: string }): void {
    this.guard('cancelAction');
    this.openAction(actionId);
    const reason = required('reason', input.reason);
    this.transition('cancelAction', {
      actions: this.props.actions.map((a) =>
        a.id === actionId ? { ...a, status: 'cancelled', cancelReason: reason } : a,
      ),
    });
  }

  findAction(actionId: string): CarAction {
    const action = this.props.actions.find((a) => a.id === actionId);
    if (!action) throw new RectifyError('ACTION.NOT_FOUND', { actionId });
    return action;
  }

  planActions(ctx: OperationContext): void {
    this.guard('planActions');
    const inv = this.props.investigation;
    const missing = [
      ...(inv.rootCause?.trim() ? [] : ['rootCause']),
      ...(inv.causeCategory ? [] : ['causeCategory']),
      ...(inv.fiveWhys.length > 0 ? [] : ['fiveWhys']),
      ...(inv.similarCheck?.done ? [] : ['similarCheck']),
    ];
    if (missing.length > 0) throw new RectifyError('CAR.ROOT_CAUSE_MISSING', { missing });
    if (!this.props.actions.some((a) => a.status !== 'cancelled'))
      throw new RectifyError('CAR.NO_ACTIONS');
    // A plan confirmed again after an ineffective verification keeps the first plan's time.
    this.transition('planActions', { plannedAt: this.props.plannedAt ?? ctx.now });
  }

  startImplementation(_ctx: OperationContext): void {
    this.transition('startImplementation', {});
  }

  // ---- procedures -----------------------------------------------------------

  linkProcedure(
    ctx: OperationContext,
    link: { id: string; procedureId: string; title: string; revisionInForce: string },
  ): void {
    this.transition('linkProcedure', {
      procedureLinks: [
        ...this.props.procedureLinks,
        {
          id: link.id,
          procedureId: required('procedureId', link.procedureId),
          title: link.title,
          revisionInForce: required('revisionInForce', link.revisionInForce),
          newRevision: null,
          newRevisionChangelog: null,
          linkedAt: ctx.now,
          revisedAt: null,
        },
      ],
    });
  }

  get procedureLinks(): readonly ProcedureLink[] {
    return this.props.procedureLinks;
  }

  /**
   * The revision a procedure change produced, once it is published. It must be higher than the
   * revision in force and its change log must cite this CAR's number. Each trainee (a person,
   * or a group the MR trains as a whole) gets a training action, due by the service level, so
   * the CAR cannot go to verification, and so cannot close, until the training is done.
   */
  recordProcedureRevision(
    ctx: OperationContext,
    linkId: string,
    input: { newRevision: string; changelog: string; trainees: readonly PersonRef[] },
    policy: DueDatePolicy,
  ): void {
    this.guard('recordProcedureRevision');
    const link = this.props.procedureLinks.find((l) => l.id === linkId);
    if (!link) throw new RectifyError('PROCEDURE_LINK.NOT_FOUND', { linkId });
    if (link.newRevision !== null)
      throw new RectifyError('PROCEDURE_LINK.ALREADY_REVISED', {
        linkId,
        newRevision: link.newRevision,
      });
    const newRevision = versionOf(required('newRevision', input.newRevision), 'newRevision');
    const inForce = versionOf(link.revisionInForce, 'revisionInForce');
    if (compareVersions(newRevision, inForce) <= 0)
      throw new RectifyError('PROCEDURE.REVISION_NOT_HIGHER', {
        revisionInForce: link.revisionInForce,
        newRevision: input.newRevision,
      });
    const changelog = required('changelog', input.changelog);
    if (this.props.number === null || !citesCarNumber(changelog, this.props.number))
      throw new RectifyError('PROCEDURE.CHANGELOG_MUST_CITE_CAR', {
        carNumber: this.props.number,
        changelog,
      });
    const revision = formatVersion(newRevision);
    const classification = this.props.classification ?? 'minor_nc';
    const dueDate = policy.calendar.addWorkingDays(
      ctx.today,
      policy.serviceLevels.actionDays[classification].training,
    );
    const seen = new Set<string>();
    const trainees = input.trainees.filter((t) =>
      seen.has(t.id) ? false : (seen.add(t.id), true),
    );
    const training: CarAction[] = trainees.map((person, i) => ({
      id: `training-${linkId}-${i + 1}`,
      kind: 'training',
      title: `Training on ${link.title.trim() || link.procedureId} ${revision}`,
      description: `Revision ${revision} of ${link.procedureId} replaces ${link.revisionInForce}: ${changelog}`,
      owner: { id: person.id, name: person.name },
      dueDate,
      steps: [],
      status: 'open',
      createdAt: ctx.now,
      completedAt: null,
      completedOn: null,
      completionNote: null,
      cancelReason: null,
    }));
    const clash = training.find((t) => this.props.actions.some((a) => a.id === t.id));
    if (clash) throw new Error(`action id ${clash.id} is already used`);
    this.transition('recordProcedureRevision', {
      actions: [...this.props.actions, ...training],
      procedureLinks: this.props.procedureLinks.map((l) =>
        l.id === linkId
          ? { ...l, newRevision: revision, newRevisionChangelog: changelog, revisedAt: ctx.now }
          : l,
      ),
    });
  }

  // ---- effectiveness and closure -----------------------------------------

  startVerification(_ctx: OperationContext, policy: DueDatePolicy): void {
    this.guard('startVerification');
    // After "not effective", the same finished actions cannot be verified again as they were.
    const last = this.props.verifications.at(-1);
    if (
      last &&
      !last.effective &&
      !this.props.actions.some(
        (a) => a.createdAt > last.at || (a.completedAt !== null && a.completedAt > last.at),
      )
    )
      throw new RectifyError('CAR.NO_NEW_ACTION', { ineffectiveAt: last.at });
    const open = this.props.actions.filter((a) => a.status === 'open');
    if (open.length > 0)
      throw new RectifyError('CAR.OPEN_ACTIONS', { openActions: open.map((a) => a.id) });
    const done = this.props.actions.filter((a) => a.status === 'done');
    const lastDone = done
      .map((a) => a.completedOn)
      .reduce<LocalDate | null>((a, b) => (a === null || (b !== null && b > a) ? b : a), null);
    if (lastDone === null) throw new RectifyError('CAR.NO_ACTIONS');
    this.transition('startVerification', {
      verificationRound: this.props.verificationRound + 1,
      effectivenessDueDate: policy.calendar.addWorkingDays(
        lastDone,
        policy.serviceLevels.effectivenessReviewDays,
      ),
    });
  }

  /** Clause 10.2 d. The verifier must not own an action of this CAR. */
  verifyEffectiveness(
    ctx: OperationContext,
    input: { id: string; effective: boolean; evidence: string },
  ): void {
    const operation: CarOperation = input.effective ? 'confirmEffective' : 'findIneffective';
    this.guard(operation);
    if (this.ownsAction(ctx.actor.id))
      throw new RectifyError('CAR.VERIFIER_IS_OWNER', { verifier: ctx.actor.id });
    this.transition(operation, {
      verifications: [
        ...this.props.verifications,
        {
          id: input.id,
          round: this.props.verificationRound,
          by: ctx.actor,
          at: ctx.now,
          effective: input.effective,
          evidence: required('evidence', input.evidence),
        },
      ],
    });
  }

  close(
    ctx: OperationContext,
    input: {
      summary: string;
      ismsChangeNeeded: boolean;
      ismsChangeDescription?: string | null;
      feedsManagementReview: boolean;
    },
  ): void {
    this.guard('close');
    const last = this.props.verifications.at(-1);
    if (!last || last.round !== this.props.verificationRound || !last.effective)
      throw new RectifyError('CAR.NOT_VERIFIED_EFFECTIVE');
    if (input.ismsChangeNeeded && !input.ismsChangeDescription?.trim())
      throw new RectifyError('REQUEST.VALIDATION', {
        field: 'ismsChangeDescription',
        reason: 'required when the ISMS needs a change',
      });
    this.transition('close', {
      closure: {
        by: ctx.actor,
        at: ctx.now,
        summary: required('summary', input.summary),
        ismsChangeNeeded: input.ismsChangeNeeded,
        ismsChangeDescription: input.ismsChangeDescription?.trim() || null,
        feedsManagementReview: input.feedsManagementReview,
      },
    });
  }

  reopen(ctx: OperationContext, input: { reason: string }): void {
    this.transition('reopen', {
      closure: null,
      reopenings: [
        ...this.props.reopenings,
        { by: ctx.actor, at: ctx.now, reason: required('reason', input.reason) },
      ],
    });
  }

  // ---- committee ------------------------------------------------------------

  addCommitteeReview(
    ctx: OperationContext,
    review: {
      id: string;
      meetingDate: LocalDate;
      minutesRef: string;
      decision: string;
      followUp?: string | null;
    },
  ): void {
    this.transition('addCommitteeReview', {
      committeeReviews: [
        ...this.props.committeeReviews,
        {
          id: review.id,
          meetingDate: review.meetingDate,
          minutesRef: review.minutesRef.trim(),
          decision: required('decision', review.decision),
          followUp: review.followUp?.trim() ?? null,
          by: ctx.actor,
          at: ctx.now,
        },
      ],
    });
  }

  // ---- internals --------------------------------------------------------------

  private guard(operation: CarOperation): void {
    if (isAllowed(operation, this.props.state)) return;
    if (this.props.state === 'closed' && operation !== 'reopen')
      throw new RectifyError('CAR.LOCKED', { operation, from: this.props.state });
    throw new RectifyError('CAR.INVALID_TRANSITION', {
      operation,
      from: this.props.state,
      allowedFrom: LIFECYCLE[operation].from,
    });
  }

  private transition(operation: CarOperation, changes: Partial<CarPrimitives>): void {
    this.guard(operation);
    this.props = { ...this.props, ...changes, state: targetState(operation, this.props.state) };
  }

  private openAction(actionId: string): CarAction {
    const action = this.findAction(actionId);
    if (action.status !== 'open') throw new RectifyError('ACTION.NOT_OPEN', { actionId });
    return action;
  }
}

/**
 * A due date a person gives an action is today or later (ACTION.DUE_DATE_PAST otherwise).
 * Applied to every command that sets one; dates the product derives are never in the past.
 */
export function assertDueDateNotPast(
  ctx: OperationContext,
  dueDate: LocalDate | null | undefined,
): void {
  if (dueDate !== null && dueDate !== undefined && dueDate < ctx.today)
    throw new RectifyError('ACTION.DUE_DATE_PAST', { dueDate, today: ctx.today });
}
