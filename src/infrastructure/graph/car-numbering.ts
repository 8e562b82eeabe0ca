import { formatCarNumber, parseCarNumber, type CarNumber } from '../../domain/car/car-number.js';
import type { Car } from '../../domain/car/car.js';
import { S } from './rectify-lists.js';
import { etagOfResult, failure, mustHave, type RectifyListAccess } from './rectify-list-access.js';
import {
  itemOf,
  type BatchResult,
  type BatchStep,
  type ListItem,
} from './sharepoint-list-client.js';

/**
 * CAR numbers from a counter item per year in the sequences list: taken with an If-Match PATCH
 * in the same batch as the CAR write (dependsOn), given back when the CAR write is refused.
 * The counters as last read or written are kept (one item per year: a handful); a stale one
 * turns into 412 and a fresh read.
 */

export const MAX_NUMBER_ATTEMPTS = 8;

/** The plan to take a number: the counter as read, and the If-Match PATCH of the batch. */
export interface NumberPlan {
  readonly number: CarNumber;
  readonly year: number;
  readonly counter: ListItem;
  readonly fields: Record<string, unknown>;
  readonly step: BatchStep;
}

export class CarNumbering {
  /** The year counters as last read or written. */
  private readonly counters = new Map<number, ListItem>();

  constructor(private readonly access: RectifyListAccess) {}

  /**
   * Reads the year's counter and prepares the If-Match PATCH that takes the next number (or
   * one given back earlier), to go in the same batch as the CAR write.
   */
  async takeNumberPlan(car: Car): Promise<NumberPlan> {
    const year = car.numberYear();
    const counter = this.counters.get(year) ?? (await this.counter(year));
    const orphans = parseOrphans(counter.fields[S.orphans]);
    const last = Number(counter.fields[S.lastValue] ?? 0);
    const reused = orphans[0];
    const value = reused ?? last + 1;
    const fields =
      reused === undefined
        ? { [S.lastValue]: value, [S.holderId]: car.id }
        : { [S.orphans]: orphans.slice(1).join(','), [S.holderId]: car.id };
    return {
      number: formatCarNumber(year, value),
      year,
      counter,
      fields,
      step: {
        id: 'counter',
        method: 'PATCH',
        url: this.access.itemUrl('sequences', counter.id, '/fields'),
        headers: { 'If-Match': counter.etag },
        body: fields,
      },
    };
  }

  /** The counter item of a year as stored now, created on first use; kept in the copy. */
  private async counter(year: number): Promise<ListItem> {
    const item = await this.readCounter(year);
    this.counters.set(year, item);
    return item;
  }

  /** Keeps the counter as this batch left it: taken (200, the new ETag) or unknown (forgotten). */
  noteCounter(plan: NumberPlan, result: BatchResult | undefined): void {
    const etag = result?.status === 200 ? etagOfResult(result) : null;
    if (etag === null) {
      this.counters.delete(plan.year);
      return;
    }
    this.counters.set(plan.year, {
      id: plan.counter.id,
      etag,
      fields: { ...plan.counter.fields, ...plan.fields },
    });
  }

  /** The counter item of a year, created on first use (keyed, so two creators make one). */
  private async readCounter(year: number): Promise<ListItem> {
    const key = `car-number-${year}`;
    const found = await this.access.findOne('sequences', S.key, key, Object.values(S));
    if (found) return found;
    const results = await this.access.send([
      {
        id: 'create',
        method: 'POST',
        url: this.access.itemsUrl('sequences'),
        body: {
          fields: { Title: key, [S.key]: key, [S.lastValue]: 0, [S.holderId]: '', [S.orphans]: '' },
        },
      },
    ]);
    const created = mustHave(results, 'create');
    if (created.status === 201) return itemOf(created.body);
    // Whatever the failure (a duplicate key answers 500 or 409), the key decides.
    const again = await this.access.findOne('sequences', S.key, key, Object.values(S));
    if (!again) throw failure(created, `creating the counter ${key}`);
    return again;
  }

  /**
   * Hands a number back after the CAR write that took it was refused: the counter steps back if
   * nobody took a later one, else the number waits in the counter's list for the next CAR.
   */
  async giveBack(number: CarNumber, year: number): Promise<void> {
    const { sequence } = parseCarNumber(number);
    for (let attempt = 0; attempt < MAX_NUMBER_ATTEMPTS; attempt += 1) {
      const counter = this.counters.get(year) ?? (await this.counter(year));
      const last = Number(counter.fields[S.lastValue] ?? 0);
      const orphans = parseOrphans(counter.fields[S.orphans]);
      const fields =
        last === sequence
          ? { [S.lastValue]: last - 1 }
          : { [S.orphans]: [...new Set([...orphans, sequence])].sort((a, b) => a - b).join(',') };
      const results = await this.access.send([
        {
          id: 'giveBack',
          method: 'PATCH',
          url: this.access.itemUrl('sequences', counter.id, '/fields'),
          headers: { 'If-Match': counter.etag },
          body: fields,
        },
      ]);
      const r = mustHave(results, 'giveBack');
      const etag = r.status === 200 ? etagOfResult(r) : null;
      if (etag !== null)
        this.counters.set(year, { id: counter.id, etag, fields: { ...counter.fields, ...fields } });
      else this.counters.delete(year);
      if (r.status === 200) return;
      if (r.status !== 412) throw failure(r, `giving back ${number}`);
    }
    throw new Error(`could not give back ${number}: the counter keeps changing`);
  }
}

function parseOrphans(value: unknown): number[] {
  if (typeof value !== 'string' || value.trim() === '') return [];
  return value
    .split(',')
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0)
    .sort((a, b) => a - b);
}
