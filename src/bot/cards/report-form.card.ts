import { DateInput, SubmitAction, type IAdaptiveCard } from '@microsoft/teams.cards';
import { card, choiceInput, execute, heading, para, textInput, toggle } from './card-parts.js';
import { REPORT_TYPE_LABELS, RELATES_TO_LABELS, SOURCE_LABELS, choicesOf } from './labels.js';

export interface ReportFormOptions {
  /** Makes the submission idempotent: a double click or a redelivery creates one report. */
  readonly formId: string;
  /** Pre-fill, such as the text of a chat message reported with the message action. */
  readonly description?: string;
  readonly title?: string;
  readonly problem?: string;
  /**
   * In a dialog (the message action) the form submits with Action.Submit: dialogs do not
   * run Action.Execute.
   */
  readonly inDialog?: boolean;
}

/** The report form: what happened, in under a minute. */
export function reportFormCard(o: ReportFormOptions): IAdaptiveCard {
  return card(
    [
      heading('Report an ISMS event'),
      para('Blame-free: tell the Management Representative what went wrong, as you saw it.', {
        subtle: true,
      }),
      ...(o.problem ? [para(o.problem)] : []),
      choiceInput('type', 'Type', choicesOf(REPORT_TYPE_LABELS), {
        required: true,
        expanded: true,
      }),
      choiceInput('relatesTo', 'Relates to', choicesOf(RELATES_TO_LABELS), {
        required: true,
        multi: true,
        expanded: true,
      }),
      choiceInput('source', 'How it was recognised', choicesOf(SOURCE_LABELS), {
        value: 'member_report',
      }),
      textInput('title', 'Title', { required: true, max: 200, value: o.title ?? '' }),
      textInput('description', 'What happened', {
        required: true,
        multiline: true,
        max: 10_000,
        value: o.description ?? '',
      }),
      new DateInput({ id: 'occurredOn', label: 'When it happened' }),
      textInput('location', 'Where', { max: 500 }),
      textInput('affected', 'Who or what is affected', { max: 2000 }),
      textInput('immediateAction', 'Immediate action already taken', {
        multiline: true,
        max: 5000,
      }),
      toggle('confidential', 'Confidential: only the MR and the Steering Committee may see it'),
    ],
    [
      o.inDialog
        ? new SubmitAction({ title: 'Send report', style: 'positive', data: { formId: o.formId } })
        : execute('Send report', 'report.submit', { formId: o.formId }, { primary: true }),
    ],
  );
}
