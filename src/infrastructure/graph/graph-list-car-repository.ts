import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { AuditEntry, AuditRecord, FieldChange } from '../../domain/audit/audit-entry.js';
import { formatCarNumber, parseCarNumber, type CarNumber } from '../../domain/car/car-number.js';
import type {
  CarPage,
  CarQuery,
  CarRepository,
  FindOptions,
  IdempotencyClaim,
  StoredCar,
} from '../../domain/car/car-repository.js';
import { Car } from '../../domain/car/car.js';
import { RectifyError } from '../../domain/errors.js';
import {
  GENESIS_HASH,
  chainEntry,
  toStoredJson,
  verifyChain,
  type ChainVerification,
  type ChainedRow,
} from '../audit/hash-chain.js';
import {
  AUDIT_SELECT,
  CAR_SELECT,
  auditEntryOf,
  auditItemFields,
  auditRowsOf,
  carFields,
  idempotencyKeyOf,
  normalisedInstant,
  sortColumnOf,
  storedCarOf,
  type AuditItemFields,
  type ItemMeta,
} from './car-list-mapper.js';
import { GraphRequestError } from './graph-client.js';
import { RecentItems } from './recent-items.js';
import { A, AUDIT_LIST, C, CARS_LIST, S, SEQUENCES_LIST } from './rectify-lists.js';
import {
  odataString,
  itemOf,
  type BatchResult,
  type BatchStep,
  type ListItem,
  type SharePointListClient,
} from './sharepoint-list-client.js';

/**
 * CARs as SharePoint list items through Microsoft Graph. SharePoint has no transaction across
 * items, so each write is arranged so that a single-item write decides it:
 *
 * - A CAR write is one If-Match PATCH (412 -> CAR.CONFLICT) that also carries the head of the
 *   CAR's own audit hash chain and the audit item of this write; the audit item is created in
 *   the same $batch, keyed by a unique write id, and re-sent by the next write or a history
 *   read if it was lost. A write is retried only because it is safe to send twice: a create
 *   is keyed by the unique CarId and idempotency-key columns, an update by its If-Match, and
 *   the write id on the item tells "my earlier attempt landed" from "someone else wrote".
 * - Numbers come from a counter item per year, taken with an If-Match PATCH in the same batch
 *   as the CAR write (dependsOn), and given back when the CAR write is refused.
 * - Queries filter and sort on indexed columns only (lists past 5,000 items refuse others);
 *   the remaining conditions are checked on the items read, following @odata.nextLink.
 *
 * What is kept between calls is a copy, never the truth: the CAR items and year counters this
 * instance last read or wrote, with their ETags (bounded, least recently used forgotten first).
 * A caller holding an ETag (If-Match) is answered from the copy when the copy has that very
 * ETag, and a number is taken from the counter as last seen; every write still carries If-Match,
 * so a copy that went stale (another instance wrote) turns into 412: CAR.CONFLICT for a CAR, a
 * fresh read and another try for a counter. So a card action on a CAR this instance has just
 * served is one $batch, and a CAR it has not seen is a read and a $batch.
 */

export interface GraphListIds {
  readonly cars: string;
  readonly audit: string;
  readonly sequences: string;
}

const MAX_NUMBER_ATTEMPTS = 8;
const SCAN_PAGE = 200;
/** CAR items kept in the copy; each holds one CAR record (a few kB). */
export const DEFAULT_COPY_SIZE = 1000;

export interface GraphListCarRepositoryOptions {
  /** How many CAR items the copy holds; DEFAULT_COPY_SIZE when not given. */
  readonly copySize?: number | undefined;
  /** The organisation's time zone (TIME_ZONE): date-only columns are written as its noon. */
  readonly timeZone?: string | undefined;
  /** Called after each write this instance made (the background pollers look again at once). */
  readonly onWrite?: (() => void) | undefined;
}

/** A CAR as this instance last read or wrote it. */
interface CopiedCar {
  /** Never handed out: callers get a detached copy. */
  readonly stored: StoredCar;
  readonly meta: ItemMeta;
}

/** The plan to take a number: the counter as read, and the If-Match PATCH of the batch. */
interface NumberPlan {
  readonly number: CarNumber;
  readonly year: number;
  readonly counter: ListItem;
  readonly fields: Record<string, unknown>;
  readonly step: BatchStep;
}

const cursorSchema = z.object({
  s: z.enum(['reportedAt', 'updatedAt', 'number', 'dueDate']),
  o: z.enum(['asc', 'desc']),
  k: z.string().min(1),
});

const invalidCursor = (reason: string): RectifyError =>
  new RectifyError('REQUEST.VALIDATION', { field: 'cursor', reason });

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Finds the Rectify lists on the site and fails clearly when one is missing. */
export async function resolveRectifyLists(lists: SharePointListClient): Promise<GraphListIds> {
  try {
    await lists.getSite();
  } catch (e) {
    throw explain(e, `the SharePoint site ${lists.siteId}`);
  }
  const find = async (displayName: string): Promise<string> => {
    const found = await lists.findList(displayName).catch((e: unknown) => {
      throw explain(e, `the list '${displayName}'`);
    });
    if (!found)
      throw new Error(
        `The list '${displayName}' does not exist on site ${lists.siteId}: run npm run provision -- --site <site>`,
      );
    return found.id;
  };
  return {
    cars: await find(CARS_LIST.displayName),
    audit: await find(AUDIT_LIST.displayName),
    sequences: await find(SEQUENCES_LIST.displayName),
  };
}

/** A deployment problem said plainly: missing site, missing permission. */
function explain(e: unknown, what: string): unknown {
  if (!(e instanceof GraphRequestError)) return e;
  if (e.status === 404)
    return new Error(`Graph cannot find ${what} (404): check SHAREPOINT_SITE_ID`, { cause: e });
  if (e.status === 401 || e.status === 403)
    return new Error(
      `Rectify may not use ${what} (${e.status}): grant the app Sites.Selected with write access on this site (README, "SharePoint and Microsoft Graph")`,
      { cause: e },
    );
  return e;
}

export class GraphListCarRepository implements CarRepository {
  private readonly known = new WeakMap<Car, ItemMeta>();
  private readonly cars: RecentItems<string, CopiedCar>;
  private readonly idByNumber = new Map<string, string>();
  /** The year counters as last read or written (one item per year: a handful). */
  private readonly counters = new Map<number, ListItem>();

  constructor(
    private readonly lists: SharePointListClient,
    private readonly ids: GraphListIds,
    options: GraphListCarRepositoryOptions = {},
  ) {
    this.cars = new RecentItems(options.copySize ?? DEFAULT_COPY_SIZE);
    this.timeZone = options.timeZone;
    this.onWrite = options.onWrite ?? (() => undefined);
  }

  private readonly onWrite: () => void;

  private readonly timeZone: string | undefined;

  // ---- create -------------------------------------------------------------------------

  async create(
    car: Car,
    audit: AuditRecord,
    idempotency?: IdempotencyClaim,
  ): Promise<{ stored: StoredCar; replayed: boolean }> {
    assertAuditOf(car, audit);
    const writeId = randomUUID();
    const updatedAt = normalisedInstant(audit.at, 'audit.at');
    for (let attempt = 0; ; attempt += 1) {
      const counter = car.needsNumber() ? await this.takeNumberPlan(car) : null;
      const numbered = Car.fromPrimitives(car.toPrimitives());
      const extra: FieldChange[] = [];
      if (counter) {
        numbered.assignNumber(counter.number);
        extra.push({ field: 'number', oldValue: null, newValue: counter.number });
      }
      const rows = chainRows({ sequence: 0, hash: GENESIS_HASH }, audit, extra);
      const lastAudit = auditItemFields(writeId, rows);
      const fields = {
        ...carFields(numbered, {
          updatedAt,
          writeId,
          auditHead: headOf(rows),
          lastAudit,
          timeZone: this.timeZone,
        }),
        ...(idempotency
          ? {
              [C.idempotencyKey]: idempotencyKeyOf(idempotency),
              [C.idempotencyFingerprint]: idempotency.fingerprint,
            }
          : {}),
      };
      const results = await this.send([
        ...(counter ? [counter.step] : []),
        {
          id: 'car',
          method: 'POST',
          url: this.itemsUrl('cars'),
          body: { fields },
          ...(counter ? { dependsOn: ['counter'] } : {}),
        },
        {
          id: 'audit',
          method: 'POST',
          url: this.itemsUrl('audit'),
          body: { fields: lastAudit },
          dependsOn: ['car'],
        },
      ]);
      const carResult = mustHave(results, 'car');
      if (counter) this.noteCounter(counter, results.get('counter'));
      const counterTaken = counter !== null && results.get('counter')?.status === 200;
      if (carResult.status === 201) {
        await this.ensureAudit(results.get('audit'), lastAudit);
        if (counter) adoptNumber(car, counter.number);
        // The answer leaves hidden columns out (columnDefinition: hidden values are not returned
        // by default): the CAR is what was written, with the id and ETag of the answer.
        const created = itemOf(carResult.body);
        const read = storedCarOf({ id: created.id, etag: created.etag, fields });
        const stored = this.remember({ ...read, meta: { ...read.meta, lastAuditStored: true } });
        return { stored: detached(stored, this.known), replayed: false };
      }
      if (carResult.status === 424 && counter && !counterTaken) {
        // The counter moved between our read and our write: take the next one.
        if (attempt >= MAX_NUMBER_ATTEMPTS)
          throw new Error(`no CAR number could be taken for ${car.id}`);
        continue;
      }
      // Graph documents no status for a duplicate key (SharePoint answers 500): whatever the
      // failure, look the key up before deciding. Found: our own earlier attempt (a retried
      // request) or a replayed idempotency key.
      const existing =
        carResult.status === 424
          ? null
          : idempotency
            ? await this.findOne('cars', C.idempotencyKey, idempotencyKeyOf(idempotency))
            : await this.findOne('cars', C.carId, car.id);
      if (!existing) {
        if (counter && counterTaken) await this.giveBack(counter.number, counter.year);
        throw failure(carResult, 'creating a CAR');
      }
      const read = storedCarOf(existing);
      if (read.meta.writeId === writeId) {
        await this.ensureAudit(undefined, lastAudit);
        if (read.stored.car.number !== null) adoptNumber(car, read.stored.car.number);
        const stored = this.remember({ ...read, meta: { ...read.meta, lastAuditStored: true } });
        return { stored: detached(stored, this.known), replayed: false };
      }
      if (counter && counterTaken) await this.giveBack(counter.number, counter.year);
      if (!idempotency) throw new Error(`CAR id ${car.id} is already used by another CAR`);
      if (read.fingerprint !== idempotency.fingerprint)
        throw new RectifyError('IDEMPOTENCY.KEY_REUSED', { key: idempotency.key });
      return { stored: detached(this.remember(read), this.known), replayed: true };
    }
  }

  // ---- update -------------------------------------------------------------------------

  async update(car: Car, expectedEtag: string, audit: AuditRecord): Promise<StoredCar> {
    assertAuditOf(car, audit);
    let meta = this.known.get(car);
    if (!meta || meta.etag !== expectedEtag) {
      const current = await this.findOne('cars', C.carId, car.id);
      if (!current) throw new RectifyError('CAR.NOT_FOUND', { id: car.id });
      const read = storedCarOf(current);
      if (read.meta.etag !== expectedEtag)
        throw new RectifyError('CAR.CONFLICT', { currentEtag: read.meta.etag });
      meta = read.meta;
    }
    const writeId = randomUUID();
    const updatedAt = normalisedInstant(audit.at, 'audit.at');
    const working = Car.fromPrimitives(car.toPrimitives());

    for (let attempt = 0; ; attempt += 1) {
      const counter = working.needsNumber() ? await this.takeNumberPlan(working) : null;
      const numbered = Car.fromPrimitives(working.toPrimitives());
      const extra: FieldChange[] = [];
      if (counter) {
        numbered.assignNumber(counter.number);
        extra.push({ field: 'number', oldValue: null, newValue: counter.number });
      }
      const rows = chainRows(meta.auditHead, audit, extra);
      const lastAudit = auditItemFields(writeId, rows);
      // One sequential chain (Graph runs only parallel, sequential or one-root batches:
      // https://learn.microsoft.com/en-us/graph/known-issues#json-batching): the counter, the
      // CAR, its audit item, then the last write's audit item if this instance did not see it
      // stored (it stays on the CAR item until it is, so a 424 there loses nothing).
      const steps: BatchStep[] = [];
      if (counter) steps.push(counter.step);
      const written = carFields(numbered, {
        updatedAt,
        writeId,
        auditHead: headOf(rows),
        lastAudit,
        timeZone: this.timeZone,
      });
      steps.push({
        id: 'car',
        method: 'PATCH',
        url: this.itemUrl('cars', meta.itemId, '/fields'),
        headers: { 'If-Match': expectedEtag },
        body: written,
        ...(counter ? { dependsOn: ['counter'] } : {}),
      });
      steps.push({
        id: 'audit',
        method: 'POST',
        url: this.itemsUrl('audit'),
        body: { fields: lastAudit },
        dependsOn: ['car'],
      });
      if (meta.lastAudit && !meta.lastAuditStored)
        steps.push({
          id: 'previous',
          method: 'POST',
          url: this.itemsUrl('audit'),
          body: { fields: meta.lastAudit },
          dependsOn: ['audit'],
        });
      const results = await this.send(steps);
      const carResult = mustHave(results, 'car');
      if (counter) this.noteCounter(counter, results.get('counter'));
      if (carResult.status === 200) {
        await this.ensureAudit(results.get('audit'), lastAudit);
        const fresh = await this.saved(meta.itemId, carResult, written);
        if (counter) adoptNumber(car, counter.number);
        return detached(fresh, this.known);
      }
      const counterTaken = counter !== null && results.get('counter')?.status === 200;
      if (carResult.status === 404) {
        if (counter && counterTaken) await this.giveBack(counter.number, counter.year);
        throw new RectifyError('CAR.NOT_FOUND', { id: car.id });
      }
      // 409 or 500: the number is held already (a duplicate in the unique number column).
      if (
        carResult.status !== 412 &&
        carResult.status !== 424 &&
        carResult.status !== 409 &&
        carResult.status !== 500
      )
        throw failure(carResult, `saving CAR ${car.id}`);
      // Did an earlier attempt of this very write land (a retried batch), or did someone else write?
      const current = await this.lists.getItem(this.ids.cars, meta.itemId, CAR_SELECT);
      if (!current) throw new RectifyError('CAR.NOT_FOUND', { id: car.id });
      const read = storedCarOf(current);
      if (read.meta.writeId === writeId) {
        await this.ensureAudit(undefined, lastAudit);
        if (read.stored.car.number !== null) adoptNumber(car, read.stored.car.number);
        const stored = this.remember({ ...read, meta: { ...read.meta, lastAuditStored: true } });
        return detached(stored, this.known);
      }
      this.remember(read);
      if (counter && counterTaken) await this.giveBack(counter.number, counter.year);
      if (carResult.status === 412 || read.meta.etag !== expectedEtag)
        throw new RectifyError('CAR.CONFLICT', { currentEtag: read.meta.etag });
      // The counter moved under us (424) or the number is held already (409): take another.
      if (attempt >= MAX_NUMBER_ATTEMPTS)
        throw new Error(`no CAR number could be taken for ${car.id}`);
    }
  }

  // ---- reads --------------------------------------------------------------------------

  async findById(id: string, options?: FindOptions): Promise<StoredCar | null> {
    const copy = this.copyOf(id, options);
    if (copy) return copy;
    const item = await this.findOne('cars', C.carId, id);
    return item ? detached(this.remember(storedCarOf(item)), this.known) : null;
  }

  async findByNumber(number: string, options?: FindOptions): Promise<StoredCar | null> {
    const copy = this.copyOf(this.idByNumber.get(number), options);
    if (copy && copy.car.number === number) return copy;
    const item = await this.findOne('cars', C.number, number);
    return item ? detached(this.remember(storedCarOf(item)), this.known) : null;
  }

  /** The CAR from the copy, only when the caller holds the very ETag the copy has. */
  private copyOf(id: string | undefined, options: FindOptions | undefined): StoredCar | null {
    if (id === undefined || options?.knownEtag === undefined) return null;
    const entry = this.cars.get(id);
    if (!entry || entry.meta.etag !== options.knownEtag) return null;
    return detached(entry.stored, this.known);
  }

  async history(carId: string): Promise<readonly AuditEntry[]> {
    const [items, carItem] = await Promise.all([
      this.queryAll('audit', `fields/${A.carId} eq ${odataString(carId)}`, AUDIT_SELECT),
      this.findOne('cars', C.carId, carId),
    ]);
    const byWrite = new Map(items.map((i) => [String(i.fields[A.writeId]), i.fields]));
    if (carItem) {
      // The audit item of the last write may have been lost between the two requests: add it.
      const { meta } = storedCarOf(carItem);
      if (meta.lastAudit && !byWrite.has(meta.writeId)) {
        await this.ensureAudit(undefined, meta.lastAudit);
        byWrite.set(meta.writeId, meta.lastAudit);
      }
    }
    const rows = [...byWrite.values()]
      .flatMap((fields) => auditRowsOf(fields, `audit item of CAR ${carId}`))
      .sort((a, b) => a.sequence - b.sequence);
    return rows.map(auditEntryOf);
  }

  /**
   * Checks a CAR's trail: one unbroken hash chain from its first entry, ending at the head the
   * CAR item holds (so a deleted tail shows too).
   */
  async verifyTrail(carId: string): Promise<ChainVerification> {
    const [items, carItem] = await Promise.all([
      this.queryAll('audit', `fields/${A.carId} eq ${odataString(carId)}`, AUDIT_SELECT),
      this.findOne('cars', C.carId, carId),
    ]);
    const rows = items
      .flatMap((i) => auditRowsOf(i.fields, `audit item ${i.id}`))
      .sort((a, b) => a.sequence - b.sequence);
    const verdict = verifyChain(rows);
    if (!verdict.ok || !carItem) return verdict;
    const { meta } = storedCarOf(carItem);
    const last = rows.at(-1);
    if (meta.auditHead.sequence !== (last?.sequence ?? 0))
      return {
        ok: false,
        count: verdict.count,
        firstBroken: { sequence: (last?.sequence ?? 0) + 1, reason: 'sequence_gap' },
      };
    if (last && meta.auditHead.hash !== last.hash)
      return {
        ok: false,
        count: verdict.count - 1,
        firstBroken: { sequence: last.sequence, reason: 'hash_mismatch' },
      };
    return verdict;
  }

  /**
   * Every CAR on the list, page by page (following @odata.nextLink): its id and number only, so
   * that a CAR whose record no longer parses is still listed (for audit:verify).
   */
  async *everyCar(): AsyncGenerator<{ readonly id: string; readonly number: string | null }> {
    const pages = this.lists.queryItems(this.ids.cars, {
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
    anyOf(C.state, query.states);
    anyOf(C.type, query.types);
    anyOf(C.classification, query.classifications);
    if (query.reporterId !== undefined)
      filters.push(`fields/${C.reporterId} eq ${odataString(query.reporterId)}`);
    if (query.cursor !== undefined) {
      const cursor = decodeCursor(query.cursor, query);
      filters.push(
        `fields/${sortColumn} ${query.order === 'asc' ? 'gt' : 'lt'} ${odataString(cursor.k)}`,
      );
    }
    const wanted = matcherOf(query);
    const found: { stored: StoredCar; key: string }[] = [];
    const pages = this.lists.queryItems(this.ids.cars, {
      filter: filters.length > 0 ? filters.join(' and ') : undefined,
      orderBy: [{ field: sortColumn, desc: query.order === 'desc' }],
      select: [...CAR_SELECT, sortColumn],
      top: Math.min(Math.max(query.limit + 1, 20), SCAN_PAGE),
    });
    try {
      scan: for await (const page of pages) {
        for (const item of page) {
          const read = storedCarOf(item);
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
    return { items: page.map((f) => detached(f.stored, this.known)), nextCursor };
  }

  // ---- numbering ----------------------------------------------------------------------

  /**
   * Reads the year's counter and prepares the If-Match PATCH that takes the next number (or
   * one given back earlier), to go in the same batch as the CAR write.
   */
  private async takeNumberPlan(car: Car): Promise<NumberPlan> {
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
        url: this.itemUrl('sequences', counter.id, '/fields'),
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
  private noteCounter(plan: NumberPlan, result: BatchResult | undefined): void {
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
    const found = await this.findOne('sequences', S.key, key, Object.values(S));
    if (found) return found;
    const results = await this.send([
      {
        id: 'create',
        method: 'POST',
        url: this.itemsUrl('sequences'),
        body: {
          fields: { Title: key, [S.key]: key, [S.lastValue]: 0, [S.holderId]: '', [S.orphans]: '' },
        },
      },
    ]);
    const created = mustHave(results, 'create');
    if (created.status === 201) return itemOf(created.body);
    // Whatever the failure (a duplicate key answers 500 or 409), the key decides.
    const again = await this.findOne('sequences', S.key, key, Object.values(S));
    if (!again) throw failure(created, `creating the counter ${key}`);
    return again;
  }

  /**
   * Hands a number back after the CAR write that took it was refused: the counter steps back if
   * nobody took a later one, else the number waits in the counter's list for the next CAR.
   */
  private async giveBack(number: CarNumber, year: number): Promise<void> {
    const { sequence } = parseCarNumber(number);
    for (let attempt = 0; attempt < MAX_NUMBER_ATTEMPTS; attempt += 1) {
      const counter = this.counters.get(year) ?? (await this.counter(year));
      const last = Number(counter.fields[S.lastValue] ?? 0);
      const orphans = parseOrphans(counter.fields[S.orphans]);
      const fields =
        last === sequence
          ? { [S.lastValue]: last - 1 }
          : { [S.orphans]: [...new Set([...orphans, sequence])].sort((a, b) => a - b).join(',') };
      const results = await this.send([
        {
          id: 'giveBack',
          method: 'PATCH',
          url: this.itemUrl('sequences', counter.id, '/fields'),
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

  // ---- plumbing -----------------------------------------------------------------------

  private async send(steps: readonly BatchStep[]): Promise<Map<string, BatchResult>> {
    try {
      return await this.lists.batch(steps);
    } catch (e) {
      throw explain(e, `the Rectify lists on site ${this.lists.siteId}`);
    }
  }

  /** Creates an audit item that may already exist (its write id is unique): 201 or 409 is fine. */
  private async ensureAudit(
    result: BatchResult | undefined,
    fields: AuditItemFields,
  ): Promise<void> {
    if (result && (result.status === 201 || result.status === 409)) return;
    if (result && result.status === 500) {
      const found = await this.findOne('audit', A.writeId, fields[A.writeId], [A.writeId]);
      if (found) return;
    }
    const results = await this.send([
      { id: 'audit', method: 'POST', url: this.itemsUrl('audit'), body: { fields } },
    ]);
    const r = mustHave(results, 'audit');
    if (r.status === 201 || r.status === 409) return;
    // A duplicate write id (SharePoint answers 500) means the item is stored: look it up.
    const found = await this.findOne('audit', A.writeId, fields[A.writeId], [A.writeId]);
    if (!found) throw failure(r, 'appending to the audit trail');
  }

  /**
   * The CAR as this write left it, without reading it back: what was written, with the new ETag
   * from the answer (PATCH .../fields answers 200 with the item's fieldValueSet, which carries
   * `@odata.etag`: listitem-update.md). Only an answer without any ETag costs a read.
   */
  private async saved(
    itemId: string,
    patched: BatchResult,
    written: Record<string, unknown>,
  ): Promise<StoredCar> {
    const etag = etagOfResult(patched);
    if (etag !== null) {
      const read = storedCarOf({ id: itemId, etag, fields: written });
      return this.remember({ ...read, meta: { ...read.meta, lastAuditStored: true } });
    }
    const item = await this.lists.getItem(this.ids.cars, itemId, CAR_SELECT);
    if (!item) throw new Error(`list item ${itemId} vanished after it was saved`);
    return this.remember(storedCarOf(item));
  }

  /** Puts what was read or written in the copy, and ties the Car object to its item. */
  private remember(read: { stored: StoredCar; meta: ItemMeta }): StoredCar {
    if (read.meta.lastAuditStored) this.onWrite();
    const id = read.stored.car.id;
    const before = this.cars.get(id);
    // A read cannot tell that the last audit item is stored; this instance may have seen it.
    const meta =
      !read.meta.lastAuditStored &&
      before?.meta.lastAuditStored === true &&
      before.meta.writeId === read.meta.writeId
        ? { ...read.meta, lastAuditStored: true }
        : read.meta;
    this.known.set(read.stored.car, meta);
    const pushedOut = this.cars.set(id, { stored: read.stored, meta });
    const oldNumber = pushedOut?.[1].stored.car.number;
    if (oldNumber && this.idByNumber.get(oldNumber) === pushedOut[0])
      this.idByNumber.delete(oldNumber);
    const number = read.stored.car.number;
    if (number !== null) this.idByNumber.set(number, id);
    return read.stored;
  }

  private async findOne(
    list: keyof GraphListIds,
    column: string,
    value: string,
    select: readonly string[] = CAR_SELECT,
  ): Promise<ListItem | null> {
    const items = await this.queryAll(list, `fields/${column} eq ${odataString(value)}`, select, 2);
    return items[0] ?? null;
  }

  private async queryAll(
    list: keyof GraphListIds,
    filter: string,
    select: readonly string[],
    top = SCAN_PAGE,
  ): Promise<ListItem[]> {
    const out: ListItem[] = [];
    try {
      for await (const page of this.lists.queryItems(this.ids[list], { filter, select, top }))
        out.push(...page);
    } catch (e) {
      throw explain(e, `the list of ${list}`);
    }
    return out;
  }

  private itemsUrl(list: keyof GraphListIds): string {
    return this.lists.listPath(this.ids[list], '/items');
  }

  private itemUrl(list: keyof GraphListIds, itemId: string, rest = ''): string {
    return this.lists.listPath(this.ids[list], `/items/${encodeURIComponent(itemId)}${rest}`);
  }
}

// ---- helpers ----------------------------------------------------------------------------

function chainRows(
  head: { readonly sequence: number; readonly hash: string },
  audit: AuditRecord,
  extra: readonly FieldChange[],
): ChainedRow[] {
  const changes = [...audit.changes, ...extra];
  // An operation that changed no field is still recorded: who did what, when and why.
  const list = changes.length > 0 ? changes : [{ field: '*', oldValue: null, newValue: null }];
  let prevHash = head.hash;
  let sequence = head.sequence;
  return list.map((change) => {
    sequence += 1;
    const row = chainEntry(prevHash, {
      sequence,
      carId: audit.carId,
      operation: audit.operation,
      field: change.field,
      oldValue: toStoredJson(change.oldValue),
      newValue: toStoredJson(change.newValue),
      reason: audit.reason,
      actorId: audit.actor.id,
      actorName: audit.actor.name,
      at: audit.at,
    });
    prevHash = row.hash;
    return row;
  });
}

const headOf = (rows: readonly ChainedRow[]): { sequence: number; hash: string } => {
  const last = rows.at(-1);
  if (!last) throw new Error('a write has at least one audit row');
  return { sequence: last.sequence, hash: last.hash };
};

function parseOrphans(value: unknown): number[] {
  if (typeof value !== 'string' || value.trim() === '') return [];
  return value
    .split(',')
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0)
    .sort((a, b) => a - b);
}

function assertAuditOf(car: Car, audit: AuditRecord): void {
  if (audit.carId !== car.id)
    throw new Error(`audit record for CAR ${audit.carId} handed in with CAR ${car.id}`);
}

function adoptNumber(car: Car, number: string): void {
  if (car.needsNumber()) car.assignNumber(number as CarNumber);
}

/** The ETag a write answered with: `@odata.etag` in the body, else the ETag header. */
function etagOfResult(result: BatchResult): string | null {
  const body = result.body;
  if (isRecord(body) && typeof body['@odata.etag'] === 'string') return body['@odata.etag'];
  return result.headers.etag ?? null;
}

function mustHave(results: Map<string, BatchResult>, id: string): BatchResult {
  const r = results.get(id);
  if (!r) throw new Error(`Graph answered no response for batch request ${id}`);
  return r;
}

function failure(result: BatchResult, what: string): Error {
  const body = result.body;
  const error = isRecord(body) && isRecord(body.error) ? body.error : {};
  const code = typeof error.code === 'string' ? error.code : null;
  const message = typeof error.message === 'string' ? error.message : '';
  const e = new GraphRequestError(
    result.status,
    code,
    `${what}: Graph answered ${result.status} ${code ?? ''} ${message}`.trim(),
  );
  return explain(e, what) as Error;
}

/** A copy the caller may change, remembered like the original. */
function detached(stored: StoredCar, known: WeakMap<Car, ItemMeta>): StoredCar {
  const car = Car.fromPrimitives(stored.car.toPrimitives());
  const meta = known.get(stored.car);
  if (meta) known.set(car, meta);
  return { ...stored, car };
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
    if (query.visibility.kind === 'involved') {
      const person = query.visibility.personId;
      if (!car.isReportedBy(person) && (car.confidential || !car.ownsAction(person))) return false;
    }
    return true;
  };
}
