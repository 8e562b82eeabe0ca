import type { CardElement, IAdaptiveCard } from '@microsoft/teams.cards';
import type { CarPrimitives } from '../../domain/car/car.js';
import { execute, heading, notice, para, subheading, textInput, card } from './card-parts.js';
import { consulteeInputLines, summaryFacts, titleOf, type CarCardInput } from './car.card.js';

export interface ConsulteeCardInput {
  readonly car: CarPrimitives;
  readonly etag: string;
  /** Teams user ids (MRIs) whose card refreshes automatically. */
  readonly refreshUserIds: readonly string[];
  readonly notice?: CarCardInput['notice'];
}

const whysSoFar = (car: CarPrimitives): CardElement[] => {
  const whys = car.investigation.fiveWhys;
  return [
    subheading('The 5-Whys so far'),
    ...(whys.length === 0
      ? [para('No answers yet.', { subtle: true })]
      : whys.map((w, n) => para(`${n + 1}. ${w.question} ${w.answer}`))),
  ];
};

/**
 * A consultee's card: the CAR and the Management Representative's 5-Whys so far, and a box for
 * their answer. Consultees are asked while the CAR is investigated; afterwards it only reads.
 */
export function consulteeCard(i: ConsulteeCardInput): IAdaptiveCard {
  const { car } = i;
  const open = car.state === 'investigating';
  const body: CardElement[] = [];
  if (i.notice) body.push(notice(i.notice.text, i.notice.tone));
  body.push(
    heading(titleOf(car)),
    para(
      'The Management Representative is investigating the root cause and consults you. ' +
        'What do you know about why it happened?',
    ),
    summaryFacts(car),
    subheading('What happened'),
    para(car.report.description),
    ...whysSoFar(car),
    ...consulteeInputLines(car),
  );
  if (open)
    body.push(
      textInput('answer', 'Your answer to the investigation', {
        required: true,
        multiline: true,
        max: 5000,
      }),
    );
  const actions = open
    ? [
        execute(
          'Send answer',
          'car.consulteeInput',
          { carId: car.id, etag: i.etag },
          { primary: true },
        ),
      ]
    : [];
  return card(body, actions, {
    verb: 'car.refresh',
    data: { carId: car.id },
    userIds: i.refreshUserIds,
  });
}
