import type {
  CardElement,
  ExecuteAction,
  IAdaptiveCard,
  ShowCardAction,
} from '@microsoft/teams.cards';
import { DateInput } from '@microsoft/teams.cards';
import type { CarAction, CarPrimitives } from '../../domain/car/car.js';
import type { AvailableCommand } from '../../application/available-commands.js';
import type { CarCommandName } from '../../application/car-commands.js';
import { COMMAND_VERBS, type CarVerb } from '../card-verbs.js';
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

export interface CarCardInput {
  readonly car: CarPrimitives;
  readonly etag: string;
  /** What the viewer may do now (`availableCommands`): the card's buttons come from it alone. */
  readonly available: readonly AvailableCommand[];
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

type Button = ExecuteAction | ShowCardAction;

/** What the investigation form showed, sent back with it so that only changed fields are saved. */
export const shownInvestigation = (car: CarPrimitives): Record<string, string> => {
  const inv = car.investigation;
  const shown: Record<string, string> = {
    'shown.rootCause': inv.rootCause ?? '',
    'shown.causeCategory': inv.causeCategory ?? '',
    'shown.consultees': inv.consultees.map((c) => c.id).join(','),
    'shown.similarDone': String(inv.similarCheck?.done ?? false),
    'shown.similarFindings': inv.similarCheck?.findings ?? '',
    'shown.whys': String(inv.fiveWhys.length),
  };
  inv.fiveWhys.slice(0, WHYS).forEach((w, n) => {
    shown[`shown.why${n + 1}`] = w.answer;
  });
  return shown;
};

const completeButton = (action: CarAction, t: Record<string, string>): Button =>
  showCard(
    `Done: ${plain(action.title.slice(0, 40))}`,
    [textInput('note', 'What was done', { multiline: true, max: 5000 })],
    [execute('Mark done', 'action.complete', { ...t, actionId: action.id }, { primary: true })],
  );

/**
 * The button of each card verb, built for one available command. Which buttons a card shows
 * is decided by `availableCommands` alone, through COMMAND_VERBS; nothing here knows states.
 */
const BUTTONS: {
  readonly [V in CarVerb]: (
    i: CarCardInput,
    c: AvailableCommand,
    t: Record<string, string>,
  ) => Button | null;
} = {
  'car.record': (_i, _c, t) =>
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
  'car.reject': (_i, _c, t) =>
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
  'car.merge': (_i, _c, t) =>
    showCard(
      'Merge',
      [
        textInput('target', 'CAR number it duplicates', {
          required: true,
          max: 64,
          placeholder: 'CAR-YYYY-NNNN',
        }),
        textInput('mergeReason', 'Why it is a duplicate', { required: true, multiline: true }),
      ],
      [execute('Merge', 'car.merge', t)],
    ),
  'car.containment': ({ car }, _c, t) =>
    showCard(
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
    ),
  'car.startInvestigation': (_i, _c, t) =>
    execute('Start investigation', 'car.startInvestigation', t, { inputs: 'none', primary: true }),
  'car.investigation': (i, _c, t) => {
    const inv = i.car.investigation;
    return showCard(
      'Investigation',
      [
        ...Array.from({ length: WHYS }, (_, n) =>
          textInput(`why${n + 1}`, inv.fiveWhys[n]?.question ?? `Why ${n + 1}?`, {
            max: 2000,
            value: inv.fiveWhys[n]?.answer ?? '',
          }),
        ),
        textInput('rootCause', 'Root cause (10.2 b2)', {
          multiline: true,
          max: 5000,
          value: inv.rootCause ?? '',
        }),
        choiceInput('causeCategory', 'Cause category', choicesOf(CAUSE_CATEGORY_LABELS), {
          ...(inv.causeCategory ? { value: inv.causeCategory } : {}),
        }),
        choiceInput('consultees', 'Consultees', peopleChoices(i.people), {
          multi: true,
          value: inv.consultees.map((c) => c.id).join(','),
        }),
        toggle(
          'similarDone',
          'Checked for similar nonconformities elsewhere (10.2 b3)',
          inv.similarCheck?.done ?? false,
        ),
        textInput('similarFindings', 'Findings of that check', {
          multiline: true,
          max: 5000,
          value: inv.similarCheck?.findings ?? '',
        }),
      ],
      [execute('Save investigation', 'car.investigation', { ...t, ...shownInvestigation(i.car) })],
    );
  },
  'car.consulteeInput': (_i, _c, t) =>
    showCard(
      'Answer as consultee',
      [
        textInput('answer', 'Your answer to the investigation', {
          required: true,
          multiline: true,
          max: 5000,
        }),
      ],
      [execute('Send answer', 'car.consulteeInput', t, { primary: true })],
    ),
  'car.addAction': (i, _c, t) =>
    showCard(
      'Add an action',
      [
        choiceInput('actionKind', 'Kind', choicesOf(ACTION_KIND_LABELS), { required: true }),
        textInput('actionTitle', 'Action', { required: true, max: 300 }),
        choiceInput('actionOwner', 'Owner', peopleChoices(i.people), { required: true }),
        new DateInput({ id: 'actionDue', label: 'Due (default: the service level)' }),
      ],
      [execute('Add action', 'car.addAction', t)],
    ),
  'car.planActions': (_i, _c, t) =>
    execute('Confirm action plan', 'car.planActions', t, { inputs: 'none', primary: true }),
  'car.startImplementation': (_i, _c, t) =>
    execute('Start implementation', 'car.startImplementation', t, {
      inputs: 'none',
      primary: true,
    }),
  'action.complete': (i, c, t) => {
    const action = i.car.actions.find((a) => a.id === c.actionId);
    return action ? completeButton(action, t) : null;
  },
  'car.startVerification': (_i, _c, t) =>
    execute('Start verification', 'car.startVerification', t, { inputs: 'none', primary: true }),
  'car.verify': (_i, _c, t) =>
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
  'car.close': (_i, _c, t) =>
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
};

/** The card verb of an available command the bot can run now; null: not on the card. */
export const verbOf = (c: AvailableCommand): CarVerb | null =>
  c.blockedBy === null ? COMMAND_VERBS[c.name] : null;

/** The buttons of the commands this person may run now, in the catalogue's order. */
function commandButtons(i: CarCardInput): Button[] {
  const t = { carId: i.car.id, etag: i.etag };
  return i.available.flatMap((c) => {
    const verb = verbOf(c);
    const button = verb ? BUTTONS[verb](i, c, t) : null;
    return button ? [button] : [];
  });
}

const COMMAND_TITLES: Readonly<Partial<Record<CarCommandName, string>>> = {
  planActions: 'Confirm action plan',
  startVerification: 'Start verification',
  verifyEffectiveness: 'Verify effectiveness',
  close: 'Close',
  addConsulteeInput: 'Answer as consultee',
};

/** What a gate still holds back, said once on the card instead of a button that would fail. */
function blockedLines(i: CarCardInput): CardElement[] {
  return i.available
    .filter((c) => c.blockedBy !== null && COMMAND_VERBS[c.name] !== null)
    .map((c) =>
      para(`${COMMAND_TITLES[c.name] ?? c.name}: ${c.blockedBy ?? ''}`, { subtle: true }),
    );
}

/**
 * One CAR as one person sees it: the buttons of the commands they may run now, and what still
 * holds a command back. The card refreshes itself for the people listed.
 */
export function carCard(i: CarCardInput): IAdaptiveCard {
  const { car } = i;
  const body: CardElement[] = [];
  if (i.notice) body.push(notice(i.notice.text, i.notice.tone));
  body.push(heading(titleOf(car)), summaryFacts(car), ...detailSections(car));
  body.push(...actionLines(car.actions), ...blockedLines(i));
  return card(body, commandButtons(i), {
    verb: 'car.refresh',
    data: { carId: car.id },
    userIds: i.refreshUserIds,
  });
}

export interface OwnerCardInput {
  readonly carId: string;
  readonly carNumber: string | null;
  readonly etag: string;
  /** The viewer's own actions on a CAR they may not read (a confidential one). */
  readonly actions: readonly CarAction[];
  /** What the viewer may do with those actions (their completions). */
  readonly available: readonly AvailableCommand[];
  readonly notice?: CarCardInput['notice'];
}

/** An action owner's view of a confidential CAR: their actions only, nothing of the report. */
export function ownerCard(i: OwnerCardInput): IAdaptiveCard {
  const t = { carId: i.carId, etag: i.etag };
  const buttons = i.available.flatMap((c) => {
    const action = i.actions.find((a) => a.id === c.actionId);
    if (verbOf(c) !== 'action.complete' || !action) return [];
    return [completeButton(action, t)];
  });
  return card(
    [
      ...(i.notice ? [notice(i.notice.text, i.notice.tone)] : []),
      heading(`${i.carNumber ?? 'CAR'}: your actions`),
      ...actionLines(i.actions),
    ],
    buttons,
  );
}
