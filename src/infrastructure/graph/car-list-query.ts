import { z } from 'zod';
import type { CarPage, CarQuery, StoredCar } from '../../domain/car/car-repository.js';
import type { Car } from '../../domain/car/car.js';
import { RectifyError } from '../../domain/errors.js';
import { CAR_SELECT, sortColumnOf, type ItemMeta } from './car-list-mapper.js';
import { C, CARS_LIST } from './rectify-lists.js';
import { explain, SCAN_PAGE, type RectifyListAccess } from './rectify-list-access.js';
import { odataString, type ListItem } from './sharepoint-list-client.js';

/**
 * Queries of the CAR list: filters and sorts on indexed columns only (a list past 5,000 items
 * refuses others), the most selective clause first (SharePoint narrows a large list by the
 * first indexed clause), the remaining conditions checked on the items read, following
 * @odata.nextLink; pages continue after an opaque cursor.
 */

const cursorSchema = z.object({
  s: z.enum(['reportedAt', 'updatedAt', 'number', 'dueDate']),
  o: z.enum(['asc', 'desc']),
  k: z.string().min(1),
});

const invalidCursor = (reason: string): RectifyError =>
  new RectifyError('REQUEST.VALIDATION', { field: 'cursor', reason });

export class CarListQuery {
  constructor(
    private readonly access: RectifyListAccess,
    /** Reads a CAR item, its integrity checked (CAR.INTEGRITY_FAILED otherwise). */
    private readonly read: (item: ListItem) => { stored: StoredCar; meta: ItemMeta },
    /** Puts what was read in the repository's copy; answers the stored CAR to hand out. */
    private readonly remember: (read: { stored: StoredCar; meta: ItemMeta }) => StoredCar,
    private readonly handOut: (stored: StoredCar) => StoredCar,
  ) {}

  /**
   * Every CAR on the list, page by page (following @odata.nextLink): its id and number only, so
   * that a CAR whose record no longer parses is still listed (for audit:verify).
   */
  async *everyCar(): AsyncGenerator<{ readonly id: string; readonly number: string | null }> {
    const pages = this.access.lists.queryItems(this.access.ids.cars, {
      select: [C.carId, C.number],
      top: SCAN_PAGE,
    });
    try {
      for await (const page of pages)
        for (const item of page) {
          const id = item.fields[C.carId];
          const number = item.fields[C.number];
          if (typeof id !== 'string' || id === '')
            throw new Error(`CAR list item ${item.id} has no record id`);
          yield { id, number: typeof number === 'string' && number !== '' ? number : null };
        }
    } catch (e) {
      throw explain(e, `the list '${CARS_LIST.displayName}'`);
    }
  }

  async list(query: CarQuery): Promise<CarPage> {
    if (!Number.isInteger(query.limit) || query.limit < 1)
      throw new RectifyError('REQUEST.VALIDATION', {
        field: 'limit',
        reason: 'a whole number >= 1',
      });
    const sortColumn = sortColumnOf(query.sort, query.order);
    const filters: string[] = [];
    const anyOf = (column: string, values: readonly string[] | undefined): void => {
      if (!values || values.length === 0) return;
      filters.push(`(${values.map((v) => `fields/${column} eq ${odataString(v)}`).join(' or ')})`);
    };
    // The most selective clause first: one reporter's CARs, then kinds, then states (closed
    // CARs grow without bound; SharePoint narrows a large list by the first indexed clause).
    if (query.reporterId !== undefined)
      filters.push(`fields/${C.reporterId} eq ${odataString(query.reporterId)}`);
    anyOf(C.type, query.types);
    anyOf(C.classification, query.classifications);
    anyOf(C.state, query.states);
    if (query.cursor !== undefined) {
      const cursor = decodeCursor(query.cursor, query);
      filters.push(
        `fields/${sortColumn} ${query.order === 'asc' ? 'gt' : 'lt'} ${odataString(cursor.k)}`,
      );
    }
    const wanted = matcherOf(query);
    const found: { stored: StoredCar; key: string }[] = [];
    const pages = this.access.lists.queryItems(this.access.ids.cars, {
      filter: filters.length > 0 ? filters.join(' and ') : undefined,
      orderBy: [{ field: sortColumn, desc: query.order === 'desc' }],
      select: [...CAR_SELECT, sortColumn],
      top: Math.min(Math.max(query.limit + 1, 20), SCAN_PAGE),
    });
    try {
      scan: for await (const page of pages) {
        for (const item of page) {
          const read = this.read(item);
          if (!wanted(read.stored.car)) continue;
          found.push({ stored: this.remember(read), key: String(item.fields[sortColumn]) });
          if (found.length > query.limit) break scan;
        }
      }
    } catch (e) {
      throw explain(e, `the list '${CARS_LIST.displayName}'`);
    }
    const page = found.slice(0, query.limit);
    const last = page.at(-1);
    const nextCursor =
      found.length > query.limit && last
        ? Buffer.from(
            JSON.stringify({ s: query.sort, o: query.order, k: last.key }),
            'utf8',
          ).toString('base64url')
        : null;
    return { items: page.map((f) => this.handOut(f.stored)), nextCursor };
  }
}

function decodeCursor(raw: string, query: CarQuery): z.infer<typeof cursorSchema> {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor('not a cursor this service issued');
  }
  const parsed = cursorSchema.safeParse(json);
  if (!parsed.success) throw invalidCursor('not a cursor this service issued');
  if (parsed.data.s !== query.sort || parsed.data.o !== query.order)
    throw invalidCursor('the cursor belongs to another sort order');
  return parsed.data;
}

/** The conditions SharePoint cannot check on an index, checked on each CAR read. */
function matcherOf(query: CarQuery): (car: Car) => boolean {
  const words = (query.text ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  return (car) => {
    const p = car.toPrimitives();
    const live = p.actions.filter((a) => a.status !== 'cancelled');
    if (
      query.actionKinds &&
      query.actionKinds.length > 0 &&
      !live.some((a) => query.actionKinds?.includes(a.kind))
    )
      return false;
    if (query.actionOwnerId !== undefined && !car.ownsAction(query.actionOwnerId)) return false;
    const cause = p.investigation.causeCategory;
    if (
      query.causeCategories &&
      query.causeCategories.length > 0 &&
      (cause === null || !query.causeCategories.includes(cause))
    )
      return false;
    if (query.overdue === true && !car.isOverdue(query.today)) return false;
    if (words.length > 0) {
      const haystack = [
        p.number ?? '',
        p.report.title,
        p.report.description,
        p.report.location,
        p.report.affected,
      ]
        .join('\n')
        .toLowerCase();
      if (!words.every((w) => haystack.includes(w))) return false;
    }
    if (query.tenantIds !== undefined && !query.tenantIds.includes(car.tenantId)) return false;
    if (query.visibility.kind === 'involved') {
      const person = query.visibility.personId;
      if (!car.involves(person)) return false;
    }
    return true;
  };
}
