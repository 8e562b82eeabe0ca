import type { LocalDate } from '../../domain/calendar/local-date.js';
import type { CarPage, CarRepository } from '../../domain/car/car-repository.js';
import type { CarPrimitives } from '../../domain/car/car.js';
import type { Principal } from '../../domain/identity.js';
import type { CarService } from '../car-service.js';

/**
 * Every CAR, whole, one page at a time, oldest report first. Paging is by report time, which
 * never changes, so a CAR edited during the export is neither skipped nor repeated; reports
 * made during the export may or may not be included.
 */
export type CarSource = () => AsyncIterable<CarPrimitives>;

export type PageReader = (cursor: string | undefined) => Promise<CarPage>;

export const EXPORT_PAGE_SIZE = 200;

export async function* everyCar(read: PageReader): AsyncGenerator<CarPrimitives> {
  let cursor: string | undefined;
  do {
    const page = await read(cursor);
    for (const stored of page.items) yield stored.car.toPrimitives();
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
}

/** The CARs a person may see, through the use cases (and so through the access policy). */
export const carsVisibleTo =
  (service: CarService, principal: Principal): CarSource =>
  () =>
    everyCar((cursor) =>
      service.list(principal, {
        sort: 'reportedAt',
        order: 'asc',
        limit: EXPORT_PAGE_SIZE,
        cursor,
      }),
    );

/** Every CAR of a store, for tools that run beside it (the review-pack command). */
export const carsInRepository =
  (repository: CarRepository, today: LocalDate): CarSource =>
  () =>
    everyCar((cursor) =>
      repository.list({
        today,
        visibility: { kind: 'all' },
        sort: 'reportedAt',
        order: 'asc',
        limit: EXPORT_PAGE_SIZE,
        cursor,
      }),
    );
