import type { IAdaptiveCard } from '@microsoft/teams.cards';
import type { CarPrimitives } from '../../domain/car/car.js';
import { card, execute, facts, heading, para } from './card-parts.js';
import { STATE_LABELS } from './labels.js';

export interface CarListItem {
  readonly car: CarPrimitives;
  readonly etag: string;
}

/** A list of CARs (my reports, the MR's queue); each opens its own card. */
export function carListCard(
  title: string,
  items: readonly CarListItem[],
  empty: string,
): IAdaptiveCard {
  if (items.length === 0) return card([heading(title), para(empty)]);
  return card(
    [
      heading(title),
      ...items.map(({ car }) =>
        facts([[car.number ?? 'Report', `${car.report.title} (${STATE_LABELS[car.state]})`]]),
      ),
    ],
    items
      .slice(0, 5)
      .map(({ car }) =>
        execute(
          `Open ${car.number ?? car.report.title.slice(0, 30)}`,
          'car.refresh',
          { carId: car.id },
          { inputs: 'none' },
        ),
      ),
  );
}
