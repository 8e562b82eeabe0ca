import type {
  CardElement,
  ExecuteAction,
  IAdaptiveCard,
  ShowCardAction,
} from '@microsoft/teams.cards';
import { DateInput } from '@microsoft/teams.cards';
import type { CarAction, CarPrimitives } from '../../domain/car/car.js';
import type { CarState } from '../../domain/car/lifecycle.js';
import { plain } from '../literal-text.js';
import type { PersonRef } from '../../domain/identity.js';
import {
  card,
  choiceInput,
  execute,
  facts,
  heading,
  notice,
  para,
  showCard,
  subheading,
  textInput,
  toggle,
} from './card-parts.js';
import {
  ACTION_KIND_LABELS,
  CAUSE_CATEGORY_LABELS,
  CLASSIFICATION_LABELS,
  RELATES_TO_LABELS,
  REPORT_TYPE_LABELS,
  SEVERITY_LABELS,
  SOURCE_LABELS,
  STATE_LABELS,
  choicesOf,
} from './labels.js';

/** How much of the CAR the viewer may see and what they may do with it. */
export type CarViewerRole = 'mr' | 'reader';

export interface CarCardInput {
  readonly car: CarPrimitives;
  readonly etag: string;
  readonly viewer: PersonRef;
  readonly role: CarViewerRole;
  /** People the MR can pick as action owners and consultees. */
  readonly people: readonly PersonRef[];
  /** Teams user ids (MRIs) whose card refreshes automatically. */
  readonly refreshUserIds: readonly string[];
  readonly notice?: { readonly text: string; readonly tone: 'good' | 'attention' | 'warning' };
}

const WHYS = 5;

export const titleOf = (car: CarPrimitives): string =>
  `${car.number ?? 'Report'}: ${car.report.title}`;

export const summaryFacts = (car: CarPrimitives) =>
  facts([
    ['State', STATE_LABELS[car.state]],
    ['Type', REPORT_TYPE_LABELS[car.report.type]],
    ['Relates to', car.report.relatesTo.map((r) => RELATES_TO_LABELS[r]).join(', ')],
    ['Recognised by', SOURCE_LABELS[car.report.source]],
    ['Reported by', car.reporter.name],
    ['Reported at', car.reportedAt.slice(0, 16).replace('T', ' ') + ' UTC'],
    ['When', car.report.occurredAt],
    ['Where', car.report.location],
    ['Affected', car.report.affected],
    ['Confidential', car.report.confidential ? 'Yes' : null],
    ['Classification', car.classification ? CLASSIFICATION_LABELS[car.classification] : null],
    ['Severity', car.severity ? SEVERITY_LABELS[car.severity] : null],
    ['Decision', car.triage?.reason ?? null],
    ['Merged into', car.triage?.mergedInto?.number ?? null],
    ['Effectiveness due', car.effectivenessDueDate],
  ]);

const detailSections = (car: CarPrimitives): CardElement[] => {
  const out: CardElement[] = [subheading('What happened'), para(car.report.description)];
  if (car.report.immediateAction)
    out.push(subheading('Immediate action'), para(car.report.immediateAction));
  if (car.containment) out.push(subheading('Containment'), para(car.containment.description));
  const inv = car.investigation;
  if (inv.fiveWhys.length > 0 || inv.rootCause) {
    out.push(subheading('Root cause'));
    inv.fiveWhys.forEach((w, i) => out.push(para(`${i + 1}. ${w.question} ${w.answer}`)));
    out.push(
      facts([
        ['Root cause', inv.rootCause],
        ['Cause category', inv.causeCategory ? CAUSE_CATEGORY_LABELS[inv.causeCategory] : null],
        ['Consultees', inv.consultees.map((c) => c.name).join(', ')],
        [
          'Similar check',
          inv.similarCheck
            ? inv.similarCheck.done
              ? `Done. ${inv.similarCheck.findings}`
              : 'Not done'
            : null,
        ],
      ]),
    );
  }
  out.push(...consulteeInputLines(car));
  return out;
};

/** What the consultees answered, each under their name. */
export const consulteeInputLines = (car: CarPrimitives): CardElement[] => {
  const inputs = car.investigation.consulteeInputs;
  if (inputs.length === 0) return [];
  return [
    subheading('Consultee input'),
    ...inputs.flatMap((i) => [
      para(`${i.by.name}, ${i.at.slice(0, 16).replace('T', ' ')} UTC`, { subtle: true }),
      para(i.answer),
    ]),
  ];
};

const actionLines = (actions: readonly CarAction[]): CardElement[] => {
  if (actions.length === 0) return [];
  return [
    subheading('Actions'),
    ...actions.map((a) =>
      facts([
        [ACTION_KIND_LABELS[a.kind], a.title],
        ['Owner', a.owner.name],
        ['Due', a.dueDate],
        [
          'Status',
          a.status === 'done'
            ? `Done ${a.completedOn ?? ''}`.trim()
            : a.status === 'cancelled'
              ? 'Cancelled'
              : 'Open',
        ],
      ]),
    ),
  ];
};

const peopleChoices = (people: readonly PersonRef[]) =>
  people.map((p) => ({ value: p.id, title: p.name }));

/** The MR's buttons for the CAR's state: triage, investigation, plan, verification, closure. */
function mrActions(i: CarCardInput): (ExecuteAction | ShowCardAction)[] {
  const { car } = i;
  const t = { carId: car.id, etag: i.etag };
  const addAction = showCard(
    'Add an action',
    [
      choiceInput('actionKind', 'Kind', choicesOf(ACTION_KIND_LABELS), { required: true }),
      textInput('actionTitle', 'Action', { required: true, max: 300 }),
      choiceInput('actionOwner', 'Owner', peopleChoices(i.people), { required: true }),
      new DateInput({ id: 'actionDue', label: 'Due (default: the service level)' }),
    ],
    [execute('Add action', 'car.addAction', t)],
  );
  const containment = showCard(
    'Containment',
    [
      textInput('containment', 'Containment and correction (10.2 a)', {
        required: true,
        multiline: true,
        max: 5000,
        value: car.containment?.description ?? '',
      }),
    ],
    [execute('Save containment', 'car.containment', t)],
  );
  switch (car.state) {
    case 'reported':
      return [
        showCard(
          'Record as CAR',
          [
            choiceInput('classification', 'Classification', choicesOf(CLASSIFICATION_LABELS), {
              required: true,
              expanded: true,
            }),
            choiceInput('severity', 'Severity', choicesOf(SEVERITY_LABELS), {
              required: true,
              expanded: true,
            }),
          ],
          [execute('Record', 'car.record', t, { primary: true })],
        ),
        showCard(
          'Reject',
          [
            textInput('reason', 'Why no CAR is needed (the reporter sees this)', {
              required: true,
              multiline: true,
            }),
          ],
          [execute('Reject', 'car.reject', t)],
        ),
        showCard(
          'Merge',
          [
            textInput('target', 'CAR number it duplicates', {
              required: true,
              max: 64,
              placeholder: 'CAR-YYYY-NNNN',
            }),
            textInput('mergeReason', 'Why it is a duplicate', {
              required: true,
              multiline: true,
            }),
          ],
          [execute('Merge', 'car.merge', t)],
        ),
      ];
    case 'recorded':
      return [
        execute('Start investigation', 'car.startInvestigation', t, {
          inputs: 'none',
          primary: true,
        }),
        containment,
      ];
    case 'investigating': {
      const whys = car.investigation.fiveWhys;
      return [
        showCard(
          'Investigation',
          [
            ...Array.from({ length: WHYS }, (_, n) =>
              textInput(`why${n + 1}`, `Why ${n + 1}?`, {
                max: 2000,
                value: whys[n]?.answer ?? '',
              }),
            ),
            textInput('rootCause', 'Root cause (10.2 b2)', {
              multiline: true,
              max: 5000,
              value: car.investigation.rootCause ?? '',
            }),
            choiceInput('causeCategory', 'Cause category', choicesOf(CAUSE_CATEGORY_LABELS), {
              ...(car.investigation.causeCategory
                ? { value: car.investigation.causeCategory }
                : {}),
            }),
            choiceInput('consultees', 'Consultees', peopleChoices(i.people), {
              multi: true,
              value: car.investigation.consultees.map((c) => c.id).join(','),
            }),
            toggle(
              'similarDone',
              'Checked for similar nonconformities elsewhere (10.2 b3)',
              car.investigation.similarCheck?.done ?? false,
            ),
            textInput('similarFindings', 'Findings of that check', {
              multiline: true,
              max: 5000,
              value: car.investigation.similarCheck?.findings ?? '',
            }),
          ],
          [execute('Save investigation', 'car.investigation', t)],
        ),
        containment,
        addAction,
        execute('Confirm action plan', 'car.planActions', t, { inputs: 'none', primary: true }),
      ];
    }
    case 'action_planned':
      return [
        addAction,
        execute('Start implementation', 'car.startImplementation', t, {
          inputs: 'none',
          primary: true,
        }),
      ];
    case 'implementing':
      return [
        addAction,
        execute('Start verification', 'car.startVerification', t, {
          inputs: 'none',
          primary: true,
        }),
      ];
    case 'verifying':
      return [
        showCard(
          'Verify effectiveness',
          [
            choiceInput(
              'effective',
              'Were the actions effective?',
              [
                { value: 'true', title: 'Effective' },
                { value: 'false', title: 'Not effective: reopen the investigation' },
              ],
              { required: true, expanded: true },
            ),
            textInput('evidence', 'Evidence', { required: true, multiline: true, max: 5000 }),
          ],
          [execute('Record verification', 'car.verify', t, { primary: true })],
        ),
        showCard(
          'Close',
          [
            textInput('summary', 'Closing summary', { required: true, multiline: true, max: 5000 }),
            toggle('ismsChangeNeeded', 'The ISMS itself needed a change (10.2 e)'),
            textInput('ismsChangeDescription', 'What changed in the ISMS', {
              multiline: true,
              max: 5000,
            }),
            toggle('feedsManagementReview', 'Feeds the next management review'),
          ],
          [execute('Close CAR', 'car.close', t)],
        ),
      ];
    default:
      return [];
  }
}

const completable = (state: CarState): boolean =>
  state === 'action_planned' || state === 'implementing';

/** An action owner's "done" for each of their open actions. */
function ownerActions(
  carId: string,
  etag: string,
  state: CarState,
  actions: readonly CarAction[],
  ownerId: string,
): ShowCardAction[] {
  if (!completable(state)) return [];
  return actions
    .filter((a) => a.owner.id === ownerId && a.status === 'open')
    .map((a) =>
      showCard(
        `Done: ${plain(a.title.slice(0, 40))}`,
        [textInput('note', 'What was done', { multiline: true, max: 5000 })],
        [
          execute(
            'Mark done',
            'action.complete',
            { carId, etag, actionId: a.id },
            { primary: true },
          ),
        ],
      ),
    );
}

/**
 * One CAR as one person sees it: the MR gets the buttons of the state, an action owner their
 * "done", everyone else the state. The card refreshes itself for the people listed.
 */
export function carCard(i: CarCardInput): IAdaptiveCard {
  const { car } = i;
  const body: CardElement[] = [];
  if (i.notice) body.push(notice(i.notice.text, i.notice.tone));
  body.push(heading(titleOf(car)), summaryFacts(car), ...detailSections(car));
  body.push(...actionLines(car.actions));
  const actions = [
    ...(i.role === 'mr' ? mrActions(i) : []),
    ...ownerActions(car.id, i.etag, car.state, car.actions, i.viewer.id),
  ];
  return card(body, actions, {
    verb: 'car.refresh',
    data: { carId: car.id },
    userIds: i.refreshUserIds,
  });
}

export interface OwnerCardInput {
  readonly carId: string;
  readonly carNumber: string | null;
  readonly carState: CarState;
  readonly etag: string;
  readonly viewer: PersonRef;
  /** The viewer's own actions on a CAR they may not read (a confidential one). */
  readonly actions: readonly CarAction[];
  readonly notice?: CarCardInput['notice'];
}

/** An action owner's view of a confidential CAR: their actions only, nothing of the report. */
export function ownerCard(i: OwnerCardInput): IAdaptiveCard {
  return card(
    [
      ...(i.notice ? [notice(i.notice.text, i.notice.tone)] : []),
      heading(`${i.carNumber ?? 'CAR'}: your actions`),
      ...actionLines(i.actions),
    ],
    ownerActions(i.carId, i.etag, i.carState, i.actions, i.viewer.id),
  );
}
