import {
  AdaptiveCard,
  Choice,
  ChoiceSetInput,
  ExecuteAction,
  Fact,
  FactSet,
  QueryData,
  RefreshDefinition,
  ShowCardAction,
  SubmitAction,
  TextBlock,
  TextInput,
  ToggleInput,
  type CardElement,
  type IAdaptiveCard,
} from '@microsoft/teams.cards';
import type { CardVerb } from '../card-verbs.js';
import { literal, plain } from '../literal-text.js';

/** Universal Actions need schema 1.5 (Action.Execute, refresh). */
export const CARD_VERSION = '1.5';

export const card = (
  body: CardElement[],
  actions: (ExecuteAction | ShowCardAction | SubmitAction)[] = [],
  refresh?: {
    readonly verb: CardVerb;
    readonly data: Record<string, string>;
    readonly userIds: readonly string[];
  },
): IAdaptiveCard => {
  const c = new AdaptiveCard(...body).withOptions({ version: CARD_VERSION });
  if (actions.length > 0) c.withActions(...actions);
  if (refresh)
    c.withRefresh(
      new RefreshDefinition({
        action: new ExecuteAction({ verb: refresh.verb, data: { ...refresh.data } }),
        userIds: [...refresh.userIds],
      }),
    );
  return c;
};

/** A card nested in a ShowCard action: no version of its own. */
export const subCard = (body: CardElement[], actions: ExecuteAction[]): IAdaptiveCard =>
  new AdaptiveCard(...body).withActions(...actions);

export const heading = (text: string): TextBlock =>
  new TextBlock(literal(text), { size: 'Large', weight: 'Bolder', wrap: true, style: 'heading' });

export const subheading = (text: string): TextBlock =>
  new TextBlock(literal(text), { weight: 'Bolder', wrap: true, spacing: 'Medium' });

/** A paragraph of someone's text, shown literally. */
export const para = (text: string, options: { subtle?: boolean } = {}): TextBlock =>
  new TextBlock(literal(text), { wrap: true, ...(options.subtle ? { isSubtle: true } : {}) });

export const notice = (text: string, tone: 'good' | 'attention' | 'warning'): TextBlock =>
  new TextBlock(literal(text), {
    wrap: true,
    weight: 'Bolder',
    color: tone === 'good' ? 'Good' : tone === 'warning' ? 'Warning' : 'Attention',
  });

/** Facts skip empty values; values are plain text. */
export const facts = (pairs: readonly (readonly [string, string | null | undefined])[]): FactSet =>
  new FactSet(
    ...pairs
      .filter((p): p is readonly [string, string] => typeof p[1] === 'string' && p[1].trim() !== '')
      .map(([k, v]) => new Fact(k, literal(v))),
  );

export const execute = (
  title: string,
  verb: CardVerb,
  data: Record<string, string>,
  options: { readonly inputs?: 'auto' | 'none'; readonly primary?: boolean } = {},
): ExecuteAction =>
  new ExecuteAction({
    title,
    verb,
    data: { ...data },
    associatedInputs: options.inputs ?? 'auto',
    ...(options.primary ? { style: 'positive' as const } : {}),
  });

export const showCard = (
  title: string,
  body: CardElement[],
  actions: ExecuteAction[],
): ShowCardAction => new ShowCardAction({ title, card: subCard(body, actions) });

export const textInput = (
  id: string,
  label: string,
  options: {
    required?: boolean;
    multiline?: boolean;
    max?: number;
    value?: string;
    placeholder?: string;
  } = {},
): TextInput =>
  new TextInput({
    id,
    label,
    isMultiline: options.multiline ?? false,
    maxLength: options.max ?? 2000,
    ...(options.required ? { isRequired: true, errorMessage: `${label} is required` } : {}),
    ...(options.value !== undefined ? { value: plain(options.value) } : {}),
    ...(options.placeholder !== undefined ? { placeholder: options.placeholder } : {}),
  });

export const choiceInput = (
  id: string,
  label: string,
  choices: readonly { readonly value: string; readonly title: string }[],
  options: { required?: boolean; multi?: boolean; expanded?: boolean; value?: string } = {},
): ChoiceSetInput =>
  new ChoiceSetInput(
    ...choices.map((c) => new Choice({ title: plain(c.title), value: c.value })),
  ).withOptions({
    id,
    label,
    isMultiSelect: options.multi ?? false,
    style: options.expanded ? 'expanded' : 'compact',
    ...(options.required ? { isRequired: true, errorMessage: `${label} is required` } : {}),
    ...(options.value !== undefined ? { value: options.value } : {}),
  });

export const toggle = (id: string, title: string, value = false): ToggleInput =>
  new ToggleInput(title, {
    id,
    valueOn: 'true',
    valueOff: 'false',
    value: value ? 'true' : 'false',
  });

/** The dataset a people typeahead asks the bot for (`application/search` invoke). */
export const PEOPLE_DATASET = 'people';

/**
 * A person (or several) chosen by typing: Teams asks the bot for matches as the MR types
 * (dynamic typeahead, `choices.data` of type Data.Query,
 * https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/dynamic-search),
 * so the card carries only the people already chosen and a few suggestions (at most
 * MAX_SUGGESTED, the people already on the CAR), whatever the organisation's size. The
 * suggestions also keep the input valid where the typeahead is not rendered: Microsoft's
 * Adaptive Cards validator wants at least one static choice.
 */
export const MAX_SUGGESTED = 10;

export const peopleInput = (
  id: string,
  label: string,
  chosen: readonly { readonly id: string; readonly name: string }[],
  options: {
    required?: boolean;
    multi?: boolean;
    suggested?: readonly { readonly id: string; readonly name: string }[];
  } = {},
): ChoiceSetInput => {
  const offered = new Map<string, string>();
  for (const p of chosen) offered.set(p.id, p.name);
  for (const p of options.suggested ?? []) {
    if (offered.size >= chosen.length + MAX_SUGGESTED) break;
    if (!offered.has(p.id)) offered.set(p.id, p.name);
  }
  return new ChoiceSetInput(
    ...[...offered].map(([value, title]) => new Choice({ title: plain(title), value })),
  ).withOptions({
    id,
    label,
    isMultiSelect: options.multi ?? false,
    style: 'filtered',
    placeholder: 'Type a name',
    'choices.data': new QueryData({ dataset: PEOPLE_DATASET, associatedInputs: 'none' }),
    ...(options.required ? { isRequired: true, errorMessage: `${label} is required` } : {}),
    ...(chosen.length > 0 ? { value: chosen.map((p) => p.id).join(',') } : {}),
  });
};
